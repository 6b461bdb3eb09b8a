/**
 * Every error code of DESIGN §5 through real HTTP requests: status, problem+json shape, stable
 * `code`, JSON pointers, no internals leaked, and nothing written by a rejected request.
 */
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type TestContext } from '../support/fixtures.js';
import { Api, body510k, bodyRegistration, daysAgo, errorPaths, expectProblem, type Json, openTestApp } from './helpers.js';

let ctx: TestContext, app: Express, api: Api;
/** An Acme 510(k) in `review.substantive`. */
let inReview: Json;
/** An Acme 510(k) in `draft`. */
let draft: Json;
/** An Acme COFEPRIS registration (preparing) relying on a cleared 510(k). */
let registration: Json;

beforeAll(async () => {
  ({ ctx, app, api } = await openTestApp());
  const { manufacturer: m, fda } = ctx.users;
  draft = await api.create(m, body510k('Draft 510(k)'));
  inReview = await api.create(m, body510k('In review 510(k)'));
  await api.send(m, inReview.id, 'SUBMIT', { effectiveAt: daysAgo(40) });
  await api.send(fda, inReview.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(38) });
  await api.send(fda, inReview.id, 'SCREEN_PASS', { effectiveAt: daysAgo(30) });
  const ref = await api.cleared510k(m, fda, { kNumber: 'K260111' });
  registration = await api.create(m, bodyRegistration({ submissionId: ref }));
});
afterAll(async () => ctx?.close());

/** Version and history length of a submission, read as the auditor. */
async function footprint(id: string): Promise<{ version: number; history: number; documents: number }> {
  const s = await api.submission(ctx.users.auditor, id);
  const h = await api.history(ctx.users.auditor, id);
  const d = await api.get(ctx.users.auditor, `/v1/submissions/${id}/documents`);
  expect(d.status).toBe(200);
  return { version: s.version, history: h.length, documents: d.body.items.length };
}

async function countVisible(): Promise<number> {
  const res = await api.get(ctx.users.auditor, '/v1/submissions?limit=200');
  expect(res.status).toBe(200);
  return res.body.items.length;
}

describe('400 malformed_json', () => {
  it('answers a broken JSON body on POST /v1/submissions with 400 and creates nothing', async () => {
    const before = await countVisible();
    const res = await request(app)
      .post('/v1/submissions')
      .set(ctx.users.manufacturer.auth)
      .set('Content-Type', 'application/json')
      .send('{"workflow": "fda-510k", ');
    expectProblem(res, 400, 'malformed_json');
    expect(await countVisible()).toBe(before);
  });

  it('answers a broken JSON body on POST events with 400 and writes nothing', async () => {
    const before = await footprint(inReview.id);
    const res = await request(app)
      .post(`/v1/submissions/${inReview.id}/events`)
      .set(ctx.users.fda.auth)
      .set('Content-Type', 'application/json')
      .send("{type: 'REQUEST_AI'}");
    expectProblem(res, 400, 'malformed_json');
    expect(await footprint(inReview.id)).toEqual(before);
  });
});

describe('401 unauthenticated', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['missing Authorization', {}],
    ['malformed Authorization (Basic)', { Authorization: 'Basic dXNlcjpwYXNz' }],
    ['malformed Authorization (Bearer without token)', { Authorization: 'Bearer ' }],
    ['unknown token', { Authorization: 'Bearer pte_thisTokenWasNeverIssuedToAnyone0000000000' }],
  ];
  for (const [name, headers] of cases) {
    it(`${name} -> 401 with WWW-Authenticate: Bearer`, async () => {
      const res = await request(app).get('/v1/me').set(headers);
      expectProblem(res, 401, 'unauthenticated');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer\b/);
    });
  }

  it('a disabled user’s token -> 401', async () => {
    const u = await addUser(ctx.services, 'fda', 'Disabled Reviewer');
    expect((await api.get(u, '/v1/me')).status).toBe(200);
    await ctx.services.db.knex('users').where({ id: u.actor.id }).update({ disabled: true });
    const res = await api.get(u, '/v1/me');
    expectProblem(res, 401, 'unauthenticated');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer\b/);
  });

  it('an unauthenticated event is refused before anything is written', async () => {
    const before = await footprint(draft.id);
    const res = await request(app).post(`/v1/submissions/${draft.id}/events`).send({ type: 'SUBMIT' });
    expectProblem(res, 401, 'unauthenticated');
    expect(await footprint(draft.id)).toEqual(before);
  });
});

