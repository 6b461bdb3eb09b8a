/**
 * Request logging: one JSON line per request (reqId, method, path, status, durationMs), and no
 * secrets in the log: neither bearer tokens nor document bytes.
 */
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestContext } from '../support/fixtures.js';
import { Api, body510k, bodyRegistration, type Json, logInto, openTestApp } from './helpers.js';

let ctx: TestContext, app: Express, api: Api;
const chunks: string[] = [];

beforeAll(async () => ({ ctx, app, api } = await openTestApp({ logger: pino({ level: 'info' }, logInto(chunks)) })));
afterAll(async () => ctx?.close());

const output = () => chunks.join('');
const lines = (): Json[] =>
  output()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Json);

/**
 * The response's log line is written on 'finish'; wait (by yielding, not by time) until it is there.
 * Found by the server's id or by the X-Request-Id the test sent (logged as clientRequestId, issue 8 §8).
 */
async function linesFor(reqId: string): Promise<Json[]> {
  for (let i = 0; i < 1000; i++) {
    const mine = (l: Json) => l.reqId === reqId || l.clientRequestId === reqId;
    const found = lines().filter(mine);
    if (found.length > 0) {
      await new Promise((r) => setImmediate(r));
      return lines().filter(mine);
    }
    await new Promise((r) => setImmediate(r));
  }
  return [];
}

let n = 0;
const nextId = () => `log-test-${++n}`;

describe('request log', () => {
  it('every output line is JSON', async () => {
    await request(app).get('/healthz').set('X-Request-Id', nextId());
    expect(output().length).toBeGreaterThan(0);
    expect(() => lines()).not.toThrow();
  });

  it('writes exactly one line per request with reqId, method, path, status, durationMs', async () => {
    const m = ctx.users.manufacturer;
    const cases: Array<{ run: (id: string) => Promise<request.Response>; method: string; path: (res: request.Response) => string; status: number }> = [
      { run: (id) => request(app).get('/healthz').set('X-Request-Id', id), method: 'GET', path: () => '/healthz', status: 200 },
      { run: (id) => api.get(m, '/v1/me').set('X-Request-Id', id), method: 'GET', path: () => '/v1/me', status: 200 },
      { run: (id) => api.post(m, '/v1/submissions', body510k('Logged'), { 'X-Request-Id': id }), method: 'POST', path: () => '/v1/submissions', status: 201 },
      { run: (id) => api.get(m, '/v1/submissions?limit=5&q=logged').set('X-Request-Id', id), method: 'GET', path: () => '/v1/submissions', status: 200 },
      { run: (id) => request(app).get('/v1/me').set('X-Request-Id', id), method: 'GET', path: () => '/v1/me', status: 401 },
      { run: (id) => api.get(m, '/v1/nope').set('X-Request-Id', id), method: 'GET', path: () => '/v1/nope', status: 404 },
      {
        run: (id) => request(app).post('/v1/submissions').set(m.auth).set('X-Request-Id', id).set('Content-Type', 'application/json').send('{bad'),
        method: 'POST',
        path: () => '/v1/submissions',
        status: 400,
      },
    ];
    for (const c of cases) {
      const id = nextId();
      const res = await c.run(id);
      expect(res.status).toBe(c.status);
      // The server's own id, never the client's (issue 8 §8).
      const serverId = res.headers['x-request-id'] as string;
      expect(serverId).toMatch(/^[0-9a-f-]{36}$/);
      const mine = await linesFor(id);
      expect(mine, `log lines for ${c.method} ${c.path(res)}`).toHaveLength(1);
      const line = mine[0]!;
      expect(line).toMatchObject({ reqId: serverId, clientRequestId: id, method: c.method, path: c.path(res), status: c.status });
      expect(typeof line.durationMs).toBe('number');
      expect(line.durationMs).toBeGreaterThanOrEqual(0);
      expect(line.path).not.toContain('?');
    }
  });

  it('assigns a request id when the client sends none, and echoes it in X-Request-Id', async () => {
    const before = lines().length;
    const res = await request(app).get('/healthz');
    const id = res.headers['x-request-id'] as string;
    expect(id).toMatch(/^[A-Za-z0-9._-]{8,}$/);
    expect(await linesFor(id)).toHaveLength(1);
    expect(lines().length).toBe(before + 1);
  });

  it('an unsafe client request id is replaced, not logged', async () => {
    const evil = 'x\n{"level":60,"msg":"forged"}';
    const res = await request(app).get('/healthz').set('X-Request-Id', encodeURIComponent(evil));
    const id = res.headers['x-request-id'] as string;
    expect(id).not.toContain('forged');
    expect(output()).not.toContain('forged');
  });

  it('never logs the bearer token (valid or not) nor the bytes of an uploaded document', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const marker = `TOP-SECRET-DOC-${randomBytes(12).toString('hex')}`;
    const bytes = Buffer.from(`%PDF-1.7\n${marker}\n`);
    const bogus = `pte_${randomBytes(32).toString('base64url')}`;

    const ref = await api.create(m, body510k('Log reference'));
    const reg = await api.create(m, bodyRegistration({ submissionId: ref.id as string }, 'equivalence'));
    const upId = nextId();
    const up = await api.upload(m, reg.id as string, 'cfg', bytes, 'cfg.pdf', { 'X-Request-Id': upId });
    expect(up.status).toBe(201);
    const dlId = nextId();
    const dl = await api.get(fda, `/v1/submissions/${ref.id}`).set('X-Request-Id', dlId);
    expect(dl.status).toBe(404); // a draft is not FDA's to see until filed (issue 8 §6)
    const getDoc = await api.get(m, up.headers.location as string).set('X-Request-Id', nextId());
    expect(getDoc.status).toBe(200);
    const badId = nextId();
    expect((await request(app).get('/v1/me').set('Authorization', `Bearer ${bogus}`).set('X-Request-Id', badId)).status).toBe(401);
    const ev = await api.send(m, ref.id as string, 'SUBMIT', { comment: `comment ${marker}` });
    expect(ev.submission.state).toBe('received');

    const uploadLine = (await linesFor(upId))[0]!;
    expect(uploadLine).toMatchObject({ method: 'POST', path: `/v1/submissions/${reg.id}/documents`, status: 201 });
    expect(await linesFor(badId)).toHaveLength(1);

    const out = output();
    for (const u of Object.values(ctx.users)) {
      expect(out).not.toContain(u.token);
      expect(out).not.toContain(u.token.slice(4)); // without the pte_ prefix
    }
    expect(out).not.toContain(bogus);
    expect(out).not.toContain(bogus.slice(4));
    expect(out).not.toMatch(/Bearer/i);
    expect(out).not.toContain(marker);
    expect(out).not.toContain(bytes.toString('base64'));
    expect(out).not.toContain(bytes.toString('hex'));
  });
});
