/**
 * Issue 8 §3 offboarding (21 CFR 11.300(b), (c)): `npx puente user disable|enable|token|reset`,
 * the admin endpoints beside them, POST /v1/me/token, and TOKEN_MAX_DAYS. A disabled user's token
 * and web sessions stop working; a rotated token replaces the old one at once; with
 * TOKEN_MAX_DAYS a token stops working that many days after it was issued (injected clock).
 * Real processes for the CLI, real HTTP, a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL).
 */
import { execFile } from 'node:child_process';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { initServices, type Services } from '../../src/services.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { addUser, createTestContext, testApp, TEST_PASSWORD, TEST_SCRYPT, type TestContext } from '../support/fixtures.js';
import { ROOT } from '../support/server.js';
import { Api, errorPaths, expectProblem, type Json } from '../http/helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

function puente(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['--no-install', 'puente', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: ctx.database.url, LOG_LEVEL: 'silent', USER: 'ops-oscar', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('npx puente user disable | enable | token | reset', () => {
  it('offboards a user from the command line, each step on the security log as the CLI', async () => {
    const added = await puente(['user', 'add', '--name', 'Leaving Lena', '--role', 'manufacturer', '--org', 'Acme Medical', '--json']);
    expect(added.code, added.stderr).toBe(0);
    const u = JSON.parse(added.stdout) as Json;
    expect((await request(app).get('/v1/me').set(bearer(u.token))).status).toBe(200);

    const disabled = await puente(['user', 'disable', '--id', u.id, '--json']);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.stdout)).toEqual({ id: u.id, name: 'Leaving Lena', disabled: true });
    expectProblem(await request(app).get('/v1/me').set(bearer(u.token)), 401, 'unauthenticated');

    const enabled = await puente(['user', 'enable', '--id', u.id]);
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toMatch(/enabled Leaving Lena/);
    expect((await request(app).get('/v1/me').set(bearer(u.token))).status).toBe(200);

    const rotated = await puente(['user', 'token', '--id', u.id, '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const r = JSON.parse(rotated.stdout) as Json;
    expect(r).toEqual({ id: u.id, name: 'Leaving Lena', token: expect.stringMatching(/^pte_[A-Za-z0-9_-]{43}$/), expiresAt: null });
    expectProblem(await request(app).get('/v1/me').set(bearer(u.token)), 401, 'unauthenticated');
    expect((await request(app).get('/v1/me').set(bearer(r.token))).status).toBe(200);

    const reset = await puente(['user', 'reset', '--id', u.id, '--json']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(JSON.parse(reset.stdout)).toMatchObject({ id: u.id, resetToken: expect.stringMatching(/^pwr_/) });

    // unlock --password-stdin is refused (exit 2), pointing to the reset.
    const unlock = await puente(['user', 'unlock', '--id', u.id, '--password-stdin']);
    expect(unlock.code).toBe(2);
    expect(unlock.stderr).toMatch(/password-reset/);

    const log = await puente(['audit', 'security-log', '--json', '--user', u.id]);
    expect(log.code, log.stderr).toBe(0);
    const { entries, verification } = JSON.parse(log.stdout) as { entries: Json[]; verification: Json };
    expect(entries.map((e) => e.type)).toEqual([
      'user.created',
      'token.issued',
      'user.disabled',
      'user.enabled',
      'token.rotated',
      'password.reset_issued',
      'admin.refused',
    ]);
    for (const e of entries) expect(e.actor).toEqual({ id: null, name: 'ops-oscar', role: 'cli' });
    expect(verification).toMatchObject({ ok: true, breaks: [] });
    // (Each CLI run starts a process: about 10 s on a loaded machine, so this test keeps to seven.)
  }, 400_000);
});

describe('the admin endpoints and POST /v1/me/token', () => {
  it('disable ends the token and every web session; enable restores the token; an admin cannot disable themselves', async () => {
    const m = await addUser(ctx.services, 'manufacturer', 'Web Walter', 'Acme Medical');
    await ctx.services.sessions.signIn('Web Walter', TEST_PASSWORD, '127.0.0.8');
    const sessions = () => ctx.services.db.knex('web_sessions').where({ user_id: m.actor.id }).select('token_hash');
    expect(await sessions()).toHaveLength(1);
    const res = await api.post(ctx.users.admin, `/v1/users/${m.actor.id}/disable`, {});
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ id: m.actor.id, name: 'Web Walter', disabled: true });
    expect(await sessions()).toHaveLength(0);
    expectProblem(await api.get(m, '/v1/me'), 401, 'unauthenticated');
    expect((await request(app).post(`/v1/users/${m.actor.id}/enable`).set(ctx.users.admin.auth)).status).toBe(200);
    expect((await api.get(m, '/v1/me')).status).toBe(200);

    const self = expectProblem(await api.post(ctx.users.admin, `/v1/users/${ctx.users.admin.actor.id}/disable`, {}), 422, 'validation_failed');
    expect(errorPaths(self)).toEqual(['/id']);
  });

  it('only admins disable, enable and rotate others’ tokens; unknown users are 404; bad input is a 4xx problem with its pointer', async () => {
    const target = ctx.users.cofepris;
    for (const action of ['disable', 'enable', 'token']) {
      for (const who of [ctx.users.manufacturer, ctx.users.auditor, ctx.users.fda]) {
        expectProblem(await api.post(who, `/v1/users/${target.actor.id}/${action}`, {}), 403, 'forbidden');
      }
      expectProblem(await api.post(ctx.users.admin, `/v1/users/0193f000-0000-7000-8000-000000000000/${action}`, {}), 404, 'not_found');
      const extra = expectProblem(await api.post(ctx.users.admin, `/v1/users/${target.actor.id}/${action}`, { reason: 'x' }), 422, 'validation_failed');
      expect(errorPaths(extra)).toEqual(['/reason']);
      const query = expectProblem(await api.post(ctx.users.admin, `/v1/users/${target.actor.id}/${action}?force=1`, {}), 422, 'validation_failed');
      expect(errorPaths(query)).toEqual(['/force']);
    }
    expect((await api.get(target, '/v1/me')).status).toBe(200);
    expectProblem(await api.post(ctx.users.manufacturer, '/v1/me/token', [1]), 422, 'validation_failed');
    expectProblem(await api.post(ctx.users.manufacturer, '/v1/me/token', { a: 1 }), 422, 'validation_failed');
    expectProblem(
      await request(app).post('/v1/me/token').set(ctx.users.manufacturer.auth).set('Content-Type', 'application/json').send('{"a":'),
      400,
      'malformed_json',
    );
    expectProblem(
      await request(app).post('/v1/me/token').set(ctx.users.manufacturer.auth).set('Content-Type', 'text/plain').send('x'),
      415,
      'unsupported_media_type',
    );
    expectProblem(await request(app).post('/v1/me/token'), 401, 'unauthenticated');
    // None of the refused requests changed a token.
    expect((await api.get(ctx.users.manufacturer, '/v1/me')).status).toBe(200);
  });

  it('POST /v1/me/token rotates the caller’s own token: the new one works, the old one stops at once', async () => {
    const u = await addUser(ctx.services, 'fda', 'Dr. Rotating');
    const res = await request(app).post('/v1/me/token').set(u.auth);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ token: expect.stringMatching(/^pte_[A-Za-z0-9_-]{43}$/), expiresAt: null });
    expectProblem(await api.get(u, '/v1/me'), 401, 'unauthenticated');
    const me = await request(app).get('/v1/me').set(bearer(res.body.token));
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(u.actor.id);
    const row = await ctx.services.db.knex('users').where({ id: u.actor.id }).first('token_hash');
    expect(JSON.stringify(row)).not.toContain(res.body.token);
  });
});