describe('403 forbidden', () => {
  it("fda may not send the manufacturer event SUBMIT (and a draft is not FDA's to see: 404)", async () => {
    const before = await footprint(inReview.id);
    const body = expectProblem(await api.event(ctx.users.fda, inReview.id, { type: 'SUBMIT' }), 403, 'forbidden');
    expect(body.detail).toContain('SUBMIT');
    expect(await footprint(inReview.id)).toEqual(before);
    const draftBefore = await footprint(draft.id);
    expectProblem(await api.event(ctx.users.fda, draft.id, { type: 'SUBMIT' }), 404, 'not_found');
    expect(await footprint(draft.id)).toEqual(draftBefore);
  });

  it('the auditor may send no event at all', async () => {
    const before = await footprint(inReview.id);
    for (const type of ['REQUEST_AI', 'WITHDRAW', 'DECIDE_NSE']) {
      const ev = type === 'REQUEST_AI' ? { type, data: { deficiencies: ['x'] } } : { type };
      expectProblem(await api.event(ctx.users.auditor, inReview.id, ev), 403, 'forbidden');
    }
    expect(await footprint(inReview.id)).toEqual(before);
  });

  it('the auditor may not upload documents', async () => {
    const before = await footprint(registration.id);
    expectProblem(await api.upload(ctx.users.auditor, registration.id, 'cfg', Buffer.from('%PDF auditor')), 403, 'forbidden');
    expect(await footprint(registration.id)).toEqual(before);
  });

  it('cofepris (and fda, auditor, admin) may not create submissions', async () => {
    const before = await countVisible();
    for (const u of [ctx.users.cofepris, ctx.users.fda, ctx.users.auditor, ctx.users.admin]) {
      expectProblem(await api.post(u, '/v1/submissions', body510k('Not mine to create')), 403, 'forbidden');
    }
    expect(await countVisible()).toBe(before);
  });

  it('a system-only timer event (AI_TIMEOUT, RTA_TIMEOUT) is refused to fda and manufacturer', async () => {
    const before = await footprint(inReview.id);
    const body = expectProblem(await api.event(ctx.users.fda, inReview.id, { type: 'AI_TIMEOUT' }), 403, 'forbidden');
    expect(body.detail).toMatch(/system/);
    expectProblem(await api.event(ctx.users.manufacturer, inReview.id, { type: 'AI_TIMEOUT' }), 403, 'forbidden');
    expectProblem(await api.event(ctx.users.fda, inReview.id, { type: 'RTA_TIMEOUT' }), 403, 'forbidden');
    expect(await footprint(inReview.id)).toEqual(before);
  });

  it('REFERENCE_INVALIDATED (system-only) is refused to the manufacturer and cofepris', async () => {
    const before = await footprint(registration.id);
    expectProblem(await api.event(ctx.users.manufacturer, registration.id, { type: 'REFERENCE_INVALIDATED' }), 403, 'forbidden');
    // The registration is not filed yet: COFEPRIS does not see it (issue 8 §6).
    expectProblem(await api.event(ctx.users.cofepris, registration.id, { type: 'REFERENCE_INVALIDATED' }), 404, 'not_found');
    expect(await footprint(registration.id)).toEqual(before);
  });
});

