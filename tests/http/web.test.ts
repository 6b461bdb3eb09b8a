/**
 * The web interface (issue 7) over HTTP: real requests through supertest agents (cookies kept)
 * against the Express app on a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL).
 *
 * Sign-in (double-submit CSRF, generic refusal, no open redirect, the user's lock shared with
 * signing, limits on unknown names per address and typed name), sessions (HttpOnly SameSite=Strict cookie, only a hash stored, sign-out, idle and
 * absolute expiry), CSRF and Origin on every POST, visibility, commands through the same engine
 * (signatures, 401/409/412/422 rendered on the page, refusals recorded), uploads, languages,
 * error pages, assets and escaping.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import pino from 'pino';
import request, { type Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { AUTH_LIMIT_DEFAULTS, SESSION_DEFAULTS, type Config } from '../../src/config.js';
import { createPasswordChecks } from '../../src/engine/attempts.js';
import { createStoredFailureLimiter } from '../../src/rate-limit.js';
import { createSessions } from '../../src/sessions.js';
import { createKnexStores } from '../../src/store/stores.js';
import { createWebSessions } from '../../src/web/sessions.js';
import { DIALECT } from '../support/db.js';
import { TEST_PASSWORD, addUser, type TestContext, type TestUser } from '../support/fixtures.js';
import { Api, binary, body510k, daysAgo, expectProblem, sha256, type Json, openTestApp } from './helpers.js';
import { browse as browseOn, cookieValue, csrfIn, setCookie, signInForm, type Browser } from '../support/web-agent.js';

let ctx: TestContext, app: Express, api: Api;

beforeAll(async () => ({ ctx, app, api } = await openTestApp()), 60_000);

afterAll(async () => ctx?.close());

// ---------------------------------------------------------------- helpers

/** The app over the context's services with web sessions of its own (optional session settings); locks and limits are the database's. */
function freshApp(web: Partial<Pick<Config, 'sessionIdleMinutes' | 'sessionMaxHours' | 'authFailureLimit'>> = {}): Express {
  const stores = createKnexStores(ctx.services.db);
  const sessions = createWebSessions({
    sessions: createSessions({
      store: stores.sessions,
      passwordChecks: createPasswordChecks({ stores }),
      limiter: createStoredFailureLimiter({
        store: stores.attempts,
        scope: 'sign-in',
        limits: {
          perIdentifier: web.authFailureLimit ?? AUTH_LIMIT_DEFAULTS.authFailureLimit,
          perAddress: AUTH_LIMIT_DEFAULTS.authAddressFailureLimit,
          windowSeconds: AUTH_LIMIT_DEFAULTS.authFailureWindowSeconds,
        },
      }),
      idleMinutes: web.sessionIdleMinutes ?? SESSION_DEFAULTS.sessionIdleMinutes,
      maxHours: web.sessionMaxHours ?? SESSION_DEFAULTS.sessionMaxHours,
    }),
    cookieSecure: false,
  });
  return createApp({ ...ctx.services, sessions }, { logger: pino({ level: 'silent' }) });
}

const knex = () => ctx.services.db.knex;

async function count(table: string, where: Record<string, unknown> = {}): Promise<number> {
  const [row] = await knex()(table).where(where).count<{ n: number | string }[]>({ n: '*' });
  return Number(row!.n);
}

const TABLES = ['submissions', 'transitions', 'documents', 'blobs', 'users', 'web_sessions', 'refused_commands'] as const;
async function counts(): Promise<Record<(typeof TABLES)[number], number>> {
  const out = {} as Record<(typeof TABLES)[number], number>;
  for (const t of TABLES) out[t] = await count(t);
  return out;
}

interface SessionRow {
  readonly token_hash: string;
  readonly user_id: string;
  readonly created_at: string;
  readonly last_seen_at: string;
  readonly expires_at: string;
}

/** Signs `user` in on `on` (the shared app by default) through the form. */
function browse(user: TestUser, on: Express = app, identifier = user.actor.name): Promise<Browser> {
  return browseOn(on, user, identifier);
}

/** A new 510(k) of Acme (through the API), optionally submitted. */
async function new510k(title = 'Web 510(k)', opts: { submitted?: boolean; screened?: boolean } = {}): Promise<string> {
  const s = await api.create(ctx.users.manufacturer, body510k(title));
  if (opts.submitted || opts.screened) await api.send(ctx.users.manufacturer, s.id, 'SUBMIT', { effectiveAt: daysAgo(30) });
  if (opts.screened) {
    await api.send(ctx.users.fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(29) });
    await api.send(ctx.users.fda, s.id, 'SCREEN_PASS', { effectiveAt: daysAgo(20) });
  }
  return s.id as string;
}

async function versionOf(id: string): Promise<number> {
  return (await api.submission(ctx.users.manufacturer, id)).version as number;
}

/**
 * No stack trace, SQL, driver error or server file path in a page. (expectNoLeak's `select ` is
 * too broad for HTML, where `<select>` is a form control.)
 */
export function expectNoPageLeak(text: string): void {
  const visible = text.replace(/<[^>]*>/g, ' ');
  expect(text).not.toMatch(/\bat \S+ \(.*:\d+:\d+\)/);
  expect(text).not.toMatch(/\bat (?:file:\/\/|\/|node:)\S*:\d+/);
  expect(text).not.toMatch(/\n\s+at \S+ /);
  expect(text).not.toMatch(/SQLITE_|sqlite3|\bknex\b|pg-protocol|ECONNREFUSED/i);
  expect(visible).not.toMatch(/\bselect\s+(?:\*|[\w."]+(?:\s*,\s*[\w."]+)*)\s+from\s/i);
  expect(visible).not.toMatch(/\binsert\s+into\s|\bdelete\s+from\s|\bupdate\s+"?\w+"?\s+set\s/i);
  expect(visible).not.toMatch(
    /duplicate key|violates .*constraint|syntax error at or near|invalid input syntax|invalid byte sequence|relation "|unterminated quoted/i,
  );
  expect(visible).not.toMatch(/\b(?:TypeError|RangeError|ReferenceError|SyntaxError)\b|Cannot read propert|is not a function|Maximum call stack/);
  expect(text).not.toMatch(/node_modules|\/work\/|\.ts:\d+|file:\/\//);
  expect(text).not.toMatch(/"stack"/);
}

