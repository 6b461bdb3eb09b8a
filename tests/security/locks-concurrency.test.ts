/**
 * Issue 8 §4: the signing lock holds under concurrency and across processes. A password check is
 * reserved by one guarded UPDATE before scrypt runs, so however many wrong passwords arrive at
 * once, on one process or on several over one database, at most five are ever checked (401) and
 * the rest are refused unchecked (423). Web sign-in and signing share that one count and lock per
 * user. Real database (SQLite, or PostgreSQL with TEST_DATABASE_URL), real HTTP servers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { SIGNING_MAX_FAILURES } from '../../src/engine/signatures.js';
import { initServices, type Services } from '../../src/services.js';
import { DIALECT } from '../support/db.js';
import { TEST_PASSWORD, TEST_SCRYPT, addUser, createTestContext, type TestContext, type TestUser } from '../support/fixtures.js';
import { body510k } from '../http/helpers.js';

let ctx: TestContext;
/** A second process's services over the same database. */
let second: Services;
const servers: http.Server[] = [];
let urlA: string;
let urlB: string;

async function listen(app: Express): Promise<string> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  ctx = await createTestContext();
  second = await initServices({ databaseUrl: ctx.database.url, mxNonWorkingDays: [] }, { scryptParams: TEST_SCRYPT });
  urlA = await listen(createApp(ctx.services, { logger: pino({ level: 'silent' }) }));
  urlB = await listen(createApp(second, { logger: pino({ level: 'silent' }) }));
}, 60_000);

afterAll(async () => {
  for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
  await second?.shutdown();
  await ctx?.close();
});

async function lockState(user: TestUser): Promise<{ failures: number; locked: boolean }> {
  const row = (await ctx.services.db.knex('users').where({ id: user.actor.id }).first('signature_failures', 'signing_locked_at')) as {
    signature_failures: number | string;
    signing_locked_at: string | null;
  };
  return { failures: Number(row.signature_failures), locked: row.signing_locked_at !== null };
}

/** The security log's `signing.locked` entries about `user`: what each lock was reached through. */
async function lockEntries(user: TestUser): Promise<string[]> {
  const rows = (await ctx.services.db
    .knex('security_log')
    .where({ type: 'signing.locked', subject_id: user.actor.id })
    .orderBy('seq')
    .select('data')) as Array<{
    data: string;
  }>;
  return rows.map((r) => (JSON.parse(r.data) as { via: string }).via);
}

