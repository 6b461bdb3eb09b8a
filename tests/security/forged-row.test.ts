/**
 * Issue 8 §1 (commands) and §2 (downloads), reproduced as an attacker with database access would:
 * a forged `submissions` row is never planned on, and a document's bytes are served only when
 * they are the bytes its `DOCUMENT_ADDED` record names. Real database (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL), real HTTP through supertest, the production logger captured.
 */
import { Writable } from 'node:stream';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { sha256Hex } from '../../src/engine/hash.js';
import { createLogger } from '../../src/logger.js';
import { createTestContext, type TestContext } from '../support/fixtures.js';
import { tamper } from '../support/tamper.js';
import { Api, binary, body510k, bodyRegistration, daysAgo, expectProblem, type Json } from '../http/helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  ctx = await createTestContext();
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  app = createApp(ctx.services, { logger: createLogger('info', stream) });
  api = new Api(app);
});
afterAll(async () => ctx?.close());

const knex = () => ctx.services.db.knex;

/** A 510(k) in aiHold: SUBMIT, FEE_VERIFIED, SCREEN_PASS, REQUEST_AI. */
async function inAiHold(title: string): Promise<string> {
  const m = ctx.users.manufacturer;
  const fda = ctx.users.fda;
  const s = await api.create(m, body510k(title));
  await api.send(m, s.id, 'SUBMIT', { effectiveAt: daysAgo(30) });
  await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(29) });
  await api.send(fda, s.id, 'SCREEN_PASS', { effectiveAt: daysAgo(28) });
  const ai = await api.send(fda, s.id, 'REQUEST_AI', { data: { deficiencies: ['Biocompatibility data'] }, effectiveAt: daysAgo(10) });
  expect(ai.submission.state).toBe('aiHold');
  return s.id as string;
}

async function rowOf(id: string): Promise<Json> {
  return (await knex()('submissions').where({ id }).first()) as Json;
}