/** An HTML page answer: the status, text/html, the page shell, nothing internal. */
function expectPage(res: Response, status: number): string {
  expect(res.status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 800)}`).toBe(status);
  expect(res.headers['content-type']).toMatch(/^text\/html\b/);
  expect(res.text).toMatch(/^<!doctype html>/);
  expectNoPageLeak(res.text);
  return res.text;
}

/** A raw request (no URL normalisation by the client) against a listening copy of the app. */
async function rawGet(
  on: Express,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const server = http.createServer(on);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------- sign-in

describe(`web sign-in on ${DIALECT}`, () => {
  it('GET /sign-in sets the double-submit cookie; the right name and password open a session (cookie HttpOnly, SameSite=Strict, Path=/) and go to next', async () => {
    const agent = request.agent(app);
    const form = await agent.get('/sign-in?next=%2Fsubmissions%2Fnew').set('Accept', 'text/html');
    const text = expectPage(form, 200);
    const signin = setCookie(form, 'puente_signin');
    expect(signin).toBeDefined();
    expect(signin).toMatch(/;\s*HttpOnly/i);
    expect(signin).toMatch(/;\s*SameSite=Strict/i);
    expect(signin).toMatch(/;\s*Path=\//i);
    expect(cookieValue(signin!)).toBe(csrfIn(text));
    expect(text).toContain('name="next" value="/submissions/new"');
    expect(setCookie(form, 'puente_session')).toBeUndefined();

    const sessionsBefore = await count('web_sessions');
    const res = await agent
      .post('/sign-in')
      .type('form')
      .send({ _csrf: csrfIn(text), identifier: 'Maria Lopez', password: TEST_PASSWORD, next: '/submissions/new' });
    expect(res.status, res.text).toBe(303);
    expect(res.headers.location).toBe('/submissions/new');
    const line = setCookie(res, 'puente_session');
    expect(line).toBeDefined();
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Strict/i);
    expect(line).toMatch(/;\s*Path=\/(;|$)/i);
    expect(line).not.toMatch(/;\s*Secure/i); // cookieSecure defaults to false (plain http://localhost)
    const token = cookieValue(line!);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Only the SHA-256 of the token is stored, never the token itself.
    expect(await count('web_sessions')).toBe(sessionsBefore + 1);
    const rows = (await knex()('web_sessions').where({ user_id: ctx.users.manufacturer.actor.id }).select('*')) as Array<Record<string, unknown>>;
    const mine = rows.find((r) => r.token_hash === sha256(token));
    expect(mine, 'a row keyed by sha256(token)').toBeDefined();
    const all = JSON.stringify(await knex()('web_sessions').select('*'));
    expect(all).not.toContain(token);
    expect(mine!.user_id).toBe(ctx.users.manufacturer.actor.id);

    const page = await agent.get('/submissions/new').set('Accept', 'text/html');
    expect(expectPage(page, 200)).toContain('Maria Lopez');
  });

  it('signs in by e-mail too (case-insensitive), but never by a name two users share', async () => {
    const u = await addUser(ctx.services, 'manufacturer', 'Emma Mail', 'Acme Medical');
    await knex()('users').where({ id: u.actor.id }).update({ email: 'emma.mail@acme.example' });
    const b = await browse(u, app, 'EMMA.Mail@acme.example');
    expect(b.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const twin1 = await addUser(ctx.services, 'manufacturer', 'Twin Name', 'Acme Medical');
    await addUser(ctx.services, 'manufacturer', 'Twin Name', 'Beta Devices');
    const agent = request.agent(app);
    const token = await signInForm(agent);
    const res = await agent.post('/sign-in').type('form').send({ _csrf: token, identifier: 'Twin Name', password: TEST_PASSWORD });
    expectPage(res, 401);
    expect(setCookie(res, 'puente_session')).toBeUndefined();
    // With an e-mail, the same person can sign in.
    await knex()('users').where({ id: twin1.actor.id }).update({ email: 'twin1@acme.example' });
    await browse(twin1, app, 'twin1@acme.example');
  });

  it('wrong password, unknown user, disabled user, user without password: 401 with one generic message and no session', async () => {
    const on = freshApp();
    const disabled = await addUser(ctx.services, 'manufacturer', 'Disabled Dora', 'Acme Medical');
    await knex()('users').where({ id: disabled.actor.id }).update({ disabled: true });
    await addUser(ctx.services, 'manufacturer', 'Passwordless Pat', 'Acme Medical', { password: null });
    const cases: Array<[string, string]> = [
      ['Maria Lopez', 'Not-The-Password-1'],
      ['Maria Lopez', ''],
      ['Nobody Here', TEST_PASSWORD],
      ['', TEST_PASSWORD],
      ['Disabled Dora', TEST_PASSWORD],
      ['Passwordless Pat', TEST_PASSWORD],
      ['Passwordless Pat', ''],
    ];
    const sessionsBefore = await count('web_sessions');
    const texts: string[] = [];
    for (const [identifier, password] of cases) {
      const agent = request.agent(on);
      const token = await signInForm(agent);
      const res = await agent.post('/sign-in').type('form').set('Accept', 'text/html').send({ _csrf: token, identifier, password });
      const text = expectPage(res, 401);
      expect(setCookie(res, 'puente_session'), identifier).toBeUndefined();
      expect(text).toContain('The name, e-mail or password is not right, or the account is disabled.');
      // The password is never echoed back; the identifier may be (escaped).
      if (password) expect(text).not.toContain(password);
      // A new double-submit token comes with the refusal, so the form can be sent again.
      expect(setCookie(res, 'puente_signin')).toBeDefined();
      texts.push(text.replace(/name="_csrf" value="[^"]*"/, '').replace(/value="[^"]*"/g, ''));
    }
    // The same page whatever was wrong (nothing tells which names exist).
    expect(new Set(texts).size).toBe(1);
    expect(await count('web_sessions')).toBe(sessionsBefore);
  });

  it('a missing or wrong _csrf, or no double-submit cookie: 403 and no session', async () => {
    const on = freshApp();
    const sessionsBefore = await count('web_sessions');
    const agent = request.agent(on);
    const token = await signInForm(agent);
    const good = { identifier: 'Maria Lopez', password: TEST_PASSWORD };
    for (const body of [
      good,
      { ...good, _csrf: '' },
      { ...good, _csrf: `${token}x` },
      { ...good, _csrf: token.slice(0, -1) },
      { ...good, _csrf: 'A'.repeat(token.length) },
    ]) {
      const res = await agent.post('/sign-in').type('form').set('Accept', 'text/html').send(body);
      expect(expectPage(res, 403)).toContain('The form expired or did not come from this site');
      expect(setCookie(res, 'puente_session')).toBeUndefined();
    }
    // The token without its cookie (another browser, or a forged form): 403.
    const other = await request(on)
      .post('/sign-in')
      .type('form')
      .set('Accept', 'text/html')
      .send({ ...good, _csrf: await signInForm(request.agent(on)) });
    expectPage(other, 403);
    expect(setCookie(other, 'puente_session')).toBeUndefined();
    // A cross-origin post with a valid token pair: 403.
    const fresh = request.agent(on);
    const t2 = await signInForm(fresh);
    const cross = await fresh
      .post('/sign-in')
      .type('form')
      .set('Origin', 'https://evil.example')
      .set('Accept', 'text/html')
      .send({ ...good, _csrf: t2 });
    expect(cross.status).toBe(403);
    expect(setCookie(cross, 'puente_session')).toBeUndefined();
    expect(await count('web_sessions')).toBe(sessionsBefore);
    // The same agent still signs in with the right token (the refusals did not poison it).
    const ok = await fresh
      .post('/sign-in')
      .type('form')
      .send({ ...good, _csrf: t2 });
    expect(ok.status, ok.text).toBe(303);
  });

  it('next is only ever a local path (no open redirect)', async () => {
    const on = freshApp();
    const cases: Array<[string, string]> = [
      ['//evil.example', '/'],
      ['https://evil.example', '/'],
      ['http://evil.example/x', '/'],
      ['/\\evil.example', '/'],
      ['\\\\evil.example', '/'],
      ['//evil.example/%2F..', '/'],
      ['javascript:alert(1)', '/'],
      ['evil.example', '/'],
      ['/ok/path?x=1', '/ok/path?x=1'],
      ['/audit', '/audit'],
    ];
    for (const [next, expected] of cases) {
      const agent = request.agent(on);
      const token = await signInForm(agent, next);
      const res = await agent.post('/sign-in').type('form').send({ _csrf: token, identifier: 'Maria Lopez', password: TEST_PASSWORD, next });
      expect(res.status, next).toBe(303);
      expect(res.headers.location, next).toBe(expected);
      // Already signed in: GET /sign-in?next=... redirects the same way.
      const again = await agent.get(`/sign-in?next=${encodeURIComponent(next)}`);
      expect(again.status, next).toBe(303);
      expect(again.headers.location, next).toBe(expected);
      // And the language switch too.
      const lang = await request(on).get(`/lang/es?next=${encodeURIComponent(next)}`);
      expect(lang.status, next).toBe(303);
      expect(lang.headers.location, next).toBe(expected);
    }
  });

  it("wrong sign-ins count towards the user's lock, shared with signing: after five, even the right password is refused (423), from any address", async () => {
    const on = freshApp();
    on.set('trust proxy', true); // a distinct client address per request (X-Forwarded-For)
    const u = await addUser(ctx.services, 'manufacturer', 'Limited Lena', 'Acme Medical');
    const attempt = async (password: string, address: string, identifier = 'Limited Lena') => {
      const agent = request.agent(on);
      const token = await signInForm(agent);
      return agent.post('/sign-in').type('form').set('X-Forwarded-For', address).set('Accept', 'text/html').send({ _csrf: token, identifier, password });
    };
    for (let i = 0; i < 5; i++) expectPage(await attempt('Wrong-Password-1', `10.0.0.${i + 1}`), 401);
    expect(((await knex()('users').where({ id: u.actor.id }).first()) as Record<string, unknown>).signing_locked_at).not.toBeNull();
    for (const [identifier, password] of [
      ['Limited Lena', TEST_PASSWORD],
      ['Limited Lena', 'Wrong-Password-1'],
    ]) {
      const res = await attempt(password!, '10.0.1.1', identifier);
      const text = expectPage(res, 423);
      expect(text).toContain('Ask an administrator to unlock it');
      expect(setCookie(res, 'puente_session')).toBeUndefined();
    }
    // Another user from the same address is not affected.
    const res = await attempt(TEST_PASSWORD, '10.0.1.1', 'Maria Lopez');
    expect(res.status, res.text).toBe(303);
  });

  it('sign-ins with an unknown name are limited per address and typed name (429 with Retry-After); a real user from that address still signs in', async () => {
    const on = freshApp({ authFailureLimit: 3 });
    on.set('trust proxy', true);
    const attempt = async (identifier: string, password: string, address: string) => {
      const agent = request.agent(on);
      const token = await signInForm(agent);
      return agent.post('/sign-in').type('form').set('X-Forwarded-For', address).set('Accept', 'text/html').send({ _csrf: token, identifier, password });
    };
    for (let i = 0; i < 3; i++) expectPage(await attempt('Nobody Nowhere', 'Wrong-Password-1', '10.9.9.9'), 401);
    const blocked = await attempt('  nobody nowhere ', 'Wrong-Password-1', '10.9.9.9');
    expect(expectPage(blocked, 429)).toContain('Too many failed sign-ins');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(AUTH_LIMIT_DEFAULTS.authFailureWindowSeconds);
    expect(setCookie(blocked, 'puente_session')).toBeUndefined();
    const known = await attempt('Dr. FDA Reviewer', TEST_PASSWORD, '10.9.9.9');
    expect(known.status, known.text).toBe(303);
    expectPage(await attempt('Nobody Nowhere', 'Wrong-Password-1', '10.9.9.10'), 401);
  });

  it('without a proxy every client is one address: the unknown-name limit applies there too', async () => {
    const on = freshApp({ authFailureLimit: 3 });
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      const agent = request.agent(on);
      const token = await signInForm(agent);
      last = await agent
        .post('/sign-in')
        .type('form')
        .set('Accept', 'text/html')
        .send({ _csrf: token, identifier: 'Nobody Else', password: `Wrong-${i}` });
      if (i < 3) expectPage(last, 401);
    }
    expectPage(last!, 429);
    expect(last!.headers['retry-after']).toMatch(/^\d+$/);
  });
});

// ---------------------------------------------------------------- sessions

describe(`web sessions on ${DIALECT}`, () => {
  it("GET / without a session goes to sign-in and back; with one it is the portfolio with the user's name", async () => {
    const res = await request(app).get('/').set('Accept', 'text/html');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in?next=%2F');
    const deep = await request(app).get('/submissions/abc?x=1');
    expect(deep.status).toBe(303);
    expect(deep.headers.location).toBe(`/sign-in?next=${encodeURIComponent('/submissions/abc?x=1')}`);
    const b = await browse(ctx.users.manufacturer);
    const page = await b.agent.get('/').set('Accept', 'text/html');
    const text = expectPage(page, 200);
    expect(text).toContain('Maria Lopez');
    expect(text).toContain('<html lang="en">');
    // Security headers on pages: no caching, no framing, a CSP, no sniffing.
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // The admin's home is the users page.
    const admin = await browse(ctx.users.admin);
    const home = await admin.agent.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/users');
  });

  it('a garbage, unknown or forged session cookie is no session', async () => {
    const b = await browse(ctx.users.manufacturer);
    for (const cookie of [
      'puente_session=garbage',
      `puente_session=${'A'.repeat(43)}`,
      `puente_session=${b.token}x`,
      `puente_session=${sha256(b.token)}`,
      `puente_session=${b.token.slice(1)}`,
      `x=1; puente_session=%zz`,
    ]) {
      const res = await request(app).get('/').set('Cookie', cookie);
      expect(res.status, cookie).toBe(303);
      expect(res.headers.location).toBe('/sign-in?next=%2F');
    }
    // The real token in a raw Cookie header works (the agent is not special).
    const ok = await request(app).get('/').set('Cookie', `puente_session=${b.token}`);
    expect(ok.status).toBe(200);
  });

  it('sign-out needs the CSRF token; then the row is deleted and the old cookie no longer works', async () => {
    const b = await browse(ctx.users.manufacturer);
    const hash = sha256(b.token);
    expect(await count('web_sessions', { token_hash: hash })).toBe(1);
    for (const body of [{}, { _csrf: '' }, { _csrf: `${b.csrf}x` }]) {
      const res = await b.agent.post('/sign-out').type('form').set('Accept', 'text/html').send(body);
      expectPage(res, 403);
      expect(await count('web_sessions', { token_hash: hash })).toBe(1);
    }
    // Another session's token is not this session's token.
    const other = await browse(ctx.users.manufacturer);
    expect(other.csrf).not.toBe(b.csrf);
    expectPage(await b.agent.post('/sign-out').type('form').set('Accept', 'text/html').send({ _csrf: other.csrf }), 403);
    // Cross-origin with the right token: 403.
    expect((await b.agent.post('/sign-out').type('form').set('Origin', 'https://evil.example').send({ _csrf: b.csrf })).status).toBe(403);
    expect(await count('web_sessions', { token_hash: hash })).toBe(1);

    const out = await b.agent.post('/sign-out').type('form').send({ _csrf: b.csrf });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/sign-in?signedOut=1');
    const cleared = setCookie(out, 'puente_session');
    expect(cleared).toMatch(/^puente_session=;/);
    expect(cleared).toMatch(/Max-Age=0/);
    expect(await count('web_sessions', { token_hash: hash })).toBe(0);
    const stale = await request(app).get('/').set('Cookie', `puente_session=${b.token}`);
    expect(stale.status).toBe(303);
    expect(stale.headers.location).toBe('/sign-in?next=%2F');
    // The other session is untouched.
    expect((await other.agent.get('/')).status).toBe(200);
  });

  it('expiry: the idle limit from createApp sets expires_at; an expired session redirects to sign-in and its row is deleted', async () => {
    const on = freshApp({ sessionIdleMinutes: 1 });
    const b = await browse(ctx.users.manufacturer, on);
    const hash = sha256(b.token);
    const row = (await knex()('web_sessions').where({ token_hash: hash }).first()) as SessionRow;
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(60_000);
    expect((await b.agent.get('/')).status).toBe(200);
    await knex()('web_sessions')
      .where({ token_hash: hash })
      .update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    const res = await b.agent.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in?next=%2F');
    expect(await count('web_sessions', { token_hash: hash })).toBe(0);
    // A POST with the expired session is refused (to sign-in), and writes nothing.
    const before = await counts();
    const id = await new510k('Expired session target');
    const after = await counts();
    const post = await b.agent
      .post(`/submissions/${id}/events`)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: b.csrf, type: 'WITHDRAW', confirm: 'yes', 'signature.meaning': 'responsibility', 'signature.password': TEST_PASSWORD, version: '1' });
    expect(post.status).toBe(303);
    expect(post.headers.location).toMatch(/^\/sign-in\?expired=1/);
    expect(await counts()).toEqual(after);
    expect(after.submissions).toBe(before.submissions + 1);
  });

  it("expiry slides with use but never past the absolute limit; a disabled user's session ends", async () => {
    const b = await browse(ctx.users.manufacturer);
    const hash = sha256(b.token);
    const now = Date.now();
    // Created 11h59m ago, last seen 5 minutes ago: the next page slides the expiry to the 12-hour cap.
    const created = new Date(now - (12 * 60 - 1) * 60_000).toISOString();
    await knex()('web_sessions')
      .where({ token_hash: hash })
      .update({ created_at: created, last_seen_at: new Date(now - 5 * 60_000).toISOString(), expires_at: new Date(now + 60_000).toISOString() });
    expect((await b.agent.get('/')).status).toBe(200);
    const row = (await knex()('web_sessions').where({ token_hash: hash }).first()) as SessionRow;
    expect(Date.parse(row.expires_at)).toBe(Date.parse(created) + 12 * 3_600_000);
    expect(Date.parse(row.last_seen_at)).toBeGreaterThan(now - 60_000);
    // Idle: last seen 5 minutes ago with 30-minute idle slides to now + 30 minutes.
    const b2 = await browse(ctx.users.fda);
    const h2 = sha256(b2.token);
    await knex()('web_sessions')
      .where({ token_hash: h2 })
      .update({ last_seen_at: new Date(now - 5 * 60_000).toISOString() });
    expect((await b2.agent.get('/')).status).toBe(200);
    const r2 = (await knex()('web_sessions').where({ token_hash: h2 }).first()) as SessionRow;
    expect(Date.parse(r2.expires_at)).toBeGreaterThan(now + 29 * 60_000);
    expect(Date.parse(r2.expires_at)).toBeLessThan(Date.now() + 31 * 60_000);

    const u = await addUser(ctx.services, 'manufacturer', 'Soon Disabled', 'Acme Medical');
    const b3 = await browse(u);
    await knex()('users').where({ id: u.actor.id }).update({ disabled: true });
    const res = await b3.agent.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in?next=%2F');
    expect(await count('web_sessions', { token_hash: sha256(b3.token) })).toBe(0);
  });
});

// ---------------------------------------------------------------- CSRF on every POST

describe(`CSRF and Origin on every POST on ${DIALECT}`, () => {
  let m: Browser;
  let auditor: Browser;
  let admin: Browser;
  let id: string;
  let locked: TestUser;

  beforeAll(async () => {
    m = await browse(ctx.users.manufacturer);
    auditor = await browse(ctx.users.auditor);
    admin = await browse(ctx.users.admin);
    id = await new510k('CSRF target');
    locked = await addUser(ctx.services, 'fda', 'Locked Lou');
    await knex()('users').where({ id: locked.actor.id }).update({ signature_failures: 5, signing_locked_at: new Date().toISOString() });
  });

  type Send = (csrf: string | undefined, headers?: Record<string, string>) => Promise<Response>;

  function routes(): Array<[string, Send]> {
    const form =
      (b: Browser, path: string, body: Record<string, string>): Send =>
      (csrf, headers = {}) =>
        b.agent
          .post(path)
          .type('form')
          .set('Accept', 'text/html')
          .set(headers)
          .send(csrf === undefined ? body : { ...body, _csrf: csrf });
    return [
      [
        'POST /submissions',
        form(m, '/submissions', { workflow: 'fda-510k', title: 'Forged', 'device.name': 'Pump', 'input.format': 'eSTAR', 'input.variant': 'traditional' }),
      ],
      [
        'POST /submissions/:id/events',
        form(m, `/submissions/${id}/events`, { type: 'SUBMIT', version: '1', 'signature.meaning': 'responsibility', 'signature.password': TEST_PASSWORD }),
      ],
      [
        'POST /submissions/:id/events (WITHDRAW)',
        form(m, `/submissions/${id}/events`, {
          type: 'WITHDRAW',
          confirm: 'yes',
          'signature.meaning': 'responsibility',
          'signature.password': TEST_PASSWORD,
          version: '1',
        }),
      ],
      [
        'POST /submissions/:id/documents',
        (csrf, headers = {}) => {
          const r = m.agent.post(`/submissions/${id}/documents`).set('Accept', 'text/html').set(headers);
          if (csrf !== undefined) r.field('_csrf', csrf);
          return r.field('kind', 'cover-letter').attach('file', Buffer.from('%PDF-1.4 forged'), { filename: 'forged.pdf', contentType: 'application/pdf' });
        },
      ],
      ['POST /audit/verify', form(auditor, '/audit/verify', {})],
      ['POST /users/:id/unlock', form(admin, `/users/${locked?.actor.id}/unlock`, {})],
      ['POST /sign-out', form(m, '/sign-out', {})],
    ];
  }

  it('a missing, empty, wrong or foreign token is 403 (an HTML page) and writes nothing', async () => {
    const other = await browse(ctx.users.manufacturer);
    const before = await counts();
    const v = await versionOf(id);
    for (const [name, send] of routes()) {
      for (const csrf of [undefined, '', 'x', `${m.csrf}x`, m.csrf.slice(0, -1), other.csrf, auditor.csrf]) {
        if ((name.startsWith('POST /audit') && csrf === auditor.csrf) || (name.startsWith('POST /users') && csrf === admin.csrf)) continue;
        const res = await send(csrf);
        expect(res.status, `${name} with ${String(csrf)}: ${res.text.slice(0, 300)}`).toBe(403);
        expect(expectPage(res, 403)).toContain('The form expired or did not come from this site');
      }
      const now = await counts();
      const { refused_commands: _r1, ...rest } = now;
      const { refused_commands: _r0, ...restBefore } = before;
      expect(rest, name).toEqual(restBefore);
    }
    expect(await versionOf(id)).toBe(v);
    // The locked user is still locked (the forged unlock did nothing), every session still works.
    expect(((await knex()('users').where({ id: locked.actor.id }).first()) as Record<string, unknown>).signing_locked_at).not.toBeNull();
    for (const b of [m, auditor, admin]) expect((await b.agent.get('/submissions/new')).status).toBe(200);
  });

  it('a cross-origin Origin header with the right token is 403 and writes nothing; the same origin is accepted', async () => {
    const before = await counts();
    for (const [name, send] of routes()) {
      for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example', 'https://127.0.0.1']) {
        const tokenFor = name.startsWith('POST /audit') ? auditor.csrf : name.startsWith('POST /users') ? admin.csrf : m.csrf;
        const res = await send(tokenFor, { Origin: origin });
        expect(res.status, `${name} from ${origin}: ${res.text.slice(0, 300)}`).toBe(403);
      }
    }
    const { refused_commands: _a, ...after } = await counts();
    const { refused_commands: _b, ...was } = before;
    expect(after).toEqual(was);
    // Same origin (as the browser sends it) with the token: accepted.
    const res = await auditor.agent
      .post('/audit/verify')
      .type('form')
      .set('Host', 'puente.test')
      .set('Origin', 'http://puente.test')
      .send({ _csrf: auditor.csrf });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const unlock = await admin.agent
      .post(`/users/${locked.actor.id}/unlock`)
      .type('form')
      .set('Host', 'puente.test')
      .set('Origin', 'https://puente.test')
      .send({ _csrf: admin.csrf });
    expect(unlock.status, unlock.text.slice(0, 300)).toBe(303);
    expect(unlock.headers.location).toBe(`/users?unlocked=${encodeURIComponent('Locked Lou')}`);
    const row = (await knex()('users').where({ id: locked.actor.id }).first()) as Record<string, unknown>;
    expect(row.signing_locked_at).toBeNull();
    expect(Number(row.signature_failures)).toBe(0);
  });

  it('a forged form (bad token or foreign Origin) is not recorded as a refused command of the signed-in user', async () => {
    // refused_commands holds commands the role or the workflow refused (recorded by the engine's
    // command runner); a form that failed CSRF never reaches the engine: no command of the user's at all.
    const before = await count('refused_commands');
    for (const [name, send] of routes().filter(([n]) => n.startsWith('POST /submissions'))) {
      expect((await send('forged')).status, name).toBe(403);
      expect((await send(m.csrf, { Origin: 'https://evil.example' })).status, name).toBe(403);
    }
    const rows = (await knex()('refused_commands').orderBy('recorded_at').select('path', 'submission_id', 'detail')) as Array<Record<string, unknown>>;
    expect(rows.slice(before), JSON.stringify(rows.slice(before), null, 1)).toEqual([]);
  });

  it('a POST without any session is sent to sign-in and writes nothing', async () => {
    const before = await counts();
    for (const path of ['/submissions', `/submissions/${id}/events`, `/submissions/${id}/documents`, '/audit/verify', `/users/${locked.actor.id}/unlock`]) {
      const res = await request(app).post(path).type('form').set('Accept', 'text/html').send({ _csrf: m.csrf, type: 'WITHDRAW' });
      expect(res.status, path).toBe(303);
      expect(res.headers.location, path).toMatch(/^\/sign-in\?expired=1&next=/);
    }
    expect(await counts()).toEqual(before);
    // Sign-out without a session is harmless.
    const out = await request(app).post('/sign-out').type('form').send({});
    expect(out.status).toBe(303);
  });
});

// ---------------------------------------------------------------- visibility and roles

describe(`visibility and roles on the web on ${DIALECT}`, () => {
  it("another organization's manufacturer gets 404 pages for Acme's submission, its documents and report, and cannot post to it", async () => {
    const id = await new510k('Acme only');
    const up = await api.upload(ctx.users.manufacturer, id, 'cover-letter', Buffer.from('%PDF-1.4 acme'));
    expect(up.status, up.text).toBe(201);
    const beta = await browse(ctx.users.otherManufacturer);
    for (const path of [`/submissions/${id}`, `/submissions/${id}/documents/${up.body.id}`, `/submissions/${id}/report`]) {
      const res = await beta.agent.get(path).set('Accept', 'text/html');
      const text = expectPage(res, 404);
      expect(text).not.toContain('Acme only');
    }
    const before = await counts();
    const res = await beta.agent
      .post(`/submissions/${id}/events`)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: beta.csrf, type: 'WITHDRAW', confirm: 'yes', 'signature.meaning': 'responsibility', 'signature.password': TEST_PASSWORD, version: '1' });
    expect(expectPage(res, 404)).not.toContain('Acme only');
    const upload = await beta.agent
      .post(`/submissions/${id}/documents`)
      .set('Accept', 'text/html')
      .field('_csrf', beta.csrf)
      .field('kind', 'cover-letter')
      .attach('file', Buffer.from('x'), 'x.pdf');
    expectPage(upload, 404);
    // Nothing written but the two refusals (issue 8 §8: a write to a submission one may not see is a security record).
    expect(await counts()).toEqual({ ...before, refused_commands: before.refused_commands + 2 });
    // Not even in the portfolio.
    expect((await beta.agent.get('/').set('Accept', 'text/html')).text).not.toContain('Acme only');
    // The owner sees it.
    const m = await browse(ctx.users.manufacturer);
    expect(expectPage(await m.agent.get(`/submissions/${id}`), 200)).toContain('Acme only');
  });

  it('an auditor may not manage users; a manufacturer may not audit; an auditor may not unlock', async () => {
    const auditor = await browse(ctx.users.auditor);
    const m = await browse(ctx.users.manufacturer);
    expect(expectPage(await auditor.agent.get('/users').set('Accept', 'text/html'), 403)).toContain('Your role may not do this');
    const before = await counts();
    expectPage(await auditor.agent.post(`/users/${ctx.users.fda.actor.id}/unlock`).type('form').set('Accept', 'text/html').send({ _csrf: auditor.csrf }), 403);
    expectPage(await m.agent.get('/audit').set('Accept', 'text/html'), 403);
    expectPage(await m.agent.get('/audit?search=1&workflow=fda-510k').set('Accept', 'text/html'), 403);
    expect((await m.agent.get('/audit/export?format=csv').set('Accept', 'text/html')).status).toBe(403);
    expectPage(await m.agent.post('/audit/verify').type('form').set('Accept', 'text/html').send({ _csrf: m.csrf }), 403);
    expect(await counts()).toEqual(before);
    // The auditor's own pages work.
    expect(expectPage(await auditor.agent.get('/audit?search=1&workflow=fda-510k'), 200)).toContain('id="audit-results"');
    const verify = await auditor.agent.post('/audit/verify').type('form').send({ _csrf: auditor.csrf });
    expect(expectPage(verify, 200)).toContain('id="verify-result"');
    const exp = await auditor.agent.get('/audit/export?format=jsonl');
    expect(exp.status).toBe(200);
    expect(exp.headers['content-disposition']).toMatch(/^attachment; filename="puente-history-\d{8}T\d{6}Z\.jsonl"$/);
  });
});

// ---------------------------------------------------------------- commands

describe(`commands through the web are the engine's on ${DIALECT}`, () => {
  let m: Browser;
  let fda: Browser;
  beforeAll(async () => {
    m = await browse(ctx.users.manufacturer);
    fda = await browse(ctx.users.fda);
  });

  const refusals = (id: string) =>
    knex()('refused_commands').where({ submission_id: id }).orderBy('recorded_at').select('*') as Promise<Array<Record<string, unknown>>>;

  it('creates a submission from the form (303 to the new page), as the signed-in user', async () => {
    const before = await counts();
    const res = await m.agent.post('/submissions').type('form').send({
      _csrf: m.csrf,
      workflow: 'fda-510k',
      title: 'Made on the web',
      'device.name': 'Web Pump',
      'device.model': 'WP-1',
      'device.productCode': 'FRN',
      'input.format': 'eSTAR',
      'input.variant': 'traditional',
    });
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    const m1 = /^\/submissions\/([^/?]+)\?created=1$/.exec(res.headers.location as string);
    expect(m1).not.toBeNull();
    const id = m1![1]!;
    const s = await api.submission(ctx.users.manufacturer, id);
    expect(s).toMatchObject({
      title: 'Made on the web',
      device: { name: 'Web Pump', model: 'WP-1', productCode: 'FRN' },
      input: { format: 'eSTAR', variant: 'traditional' },
      state: 'draft',
    });
    const h = await api.history(ctx.users.manufacturer, id);
    expect(h[0]!.actor.id).toBe(ctx.users.manufacturer.actor.id);
    const after = await counts();
    expect(after.submissions).toBe(before.submissions + 1);
    expect(after.transitions).toBe(before.transitions + 1);
    const page = await m.agent.get(res.headers.location as string);
    expect(expectPage(page, 200)).toContain('Made on the web');
    expect(page.text).toContain('class="flash"');
  });

  it('a refused creation (422 bad field, 403 wrong role) is shown on the form; 403 is recorded', async () => {
    const before = await counts();
    const bad = await m.agent.post('/submissions').type('form').set('Accept', 'text/html').send({
      _csrf: m.csrf,
      workflow: 'fda-510k',
      title: 'Bad code',
      'device.name': 'P',
      'device.productCode': 'frn1',
      'input.format': 'eSTAR',
      'input.variant': 'traditional',
    });
    const text = expectPage(bad, 422);
    expect(text).toMatch(/<p class="field-error" id="new-device-productCode--error">/);
    expect(text).toMatch(/id="new-device-productCode"[^>]*aria-invalid="true"/);
    expect(text).toContain('value="frn1"'); // what was typed comes back
    const refused = await fda.agent
      .post('/submissions')
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: fda.csrf, workflow: 'fda-510k', title: 'FDA may not', 'device.name': 'P', 'input.format': 'eSTAR', 'input.variant': 'traditional' });
    expectPage(refused, 403);
    const after = await counts();
    expect(after).toEqual({ ...before, refused_commands: before.refused_commands + 1 });
    const row = (await knex()('refused_commands').orderBy('recorded_at', 'desc').first()) as Record<string, unknown>;
    expect(row).toMatchObject({
      actor_id: ctx.users.fda.actor.id,
      method: 'POST',
      path: '/submissions',
      submission_id: null,
      event_type: 'CREATED',
      status: 403,
      code: 'forbidden',
    });
  });

  it('SUBMIT with the signature fields: 303 to ?done=SUBMIT, the history row has the actor and the signature manifestation', async () => {
    const id = await new510k('Signed on the web');
    const res = await m.agent
      .post(`/submissions/${id}/events`)
      .type('form')
      .send({
        _csrf: m.csrf,
        type: 'SUBMIT',
        version: '1',
        effectiveAt: daysAgo(3),
        comment: 'Sent from the browser',
        'signature.meaning': 'responsibility',
        'signature.password': TEST_PASSWORD,
      });
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    expect(res.headers.location).toBe(`/submissions/${id}?done=SUBMIT#overview`);
    const h = await api.history(ctx.users.manufacturer, id);
    expect(h).toHaveLength(2);
    const last = h[1]!;
    expect(last).toMatchObject({
      type: 'SUBMIT',
      actor: { id: ctx.users.manufacturer.actor.id, name: 'Maria Lopez', role: 'manufacturer' },
      comment: 'Sent from the browser',
    });
    expect(last.effectiveAt.slice(0, 10)).toBe(daysAgo(3));
    expect(last.signature).toMatchObject({ name: 'Maria Lopez', meaning: 'responsibility' });
    expect(JSON.stringify(h)).not.toContain(TEST_PASSWORD);
    const page = await m.agent.get(`/submissions/${id}?done=SUBMIT`);
    const text = expectPage(page, 200);
    expect(text).toContain('class="signature-manifestation"');
    expect(text).toContain('class="flash"');
    expect(text).not.toContain(TEST_PASSWORD);
  });

  it('a wrong signature password: 401 page with the error next to the password field, no history row', async () => {
    const signer = await addUser(ctx.services, 'manufacturer', 'Signer Sam', 'Acme Medical');
    const s = await browse(signer);
    const id = await new510k('Wrong password');
    const before = await counts();
    const res = await s.agent.post(`/submissions/${id}/events`).type('form').set('Accept', 'text/html').send({
      _csrf: s.csrf,
      type: 'SUBMIT',
      version: '1',
      comment: 'kept',
      'signature.meaning': 'responsibility',
      'signature.password': 'Not-My-Password-7',
    });
    const text = expectPage(res, 401);
    expect(text).not.toContain('Not-My-Password-7');
    // The error sits with the password field, which is marked invalid and described by it.
    expect(text).toMatch(
      /<p class="field-error" id="ev-SUBMIT-signature-password--error">[^<]+<\/p><input type="password"[^>]*id="ev-SUBMIT-signature-password"[^>]*aria-describedby="ev-SUBMIT-signature-password--error"[^>]*aria-invalid="true"/,
    );
    // The form is open again with what was typed (but never the password).
    expect(text).toMatch(/<details id="event-SUBMIT" open>/);
    expect(text).toContain('kept');
    // No history row; the refused signing is one refused_commands record (issue 8 §8).
    expect(await counts()).toEqual({ ...before, refused_commands: before.refused_commands + 1 });
    expect(await api.history(ctx.users.manufacturer, id)).toHaveLength(1);
    // Not a session problem: the session is still valid.
    expect((await s.agent.get('/')).status).toBe(200);
  });

  it('a bad field is 422 with the error rendered at the field: a non-date effectiveAt, REQUEST_AI without deficiencies', async () => {
    const id = await new510k('Bad fields', { screened: true });
    const v = await versionOf(id);
    const before = await counts();
    const r1 = await m.agent
      .post(`/submissions/${id}/events`)
      .type('form')
      .set('Accept', 'text/html')
      .send({
        _csrf: m.csrf,
        type: 'WITHDRAW',
        confirm: 'yes',
        'signature.meaning': 'responsibility',
        'signature.password': TEST_PASSWORD,
        version: String(v),
        effectiveAt: 'not-a-date',
      });
    const t1 = expectPage(r1, 422);
    expect(t1).toMatch(/<p class="field-error" id="ev-WITHDRAW-effectiveAt--error">/);
    expect(t1).toMatch(/id="ev-WITHDRAW-effectiveAt"[^>]*aria-invalid="true"/);
    expect(t1).toContain('value="not-a-date"');
    const r2 = await fda.agent
      .post(`/submissions/${id}/events`)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: fda.csrf, type: 'REQUEST_AI', version: String(v) });
    const t2 = expectPage(r2, 422);
    expect(t2).toMatch(/<p class="field-error" id="ev-REQUEST_AI-data-deficiencies--error">/);
    expect(t2).toMatch(/id="ev-REQUEST_AI-data-deficiencies"[^>]*aria-invalid="true"/);
    expect(t2).toContain('class="error-summary"');
    // An unknown event type: 422 too.
    expectPage(
      await m.agent
        .post(`/submissions/${id}/events`)
        .type('form')
        .set('Accept', 'text/html')
        .send({ _csrf: m.csrf, type: 'NOPE', version: String(v) }),
      422,
    );
    expect(await counts()).toEqual(before); // 422 is not a recorded refusal
    // With the deficiencies (one per line), the same form is accepted.
    const ok = await fda.agent
      .post(`/submissions/${id}/events`)
      .type('form')
      .send({ _csrf: fda.csrf, type: 'REQUEST_AI', version: String(v), 'data.deficiencies': 'Biocompatibility\nSoftware' });
    expect(ok.status, ok.text.slice(0, 500)).toBe(303);
    const h = await api.history(ctx.users.fda, id);
    expect(h.at(-1)).toMatchObject({ type: 'REQUEST_AI', data: { deficiencies: ['Biocompatibility', 'Software'] }, actor: { id: ctx.users.fda.actor.id } });
  });

  it("a stale version is 412, an event not allowed now is 409, another role's event is 403: each page shows it and each is recorded", async () => {
    const id = await new510k('Refusals');
    const before = await counts();
    // 412: the form was shown at version 1, then the submission moved on.
    await api.send(ctx.users.manufacturer, id, 'SUBMIT', { effectiveAt: daysAgo(5) });
    const r412 = await m.agent
      .post(`/submissions/${id}/events`)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: m.csrf, type: 'WITHDRAW', confirm: 'yes', 'signature.meaning': 'responsibility', 'signature.password': TEST_PASSWORD, version: '1' });
    expect(expectPage(r412, 412)).toContain('class="error-summary"');
    // 409: SUBMIT again (the current version, the right password).
    const v = await versionOf(id);
    const r409 = await m.agent
      .post(`/submissions/${id}/events`)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: m.csrf, type: 'SUBMIT', version: String(v), 'signature.meaning': 'responsibility', 'signature.password': TEST_PASSWORD });
    expect(expectPage(r409, 409)).toContain('class="error-summary"');
    // 403: FDA may not withdraw the manufacturer's submission.
    const r403 = await fda.agent
      .post(`/submissions/${id}/events`)
      .type('form')
      .set('Accept', 'text/html')
      .send({
        _csrf: fda.csrf,
        type: 'WITHDRAW',
        confirm: 'yes',
        'signature.meaning': 'responsibility',
        'signature.password': TEST_PASSWORD,
        version: String(v),
      });
    expectPage(r403, 403);
    const after = await counts();
    expect(after).toEqual({ ...before, transitions: before.transitions + 1, refused_commands: before.refused_commands + 3 });
    expect(await versionOf(id)).toBe(v);
    const rows = await refusals(id);
    expect(rows.map((r) => [r.status, r.code, r.event_type, r.actor_id, r.method, r.path])).toEqual([
      [412, 'version_mismatch', 'WITHDRAW', ctx.users.manufacturer.actor.id, 'POST', `/submissions/${id}/events`],
      [409, 'event_not_allowed', 'SUBMIT', ctx.users.manufacturer.actor.id, 'POST', `/submissions/${id}/events`],
      [403, 'forbidden', 'WITHDRAW', ctx.users.fda.actor.id, 'POST', `/submissions/${id}/events`],
    ]);
    // Never the form's values (the password given for the 409).
    expect(JSON.stringify(rows)).not.toContain(TEST_PASSWORD);
    // The auditor sees them through the API like any other refusal.
    const page = await api.get(ctx.users.auditor, `/v1/audit/refusals?submission=${id}`);
    expect(page.status, page.text).toBe(200);
    expect((page.body.items as Json[]).map((r) => r.status)).toEqual([412, 409, 403]);
  });
});