describe('TOKEN_MAX_DAYS', () => {
  let database: TestDatabase;
  let services: Services;
  let clock = new Date('2026-03-01T12:00:00.000Z');

  beforeAll(async () => {
    database = await createTestDatabase();
    services = await initServices({ databaseUrl: database.url, mxNonWorkingDays: [], tokenMaxDays: 30 }, { scryptParams: TEST_SCRYPT, now: () => clock });
  });
  afterAll(async () => {
    await services?.shutdown();
    await database?.drop();
  });

  it('a token stops working TOKEN_MAX_DAYS after it was issued (401, saying it expired); a rotated one works again', async () => {
    const open = createApp(services, { logger: pino({ level: 'silent' }) });
    const t0 = clock;
    const { user, token, expiresAt } = await services.users.create({ name: 'Tess Token', role: 'auditor' });
    expect(expiresAt).toBe('2026-03-31T12:00:00.000Z');

    clock = new Date(t0.getTime() + 30 * 86_400_000 - 1000);
    expect((await request(open).get('/v1/me').set(bearer(token))).status).toBe(200);
    // The caller rotates before it runs out; the new one counts from now.
    const rotated = await request(open).post('/v1/me/token').set(bearer(token));
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.expiresAt).toBe(new Date(clock.getTime() + 30 * 86_400_000).toISOString());

    clock = new Date(t0.getTime() + 31 * 86_400_000);
    expect((await request(open).get('/v1/me').set(bearer(rotated.body.token))).status).toBe(200);

    clock = new Date(t0.getTime() + 61 * 86_400_000);
    const expired = expectProblem(await request(open).get('/v1/me').set(bearer(rotated.body.token)), 401, 'unauthenticated');
    expect(expired.detail).toMatch(/expired/);
    // An expired token cannot rotate itself; an administrator (here the CLI's service) issues a new one.
    expectProblem(await request(open).post('/v1/me/token').set(bearer(rotated.body.token)), 401, 'unauthenticated');
    const fresh = await services.users.rotateToken(null, user.id);
    expect((await request(open).get('/v1/me').set(bearer(fresh.token))).status).toBe(200);
    const log = await services.securityLog.verify();
    expect(log.ok).toBe(true);
  });

  it('rejects a TOKEN_MAX_DAYS that is not a whole number of days', async () => {
    const { loadConfig } = await import('../../src/config.js');
    expect(() => loadConfig({ TOKEN_MAX_DAYS: 'soon' })).toThrow(/TOKEN_MAX_DAYS/);
    expect(() => loadConfig({ TOKEN_MAX_DAYS: '0' })).toThrow(/TOKEN_MAX_DAYS/);
    expect(loadConfig({ TOKEN_MAX_DAYS: '90' }).tokenMaxDays).toBe(90);
    expect(loadConfig({}).tokenMaxDays).toBeUndefined();
    expect(loadConfig({}).passwordResetHours).toBe(24);
    expect(() => loadConfig({ PASSWORD_RESET_HOURS: '0' })).toThrow(/PASSWORD_RESET_HOURS/);
  });
});