async function recordCount(id: string): Promise<number> {
  const rows = (await knex()('transitions').where({ submission_id: id }).count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(rows[0]!.n);
}

/** Sends RESCIND_SE (signed) as FDA; returns the response. */
function rescind(id: string) {
  return api.post(ctx.users.fda, `/v1/submissions/${id}/events`, {
    type: 'RESCIND_SE',
    comment: 'forged state test',
    signature: { meaning: 'approval', password: ctx.users.fda.password },
  });
}

describe('a forged submissions row is never planned on (issue 8 §1)', () => {
  it('the reported attack: state and snapshot forged to cleared, then a signed RESCIND_SE is refused and nothing is chained', async () => {
    const id = await inAiHold('Forged to cleared');
    const row = await rowOf(id);
    const snapshot = JSON.parse(row.snapshot as string) as Json;
    await knex()('submissions')
      .where({ id })
      .update({ state: 'cleared', snapshot: JSON.stringify({ ...snapshot, value: 'cleared' }) });
    const before = await recordCount(id);
    logLines.length = 0;
    const res = await rescind(id);
    const body = expectProblem(res, 500, 'integrity_failure');
    expect(body.detail).toMatch(/state|history/);
    expect(await recordCount(id)).toBe(before);
    // Nothing was written: the forged row is as the attacker left it, and the chain did not grow.
    expect((await rowOf(id)).version).toBe(row.version);
    const errors = logLines.filter((l) => Number(l.level) >= 50);
    expect(errors.length, JSON.stringify(logLines)).toBeGreaterThan(0);
    expect(JSON.stringify(errors)).toContain(id);
  });

  const forgeries: Array<[string, (row: Json) => Json]> = [
    ['state', () => ({ state: 'review.substantive' })],
    ['snapshot', (row) => ({ snapshot: JSON.stringify({ ...(JSON.parse(row.snapshot as string) as Json), value: { review: 'substantive' } }) })],
    ['status', () => ({ status: 'closed' })],
    ['head_hash', () => ({ head_hash: 'f'.repeat(64) })],
    ['head_seq (an older head)', (row) => ({ head_seq: Number(row.head_seq) - 1 })],
    ['version', (row) => ({ version: Number(row.version) + 5 })],
  ];

  for (const [what, change] of forgeries) {
    it(`a row whose ${what} was edited refuses the manufacturer's next event (AI_RESPONSE), unchanged`, async () => {
      const id = await inAiHold(`Forged ${what}`);
      const row = await rowOf(id);
      await knex()('submissions').where({ id }).update(change(row));
      const before = await recordCount(id);
      const forged = await rowOf(id);
      const res = await api.post(ctx.users.manufacturer, `/v1/submissions/${id}/events`, {
        type: 'AI_RESPONSE',
        data: { summary: 'Reports attached' },
        signature: { meaning: 'responsibility', password: ctx.users.manufacturer.password },
      });
      expectProblem(res, 500, 'integrity_failure');
      expect(await recordCount(id)).toBe(before);
      expect(await rowOf(id)).toEqual(forged);
    });
  }

  it('an upload into a forged row is refused and writes neither a document nor a record', async () => {
    const id = await inAiHold('Forged before an upload');
    await knex()('submissions').where({ id }).update({ state: 'cleared' });
    const before = await recordCount(id);
    const res = await api.upload(ctx.users.manufacturer, id, 'cover-letter', Buffer.from('%PDF-1.7\nforged\n'));
    expectProblem(res, 500, 'integrity_failure');
    expect(await recordCount(id)).toBe(before);
    expect(await knex()('documents').where({ submission_id: id })).toEqual([]);
  });

  it('an honest row still takes its events (the check refuses only disagreement)', async () => {
    const id = await inAiHold('Honest row');
    const res = await api.send(ctx.users.manufacturer, id, 'AI_RESPONSE', { data: { summary: 'Reports attached' } });
    expect(res.submission.state).toBe('review.substantive');
  });
});

describe('downloads are checked against the chained digest (issue 8 §2)', () => {
  async function uploaded(title: string): Promise<{ id: string; doc: Json; bytes: Buffer }> {
    const m = ctx.users.manufacturer;
    const k = await api.create(m, body510k(`Reference for ${title}`));
    const reg = await api.create(m, bodyRegistration({ submissionId: k.id }, 'equivalence', title));
    const bytes = Buffer.from(`%PDF-1.7\noriginal letter for ${title}\n`);
    const up = await api.upload(m, reg.id, 'manufacturer-letter', bytes, 'carta.pdf');
    expect(up.status, up.text).toBe(201);
    return { id: reg.id as string, doc: up.body as Json, bytes };
  }

  const download = (id: string, docId: string) =>
    api
      .get(ctx.users.auditor, `/v1/submissions/${id}/documents/${docId}`)
      .buffer(true)
      .parse(binary as never);

  it('swapped bytes (a new blob row, documents.sha256 pointed at it) are refused, not served with a matching digest', async () => {
    const { id, doc } = await uploaded('Swapped blob');
    const forged = Buffer.from('%PDF-1.7\nforged letter\n');
    const digest = sha256Hex(forged);
    await knex()('blobs').insert({ sha256: digest, size: forged.length, bytes: forged });
    await tamper(knex(), 'documents', () => knex()('documents').where({ id: doc.id }).update({ sha256: digest, size: forged.length }));
    logLines.length = 0;
    const res = await api.get(ctx.users.auditor, `/v1/submissions/${id}/documents/${doc.id}`);
    expectProblem(res, 500, 'integrity_failure');
    expect(res.text).not.toContain('forged letter');
    expect(logLines.some((l) => Number(l.level) >= 50)).toBe(true);
  });

  it('edited blob bytes are refused', async () => {
    const { id, doc, bytes } = await uploaded('Edited blob');
    await tamper(knex(), 'blobs', () =>
      knex()('blobs')
        .where({ sha256: sha256Hex(bytes) })
        .update({ bytes: Buffer.from('%PDF-1.7\nedited in place\n') }),
    );
    expectProblem(await api.get(ctx.users.auditor, `/v1/submissions/${id}/documents/${doc.id}`), 500, 'integrity_failure');
  });

  it('a documents row no record names (inserted behind the chain) is refused', async () => {
    const { id, doc, bytes } = await uploaded('Unchained row');
    const row = (await knex()('documents').where({ id: doc.id }).first()) as Json;
    const extra = '01900000-0000-7000-8000-000000000001';
    await knex()('documents').insert({ ...row, id: extra, filename: 'inserted.pdf' });
    expectProblem(await api.get(ctx.users.auditor, `/v1/submissions/${id}/documents/${extra}`), 500, 'integrity_failure');
    // The honest document still downloads, byte for byte.
    const ok = await download(id, doc.id as string);
    expect(ok.status).toBe(200);
    expect(Buffer.compare(ok.body as Buffer, bytes)).toBe(0);
  });
});