describe('404 not_found', () => {
  const unknownId = '01900000-0000-7000-8000-000000000000';

  it('unknown submission id on every submission route', async () => {
    const u = ctx.users.auditor;
    expectProblem(await api.get(u, `/v1/submissions/${unknownId}`), 404, 'not_found');
    expectProblem(await api.get(u, `/v1/submissions/${unknownId}/history`), 404, 'not_found');
    expectProblem(await api.get(u, `/v1/submissions/${unknownId}/documents`), 404, 'not_found');
    expectProblem(await api.event(ctx.users.fda, unknownId, { type: 'FEE_VERIFIED' }), 404, 'not_found');
    expectProblem(await api.upload(ctx.users.manufacturer, unknownId, 'cfg', Buffer.from('%PDF x')), 404, 'not_found');
    expectProblem(await api.get(u, '/v1/submissions/not-even-a-uuid'), 404, 'not_found');
  });

  it('unknown document id -> 404', async () => {
    expectProblem(await api.get(ctx.users.manufacturer, `/v1/submissions/${registration.id}/documents/${unknownId}`), 404, 'not_found');
  });

  it('a document is only reachable under its own submission, and only by those who may see it', async () => {
    const m = ctx.users.manufacturer;
    const otherRef = await api.create(m, body510k('Reference of the other registration'));
    const other = await api.create(m, bodyRegistration({ submissionId: otherRef.id }, 'equivalence', 'Other registration'));
    const up = await api.upload(m, other.id, 'cfg', Buffer.from('%PDF-1.7 cross'));
    expect(up.status).toBe(201);
    expect((await api.get(m, up.headers.location as string)).status).toBe(200);
    expectProblem(await api.get(m, `/v1/submissions/${registration.id}/documents/${up.body.id}`), 404, 'not_found');
    expectProblem(await api.get(ctx.users.otherManufacturer, up.headers.location as string), 404, 'not_found');
    expectProblem(await api.get(ctx.users.fda, up.headers.location as string), 404, 'not_found');
  });

  it("another organization's submission answers 404 (not 403) to a manufacturer, on read and write", async () => {
    const other = ctx.users.otherManufacturer;
    const before = await footprint(draft.id);
    expectProblem(await api.get(other, `/v1/submissions/${draft.id}`), 404, 'not_found');
    expectProblem(await api.get(other, `/v1/submissions/${draft.id}/history`), 404, 'not_found');
    expectProblem(await api.get(other, `/v1/submissions/${draft.id}/documents`), 404, 'not_found');
    expectProblem(await api.event(other, draft.id, { type: 'SUBMIT' }), 404, 'not_found');
    expectProblem(await api.event(other, draft.id, { type: 'WITHDRAW' }), 404, 'not_found');
    expectProblem(await api.upload(other, registration.id, 'cfg', Buffer.from('%PDF beta')), 404, 'not_found');
    expect(await footprint(draft.id)).toEqual(before);
  });

  it('the 404 for a hidden submission is indistinguishable from an unknown id', async () => {
    const hidden = await api.get(ctx.users.otherManufacturer, `/v1/submissions/${draft.id}`);
    const unknown = await api.get(ctx.users.otherManufacturer, `/v1/submissions/${unknownId}`);
    const strip = (b: Json) => ({ ...b, detail: String(b.detail).replace(draft.id, 'ID').replace(unknownId, 'ID') });
    expect(strip(JSON.parse(hidden.text))).toEqual(strip(JSON.parse(unknown.text)));
  });

  it('an fda reviewer cannot see a COFEPRIS submission (404), even to send an event', async () => {
    expectProblem(await api.get(ctx.users.fda, `/v1/submissions/${registration.id}`), 404, 'not_found');
    expectProblem(await api.get(ctx.users.fda, `/v1/submissions/${registration.id}/history`), 404, 'not_found');
    expectProblem(await api.event(ctx.users.fda, registration.id, { type: 'START_REVIEW' }), 404, 'not_found');
  });

  it('a cofepris reviewer cannot see a 510(k) nothing relies on (404)', async () => {
    expectProblem(await api.get(ctx.users.cofepris, `/v1/submissions/${draft.id}`), 404, 'not_found');
    expectProblem(await api.event(ctx.users.cofepris, draft.id, { type: 'SUBMIT' }), 404, 'not_found');
  });

  it('the admin sees no submissions (404)', async () => {
    expectProblem(await api.get(ctx.users.admin, `/v1/submissions/${draft.id}`), 404, 'not_found');
  });

  it('unknown routes -> 404 problem', async () => {
    expectProblem(await api.get(ctx.users.auditor, '/v1/nothing-here'), 404, 'not_found');
    expectProblem(await request(app).get('/no/such/route'), 404, 'not_found');
  });

  it('a method the path does not support -> 405 problem naming the allowed ones in Allow', async () => {
    const res = await request(app).delete(`/v1/submissions/${draft.id}`).set(ctx.users.auditor.auth);
    expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers.allow).toBe('GET, HEAD');
  });
});

