/**
 * The transparency log on a real database (issue 6): every history record becomes a leaf, in the
 * order the integrator finds them; signed checkpoints open with the public key; every inclusion
 * and consistency proof verifies with RFC 9162's algorithms against the checkpoint's root; two
 * integrators racing (two processes' services on one database) build one tree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafHash, verifyConsistency, verifyInclusion, nodeHash, splitPoint } from '../../src/audit/merkle.js';
import { openNote, parseCheckpoint } from '../../src/audit/note.js';
import { createTransparencyLog, loadSigningKey, type TransparencyLog } from '../../src/audit/tlog.js';
import { initServices } from '../../src/services.js';
import { recordHash } from '../../src/engine/hash.js';
import { verifyDatabase } from '../../src/engine/verify.js';
import { listTransitions } from '../../src/store/history-store.js';
import { createTestContext, type TestContext, new510k } from '../support/fixtures.js';
import { startServer } from '../support/server.js';

let ctx: TestContext;
let tlog: TransparencyLog;

beforeAll(async () => {
  ctx = await createTestContext();
  tlog = createTransparencyLog({ db: ctx.services.db, privateKey: loadSigningKey({ databaseUrl: ctx.database.url }).privateKey });
});
afterAll(async () => ctx?.close());

async function createSome(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await new510k(ctx, `Log ${i}`);
  }
}

/** The reference root: RFC 9162 MTH over the row hashes in leaf order. */
function mth(rowHashes: readonly string[]): Buffer {
  if (rowHashes.length === 1) return leafHash(Buffer.from(rowHashes[0]!, 'hex'));
  const k = splitPoint(rowHashes.length);
  return nodeHash(mth(rowHashes.slice(0, k)), mth(rowHashes.slice(k)));
}

async function leaves(): Promise<Array<{ leaf_index: number; transition_id: string; row_hash: string }>> {
  return (await ctx.services.db.knex('tlog_leaves').orderBy('leaf_index')).map(
    (r: { leaf_index: number | string; transition_id: string; row_hash: string }) => ({ ...r, leaf_index: Number(r.leaf_index) }),
  );
}

