/**
 * Store and engine on a real database (SQLite file, or PostgreSQL with TEST_DATABASE_URL):
 * the append-only trigger, the hash chain recomputed from stored rows, whole-database verify.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, verifyChain } from '../../src/engine/hash.js';
import { verifyDatabase } from '../../src/engine/verify.js';
import { listTransitions } from '../../src/store/history-store.js';
import { DIALECT } from '../support/db.js';
import { createTestContext, signatureOf, documentBytes, type TestContext, new510k } from '../support/fixtures.js';

let ctx: TestContext;
let id: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const { engine } = ctx.services;
  const { manufacturer: m, fda } = ctx.users;
  id = await new510k(ctx, 'Chain', { device: { name: 'Catheter' }, format: 'eCopy' });
  await engine.sendEvent(m.actor, id, { type: 'SUBMIT', effectiveAt: '2026-01-05', signature: signatureOf(m) });
  await engine.sendEvent(fda.actor, id, { type: 'FEE_VERIFIED', effectiveAt: '2026-01-06' });
  await engine.addDocument(m.actor, id, { kind: 'cover-letter', filename: 'cover.pdf', contentType: 'application/pdf', bytes: documentBytes('cover') });
  await engine.sendEvent(fda.actor, id, { type: 'ACCEPT', effectiveAt: '2026-01-20' });
});

afterAll(async () => ctx.close());

describe(`store on ${DIALECT}`, () => {
  it('rejects UPDATE and DELETE on the history with a database trigger', async () => {
    const knex = ctx.services.db.knex;
    await expect(knex('transitions').where({ submission_id: id, seq: 2 }).update({ type: 'FORGED' })).rejects.toThrow(/append-only/);
    await expect(knex('transitions').where({ submission_id: id }).del()).rejects.toThrow(/append-only/);
    await expect(knex('documents').where({ submission_id: id }).update({ kind: 'other' })).rejects.toThrow(/append-only/);
    await expect(knex('blobs').del()).rejects.toThrow(/append-only/);
    const rows = await listTransitions(knex, id);
    expect(rows.map((r) => r.type)).toEqual(['CREATED', 'SUBMIT', 'FEE_VERIFIED', 'DOCUMENT_ADDED', 'ACCEPT']);
  });

  it('rejects a raw SQL UPDATE too, not only the query builder', async () => {
    await expect(ctx.services.db.knex.raw("UPDATE transitions SET comment = 'x'")).rejects.toThrow(/append-only/);
  });

  it('stores a chain that recomputes from the rows alone', async () => {
    const rows = await listTransitions(ctx.services.db.knex, id);
    expect(rows[0]!.seq).toBe(1);
    expect(rows[0]!.type).toBe('CREATED');
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    expect(verifyChain(rows as never)).toBeNull();
    const tampered = rows.map((r) => (r.seq === 3 ? { ...r, effectiveAt: '2026-01-07T05:00:00.000Z' } : r));
    expect(verifyChain(tampered as never)).toEqual({ seq: 3, reason: 'hash does not match the record' });
  });

  it('records effectiveAt as the start of the day in the regulator time zone', async () => {
    const rows = await listTransitions(ctx.services.db.knex, id);
    // 2026-01-05 in America/New_York (EST, UTC-5)
    expect(rows[1]!.effectiveAt).toBe('2026-01-05T05:00:00.000Z');
    expect(rows[1]!.recordedAt).not.toBe(rows[1]!.effectiveAt);
  });

  it('audit verify passes, and fails when a submission head no longer matches its chain', async () => {
    const knex = ctx.services.db.knex;
    const ok = await verifyDatabase(knex);
    expect(ok.ok).toBe(true);
    expect(ok.records).toBeGreaterThanOrEqual(5);
    const before = await knex('submissions').where({ id }).first('head_hash');
    await knex('submissions')
      .where({ id })
      .update({ head_hash: 'f'.repeat(64) });
    const bad = await verifyDatabase(knex);
    expect(bad.ok).toBe(false);
    expect(bad.breaks).toEqual([{ submissionId: id, seq: 5, reason: 'the submission head does not match its last record', column: 'head_hash' }]);
    await knex('submissions').where({ id }).update({ head_hash: before.head_hash });
  });

  it('keeps document bytes content-addressed and re-checks the digest when read', async () => {
    const { engine } = ctx.services;
    const m = ctx.users.manufacturer;
    const docs = await engine.listDocuments(m.actor, id);
    expect(docs).toHaveLength(1);
    const { bytes, document } = await engine.readDocument(m.actor, id, docs[0]!.id);
    expect(bytes.equals(documentBytes('cover'))).toBe(true);
    expect(document.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe(`document integrity on ${DIALECT}`, () => {
  it('refuses to serve bytes whose SHA-256 no longer matches (someone bypassed the trigger)', async () => {
    const { engine, db } = ctx.services;
    const m = ctx.users.manufacturer;
    const doc = (
      await engine.addDocument(m.actor, id, { kind: 'test-report', filename: 'r.pdf', contentType: 'application/pdf', bytes: Buffer.from('original bytes') })
    ).body;
    // An operator with database access disables the append-only trigger and swaps the bytes.
    if (db.dialect === 'postgres') {
      await db.knex.raw('ALTER TABLE blobs DISABLE TRIGGER blobs_append_only');
      await db
        .knex('blobs')
        .where({ sha256: doc.sha256 })
        .update({ bytes: Buffer.from('forged bytes!!') });
      await db.knex.raw('ALTER TABLE blobs ENABLE TRIGGER blobs_append_only');
    } else {
      await db.knex.raw('DROP TRIGGER blobs_no_update');
      await db
        .knex('blobs')
        .where({ sha256: doc.sha256 })
        .update({ bytes: Buffer.from('forged bytes!!') });
    }
    await expect(engine.readDocument(m.actor, id, doc.id)).rejects.toMatchObject({ code: 'integrity_failure' });
  });
});