describe('409 event_not_allowed', () => {
  it('an event not allowed in the current state names the state, and writes nothing', async () => {
    const before = await footprint(draft.id);
    const body = expectProblem(await api.event(ctx.users.manufacturer, draft.id, { type: 'FEE_PAID' }), 409, 'event_not_allowed');
    expect(body.detail).toContain('FEE_PAID');
    expect(body.detail).toContain('draft');
    expect(await footprint(draft.id)).toEqual(before);
  });

  it('any event on a closed submission -> 409 naming the final state', async () => {
    const m = ctx.users.manufacturer;
    const s = await api.create(m, body510k('Closed 510(k)'));
    await api.send(m, s.id, 'WITHDRAW');
    const before = await footprint(s.id);
    for (const type of ['WITHDRAW', 'SUBMIT']) {
      const body = expectProblem(await api.event(m, s.id, { type }), 409, 'event_not_allowed');
      expect(body.detail).toContain('closed.withdrawn');
    }
    expect((await api.submission(m, s.id)).allowedEvents).toEqual([]);
    expect(await footprint(s.id)).toEqual(before);
  });

  it('AI_RESPONSE outside aiHold -> 409 naming review.substantive', async () => {
    const before = await footprint(inReview.id);
    const body = expectProblem(
      await api.event(ctx.users.manufacturer, inReview.id, { type: 'AI_RESPONSE', data: { summary: 'Answer' } }),
      409,
      'event_not_allowed',
    );
    expect(body.detail).toContain('review.substantive');
    expect(await footprint(inReview.id)).toEqual(before);
  });

  it('a guard refusal (COFEPRIS SUBMIT with an incomplete dossier) -> 409 saying why', async () => {
    const before = await footprint(registration.id);
    const body = expectProblem(await api.event(ctx.users.manufacturer, registration.id, { type: 'SUBMIT' }), 409, 'event_not_allowed');
    expect(body.detail).toContain('preparing');
    expect(body.detail).toMatch(/missing/);
    expect(await footprint(registration.id)).toEqual(before);
  });
});

describe('412 version_mismatch', () => {
  it('a stale If-Match is refused with 412 and writes nothing; the current one succeeds', async () => {
    const m = ctx.users.manufacturer;
    const fresh = await api.create(m, body510k('If-Match 510(k)'));
    const etag = (await api.get(m, `/v1/submissions/${fresh.id}`)).headers.etag as string;
    expect(etag).toBe('"1"');
    await api.send(m, fresh.id, 'SUBMIT', {}, { 'If-Match': etag });
    const before = await footprint(fresh.id);
    expect(before.version).toBe(2);
    const body = expectProblem(await api.event(ctx.users.fda, fresh.id, { type: 'FEE_VERIFIED' }, { 'If-Match': '"1"' }), 412, 'version_mismatch');
    expect(body.detail).toMatch(/2/);
    expectProblem(await api.event(ctx.users.fda, fresh.id, { type: 'FEE_VERIFIED' }, { 'If-Match': '"99"' }), 412, 'version_mismatch');
    expect(await footprint(fresh.id)).toEqual(before);
    const ok = await api.send(ctx.users.fda, fresh.id, 'FEE_VERIFIED', {}, { 'If-Match': '"2"' });
    expect(ok.submission.version).toBe(3);
  });
});

