/**
 * Issue 8 §4: failed-authentication limits that never throttle valid credentials. Bad bearer
 * tokens (and sign-ins with an unknown name) are counted in the database per client address and
 * identifier, so one bad client cannot lock out an office, and several processes on one database
 * share the count. `TRUST_PROXY` decides whether X-Forwarded-For names the client. Real database
 * (SQLite, or PostgreSQL with TEST_DATABASE_URL), real HTTP through supertest.
 */
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { AUTH_LIMIT_DEFAULTS, ConfigError, loadConfig } from '../../src/config.js';
import { initServices, type Services } from '../../src/services.js';
import { DIALECT } from '../support/db.js';
import { TEST_PASSWORD, TEST_SCRYPT, createTestContext, type TestContext } from '../support/fixtures.js';
import { expectProblem } from '../http/helpers.js';

let clock = Date.parse('2026-12-01T10:00:00.000Z');
const now = () => new Date(clock);

let ctx: TestContext;
/** Two processes with the default limits over one database. */
let appA: Express;
let appB: Express;
let second: Services;
/** A third, behind a trusted proxy, with small limits (3 per address and identifier, 5 per address). */
let proxied: Services;
let appP: Express;

const silent = { logger: pino({ level: 'silent' }) };

beforeAll(async () => {
  ctx = await createTestContext({ now });
  second = await initServices({ databaseUrl: ctx.database.url, mxNonWorkingDays: [] }, { scryptParams: TEST_SCRYPT, now });
  proxied = await initServices(
    { databaseUrl: ctx.database.url, mxNonWorkingDays: [], trustProxy: true, authFailureLimit: 3, authAddressFailureLimit: 5 },
    { scryptParams: TEST_SCRYPT, now },
  );
  appA = createApp(ctx.services, silent);
  appB = createApp(second, silent);
  appP = createApp(proxied, silent);
}, 60_000);

afterAll(async () => {
  await proxied?.shutdown();
  await second?.shutdown();
  await ctx?.close();
});

const knex = () => ctx.services.db.knex;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function failureRows(): Promise<number> {
  const [row] = await knex()('auth_failures').count<{ n: number | string }[]>({ n: '*' });
  return Number(row!.n);
}

describe(`bad bearer tokens on ${DIALECT}`, () => {
  it('after 25 bad tokens from one address the bad client gets 429 with Retry-After, yet a valid token from that address gets 200', async () => {
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 25; i++) {
      last = await request(appA).get('/v1/me').set(bearer('pte_one-bad-client'));
      statuses.push(last.status);
    }
    expect(statuses.slice(0, AUTH_LIMIT_DEFAULTS.authFailureLimit).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(AUTH_LIMIT_DEFAULTS.authFailureLimit)).toEqual(Array(25 - AUTH_LIMIT_DEFAULTS.authFailureLimit).fill(429));
    expectProblem(last!, 429, 'too_many_requests');
    const wait = Number(last!.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(AUTH_LIMIT_DEFAULTS.authFailureWindowSeconds);
    // The same address with valid credentials is never throttled, on either process.
    for (const app of [appA, appB]) {
      const ok = await request(app).get('/v1/me').set(ctx.users.auditor.auth);
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body).toMatchObject({ name: 'Quinn Auditor' });
    }
    // Another bad token from the same address is its own key: an ordinary 401.
    expectProblem(await request(appA).get('/v1/me').set(bearer('pte_another-client')), 401, 'unauthenticated');
  });

  it('the count is shared by two processes on one database', async () => {
    for (let i = 0; i < AUTH_LIMIT_DEFAULTS.authFailureLimit; i++) {
      expectProblem(
        await request(i % 2 ? appB : appA)
          .get('/v1/me')
          .set(bearer('pte_roaming-client')),
        401,
        'unauthenticated',
      );
    }
    expectProblem(await request(appA).get('/v1/me').set(bearer('pte_roaming-client')), 429, 'too_many_requests');
    expectProblem(await request(appB).get('/v1/me').set(bearer('pte_roaming-client')), 429, 'too_many_requests');
  });

  it('a valid token costs no rate-limit query (the hot path)', async () => {
    const sql: string[] = [];
    const record = (q: { sql: string }) => sql.push(q.sql);
    for (const k of [ctx.services.db.knex, ctx.services.db.reader]) k.on('query', record);
    try {
      for (let i = 0; i < 3; i++) expect((await request(appA).get('/v1/me').set(ctx.users.fda.auth)).status).toBe(200);
    } finally {
      for (const k of [ctx.services.db.knex, ctx.services.db.reader]) k.off('query', record);
    }
    expect(sql.length).toBeGreaterThan(0);
    expect(sql.filter((s) => /auth_failures/.test(s))).toEqual([]);
    // ... while a failure does count.
    const before = sql.length;
    for (const k of [ctx.services.db.knex, ctx.services.db.reader]) k.on('query', record);
    try {
      await request(appA).get('/v1/me').set(bearer('pte_counted'));
    } finally {
      for (const k of [ctx.services.db.knex, ctx.services.db.reader]) k.off('query', record);
    }
    expect(sql.slice(before).some((s) => /auth_failures/.test(s))).toBe(true);
  });

  it('without TRUST_PROXY, X-Forwarded-For does not change the address that is counted', async () => {
    for (let i = 0; i < AUTH_LIMIT_DEFAULTS.authFailureLimit; i++) {
      expect(
        (
          await request(appA)
            .get('/v1/me')
            .set(bearer('pte_spoofer'))
            .set('X-Forwarded-For', `10.7.0.${i + 1}`)
        ).status,
      ).toBe(401);
    }
    const res = await request(appA).get('/v1/me').set(bearer('pte_spoofer')).set('X-Forwarded-For', '10.7.1.1');
    expectProblem(res, 429, 'too_many_requests');
  });

  it('with TRUST_PROXY on, X-Forwarded-For decides the address: another client behind the proxy is not throttled', async () => {
    for (let i = 0; i < 3; i++) expect((await request(appP).get('/v1/me').set(bearer('pte_behind-proxy')).set('X-Forwarded-For', '10.1.1.1')).status).toBe(401);
    expectProblem(await request(appP).get('/v1/me').set(bearer('pte_behind-proxy')).set('X-Forwarded-For', '10.1.1.1'), 429, 'too_many_requests');
    expectProblem(await request(appP).get('/v1/me').set(bearer('pte_behind-proxy')).set('X-Forwarded-For', '10.1.1.2'), 401, 'unauthenticated');
  });

  it('a spray of distinct bad tokens from one address meets the per-address ceiling; valid tokens from it still pass', async () => {
    const from = (token: string) => request(appP).get('/v1/me').set(bearer(token)).set('X-Forwarded-For', '10.2.2.2');
    for (let i = 0; i < 5; i++) expect((await from(`pte_spray-${i}`)).status).toBe(401);
    const blocked = await from('pte_spray-5');
    expectProblem(blocked, 429, 'too_many_requests');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await from(ctx.users.manufacturer.token)).status).toBe(200);
  });

  it('after the window the key may try again, and expired counts are deleted', async () => {
    expect(await failureRows()).toBeGreaterThan(0);
    clock += (AUTH_LIMIT_DEFAULTS.authFailureWindowSeconds + 1) * 1000;
    expectProblem(await request(appA).get('/v1/me').set(bearer('pte_one-bad-client')), 401, 'unauthenticated');
    // Every earlier window has ended: only the two keys just counted are left (address and token, and the address alone).
    expect(await failureRows()).toBe(2);
  });
});