/** A new Acme 510(k) created by `user` (still in draft: SUBMIT needs `user`'s signature). */
async function draftBy(user: TestUser, base: string): Promise<string> {
  const res = await fetch(`${base}/v1/submissions`, {
    method: 'POST',
    headers: { ...user.auth, 'Content-Type': 'application/json' },
    body: JSON.stringify(body510k('Parallel guesses')),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** SUBMIT signed with `password`: the HTTP status. */
async function submit(base: string, user: TestUser, id: string, password: string): Promise<number> {
  const res = await fetch(`${base}/v1/submissions/${id}/events`, {
    method: 'POST',
    headers: { ...user.auth, 'Content-Type': 'application/json', 'If-Match': '*' },
    body: JSON.stringify({ type: 'SUBMIT', signature: { meaning: 'responsibility', password } }),
  });
  await res.arrayBuffer();
  return res.status;
}

function tally(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

/** A web sign-in through the form on `base`: the status and whether a session cookie came back. */
async function signIn(base: string, identifier: string, password: string): Promise<{ status: number; session: boolean; text: string }> {
  const agent = request.agent(base);
  const form = await agent.get('/sign-in').set('Accept', 'text/html');
  expect(form.status).toBe(200);
  const csrf = /name="_csrf" value="([^"]*)"/.exec(form.text)![1]!;
  const res = await agent.post('/sign-in').type('form').set('Accept', 'text/html').send({ _csrf: csrf, identifier, password });
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
  return { status: res.status, session: cookies.some((c) => c.startsWith('puente_session=')), text: res.text };
}

describe(`the signing lock under concurrency on ${DIALECT}`, () => {
  it('16 wrong passwords at once on one process: exactly five are checked (401), the other eleven are refused unchecked (423)', async () => {
    const pat = await addUser(ctx.services, 'manufacturer', 'Parallel Pat', 'Acme Medical');
    const id = await draftBy(pat, urlA);
    const statuses = await Promise.all(Array.from({ length: 16 }, (_, i) => submit(urlA, pat, id, `Wrong-guess-${i}`)));
    // Every 401 is one scrypt comparison; a 423 is refused before any.
    expect(tally(statuses)).toEqual({ 401: SIGNING_MAX_FAILURES, 423: 16 - SIGNING_MAX_FAILURES });
    expect(await lockState(pat)).toEqual({ failures: SIGNING_MAX_FAILURES, locked: true });
    // One lock, one entry in the security log (written in the lock's own transaction).
    expect(await lockEntries(pat)).toEqual(['signing']);
    // Locked: even the right password is refused unchecked.
    expect(await submit(urlA, pat, id, TEST_PASSWORD)).toBe(423);
  });

  it('16 wrong passwords split over two processes on one database: still exactly five checked', async () => {
    const sam = await addUser(ctx.services, 'manufacturer', 'Split Sam', 'Acme Medical');
    const id = await draftBy(sam, urlA);
    const statuses = await Promise.all(Array.from({ length: 16 }, (_, i) => submit(i % 2 ? urlB : urlA, sam, id, `Wrong-guess-${i}`)));
    expect(tally(statuses)).toEqual({ 401: SIGNING_MAX_FAILURES, 423: 16 - SIGNING_MAX_FAILURES });
    expect(await lockState(sam)).toEqual({ failures: SIGNING_MAX_FAILURES, locked: true });
    expect(await lockEntries(sam)).toEqual(['signing']);
    expect(await submit(urlB, sam, id, TEST_PASSWORD)).toBe(423);
  });

  it('12 right passwords at once by one signer (on both processes) are all checked and accepted; a wrong one among them never locks', async () => {
    const busy = await addUser(ctx.services, 'manufacturer', 'Busy Bea', 'Acme Medical');
    const ids = await Promise.all(Array.from({ length: 13 }, () => draftBy(busy, urlA)));
    const statuses = await Promise.all(ids.map((id, i) => submit(i % 2 ? urlB : urlA, busy, id, i === 6 ? 'Wrong-guess-x' : TEST_PASSWORD)));
    expect(tally(statuses)).toEqual({ 200: 12, 401: 1 });
    expect((await lockState(busy)).locked).toBe(false);
    expect(await lockEntries(busy)).toEqual([]);
  });

  it('a right password ends the run of failures; the lock counts consecutive failures only', async () => {
    const rita = await addUser(ctx.services, 'manufacturer', 'Run Rita', 'Acme Medical');
    const id = await draftBy(rita, urlA);
    for (let i = 0; i < SIGNING_MAX_FAILURES - 1; i++) expect(await submit(urlA, rita, id, `Wrong-guess-${i}`)).toBe(401);
    expect(await lockState(rita)).toEqual({ failures: SIGNING_MAX_FAILURES - 1, locked: false });
    expect(await submit(urlB, rita, id, TEST_PASSWORD)).toBe(200);
    expect(await lockState(rita)).toEqual({ failures: 0, locked: false });
  });
});

describe(`web sign-in and signing share one failure count and lock on ${DIALECT}`, () => {
  it('3 wrong sign-ins and 2 wrong signatures lock the user; a locked user cannot sign in until an admin unlocks', async () => {
    const lee = await addUser(ctx.services, 'manufacturer', 'Shared Lee', 'Acme Medical');
    const id = await draftBy(lee, urlA);
    for (let i = 0; i < 3; i++) {
      const r = await signIn(i % 2 ? urlB : urlA, 'Shared Lee', `Wrong-sign-in-${i}`);
      expect(r.status).toBe(401);
      expect(r.session).toBe(false);
    }
    expect(await lockState(lee)).toEqual({ failures: 3, locked: false });
    expect(await submit(urlB, lee, id, 'Wrong-guess-a')).toBe(401);
    expect(await submit(urlA, lee, id, 'Wrong-guess-b')).toBe(401);
    expect(await lockState(lee)).toEqual({ failures: SIGNING_MAX_FAILURES, locked: true });
    // Locked: signing and sign-in are refused with the right password, without checking it.
    expect(await submit(urlA, lee, id, TEST_PASSWORD)).toBe(423);
    const refused = await signIn(urlB, 'Shared Lee', TEST_PASSWORD);
    expect(refused.status).toBe(423);
    expect(refused.session).toBe(false);
    expect(refused.text).toMatch(/ask an administrator/i);
    // The admin's unlock clears both.
    const unlock = await fetch(`${urlB}/v1/users/${lee.actor.id}/signing-unlock`, {
      method: 'POST',
      headers: { ...ctx.users.admin.auth, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(unlock.status).toBe(200);
    const ok = await signIn(urlA, 'Shared Lee', TEST_PASSWORD);
    expect(ok.status).toBe(303);
    expect(ok.session).toBe(true);
    expect(await submit(urlA, lee, id, TEST_PASSWORD)).toBe(200);
  });

  it('16 wrong sign-ins at once over two processes: five checked (401), the rest refused (423)', async () => {
    const cleo = await addUser(ctx.services, 'manufacturer', 'Crowded Cleo', 'Acme Medical');
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => signIn(i % 2 ? urlB : urlA, 'Crowded Cleo', `Wrong-sign-in-${i}`)));
    expect(tally(results.map((r) => r.status))).toEqual({ 401: SIGNING_MAX_FAILURES, 423: 16 - SIGNING_MAX_FAILURES });
    expect(results.some((r) => r.session)).toBe(false);
    expect(await lockEntries(cleo)).toEqual(['sign-in']);
  });
});
