/**
 * The history hash chain (DESIGN §5): `hash` = lowercase hex SHA-256 of the RFC 8785 canonical
 * JSON of the record without `hash`; `prevHash` of seq 1 is 64 zeros. Expected hashes are
 * computed here independently (node:crypto + a tiny canonicalizer), not with the product code.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, canonicalJson, recordHash, sha256Hex, verifyChain } from '../../src/engine/hash.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Minimal RFC 8785 for plain JSON data: keys sorted by UTF-16 code units (JS default sort),
 * ECMAScript number and string serialization (JSON.stringify), no whitespace.
 */
function jcs(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${jcs(o[k])}`)
    .join(',')}}`;
}

function independentHash(record: Record<string, unknown>): string {
  const { hash: _h, ...rest } = record;
  return sha256(jcs(rest));
}

type Rec = Record<string, unknown>;

function record(seq: number, type: string, prevHash: string, extra: Rec = {}): Rec {
  const r: Rec = {
    id: `01936f00-0000-7000-8000-00000000000${seq}`,
    submissionId: '01936f00-0000-7000-8000-0000000000aa',
    seq,
    type,
    data: extra.data ?? {},
    from: extra.from ?? null,
    to: extra.to ?? 'draft',
    actor: { id: 'u1', name: 'Ana Ruiz', role: 'manufacturer', organization: 'Acme Médica' },
    comment: null,
    effectiveAt: `2026-01-0${seq}T05:00:00.000Z`,
    recordedAt: `2026-01-0${seq}T15:30:00.000Z`,
    signature: null,
    workflow: { id: 'fda-510k', version: 1, definitionHash: 'ab'.repeat(32) },
    prevHash,
  };
  return { ...r, hash: independentHash(r) };
}

/** A valid 3-record chain: CREATED, SUBMIT, FEE_VERIFIED. */
function chain(): Rec[] {
  const r1 = record(1, 'CREATED', GENESIS_HASH, { to: 'draft' });
  const r2 = record(2, 'SUBMIT', r1.hash as string, { from: 'draft', to: 'received' });
  const r3 = record(3, 'FEE_VERIFIED', r2.hash as string, { from: 'received', to: 'technicalScreening', data: { note: 'fee ok' } });
  return [r1, r2, r3];
}

/** Recomputes a record's hash after a deliberate change (a careful forger). */
function rehash(r: Rec): Rec {
  return { ...r, hash: independentHash(r) };
}

describe('sha256Hex and canonicalJson', () => {
  it('sha256Hex is lowercase hex SHA-256 (FIPS 180-2 "abc" vector)', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('sorts keys, drops whitespace and writes numbers the ECMAScript way', () => {
    expect(canonicalJson({ b: 2, a: 'x', c: { z: [1, 2.5, true, null], y: 1e21, x: 0.000001 } })).toBe(
      '{"a":"x","b":2,"c":{"x":0.000001,"y":1e+21,"z":[1,2.5,true,null]}}',
    );
  });

  it('sorts keys by UTF-16 code units and escapes only what JSON requires (RFC 8785 §3.2.3 example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });
});

describe('recordHash', () => {
  it('is sha256 of the canonical JSON of the record without its hash field', () => {
    const r = { seq: 1, type: 'CREATED', data: { b: 1, a: 'é "q"\n' }, prevHash: GENESIS_HASH, hash: 'whatever' };
    const canonical = `{"data":{"a":"é \\"q\\"\\n","b":1},"prevHash":"${'0'.repeat(64)}","seq":1,"type":"CREATED"}`;
    expect(jcs({ ...r, hash: undefined })).toBe(canonical);
    expect(recordHash(r)).toBe(sha256(canonical));
    expect(recordHash(r)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the hash field or on key order', () => {
    const a = { seq: 2, prevHash: 'f'.repeat(64), type: 'SUBMIT', data: {} };
    const b = { data: {}, type: 'SUBMIT', prevHash: 'f'.repeat(64), seq: 2, hash: '1'.repeat(64) };
    expect(recordHash(a)).toBe(recordHash(b));
  });

  it('changes when any field changes', () => {
    const [, r2] = chain();
    const base = recordHash(r2!);
    expect(recordHash({ ...r2, comment: 'x' })).not.toBe(base);
    expect(recordHash({ ...r2, seq: 3 })).not.toBe(base);
    expect(recordHash({ ...r2, actor: { ...(r2!.actor as Rec), role: 'fda' } })).not.toBe(base);
  });

  it('matches the independent computation for a full transition record', () => {
    for (const r of chain()) expect(recordHash(r)).toBe(r.hash);
  });
});

describe('verifyChain', () => {
  it('GENESIS_HASH is 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('accepts a valid 3-record chain, and the empty chain', () => {
    expect(verifyChain(chain())).toBeNull();
    expect(verifyChain([])).toBeNull();
  });

  it('detects changed data (hash no longer recomputes)', () => {
    const c = chain();
    c[1] = { ...c[1], data: { tampered: true } };
    expect(verifyChain(c)).toEqual({ seq: 2, reason: expect.stringMatching(/hash/i) });
  });

  it("detects changed data even when the forger recomputes that record's hash (the next link breaks)", () => {
    const c = chain();
    c[1] = rehash({ ...c[1], to: 'closed.withdrawn' });
    expect(verifyChain(c)).toEqual({ seq: 3, reason: expect.stringMatching(/prevHash/) });
  });

  it('detects a changed hash field', () => {
    const c = chain();
    c[2] = { ...c[2], hash: 'a'.repeat(64) };
    expect(verifyChain(c)).toEqual({ seq: 3, reason: expect.stringMatching(/hash/i) });
  });

  it('detects a gap in seq (a deleted record)', () => {
    const [r1, , r3] = chain();
    expect(verifyChain([r1!, r3!])).toEqual({ seq: 3, reason: expect.stringMatching(/seq 2/) });
  });

  it('detects a seq that does not start at 1', () => {
    const [, r2, r3] = chain();
    expect(verifyChain([r2!, r3!])?.seq).toBe(2);
  });

  it('detects a wrong prevHash (record rehashed so only the link is wrong)', () => {
    const c = chain();
    c[2] = rehash({ ...c[2], prevHash: 'b'.repeat(64) });
    expect(verifyChain(c)).toEqual({ seq: 3, reason: expect.stringMatching(/prevHash/) });
  });

  it('detects a first record whose prevHash is not the genesis hash', () => {
    const c = chain();
    c[0] = rehash({ ...c[0], prevHash: 'c'.repeat(64) });
    expect(verifyChain(c)).toEqual({ seq: 1, reason: expect.stringMatching(/prevHash/) });
  });

  it('detects reordered records', () => {
    const [r1, r2, r3] = chain();
    const broken = verifyChain([r1!, r3!, r2!]);
    expect(broken).not.toBeNull();
    expect(broken?.seq).toBe(3);
  });

  it('detects reordered records even when seq values are renumbered and rehashed', () => {
    const [r1, r2, r3] = chain();
    const swapped = [r1!, rehash({ ...r3!, seq: 2 }), rehash({ ...r2!, seq: 3 })];
    expect(verifyChain(swapped)).toEqual({ seq: 2, reason: expect.stringMatching(/prevHash/) });
  });
});
