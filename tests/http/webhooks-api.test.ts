/**
 * The webhook subscription API over supertest on a real database: who may subscribe to what,
 * visibility (a subscription the caller may not see is 404), keyset pagination, deletion, and
 * every kind of bad input answered with problem+json and its JSON pointers, writing nothing.
 */
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestContext, type TestUser } from '../support/fixtures.js';
import { Api, errorPaths, expectProblem, type Json, openTestApp } from './helpers.js';

let ctx: TestContext, app: Express, api: Api;
const URL_OK = 'https://hooks.example.com/puente';

beforeAll(async () => ({ ctx, app, api } = await openTestApp()), 60_000);
afterAll(async () => ctx?.close());

const count = async (table = 'webhook_subscriptions') => Number((await ctx.services.db.knex(table).count({ n: '*' }))[0]!.n);

async function subscribe(user: TestUser, body: Json): Promise<Json> {
  const res = await api.post(user, '/v1/webhooks', body);
  expect(res.status, res.text).toBe(201);
  expect(res.headers.location).toBe(`/v1/webhooks/${res.body.id}`);
  return res.body as Json;
}

describe('POST /v1/webhooks', () => {
  it('a manufacturer subscribes for its own organization and gets the secret once', async () => {
    const m = ctx.users.manufacturer;
    const w = await subscribe(m, { url: URL_OK, eventTypes: ['SUBMIT', 'DECIDE_SE', 'CREATED'], workflows: ['fda-510k'], deadlineWarningDays: 14 });
    expect(w).toEqual({
      id: expect.any(String),
      url: URL_OK,
      eventTypes: ['SUBMIT', 'DECIDE_SE', 'CREATED'],
      workflows: ['fda-510k'],
      deadlineWarningDays: 14,
      organization: m.actor.organization,
      createdBy: m.actor.id,
      createdAt: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
    });
    const again = await api.get(m, `/v1/webhooks/${w.id}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...w, secret: undefined });
    expect('secret' in again.body).toBe(false);
    // Naming its own organization is the same thing.
    expect((await subscribe(m, { url: 'http://127.0.0.1:9/x', organization: m.actor.organization!.id })).organization).toEqual(m.actor.organization);
  });

  it('admins subscribe for every organization, or one', async () => {
    const { admin, otherManufacturer: beta } = ctx.users;
    expect((await subscribe(admin, { url: URL_OK })).organization).toBeNull();
    expect((await subscribe(admin, { url: URL_OK, organization: beta.actor.organization!.id })).organization).toEqual(beta.actor.organization);
  });

  it('other roles, and manufacturers naming another organization, are 403 and write nothing', async () => {
    const before = await count();
    for (const u of [ctx.users.fda, ctx.users.cofepris, ctx.users.auditor]) {
      expectProblem(await api.post(u, '/v1/webhooks', { url: URL_OK }), 403, 'forbidden');
      expectProblem(await api.get(u, '/v1/webhooks'), 403, 'forbidden');
    }
    const m = ctx.users.manufacturer;
    expectProblem(await api.post(m, '/v1/webhooks', { url: URL_OK, organization: ctx.users.otherManufacturer.actor.organization!.id }), 403, 'forbidden');
    expectProblem(await request(app).post('/v1/webhooks').send({ url: URL_OK }), 401, 'unauthenticated');
    expect(await count()).toBe(before);
  });

  const BAD: Array<[string, unknown, string[]]> = [
    ['no url', {}, ['/url']],
    ['not an object', [URL_OK], ['']],
    ['ftp url', { url: 'ftp://example.com/x' }, ['/url']],
    ['javascript url', { url: 'javascript:alert(1)' }, ['/url']],
    ['url without host', { url: 'http://' }, ['/url']],
    ['url with spaces in the host', { url: 'http://exa mple.com/' }, ['/url']],
    ['url too long', { url: `https://e.com/${'a'.repeat(2048)}` }, ['/url']],
    ['url not a string', { url: 42 }, ['/url']],
    ['unknown field', { url: URL_OK, secret: 'mine' }, ['/secret']],
    ['eventTypes not an array', { url: URL_OK, eventTypes: 'SUBMIT' }, ['/eventTypes']],
    ['unknown event type', { url: URL_OK, eventTypes: ['SUBMIT', 'NOPE'] }, ['/eventTypes/1']],
    ['event type not of the named workflow', { url: URL_OK, workflows: ['fda-presub'], eventTypes: ['DECIDE_SE'] }, ['/eventTypes/0']],
    ['lower-case event type', { url: URL_OK, eventTypes: ['submit'] }, ['/eventTypes/0']],
    ['duplicate event types', { url: URL_OK, eventTypes: ['SUBMIT', 'SUBMIT'] }, ['/eventTypes']],
    ['empty event types without warnings', { url: URL_OK, eventTypes: [] }, ['/eventTypes']],
    ['unknown workflow', { url: URL_OK, workflows: ['fda-510k', 'nope'] }, ['/workflows/1']],
    ['empty workflows', { url: URL_OK, workflows: [] }, ['/workflows']],
    ['negative warning days', { url: URL_OK, deadlineWarningDays: -1 }, ['/deadlineWarningDays']],
    ['fractional warning days', { url: URL_OK, deadlineWarningDays: 1.5 }, ['/deadlineWarningDays']],
    ['warning days as text', { url: URL_OK, deadlineWarningDays: '7' }, ['/deadlineWarningDays']],
    ['organization not a string', { url: URL_OK, organization: 1 }, ['/organization']],
  ];
  for (const [what, body, paths] of BAD) {
    it(`422 with JSON pointers: ${what}`, async () => {
      const before = await count();
      const res = await api.post(ctx.users.manufacturer, '/v1/webhooks', body);
      const problem = expectProblem(res, 422, 'validation_failed');
      for (const p of paths) expect(errorPaths(problem)).toContain(p);
      expect(await count()).toBe(before);
    });
  }

  it('an admin naming an unknown organization is 422 at /organization', async () => {
    const res = await api.post(ctx.users.admin, '/v1/webhooks', { url: URL_OK, organization: '01900000-0000-7000-8000-000000000000' });
    expect(errorPaths(expectProblem(res, 422, 'validation_failed'))).toEqual(['/organization']);
  });

  it('malformed JSON is 400, another media type 415', async () => {
    const m = ctx.users.manufacturer;
    const before = await count();
    expectProblem(await request(app).post('/v1/webhooks').set(m.auth).set('Content-Type', 'application/json').send('{"url":'), 400, 'malformed_json');
    expectProblem(await request(app).post('/v1/webhooks').set(m.auth).set('Content-Type', 'text/plain').send(`url=${URL_OK}`), 415, 'unsupported_media_type');
    expect(await count()).toBe(before);
  });
});

describe('GET /v1/webhooks, GET and DELETE /v1/webhooks/:id, GET /v1/webhooks/:id/deliveries', () => {
  it("lists the caller's own subscriptions (admins: all), newest first, with keyset pagination", async () => {
    const { manufacturer: m, otherManufacturer: beta, admin } = ctx.users;
    const mine = [await subscribe(m, { url: `${URL_OK}/1` }), await subscribe(m, { url: `${URL_OK}/2` }), await subscribe(m, { url: `${URL_OK}/3` })];
    const theirs = await subscribe(beta, { url: `${URL_OK}/beta` });
    const all: Json[] = [];
    let cursor: string | null = null;
    do {
      const res = await api.get(m, `/v1/webhooks?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      all.push(...(res.body.items as Json[]));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    const ids = all.map((w) => w.id as string);
    expect(ids).toEqual([...ids].sort().reverse());
    for (const w of mine) expect(ids).toContain(w.id);
    expect(ids).not.toContain(theirs.id);
    expect(all.every((w) => w.createdBy === m.actor.id && !('secret' in w))).toBe(true);
    const adminIds = ((await api.get(admin, '/v1/webhooks?limit=200')).body.items as Json[]).map((w) => w.id);
    expect(adminIds).toEqual(expect.arrayContaining([...mine.map((w) => w.id), theirs.id]));
  });

  it('a subscription the caller may not see is 404; admins see every one', async () => {
    const { manufacturer: m, otherManufacturer: beta, admin } = ctx.users;
    const w = await subscribe(m, { url: URL_OK });
    for (const path of [`/v1/webhooks/${w.id}`, `/v1/webhooks/${w.id}/deliveries`]) {
      expectProblem(await api.get(beta, path), 404, 'not_found');
      expect((await api.get(admin, path)).status).toBe(200);
      expect((await api.get(m, path)).status).toBe(200);
    }
    expectProblem(await api.get(m, '/v1/webhooks/01900000-0000-7000-8000-000000000000'), 404, 'not_found');
    expectProblem(await api.get(m, `/v1/webhooks/${'x'.repeat(300)}`), 404, 'not_found');
    expectProblem(await api.get(ctx.users.fda, `/v1/webhooks/${w.id}`), 403, 'forbidden');
  });

  it('bad list queries are 422 with JSON pointers', async () => {
    const m = ctx.users.manufacturer;
    const w = await subscribe(m, { url: URL_OK });
    for (const path of ['/v1/webhooks', `/v1/webhooks/${w.id}/deliveries`]) {
      expect(errorPaths(expectProblem(await api.get(m, `${path}?limit=0`), 422, 'validation_failed'))).toEqual(['/limit']);
      expect(errorPaths(expectProblem(await api.get(m, `${path}?limit=201`), 422, 'validation_failed'))).toEqual(['/limit']);
      expect(errorPaths(expectProblem(await api.get(m, `${path}?cursor=AAAA`), 422, 'validation_failed'))).toEqual(['/cursor']);
      expect(errorPaths(expectProblem(await api.get(m, `${path}?page=2`), 422, 'validation_failed'))).toEqual(['/page']);
    }
    const res = await api.get(m, `/v1/webhooks/${w.id}/deliveries?limit=5`);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it('DELETE removes the subscription with its log; others get 404 and change nothing', async () => {
    const { manufacturer: m, otherManufacturer: beta } = ctx.users;
    const w = await subscribe(m, { url: URL_OK });
    const before = await count();
    expectProblem(await request(app).delete(`/v1/webhooks/${w.id}`).set(beta.auth), 404, 'not_found');
    expectProblem(await request(app).delete(`/v1/webhooks/${w.id}`).set(ctx.users.auditor.auth), 403, 'forbidden');
    expect(await count()).toBe(before);
    const del = await request(app).delete(`/v1/webhooks/${w.id}`).set(m.auth);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect(await count()).toBe(before - 1);
    expectProblem(await api.get(m, `/v1/webhooks/${w.id}`), 404, 'not_found');
    expectProblem(await request(app).delete(`/v1/webhooks/${w.id}`).set(m.auth), 404, 'not_found');
    // An admin may delete anyone's.
    const x = await subscribe(beta, { url: URL_OK });
    expect((await request(app).delete(`/v1/webhooks/${x.id}`).set(ctx.users.admin.auth)).status).toBe(204);
  });
});