describe('413 payload_too_large', () => {
  it('a JSON body over 1 MB -> 413, nothing created', async () => {
    const before = await countVisible();
    const big = { ...body510k('x'.repeat(1024 * 1024 + 10)) };
    expectProblem(await api.post(ctx.users.manufacturer, '/v1/submissions', big), 413, 'payload_too_large');
    expect(await countVisible()).toBe(before);
  });

  it('an event body over 1 MB -> 413, nothing written', async () => {
    const before = await footprint(inReview.id);
    const res = await api.event(ctx.users.fda, inReview.id, { type: 'REQUEST_AI', data: { deficiencies: ['y'.repeat(1100 * 1024)] } });
    expectProblem(res, 413, 'payload_too_large');
    expect(await footprint(inReview.id)).toEqual(before);
  });

  it('a document over 25 MB -> 413, no document and no history row', async () => {
    const before = await footprint(registration.id);
    const res = await api.upload(ctx.users.manufacturer, registration.id, 'cfg', Buffer.alloc(25 * 1024 * 1024 + 1024, 0x41));
    expectProblem(res, 413, 'payload_too_large');
    expect(await footprint(registration.id)).toEqual(before);
  });
});

describe('415 unsupported media type', () => {
  it('a non-JSON content type with a body -> 415, nothing created', async () => {
    const before = await countVisible();
    const res = await request(app)
      .post('/v1/submissions')
      .set(ctx.users.manufacturer.auth)
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(body510k('text/plain')));
    expectProblem(res, 415, 'unsupported_media_type');
    expect(await countVisible()).toBe(before);
  });

  it('form-encoded event -> 415, nothing written', async () => {
    const before = await footprint(draft.id);
    const res = await request(app).post(`/v1/submissions/${draft.id}/events`).set(ctx.users.manufacturer.auth).type('form').send('type=SUBMIT');
    expectProblem(res, 415, 'unsupported_media_type');
    expect(await footprint(draft.id)).toEqual(before);
  });
});