// ---------------------------------------------------------------- uploads

describe(`uploads through the web on ${DIALECT}`, () => {
  let m: Browser;
  let id: string;
  beforeAll(async () => {
    m = await browse(ctx.users.manufacturer);
    id = await new510k('Uploads');
  });

  it('a multipart upload is 303, listed on the page, and downloads byte for byte as an attachment with nosniff', async () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256)), Buffer.from('\n%%EOF\n')]);
    const before = await counts();
    const res = await m.agent
      .post(`/submissions/${id}/documents`)
      .field('_csrf', m.csrf)
      .field('kind', 'cover-letter')
      .attach('file', bytes, { filename: 'carta final é.pdf', contentType: 'application/pdf' });
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    expect(res.headers.location).toBe(`/submissions/${id}?uploaded=${encodeURIComponent('carta final é.pdf')}#dossier`);
    const after = await counts();
    expect(after.documents).toBe(before.documents + 1);
    expect(after.transitions).toBe(before.transitions + 1);
    const docs = (await api.get(ctx.users.manufacturer, `/v1/submissions/${id}/documents`)).body.items as Json[];
    const doc = docs.find((d) => d.filename === 'carta final é.pdf')!;
    expect(doc).toMatchObject({ kind: 'cover-letter', size: bytes.length, sha256: sha256(bytes), contentType: 'application/pdf' });
    const page = await m.agent.get(`/submissions/${id}?uploaded=x`);
    const text = expectPage(page, 200);
    expect(text).toContain(`href="/submissions/${id}/documents/${doc.id}"`);
    expect(text).toContain('carta final é.pdf');
    const dl = await m.agent
      .get(`/submissions/${id}/documents/${doc.id}`)
      .buffer(true)
      .parse(binary as never);
    expect(dl.status).toBe(200);
    expect(Buffer.compare(dl.body as Buffer, bytes)).toBe(0);
    expect(dl.headers['content-disposition']).toMatch(/^attachment;/);
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(dl.headers['content-type']).toMatch(/^application\/pdf/);
    expect(dl.headers['content-security-policy']).toMatch(/sandbox/);
  });

  it('a document uploaded as text/html downloads as an attachment, never rendered', async () => {
    const res = await m.agent
      .post(`/submissions/${id}/documents`)
      .field('_csrf', m.csrf)
      .field('kind', 'cover-letter')
      .attach('file', Buffer.from('<script>alert(1)</script>'), { filename: 'x.html', contentType: 'text/html' });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    const docs = (await api.get(ctx.users.manufacturer, `/v1/submissions/${id}/documents`)).body.items as Json[];
    const doc = docs.find((d) => d.filename === 'x.html')!;
    const dl = await m.agent
      .get(`/submissions/${id}/documents/${doc.id}`)
      .buffer(true)
      .parse(binary as never);
    expect(dl.headers['content-disposition']).toMatch(/^attachment;/);
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(dl.headers['content-security-policy']).toMatch(/default-src 'none'/);
  });

  it('over 25 MB is 413 and writes nothing', async () => {
    const before = await counts();
    const big = Buffer.alloc(25 * 1024 * 1024 + 1, 0x41);
    const res = await m.agent
      .post(`/submissions/${id}/documents`)
      .set('Accept', 'text/html')
      .field('_csrf', m.csrf)
      .field('kind', 'cover-letter')
      .attach('file', big, { filename: 'big.pdf', contentType: 'application/pdf' });
    expectPage(res, 413);
    expect(await counts()).toEqual(before);
  }, 60_000);

  it('a multipart body cut off inside the file (a dropped connection, a crafted body) is a 4xx page and no uncaught exception', async () => {
    const uncaught: unknown[] = [];
    const catcher = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', catcher);
    try {
      const before = await counts();
      const boundary = '----puenteCut';
      const full = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${m.csrf}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncover-letter\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 ${'x'.repeat(500)}\r\n--${boundary}--\r\n`,
      );
      for (const cut of [full.length - 10, full.indexOf('%PDF') + 20, full.indexOf('name="file"') + 5]) {
        const res = await m.agent
          .post(`/submissions/${id}/documents`)
          .set('Accept', 'text/html')
          .set('Content-Type', `multipart/form-data; boundary=${boundary}`)
          .send(full.subarray(0, cut));
        expect(res.status, `cut at ${cut}: ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `cut at ${cut}`).toBeLessThan(500);
        expectPage(res, res.status);
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(await counts()).toEqual(before);
    } finally {
      process.off('uncaughtException', catcher);
    }
    expect(uncaught.map((e) => String(e))).toEqual([]);
  });

  it('no file is 422 at the file field; not multipart is 415; a second file is refused; nothing is written', async () => {
    const before = await counts();
    const none = await m.agent.post(`/submissions/${id}/documents`).set('Accept', 'text/html').field('_csrf', m.csrf).field('kind', 'cover-letter');
    const text = expectPage(none, 422);
    expect(text).toMatch(/<p class="field-error" id="upload-file-error">/);
    expect(text).toMatch(/name="file" type="file" aria-invalid="true"/);
    // An empty file input (nothing chosen) is the same as no file.
    const empty = await m.agent
      .post(`/submissions/${id}/documents`)
      .set('Accept', 'text/html')
      .field('_csrf', m.csrf)
      .field('kind', 'cover-letter')
      .attach('file', Buffer.alloc(0), { filename: '', contentType: 'application/octet-stream' });
    expectPage(empty, 422);
    const form = await m.agent.post(`/submissions/${id}/documents`).type('form').set('Accept', 'text/html').send({ _csrf: m.csrf, kind: 'cover-letter' });
    expectPage(form, 415);
    const json = await m.agent.post(`/submissions/${id}/documents`).set('Accept', 'text/html').set('Content-Type', 'application/pdf').send(Buffer.from('%PDF'));
    expectPage(json, 415);
    const two = await m.agent
      .post(`/submissions/${id}/documents`)
      .set('Accept', 'text/html')
      .field('_csrf', m.csrf)
      .field('kind', 'cover-letter')
      .attach('file', Buffer.from('a'), 'a.pdf')
      .attach('file', Buffer.from('b'), 'b.pdf');
    expect(two.status).toBeGreaterThanOrEqual(400);
    expect(two.status).toBeLessThan(500);
    const badKind = await m.agent
      .post(`/submissions/${id}/documents`)
      .set('Accept', 'text/html')
      .field('_csrf', m.csrf)
      .field('kind', '')
      .attach('file', Buffer.from('a'), 'a.pdf');
    expectPage(badKind, 422);
    expect(await counts()).toEqual(before);
  });
});

