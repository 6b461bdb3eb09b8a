/**
 * The offline audit bundle (issue 6): built from a real database, checked with no database —
 * hash chain, checkpoint signature with a pinned key, inclusion proofs, definitions, signature
 * manifestations and a replay of the machine; and every tampering (an edited, deleted or
 * reordered record, a forged manifestation, a foreign key, altered rules) is caught and located.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support/server.js';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, verifyBundle, type AuditBundle } from '../../src/audit/bundle.js';
import { noteSigner, verifierKey } from '../../src/audit/note.js';
import { createTransparencyLog, loadSigningKey, type TransparencyLog } from '../../src/audit/tlog.js';
import { type TestContext } from '../support/fixtures.js';
import { Api, body510k, openTestApp } from '../http/helpers.js';

let ctx: TestContext, api: Api;
let tlog: TransparencyLog;
let bundle: AuditBundle;
let key: string;

beforeAll(async () => {
  ({ ctx, api } = await openTestApp());
  tlog = createTransparencyLog({ db: ctx.services.db, privateKey: loadSigningKey({ databaseUrl: ctx.database.url }).privateKey });
  key = tlog.publicKey().verifierKey;
  const { manufacturer: m, fda } = ctx.users;
  const k = await api.create(m, body510k('Bundle 510(k)'));
  await api.send(m, k.id, 'SUBMIT', { effectiveAt: '2026-01-05' });
  await api.send(fda, k.id, 'FEE_VERIFIED', { effectiveAt: '2026-01-06' });
  await api.send(fda, k.id, 'SCREEN_PASS', { effectiveAt: '2026-01-15' });
  await api.send(fda, k.id, 'REQUEST_AI', { effectiveAt: '2026-03-01', data: { deficiencies: ['Biocompatibility'] } });
  await api.send(m, k.id, 'AI_RESPONSE', { data: { summary: 'Test reports attached' }, effectiveAt: '2026-05-30' });
  await api.send(fda, k.id, 'DECIDE_SE', { effectiveAt: '2026-06-20', data: { kNumber: 'K261234', decisionDate: '2026-06-20' } });
  // Other submissions share the log.
  await api.create(m, body510k('Another 510(k)'));
  bundle = await buildBundle(ctx.services.db.knex, tlog, k.id);
});
afterAll(async () => ctx?.close());

/** A deep, writable copy (a forger edits the JSON file). */
type Writable<T> = { -readonly [K in keyof T]: T[K] };
const copy = () => JSON.parse(JSON.stringify(bundle)) as Omit<AuditBundle, 'records'> & { records: Array<Writable<AuditBundle['records'][number]>> };