describe('transparency log', () => {
  it('checkpoints sign the root of every record so far; inclusion and consistency proofs verify', async () => {
    await createSome(13);
    const first = await tlog.checkpoint();
    const all = await leaves();
    expect(first.treeSize).toBe(all.length);
    expect(all.map((l) => l.leaf_index)).toEqual(all.map((_, i) => i));
    // Every history record is a leaf, with its own hash.
    const records = (await ctx.services.db.knex('transitions').select('id', 'hash')) as Array<{ id: string; hash: string }>;
    expect(new Map(all.map((l) => [l.transition_id, l.row_hash]))).toEqual(new Map(records.map((r) => [r.id, r.hash])));
    expect(first.rootHash).toBe(mth(all.map((l) => l.row_hash)).toString('hex'));

    // The signed note opens with the published verifier key and carries the same tree head.
    const key = tlog.publicKey();
    expect(key.pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const head = parseCheckpoint(openNote(first.note, key.verifierKey));
    expect(head).toEqual({ origin: key.origin, size: first.treeSize, rootHash: Buffer.from(first.rootHash, 'hex') });

    /** Whether the log's inclusion proof of `l` in the tree of `size` leads to `root`. */
    const included = async (l: (typeof all)[number], size: number, root: Buffer): Promise<boolean> => {
      const p = await tlog.inclusion(l.leaf_index, size);
      const path = p.auditPath.map((h) => Buffer.from(h, 'hex'));
      return verifyInclusion(leafHash(Buffer.from(l.row_hash, 'hex')), l.leaf_index, size, path, root);
    };
    for (const l of all) expect(await included(l, first.treeSize, head.rootHash), `leaf ${l.leaf_index}`).toBe(true);

    await createSome(9);
    const second = await tlog.checkpoint();
    expect(second.treeSize).toBe(first.treeSize + 9);
    const c = await tlog.consistency(first.treeSize, second.treeSize);
    expect(
      verifyConsistency(
        first.treeSize,
        second.treeSize,
        c.proof.map((h) => Buffer.from(h, 'hex')),
        Buffer.from(first.rootHash, 'hex'),
        Buffer.from(second.rootHash, 'hex'),
      ),
    ).toBe(true);
    // An old leaf is still provable in the larger tree.
    expect(await included(all[3]!, second.treeSize, Buffer.from(second.rootHash, 'hex'))).toBe(true);
    expect(await tlog.latestCheckpoint()).toEqual(second);
    await expect(tlog.inclusion(0, second.treeSize + 1)).rejects.toThrow(/beyond/);
    await expect(tlog.consistency(5, second.treeSize + 1)).rejects.toThrow(/beyond/);
  });

  it('a record is found even before the integrator ran (it integrates on demand)', async () => {
    await createSome(1);
    const [latest] = (await ctx.services.db.knex('transitions').orderBy('recorded_at', 'desc').limit(1).select('id')) as Array<{ id: string }>;
    expect(await tlog.leafIndexOf(latest!.id)).toBe((await tlog.size()) - 1);
    expect(await tlog.leafIndexOf('00000000-0000-7000-8000-000000000000')).toBeNull();
  });

  it('two integrators racing on one database build one tree, each record once', async () => {
    await createSome(40);
    const other = await initServices({ databaseUrl: ctx.database.url, mxNonWorkingDays: [] });
    try {
      const key = loadSigningKey({ databaseUrl: ctx.database.url }).privateKey;
      const a = createTransparencyLog({ db: ctx.services.db, privateKey: key });
      const b = createTransparencyLog({ db: other.db, privateKey: key });
      await Promise.all([a.integrate(), b.integrate(), a.integrate()]);
      const all = await leaves();
      expect(new Set(all.map((l) => l.transition_id)).size).toBe(all.length);
      expect(all.length).toBe(Number((await ctx.services.db.knex('transitions').count({ n: '*' }))[0]!.n));
      expect((await a.root(all.length)).toString('hex')).toBe(mth(all.map((l) => l.row_hash)).toString('hex'));
      expect(Number((await ctx.services.db.knex('tlog_queue').count({ n: '*' }))[0]!.n)).toBe(0);
    } finally {
      await other.shutdown();
    }
  });
});

describe('the transparency log in serve', () => {
  it('integrates new records and signs a checkpoint by itself (CHECKPOINT_INTERVAL_SECONDS)', async () => {
    await createSome(2);
    const before = await tlog.latestCheckpoint();
    const server = await startServer(ctx.database.url, { CHECKPOINT_INTERVAL_SECONDS: '1', SWEEP_INTERVAL_SECONDS: '0' });
    try {
      // Poll the database (not a timing assertion): the first tick runs at start.
      let latest = before;
      for (let i = 0; i < 100 && (!latest || latest.treeSize === before?.treeSize); i++) {
        await new Promise((r) => setTimeout(r, 100));
        latest = await tlog.latestCheckpoint();
      }
      const total = Number((await ctx.services.db.knex('transitions').count({ n: '*' }))[0]!.n);
      expect(latest?.treeSize).toBe(total);
      expect(parseCheckpoint(openNote(latest!.note, tlog.publicKey().verifierKey)).size).toBe(total);
      expect(server.logs.join('')).toMatch(/checkpoint signed/);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  });
});

describe('tamper evidence beyond the chain', () => {
  it('a consistently forged chain (hashes and head recomputed) passes the chain check but not the log: located by submission and seq', async () => {
    await createSome(1);
    await tlog.checkpoint();
    const knex = ctx.services.db.knex;
    const [victim] = (await knex('submissions').orderBy('id', 'desc').limit(1).select('id')) as Array<{ id: string }>;
    const [first] = await listTransitions(knex, victim!.id);
    // Someone with write access disables the append-only protection and rewrites the record
    // and everything that depends on it, so the chain recomputes.
    if (ctx.services.db.dialect === 'postgres') await knex.raw('ALTER TABLE transitions DISABLE TRIGGER transitions_append_only');
    else await knex.raw('DROP TRIGGER transitions_no_update');
    const forged = { ...first!, comment: 'backdated approval' };
    const hash = recordHash(forged);
    await knex('transitions').where({ id: first!.id }).update({ comment: forged.comment, hash });
    await knex('submissions').where({ id: victim!.id }).update({ head_hash: hash });
    if (ctx.services.db.dialect === 'postgres') await knex.raw('ALTER TABLE transitions ENABLE TRIGGER transitions_append_only');
    expect((await verifyDatabase(ctx.services.db.reader)).ok).toBe(true);
    const log = await tlog.verify();
    expect(log.ok).toBe(false);
    expect(log.failures).toEqual([{ submissionId: victim!.id, seq: 1, reason: 'the record differs from the one the transparency log holds' }]);
    // And rewriting the log's own tables to match does not help: the signed root differs.
    await knex('tlog_leaves').where({ transition_id: first!.id }).update({ row_hash: hash });
    const again = await tlog.verify();
    expect(again.failures).toEqual([{ submissionId: null, seq: null, reason: 'the log does not have the root the latest checkpoint signed' }]);
  });
});