describe(`sign-ins with an unknown name on ${DIALECT}`, () => {
  async function signIn(app: Express, identifier: string, password: string, address: string): Promise<request.Response> {
    const agent = request.agent(app);
    const form = await agent.get('/sign-in').set('Accept', 'text/html').set('X-Forwarded-For', address);
    const csrf = /name="_csrf" value="([^"]*)"/.exec(form.text)![1]!;
    return agent.post('/sign-in').type('form').set('Accept', 'text/html').set('X-Forwarded-For', address).send({ _csrf: csrf, identifier, password });
  }

  it('are limited per address and typed name; a real user signs in from the same address regardless', async () => {
    for (let i = 0; i < 3; i++) expect((await signIn(appP, 'Nobody Known', 'Whatever-1', '10.3.3.3')).status).toBe(401);
    const blocked = await signIn(appP, '  nobody KNOWN ', 'Whatever-1', '10.3.3.3');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await signIn(appP, 'Nobody Known', 'Whatever-1', '10.3.3.4')).status).toBe(401);
    const ok = await signIn(appP, 'Maria Lopez', TEST_PASSWORD, '10.3.3.3');
    expect(ok.status, ok.text).toBe(303);
  });
});

describe('TRUST_PROXY is a validated setting', () => {
  const base = { DATABASE_URL: 'sqlite::memory:' };
  it('accepts what Express accepts: off by default, true/false, a hop count, addresses and subnets', () => {
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8,192.168.1.7, fd00::/8' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
    ]);
  });

  it('refuses anything else at start, naming the variable', () => {
    for (const bad of ['yes', '10.0.0.0/33', '300.1.1.1', 'loopback,,', 'proxy.example']) {
      expect(() => loadConfig({ ...base, TRUST_PROXY: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
    expect(() => loadConfig({ ...base, AUTH_FAILURE_LIMIT: 'ten' })).toThrow(/AUTH_FAILURE_LIMIT/);
    expect(loadConfig({ ...base, AUTH_FAILURE_LIMIT: '7', AUTH_FAILURE_WINDOW_SECONDS: '120', AUTH_ADDRESS_FAILURE_LIMIT: '50' })).toMatchObject({
      authFailureLimit: 7,
      authFailureWindowSeconds: 120,
      authAddressFailureLimit: 50,
    });
  });
});
