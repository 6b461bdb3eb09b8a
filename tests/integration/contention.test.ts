/**
 * Contention on SQLite: another process holding the write lock makes requests wait (busy
 * timeout) and then answer 503 with Retry-After, never 500; a CLI write while the server runs
 * just works.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sqlite3 from 'sqlite3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_BUSY_TIMEOUT_MS } from '../../src/store/db.js';
import { DIALECT } from '../support/db.js';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { ROOT } from '../support/server.js';

const exec = promisify(execFile);
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

/** Another connection (as another process would) takes the write lock and holds it for `ms`. */
async function holdWriteLock(filename: string, ms: number): Promise<void> {
  const db = new sqlite3.Database(filename);
  const run = (sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (e) => (e ? reject(e) : resolve())));
  await run('BEGIN IMMEDIATE');
  await new Promise((r) => setTimeout(r, ms));
  await run('ROLLBACK');
  await new Promise<void>((resolve) => db.close(() => resolve()));
}

describe.skipIf(DIALECT !== 'sqlite')('SQLite contention', () => {
  const file = () => ctx.database.url.slice('sqlite:'.length);

  it('a request waits for a short-held lock and then succeeds', async () => {
    const app = testApp(ctx);
    const lock = holdWriteLock(file(), 500);
    await new Promise((r) => setTimeout(r, 50));
    const res = await request(app).post('/v1/submissions').set(ctx.users.manufacturer.auth)
      .send({ workflow: 'fda-510k', title: 'waits', device: { name: 'd' }, input: { format: 'eSTAR', variant: 'traditional' } });
    await lock;
    expect(res.status).toBe(201);
  });

  it('a lock held past the busy timeout gives 503 with Retry-After, not 500, and writes nothing', async () => {
    const app = testApp(ctx);
    const before = await ctx.services.db.knex('submissions').count({ n: '*' });
    const lock = holdWriteLock(file(), SQLITE_BUSY_TIMEOUT_MS + 1500);
    await new Promise((r) => setTimeout(r, 50));
    const res = await request(app).post('/v1/submissions').set(ctx.users.manufacturer.auth)
      .send({ workflow: 'fda-510k', title: 'blocked', device: { name: 'd' }, input: { format: 'eSTAR', variant: 'traditional' } });
    await lock;
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('unavailable');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(await ctx.services.db.knex('submissions').count({ n: '*' })).toEqual(before);
  }, 20_000);

  it('a CLI command writes while the server holds the database open', async () => {
    const { stdout } = await exec('npx', ['--no-install', 'puente', 'user', 'add', '--name', 'CLI user', '--role', 'auditor', '--json'], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: ctx.database.url },
    });
    const token = JSON.parse(stdout).token as string;
    const me = await request(testApp(ctx)).get('/v1/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body.name).toBe('CLI user');
  }, 30_000);
});