describe('422 validation_failed', () => {
  async function createFails(body: Json): Promise<Json> {
    const before = await countVisible();
    const res = await api.post(ctx.users.manufacturer, '/v1/submissions', body);
    const problem = expectProblem(res, 422, 'validation_failed');
    expect(await countVisible()).toBe(before);
    return problem;
  }

  async function eventFails(user: keyof TestContext['users'], id: string, ev: Json): Promise<Json> {
    const before = await footprint(id);
    const problem = expectProblem(await api.event(ctx.users[user], id, ev), 422, 'validation_failed');
    expect(await footprint(id)).toEqual(before);
    return problem;
  }

  it('unknown top-level field -> /extra', async () => {
    const p = await createFails({ ...body510k(), extra: true });
    expect(errorPaths(p)).toContain('/extra');
  });

  it('wrong type -> /title', async () => {
    const p = await createFails({ ...body510k(), title: 42 });
    expect(errorPaths(p)).toContain('/title');
  });

  it('every error is listed, each with its pointer', async () => {
    const p = await createFails({ workflow: 7, device: { model: 'M', color: 'red' }, extra: 1 });
    expect(errorPaths(p)).toEqual(expect.arrayContaining(['/workflow', '/title', '/input', '/device/name', '/device/color', '/extra']));
  });

  it('unknown workflow -> /workflow', async () => {
    const p = await createFails({ ...body510k(), workflow: 'fda-teleportation' });
    expect(errorPaths(p)).toEqual(['/workflow']);
  });

  it('bad creation input -> /input/format', async () => {
    const p = await createFails(body510k('Paper 510(k)', { format: 'paper', variant: 'traditional' }));
    expect(errorPaths(p)).toContain('/input/format');
  });

  it('bad device product code -> /device/productCode', async () => {
    const p = await createFails({ ...body510k(), device: { name: 'Pump', productCode: 'frn1' } });
    expect(errorPaths(p)).toContain('/device/productCode');
  });

  it('unknown field in event data -> /data/extra', async () => {
    const p = await eventFails('manufacturer', draft.id, { type: 'SUBMIT', data: { extra: 1 } });
    expect(errorPaths(p)).toEqual(['/data/extra']);
  });

  it('unknown top-level field in an event body -> /extra', async () => {
    const p = await eventFails('manufacturer', draft.id, { type: 'SUBMIT', extra: 1 });
    expect(errorPaths(p)).toContain('/extra');
  });

  it('missing required event data -> /data/deficiencies', async () => {
    const p = await eventFails('fda', inReview.id, { type: 'REQUEST_AI', data: {} });
    expect(errorPaths(p)).toEqual(['/data/deficiencies']);
    const q = await eventFails('fda', inReview.id, { type: 'REQUEST_AI' });
    expect(errorPaths(q)).toEqual(['/data/deficiencies']);
  });

  it('empty deficiencies list -> /data/deficiencies', async () => {
    const p = await eventFails('fda', inReview.id, { type: 'REQUEST_AI', data: { deficiencies: [] } });
    expect(errorPaths(p)).toEqual(['/data/deficiencies']);
  });

  it('wrong type inside event data -> /data/deficiencies/0', async () => {
    const p = await eventFails('fda', inReview.id, { type: 'REQUEST_AI', data: { deficiencies: [42] } });
    expect(errorPaths(p)).toEqual(['/data/deficiencies/0']);
  });

  it('bad kNumber pattern -> /data/kNumber', async () => {
    const p = await eventFails('fda', inReview.id, { type: 'DECIDE_SE', data: { kNumber: 'P123456', decisionDate: daysAgo(1) } });
    expect(errorPaths(p)).toEqual(['/data/kNumber']);
  });

  it('bad decisionDate -> /data/decisionDate', async () => {
    const p = await eventFails('fda', inReview.id, { type: 'DECIDE_SE', data: { kNumber: 'K261234', decisionDate: '2026-02-30' } });
    expect(errorPaths(p)).toEqual(['/data/decisionDate']);
  });

  it('unknown event type -> /type', async () => {
    const p = await eventFails('fda', inReview.id, { type: 'APPROVE_EVERYTHING' });
    expect(errorPaths(p)).toContain('/type');
    const q = await eventFails('fda', inReview.id, { type: 'lowercase' });
    expect(errorPaths(q)).toContain('/type');
    const r = await eventFails('fda', inReview.id, {});
    expect(errorPaths(r)).toContain('/type');
  });

  it('effectiveAt in the future -> /effectiveAt', async () => {
    const tomorrow = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const p = await eventFails('fda', inReview.id, { type: 'SUBSTANTIVE_INTERACTION', effectiveAt: tomorrow });
    expect(errorPaths(p)).toEqual(['/effectiveAt']);
  });

  it('effectiveAt before the previous regulatory event -> /effectiveAt', async () => {
    // SCREEN_PASS was effective 30 days ago.
    const p = await eventFails('fda', inReview.id, { type: 'SUBSTANTIVE_INTERACTION', effectiveAt: daysAgo(35) });
    expect(errorPaths(p)).toEqual(['/effectiveAt']);
  });

  it('effectiveAt that is not a date -> /effectiveAt', async () => {
    for (const effectiveAt of ['yesterday', '2026-02-30', '2026-13-01T00:00:00Z', '2026-01-01T10:00:00']) {
      const p = await eventFails('fda', inReview.id, { type: 'SUBSTANTIVE_INTERACTION', effectiveAt });
      expect(errorPaths(p), effectiveAt).toEqual(['/effectiveAt']);
    }
  });

  it('a CREATED row does not count as a regulatory event: a 510(k) created today accepts a past SUBMIT date', async () => {
    const s = await api.create(ctx.users.manufacturer, body510k('Backdated 510(k)'));
    const r = await api.send(ctx.users.manufacturer, s.id, 'SUBMIT', { effectiveAt: daysAgo(90) });
    expect(r.transition.effectiveAt.slice(0, 10) <= daysAgo(89)).toBe(true);
  });

  describe('GET /v1/submissions query', () => {
    const cases: Array<[string, string]> = [
      ['limit=0', '/limit'],
      ['limit=abc', '/limit'],
      ['limit=201', '/limit'],
      ['limit=-1', '/limit'],
      ['status=open', '/status'],
      ['overdue=yes', '/overdue'],
      ['color=red', '/color'],
      ['cursor=%21%21%21', '/cursor'],
      [`cursor=${Buffer.from('not-a-key').toString('base64url')}`, '/cursor'],
      ['limit=1&limit=2', '/limit'],
    ];
    for (const [qs, path] of cases) {
      it(`${qs} -> 422 at ${path}`, async () => {
        const p = expectProblem(await api.get(ctx.users.auditor, `/v1/submissions?${qs}`), 422, 'validation_failed');
        expect(errorPaths(p)).toContain(path);
      });
    }
  });

  describe('POST documents query and body', () => {
    it('bad kind, missing filename, unknown parameter, empty body -> 422 with pointers, nothing written', async () => {
      const m = ctx.users.manufacturer;
      const before = await footprint(registration.id);
      const url = `/v1/submissions/${registration.id}/documents`;
      const send = (qs: string, bytes = Buffer.from('%PDF-1.7 doc')) =>
        request(app).post(`${url}?${qs}`).set(m.auth).set('Content-Type', 'application/pdf').send(bytes);
      expect(errorPaths(expectProblem(await send('kind=Bad%20Kind&filename=a.pdf'), 422, 'validation_failed'))).toContain('/kind');
      expect(errorPaths(expectProblem(await send('kind=cfg'), 422, 'validation_failed'))).toContain('/filename');
      expect(errorPaths(expectProblem(await send('kind=cfg&filename=..%2Fetc%2Fpasswd'), 422, 'validation_failed'))).toContain('/filename');
      expect(errorPaths(expectProblem(await send('kind=cfg&filename=a.pdf&x=1'), 422, 'validation_failed'))).toContain('/x');
      expectProblem(await send('kind=cfg&filename=a.pdf', Buffer.alloc(0)), 422, 'validation_failed');
      expect(await footprint(registration.id)).toEqual(before);
    });
  });
});