describe('the web Users page', () => {
  const csrfIn = (text: string): string => {
    const m = /name="_csrf" value="([^"]*)"/.exec(text);
    if (!m) throw new Error(`no _csrf field in page: ${text.slice(0, 300)}`);
    return m[1]!;
  };

  async function browse(identifier: string, password: string) {
    const agent = request.agent(app);
    const form = await agent.get('/sign-in').set('Accept', 'text/html');
    const res = await agent
      .post('/sign-in')
      .type('form')
      .send({ _csrf: csrfIn(form.text), identifier, password, next: '/' });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    const page = await agent.get('/users').set('Accept', 'text/html');
    return { agent, csrf: csrfIn(page.text), page };
  }

  it('disables and enables, resets a password (credential shown once, set on /password-reset), rotates a token; CSRF-protected', async () => {
    const u = await addUser(ctx.services, 'manufacturer', 'Browser Bea', 'Acme Medical');
    const admin = await browse('Ada Admin', TEST_PASSWORD);
    expect(admin.page.text).toContain(`action="/users/${u.actor.id}/disable"`);
    const post = (path: string, csrf = admin.csrf) => admin.agent.post(path).type('form').set('Accept', 'text/html').send({ _csrf: csrf });

    // Without the session's CSRF token nothing happens.
    expect((await post(`/users/${u.actor.id}/disable`, 'forged')).status).toBe(403);
    expect((await api.get(u, '/v1/me')).status).toBe(200);

    const disabled = await post(`/users/${u.actor.id}/disable`);
    expect(disabled.status).toBe(303);
    expect(disabled.headers.location).toBe(`/users?disabled=${encodeURIComponent('Browser Bea')}`);
    expectProblem(await api.get(u, '/v1/me'), 401, 'unauthenticated');
    expect((await post(`/users/${u.actor.id}/enable`)).status).toBe(303);
    expect((await api.get(u, '/v1/me')).status).toBe(200);

    const token = await post(`/users/${u.actor.id}/token`);
    expect(token.status).toBe(200);
    const newToken = /<code id="issued-secret">(pte_[A-Za-z0-9_-]{43})<\/code>/.exec(token.text)?.[1];
    expect(newToken).toBeDefined();
    expectProblem(await api.get(u, '/v1/me'), 401, 'unauthenticated');
    expect((await request(app).get('/v1/me').set(bearer(newToken!))).status).toBe(200);

    const reset = await post(`/users/${u.actor.id}/password-reset`);
    expect(reset.status).toBe(200);
    const credential = /<code id="issued-secret">(pwr_[A-Za-z0-9_-]{43})<\/code>/.exec(reset.text)?.[1];
    expect(credential).toBeDefined();
    // The list page never shows it again.
    expect((await admin.agent.get('/users').set('Accept', 'text/html')).text).not.toContain(credential!);

    // The user sets a password of their own on /password-reset, then signs in with it.
    const browser = request.agent(app);
    const form = await browser.get('/password-reset').set('Accept', 'text/html');
    expect(form.status).toBe(200);
    const resetWith = (csrfPage: string, newPassword: string) =>
      browser
        .post('/password-reset')
        .type('form')
        .set('Accept', 'text/html')
        .send({ _csrf: csrfIn(csrfPage), resetToken: credential, newPassword });
    const weak = await resetWith(form.text, 'password1234');
    expect(weak.status).toBe(422);
    expect(weak.text).toMatch(/common passwords/);
    const done = await resetWith(weak.text, 'She-Picked-This-2026');
    expect(done.status, done.text.slice(0, 300)).toBe(303);
    expect(done.headers.location).toBe('/sign-in?reset=1');
    const again = await resetWith(weak.text, 'Another-One-2026');
    expect(again.status).toBe(401);
    await browse('Browser Bea', 'She-Picked-This-2026');

    // A non-admin gets 403 and nothing changes.
    const m = await browse(ctx.users.manufacturer.actor.name, TEST_PASSWORD);
    expect((await m.agent.post(`/users/${u.actor.id}/disable`).type('form').set('Accept', 'text/html').send({ _csrf: m.csrf })).status).toBe(403);
    expect((await request(app).get('/v1/me').set(bearer(newToken!))).status).toBe(200);
  });
});