// ---------------------------------------------------------------- language

describe(`language on ${DIALECT}`, () => {
  it('GET /lang/es sets puente_lang and redirects; pages are then in Spanish (es-MX); /lang/en switches back', async () => {
    const b = await browse(ctx.users.manufacturer);
    const res = await b.agent.get('/lang/es?next=/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const line = setCookie(res, 'puente_lang');
    expect(line).toBeDefined();
    expect(cookieValue(line!)).toBe('es');
    expect(line).toMatch(/;\s*Path=\//);
    const page = await b.agent.get('/');
    const text = expectPage(page, 200);
    expect(text).toContain('<html lang="es-MX">');
    expect(text).toContain('Cartera');
    expect(text).toContain('Cerrar sesión');
    expect(page.headers['content-language']).toBe('es-MX');
    // The refusals are in Spanish too.
    const e = await b.agent.post('/sign-out').type('form').set('Accept', 'text/html').send({});
    expect(expectPage(e, 403)).toContain('<html lang="es-MX">');
    const back = await b.agent.get('/lang/en?next=%2F');
    expect(back.status).toBe(303);
    expect(expectPage(await b.agent.get('/'), 200)).toContain('<html lang="en">');
  });

  it('Accept-Language: es picks Spanish without a cookie; the cookie wins over the header', async () => {
    const res = await request(app).get('/sign-in').set('Accept-Language', 'es-MX,es;q=0.9,en;q=0.5');
    const text = expectPage(res, 200);
    expect(text).toContain('<html lang="es-MX">');
    expect(text).toContain('Iniciar sesión');
    expect(text).toContain('Contraseña');
    const en = await request(app).get('/sign-in').set('Accept-Language', 'es').set('Cookie', 'puente_lang=en');
    expect(expectPage(en, 200)).toContain('<html lang="en">');
    const fr = await request(app).get('/sign-in').set('Accept-Language', 'fr-FR');
    expect(expectPage(fr, 200)).toContain('<html lang="en">');
  });

  it('GET /lang/fr is 404 and sets nothing', async () => {
    for (const lang of ['fr', 'ES', 'es-MX', '__proto__', 'constructor']) {
      const res = await request(app).get(`/lang/${lang}?next=/`).set('Accept', 'text/html');
      expectPage(res, 404);
      expect(setCookie(res, 'puente_lang'), lang).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------- errors, assets, escaping

describe(`error pages, assets and escaping on ${DIALECT}`, () => {
  it('an unknown route: problem+json for an API client, an HTML page for a browser; no stack trace either way', async () => {
    expectProblem(await request(app).get('/no/such/page').set('Accept', 'application/json'), 404, 'not_found');
    expectProblem(await request(app).get('/v1/no/such/route').set('Accept', 'text/html'), 401, 'unauthenticated');
    const res = await request(app).get('/no/such/page').set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    const text = expectPage(res, 404);
    expect(text).toContain('<h1>Not found</h1>');
    expect(text).not.toMatch(/\bat \w+ \(|Error:/);
    const post = await request(app).post('/no/such/page').set('Accept', 'text/html').type('form').send({ a: 1 });
    expectPage(post, 404);
  });

  it('a malformed percent-encoding in a page path is a 400 page to a browser and a problem to an API client, never 500', async () => {
    const b = await browse(ctx.users.manufacturer);
    for (const path of ['/submissions/%E0%A4%A', '/submissions/%zz', '/submissions/%zz/report', '/lang/%C0%80', '/users/%/unlock']) {
      const json = await b.agent.get(path).set('Accept', 'application/json');
      expect(json.status, `${path}: ${json.text.slice(0, 300)}`).toBe(400);
      expect(json.headers['content-type']).toMatch(/^application\/problem\+json/);
      const html = await b.agent.get(path).set('Accept', 'text/html');
      expect(html.status, `${path}: ${html.text.slice(0, 300)}`).toBe(400);
      expectPage(html, 400);
    }
    // The same for a form post.
    const post = await b.agent.post('/submissions/%zz/events').type('form').set('Accept', 'text/html').send({ _csrf: b.csrf, type: 'WITHDRAW' });
    expectPage(post, 400);
  });

  it('a %00 in a page URL is a 422 page to a browser', async () => {
    const b = await browse(ctx.users.manufacturer);
    const json = await b.agent.get('/submissions/a%00b').set('Accept', 'application/json');
    expectProblem(json, 422, 'validation_failed');
    const html = await b.agent.get('/submissions/a%00b').set('Accept', 'text/html');
    expectPage(html, 422);
  });

  it('a form body over the limit is 413, an unsupported charset 415: pages, nothing written', async () => {
    const b = await browse(ctx.users.manufacturer);
    const before = await counts();
    const big = await b.agent
      .post('/submissions')
      .type('form')
      .set('Accept', 'text/html')
      .send(`_csrf=${b.csrf}&title=${'a'.repeat(1_100_000)}`);
    expectPage(big, 413);
    const junk = await b.agent
      .post('/submissions')
      .set('Content-Type', 'application/x-www-form-urlencoded; charset=x-junk')
      .set('Accept', 'text/html')
      .send(`_csrf=${b.csrf}`);
    // body-parser says 415 (charset.unsupported), as the API answers; the page must keep that status.
    expect.soft(junk.status, junk.text.slice(0, 300)).toBe(415);
    expect(junk.headers['content-type']).toMatch(/^text\/html/);
    const many = await b.agent
      .post('/submissions')
      .type('form')
      .set('Accept', 'text/html')
      .send(`_csrf=${b.csrf}&${Array.from({ length: 600 }, (_, i) => `k${i}=v`).join('&')}`);
    expectPage(many, 413);
    expect(await counts()).toEqual(before);
  });

  it('a NUL character in a form value is refused like the API refuses it (422 on the form), on both databases', async () => {
    const b = await browse(ctx.users.manufacturer);
    const id = await new510k('NUL target');
    const before = await counts();
    // The API refuses a NUL in any string of a body (src/validation.ts checkJsonText) ...
    expectProblem(await api.post(ctx.users.manufacturer, '/v1/submissions', body510k('a\u0000b')), 422, 'validation_failed');
    expectProblem(await api.event(ctx.users.manufacturer, id, { type: 'WITHDRAW', comment: 'x\u0000y' }), 422, 'validation_failed');
    // ... and so must the forms over the same engine.
    const create = await b.agent
      .post('/submissions')
      .type('form')
      .set('Accept', 'text/html')
      .send(`_csrf=${b.csrf}&workflow=fda-510k&title=a%00b&device.name=Pump&input.format=eSTAR&input.variant=traditional`);
    expect.soft(create.status, `create: ${create.text.slice(0, 200)}`).toBe(422);
    const event = await b.agent
      .post(`/submissions/${id}/events`)
      .type('form')
      .set('Accept', 'text/html')
      .send(`_csrf=${b.csrf}&type=WITHDRAW&version=1&comment=x%00y`);
    expect.soft(event.status, `event: ${event.text.slice(0, 200)}`).toBe(422);
    const data = await b.agent
      .post(`/submissions/${id}/events`)
      .type('form')
      .set('Accept', 'text/html')
      .send(`_csrf=${b.csrf}&type=WITHDRAW&version=1&data.reason=x%00y`);
    expect.soft(data.status, `event data: ${data.text.slice(0, 200)}`).toBe(422);
    const upload = await b.agent
      .post(`/submissions/${id}/documents`)
      .set('Accept', 'text/html')
      .field('_csrf', b.csrf)
      .field('kind', 'cover-letter')
      .attach('file', Buffer.from('%PDF'), 'n\u0000ul.pdf');
    expect.soft(upload.status, `upload filename: ${upload.text.slice(0, 200)}`).toBe(422);
    expect(await counts()).toEqual(before);
  });

  it('serves the assets with their types; anything else under /assets is 404', async () => {
    const css = await request(app).get('/assets/app.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.text.length).toBeGreaterThan(100);
    const js = await request(app).get('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const mermaid = await request(app)
      .get('/assets/mermaid.min.js')
      .buffer(true)
      .parse(binary as never);
    expect(mermaid.status).toBe(200);
    expect(mermaid.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((mermaid.body as Buffer).length).toBeGreaterThan(500_000);
    expect(mermaid.headers['x-content-type-options']).toBe('nosniff');
    for (const path of [
      '/assets/../package.json',
      '/assets/..%2Fpackage.json',
      '/assets/%2e%2e%2fpackage.json',
      '/assets/app.css.map',
      '/assets/App.css',
      '/assets/',
      '/assets/router.ts',
      '/assets/__proto__',
      '/assets/constructor',
      '/assets/toString',
    ]) {
      const res = await rawGet(app, path, { Accept: 'text/html' });
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain('"name": "puente"');
      expect(res.headers['content-type'], path).toMatch(/^text\/html/);
    }
  });

  it('a title with markup is escaped on the portfolio and on the submission page', async () => {
    const evil = '<script>alert(1)</script>';
    const s = await api.create(ctx.users.manufacturer, {
      ...body510k(evil),
      device: { name: '<img src=x onerror=alert(2)>', model: '"><svg onload=alert(3)>' },
    });
    const b = await browse(ctx.users.manufacturer);
    for (const path of ['/', `/submissions/${s.id}`, `/?q=${encodeURIComponent(evil)}`]) {
      const res = await b.agent.get(path);
      const text = expectPage(res, 200);
      expect(text, path).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(text, path).not.toContain(evil);
      expect(text, path).not.toContain('<img src=x');
      expect(text, path).not.toContain('<svg onload');
    }
    // Query values come back escaped in the filter form.
    const q = await b.agent.get(`/?q=${encodeURIComponent('"><b>x</b>')}`);
    expect(q.text).toContain('value="&quot;&gt;&lt;b&gt;x&lt;/b&gt;"');
    const f = await b.agent.get(`/submissions/${s.id}?uploaded=${encodeURIComponent('<i>boom</i>')}`);
    expect(f.text).not.toContain('<i>boom</i>');
    expect(f.text).toContain('&lt;i&gt;boom&lt;/i&gt;');
  });
});