describe('audit bundle', () => {
  it('verifies completely with the pinned key, offline, and replays the machine exactly', () => {
    const v = verifyBundle(copy(), { verifierKey: key });
    expect(v.failures).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.records).toBe(7);
    expect(v.checks.map((c) => [c.name, c.ok])).toEqual([
      ['hash chain', true],
      ['checkpoint signature', true],
      ['inclusion proofs', true],
      ['rules', true],
      ['signatures', true],
      ['replay', true],
    ]);
    expect(v.checks.find((c) => c.name === 'replay')!.detail).toBe('7 records replayed exactly');
    expect(v.warnings).toEqual([]);
    // Decisions and filings carry a Part 11 manifestation: printed name, meaning, time.
    const se = bundle.records.find((r) => r.type === 'DECIDE_SE')!;
    expect(se.signature).toEqual({ name: ctx.users.fda.actor.name, meaning: expect.any(String), signedAt: se.recordedAt });
  });

  it('without a pinned key it still checks, and warns', () => {
    const v = verifyBundle(copy());
    expect(v.ok).toBe(true);
    expect(v.warnings.join(' ')).toMatch(/no --key/);
  });

  it('an edited record is located by seq', () => {
    const b = copy();
    b.records[3]!.data.deficiencies = ['nothing'];
    const v = verifyBundle(b, { verifierKey: key });
    expect(v.ok).toBe(false);
    expect(v.failures).toContainEqual({ seq: 4, reason: 'hash does not match the record' });
  });

  it('a deleted or reordered record breaks the chain where it happened', () => {
    const deleted = copy();
    deleted.records.splice(2, 1);
    expect(verifyBundle(deleted, { verifierKey: key }).failures).toContainEqual({ seq: 4, reason: 'expected seq 3' });
    const swapped = copy();
    [swapped.records[4], swapped.records[5]] = [swapped.records[5]!, swapped.records[4]!];
    expect(verifyBundle(swapped, { verifierKey: key }).failures).toContainEqual({ seq: 6, reason: 'expected seq 5' });
  });

  it('a forged signature manifestation is caught, even with its hash recomputed: the log does not hold it', async () => {
    const b = copy();
    const se = b.records.find((r) => r.type === 'DECIDE_SE')!;
    (se.signature as Record<string, unknown>).name = 'Somebody Else';
    const { recordHash } = await import('../../src/engine/hash.js');
    se.hash = recordHash(se);
    const v = verifyBundle(b, { verifierKey: key });
    expect(v.failures).toContainEqual({ seq: se.seq, reason: expect.stringMatching(/not proven in the log/) });
  });

  it('a checkpoint signed by another key, or altered, is refused', () => {
    const other = noteSigner(tlog.origin, generateKeyPairSync('ed25519').privateKey);
    expect(verifyBundle(copy(), { verifierKey: verifierKey(other) }).failures).toContainEqual({
      seq: null,
      reason: expect.stringMatching(/checkpoint signature/),
    });
    const b = copy();
    b.checkpoint.note = b.checkpoint.note.replace(`\n${b.checkpoint.treeSize}\n`, `\n${b.checkpoint.treeSize + 1}\n`);
    expect(verifyBundle(b, { verifierKey: key }).ok).toBe(false);
  });

  it('altered rules do not hash to the definition the records name', () => {
    const b = copy();
    const [hash] = Object.keys(b.definitions);
    (b.definitions[hash!] as Record<string, unknown>).goals = [];
    expect(verifyBundle(b, { verifierKey: key }).failures).toContainEqual({ seq: null, reason: expect.stringMatching(/does not hash to its name/) });
  });

  it('a step the machine would not take is named by the replay', async () => {
    const b = copy();
    const { recordHash } = await import('../../src/engine/hash.js');
    // Rewrite history consistently (a forger with the database): AI_RESPONSE "leads" to cleared.
    const r = b.records[5]!;
    r.to = 'cleared';
    let prev = b.records[4]!.hash;
    for (const x of b.records.slice(5)) {
      x.prevHash = prev;
      x.hash = recordHash(x);
      prev = x.hash;
    }
    const v = verifyBundle(b, { verifierKey: key });
    expect(v.failures).toContainEqual({ seq: 6, reason: 'AI_RESPONSE leads to review.substantive, not cleared' });
  });

  it('is not fooled by something that is not a bundle', () => {
    expect(verifyBundle({ hello: 'world' })).toMatchObject({ ok: false, failures: [{ seq: null, reason: 'not an audit bundle' }] });
  });
});

describe('puente audit bundle / verify-bundle', () => {
  it('writes a bundle from the database and verifies it offline, exit 0; a tampered file exits 1 naming the record', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-bundle-'));
    const file = path.join(dir, 'bundle.json');
    const run = (args: string[], env: Record<string, string> = {}) =>
      promisify(execFile)('npx', ['--no-install', 'puente', 'audit', ...args], {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'silent', ...env },
        timeout: 60_000,
      });
    try {
      const written = await run(['bundle', '--submission', bundle.submissionId, '--out', file], { DATABASE_URL: ctx.database.url });
      expect(written.stdout).toMatch(/wrote 7 records/);
      // No DATABASE_URL at all: the check needs nothing but the file and the pinned key.
      const ok = await run(['verify-bundle', file, '--key', key], { DATABASE_URL: 'sqlite:/nonexistent/dir/never.db' });
      expect(ok.stdout).toMatch(/^VERIFIED: submission .*, 7 records$/m);
      const tampered = JSON.parse(fs.readFileSync(file, 'utf8')) as AuditBundle;
      (tampered.records[1] as { comment: string | null }).comment = 'added later';
      fs.writeFileSync(file, JSON.stringify(tampered));
      const bad = await run(['verify-bundle', file, '--key', key]).then(
        () => null,
        (e: { code: number; stdout: string }) => e,
      );
      expect(bad?.code).toBe(1);
      expect(bad?.stdout).toMatch(/FAIL seq 2: hash does not match the record/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
