/**
 * Idempotency-Key (DESIGN §5): a retried request with the same key from the same user returns the
 * first response and writes nothing; the same key with a different request is refused (422); keys
 * are per user.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, signatureOf, testApp, type TestContext } from '../support/fixtures.js';
import { Api, body510k, bodyRegistration, expectProblem, sha256, type Json } from './helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

async function listAll(user = ctx.users.auditor): Promise<Json[]> {
  const res = await api.get(user, '/v1/submissions?limit=200');
  expect(res.status).toBe(200);
  return res.body.items as Json[];
}

describe('POST /v1/submissions', () => {
  it('same key + same body returns the first 201 (same id, Location, ETag) with Idempotent-Replayed and creates nothing', async () => {
    const m = ctx.users.manufacturer;
    const body = body510k('Idempotent create');
    const first = await api.post(m, '/v1/submissions', body, { 'Idempotency-Key': 'create-1' });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const count = (await listAll()).length;

    const again = await api.post(m, '/v1/submissions', body, { 'Idempotency-Key': 'create-1' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect((await listAll()).length).toBe(count);
    expect((await api.history(m, first.body.id)).length).toBe(1);
  });

  it('same key + different body -> 422 idempotency_key_reused, nothing created', async () => {
    const m = ctx.users.manufacturer;
    await api.create(m, body510k('Reuse A'), { 'Idempotency-Key': 'create-2' });
    const count = (await listAll()).length;
    expectProblem(await api.post(m, '/v1/submissions', body510k('Reuse B'), { 'Idempotency-Key': 'create-2' }), 422, 'idempotency_key_reused');
    expect((await listAll()).length).toBe(count);
  });

  it('the same key from a different user is independent', async () => {
    const body = body510k('Per-user key');
    const a = await api.post(ctx.users.manufacturer, '/v1/submissions', body, { 'Idempotency-Key': 'shared-key' });
    const b = await api.post(ctx.users.otherManufacturer, '/v1/submissions', body, { 'Idempotency-Key': 'shared-key' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.body.organization.name).toBe('Beta Devices');
    // And Beta's replay is Beta's own first response.
    const b2 = await api.post(ctx.users.otherManufacturer, '/v1/submissions', body, { 'Idempotency-Key': 'shared-key' });
    expect(b2.headers['idempotent-replayed']).toBe('true');
    expect(b2.body.id).toBe(b.body.id);
  });

  it('without a key, the same body creates two submissions', async () => {
    const body = body510k('No key');
    const a = await api.create(ctx.users.manufacturer, body);
    const b = await api.create(ctx.users.manufacturer, body);
    expect(a.id).not.toBe(b.id);
  });

  it('an invalid key is refused with 422 (not silently ignored)', async () => {
    const count = (await listAll()).length;
    const res = await api.post(ctx.users.manufacturer, '/v1/submissions', body510k('Bad key'), { 'Idempotency-Key': 'k'.repeat(300) });
    expectProblem(res, 422, 'validation_failed');
    expect((await listAll()).length).toBe(count);
  });
});

describe('POST /v1/submissions/:id/events', () => {
  it('same key + same body returns the first 200 (same transition id) with Idempotent-Replayed and writes nothing', async () => {
    const m = ctx.users.manufacturer;
    const s = await api.create(m, body510k('Idempotent event'));
    const ev = { type: 'SUBMIT', comment: 'filed via CDRH portal', signature: signatureOf(m) };
    const first = await api.event(m, s.id, ev, { 'Idempotency-Key': 'submit-1' });
    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const historyBefore = await api.history(m, s.id);
    expect(historyBefore).toHaveLength(2);

    const again = await api.event(m, s.id, ev, { 'Idempotency-Key': 'submit-1' });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.transition.id).toBe(first.body.transition.id);
    expect(again.body.transition.hash).toBe(first.body.transition.hash);
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(await api.history(m, s.id)).toEqual(historyBefore);
    expect((await api.submission(m, s.id)).version).toBe(2);
  });

  it('a replay still returns the first response after the submission moved on (no 409)', async () => {
    const m = ctx.users.manufacturer;
    const fda = ctx.users.fda;
    const s = await api.create(m, body510k('Replay after move'));
    const first = await api.send(m, s.id, 'SUBMIT', {}, { 'Idempotency-Key': 'submit-2' });
    await api.send(fda, s.id, 'FEE_VERIFIED');
    const before = await api.history(m, s.id);
    const again = await api.event(m, s.id, { type: 'SUBMIT', signature: signatureOf(m) }, { 'Idempotency-Key': 'submit-2' });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.transition.id).toBe(first.transition.id);
    expect(again.body.submission.state).toBe('received');
    expect(await api.history(m, s.id)).toEqual(before);
    expect((await api.submission(m, s.id)).state).toBe('technicalScreening');
  });

  it('same key + different body, or same body to another submission -> 422 idempotency_key_reused', async () => {
    const m = ctx.users.manufacturer;
    const a = await api.create(m, body510k('Reuse event A'));
    const b = await api.create(m, body510k('Reuse event B'));
    await api.send(m, a.id, 'SUBMIT', {}, { 'Idempotency-Key': 'submit-3' });
    const beforeA = await api.history(m, a.id);
    expectProblem(await api.event(m, a.id, { type: 'SUBMIT', comment: 'changed' }, { 'Idempotency-Key': 'submit-3' }), 422, 'idempotency_key_reused');
    expectProblem(await api.event(m, a.id, { type: 'WITHDRAW' }, { 'Idempotency-Key': 'submit-3' }), 422, 'idempotency_key_reused');
    expectProblem(await api.event(m, b.id, { type: 'SUBMIT' }, { 'Idempotency-Key': 'submit-3' }), 422, 'idempotency_key_reused');
    expect(await api.history(m, a.id)).toEqual(beforeA);
    expect((await api.history(m, b.id)).map((t) => t.type)).toEqual(['CREATED']);
  });

  it('same key + same body but a different If-Match is a different request -> 422', async () => {
    const m = ctx.users.manufacturer;
    const s = await api.create(m, body510k('Reuse with If-Match'));
    await api.send(m, s.id, 'SUBMIT', {}, { 'Idempotency-Key': 'submit-4', 'If-Match': '"1"' });
    expectProblem(await api.event(m, s.id, { type: 'SUBMIT' }, { 'Idempotency-Key': 'submit-4', 'If-Match': '"2"' }), 422, 'idempotency_key_reused');
    expect(await api.history(m, s.id)).toHaveLength(2);
  });

  it('the same key used by another user on the same submission is independent', async () => {
    const m = ctx.users.manufacturer;
    const fda = ctx.users.fda;
    const s = await api.create(m, body510k('Two users one key'));
    const a = await api.send(m, s.id, 'SUBMIT', {}, { 'Idempotency-Key': 'same-key' });
    const res = await api.event(fda, s.id, { type: 'FEE_VERIFIED' }, { 'Idempotency-Key': 'same-key' });
    expect(res.status).toBe(200);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(res.body.transition.id).not.toBe(a.transition.id);
    expect(res.body.transition.type).toBe('FEE_VERIFIED');
    expect((await api.history(m, s.id)).map((t) => t.type)).toEqual(['CREATED', 'SUBMIT', 'FEE_VERIFIED']);
  });

  it('a refused request is not remembered: fixing the state and retrying with the key works', async () => {
    const m = ctx.users.manufacturer;
    const fda = ctx.users.fda;
    const s = await api.create(m, body510k('Refused then retried'));
    // Refused: the draft is not FDA's to see until filed (issue 8 §6).
    expectProblem(await api.event(fda, s.id, { type: 'FEE_VERIFIED' }, { 'Idempotency-Key': 'fee-1' }), 404, 'not_found');
    await api.send(m, s.id, 'SUBMIT');
    const ok = await api.event(fda, s.id, { type: 'FEE_VERIFIED' }, { 'Idempotency-Key': 'fee-1' });
    expect(ok.status).toBe(200);
    expect(ok.headers['idempotent-replayed']).toBeUndefined();
    expect(ok.body.submission.state).toBe('technicalScreening');
  });
});

describe('POST /v1/submissions/:id/documents', () => {
  async function registration(): Promise<Json> {
    const m = ctx.users.manufacturer;
    const ref = await api.create(m, body510k('Reference for documents'));
    return api.create(m, bodyRegistration({ submissionId: ref.id }, 'equivalence'));
  }

  it('same key + same bytes returns the first 201 (same document id) and writes nothing', async () => {
    const m = ctx.users.manufacturer;
    const r = await registration();
    const bytes = Buffer.from('%PDF-1.7\ncertificate to foreign government\n');
    const first = await api.upload(m, r.id, 'cfg', bytes, 'cfg.pdf', { 'Idempotency-Key': 'doc-1' });
    expect(first.status).toBe(201);
    expect(first.body.sha256).toBe(sha256(bytes));
    const historyBefore = await api.history(m, r.id);
    const docsBefore = (await api.get(m, `/v1/submissions/${r.id}/documents`)).body.items as Json[];

    const again = await api.upload(m, r.id, 'cfg', bytes, 'cfg.pdf', { 'Idempotency-Key': 'doc-1' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(await api.history(m, r.id)).toEqual(historyBefore);
    expect((await api.get(m, `/v1/submissions/${r.id}/documents`)).body.items).toEqual(docsBefore);
    expect(docsBefore).toHaveLength(1);
  });

  it('same key + different bytes, kind or filename -> 422 idempotency_key_reused', async () => {
    const m = ctx.users.manufacturer;
    const r = await registration();
    const bytes = Buffer.from('%PDF-1.7\nfee receipt\n');
    expect((await api.upload(m, r.id, 'fee-receipt', bytes, 'fee.pdf', { 'Idempotency-Key': 'doc-2' })).status).toBe(201);
    const before = await api.history(m, r.id);
    expectProblem(
      await api.upload(m, r.id, 'fee-receipt', Buffer.from('%PDF-1.7\nother\n'), 'fee.pdf', { 'Idempotency-Key': 'doc-2' }),
      422,
      'idempotency_key_reused',
    );
    expectProblem(await api.upload(m, r.id, 'cfg', bytes, 'fee.pdf', { 'Idempotency-Key': 'doc-2' }), 422, 'idempotency_key_reused');
    expectProblem(await api.upload(m, r.id, 'fee-receipt', bytes, 'fee-2.pdf', { 'Idempotency-Key': 'doc-2' }), 422, 'idempotency_key_reused');
    expect(await api.history(m, r.id)).toEqual(before);
  });

  it('without a key the same bytes uploaded twice are two documents (two history rows)', async () => {
    const m = ctx.users.manufacturer;
    const r = await registration();
    const bytes = Buffer.from('%PDF-1.7\nlabel\n');
    const a = await api.upload(m, r.id, 'label-ifu-es', bytes);
    const b = await api.upload(m, r.id, 'label-ifu-es', bytes);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.id).not.toBe(b.body.id);
    expect(a.body.sha256).toBe(b.body.sha256);
    expect((await api.history(m, r.id)).filter((t) => t.type === 'DOCUMENT_ADDED')).toHaveLength(2);
  });
});
