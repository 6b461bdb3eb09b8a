/**
 * Contention on SQLite: another process holding the write lock makes requests wait (puente's
 * busy timeout, longer than the sqlite3 driver's own 1 s default) and then answer 503 with
 * Retry-After, never 500; a CLI write while the server holds the write lock waits and succeeds.
 *
 * Each wait is longer than the driver's default, so these tests fail when puente's own
 * `PRAGMA busy_timeout` is removed (src/store/db.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import sqlite3 from 'sqlite3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_BUSY_TIMEOUT_MS } from '../../src/store/db.js';
import { DIALECT } from '../support/db.js';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { ROOT } from '../support/server.js';

/** node-sqlite3 sets this busy timeout on every connection unless told otherwise. */
const DRIVER_DEFAULT_BUSY_MS = 1000;
/** Held longer than the driver's default and well under puente's. */
const SHORT_HOLD_MS = DRIVER_DEFAULT_BUSY_MS + 1500;

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

function openRaw(filename: string): sqlite3.Database {
  return new sqlite3.Database(filename);
}
function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise<void>((resolve, reject) => db.exec(sql, (e) => (e ? reject(e) : resolve())));
}
function close(db: sqlite3.Database): Promise<void> {
  return new Promise<void>((resolve) => db.close(() => resolve()));
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Another connection (as another process would) takes the write lock and holds it for `ms`. */
async function holdWriteLock(filename: string, ms: number): Promise<void> {
  const db = openRaw(filename);
  await exec(db, 'BEGIN IMMEDIATE');
  await sleep(ms);
  await exec(db, 'ROLLBACK');
  await close(db);
}

/** Whether a fresh connection that does not wait at all can take the write lock now. */
async function writeLockIsFree(filename: string): Promise<boolean> {
  const db = openRaw(filename);
  db.configure('busyTimeout', 0);
  try {
    await exec(db, 'BEGIN IMMEDIATE');
    await exec(db, 'ROLLBACK');
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY') return false;
    throw e;
  } finally {
    await close(db);
  }
}

/** Whether a process other than this one has `filename` (or its -wal/-shm) open (Linux /proc). */
function openedByAnotherProcess(filename: string): boolean {
  const targets = new Set([filename, `${filename}-wal`, `${filename}-shm`].map((f) => fs.realpathSync.native(f)));
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (targets.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))) return true;
      } catch {
        // closed meanwhile
      }
    }
  }
  return false;
}

describe.skipIf(DIALECT !== 'sqlite')('SQLite contention', () => {
  const file = () => ctx.database.url.slice('sqlite:'.length);

  it('the driver default is shorter than the waits below, and puente sets its own', () => {
    expect(SQLITE_BUSY_TIMEOUT_MS).toBeGreaterThan(SHORT_HOLD_MS + 1000);
  });

  it('a request waits for a lock held longer than the driver default and then succeeds', async () => {
    const app = testApp(ctx);
    const lock = holdWriteLock(file(), SHORT_HOLD_MS);
    await sleep(50);
    expect(await writeLockIsFree(file())).toBe(false);
    const res = await request(app)
      .post('/v1/submissions')
      .set(ctx.users.manufacturer.auth)
      .send({ workflow: 'fda-510k', title: 'waits', device: { name: 'd' }, input: { format: 'eSTAR', variant: 'traditional' } });
    await lock;
    expect(res.status).toBe(201);
  }, 20_000);

  it('a lock held past the busy timeout gives 503 with Retry-After, not 500, and writes nothing', async () => {
    const app = testApp(ctx);
    const before = await ctx.services.db.knex('submissions').count({ n: '*' });
    const lock = holdWriteLock(file(), SQLITE_BUSY_TIMEOUT_MS + 1500);
    await sleep(50);
    const res = await request(app)
      .post('/v1/submissions')
      .set(ctx.users.manufacturer.auth)
      .send({ workflow: 'fda-510k', title: 'blocked', device: { name: 'd' }, input: { format: 'eSTAR', variant: 'traditional' } });
    await lock;
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('unavailable');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(await ctx.services.db.knex('submissions').count({ n: '*' })).toEqual(before);
  }, 20_000);

  it('a CLI command waits while the server holds the write lock, then writes', async () => {
    // The server's own writer connection opens a write transaction and keeps it open until the
    // CLI process has opened the database and waited longer than the driver's default.
    const trx = await ctx.services.db.knex.transaction();
    let cli: Promise<{ code: number | null; stdout: string; stderr: string }> | undefined;
    try {
      await trx.raw('UPDATE submissions SET title = title WHERE 0 = 1');
      expect(await writeLockIsFree(file())).toBe(false);
      cli = new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['bin/puente.js', 'user', 'add', '--name', 'CLI user', '--role', 'auditor', '--json'], {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: ctx.database.url },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.once('error', reject);
        child.once('exit', (code) => resolve({ code, stdout, stderr }));
      });
      const deadline = Date.now() + 25_000;
      while (!openedByAnotherProcess(file())) {
        if (Date.now() > deadline) throw new Error('the CLI never opened the database');
        await sleep(20);
      }
      await sleep(SHORT_HOLD_MS);
      expect(await writeLockIsFree(file())).toBe(false);
    } finally {
      await trx.rollback();
    }
    const { code, stdout, stderr } = await cli;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const token = JSON.parse(stdout).token as string;
    const me = await request(testApp(ctx)).get('/v1/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body.name).toBe('CLI user');
  }, 40_000);
});
