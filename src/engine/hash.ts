/**
 * The history's hash chain (DESIGN §5; 21 CFR 11.10(e)): each transition record is hashed as the
 * lowercase hex SHA-256 of its RFC 8785 (JCS) canonical JSON without the `hash` field, and names
 * the previous record's hash. Anyone can recompute it from `GET .../history`.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** `prevHash` of the first record (seq 1, `CREATED`). */
export const GENESIS_HASH = '0'.repeat(64);

export function sha256Hex(input: string | Buffer): string {
  return createHash('sha256').update(input).digest('hex');
}

/**
 * RFC 8785 canonical JSON. JCS serializes strings and numbers exactly as ECMAScript's
 * JSON.stringify does and sorts object keys by UTF-16 code units, which is what this does, without
 * the generic package's overhead on the audit path; a test checks it against `canonicalize`.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite numbers cannot be canonicalized');
    if (typeof value === 'string' && !value.isWellFormed()) throw new TypeError('lone surrogates cannot be canonicalized (RFC 8785 needs well-formed Unicode)');
    const out = JSON.stringify(value);
    if (out === undefined) throw new TypeError('value cannot be canonicalized');
    return out;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (value[i] === undefined ? 'null' : canonicalJson(value[i]));
    return `${out}]`;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((value as { toJSON(): unknown }).toJSON());
  const keys = Object.keys(value).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (!k.isWellFormed()) throw new TypeError('lone surrogates cannot be canonicalized (RFC 8785 needs well-formed Unicode)');
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** The reference implementation, kept for tests that pin canonicalJson to it. */
export const referenceCanonicalize = canonicalize;

/** The hash of a transition record: everything but its own `hash` field. */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _ignored, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}

export interface ChainBreak {
  readonly seq: number;
  readonly reason: string;
}

/**
 * Checks one submission's records in `seq` order: seq runs 1..n without gaps, every `prevHash`
 * names its predecessor's hash, and every `hash` recomputes. Returns the first break, or null.
 */
export function verifyChain(records: readonly Record<string, unknown>[]): ChainBreak | null {
  let prev = GENESIS_HASH;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const seq = Number(r.seq);
    if (seq !== i + 1) return { seq, reason: `expected seq ${i + 1}` };
    if (r.prevHash !== prev) return { seq, reason: 'prevHash does not match the previous record' };
    if (recordHash(r) !== r.hash) return { seq, reason: 'hash does not match the record' };
    prev = r.hash as string;
  }
  return null;
}