describe('422 idempotency_key_reused', () => {
  it('same key, different body -> 422 and the second request is not applied', async () => {
    const m = ctx.users.manufacturer;
    const s = await api.create(m, body510k('Idem reuse'));
    await api.send(m, s.id, 'SUBMIT', { comment: 'first' }, { 'Idempotency-Key': 'reuse-1' });
    const before = await footprint(s.id);
    const res = await api.event(m, s.id, { type: 'WITHDRAW', comment: 'second' }, { 'Idempotency-Key': 'reuse-1' });
    expectProblem(res, 422, 'idempotency_key_reused');
    expect(await footprint(s.id)).toEqual(before);
    expect((await api.submission(m, s.id)).state).toBe('received');
  });
});

describe('every rejected request above left the fixtures untouched', () => {
  it('draft and in-review submissions still have exactly their setup history', async () => {
    const d = await api.history(ctx.users.auditor, draft.id);
    expect(d.map((t) => t.type)).toEqual(['CREATED']);
    const r = await api.history(ctx.users.auditor, inReview.id);
    expect(r.map((t) => t.type)).toEqual(['CREATED', 'SUBMIT', 'FEE_VERIFIED', 'SCREEN_PASS']);
    const reg = await api.history(ctx.users.auditor, registration.id);
    expect(reg.map((t) => t.type)).toEqual(['CREATED']);
  });
});
