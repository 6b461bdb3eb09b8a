/** The `puente` CLI as a user runs it (`npx puente ...` from the repository root). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/engine/hash.js';
import { openDatabase } from '../../src/store/db.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ROOT } from '../support/server.js';

const exec = promisify(execFile);
let db: TestDatabase;

function puente(args: string[]) {
  return exec('npx', ['--no-install', 'puente', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent' }, timeout: 60_000 });
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.drop());

describe('npx puente', () => {
  it('migrate applies the schema, then reports it up to date', async () => {
    expect((await puente(["migrate"])).stdout).toMatch(/applied: 001-initial, 002-workflow-index/);
    expect((await puente(['migrate'])).stdout).toMatch(/up to date/);
  });

  it('user add --json prints the token once and stores only its SHA-256', async () => {
    const { stdout } = await puente(['user', 'add', '--name', 'Maria Lopez', '--role', 'manufacturer', '--org', 'Acme Medical', '--json']);
    const user = JSON.parse(stdout);
    expect(user).toMatchObject({ name: 'Maria Lopez', role: 'manufacturer', organization: { name: 'Acme Medical' } });
    expect(user.token).toMatch(/^pte_[A-Za-z0-9_-]{43}$/); // 32 random bytes = 256 bits
    const database = openDatabase(db.url);
    try {
      const rows = await database.knex('users').select('*');
      const row = rows.find((r) => r.id === user.id);
      expect(row.token_hash).toBe(sha256Hex(user.token));
      expect(JSON.stringify(rows)).not.toContain(user.token);
      // the organization is created on first use, and reused
      await puente(['user', 'add', '--name', 'Second', '--role', 'manufacturer', '--org', 'Acme Medical', '--json']);
      const orgs = await database.knex('organizations').where({ name: 'Acme Medical' }).select('id');
      expect(orgs).toHaveLength(1);
    } finally {
      await database.destroy();
    }
  });

  it('refuses an unknown role and a manufacturer without an organization', async () => {
    await expect(puente(['user', 'add', '--name', 'X', '--role', 'superuser'])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/must be one of manufacturer, fda, cofepris, auditor, admin/) });
    await expect(puente(['user', 'add', '--name', 'X', '--role', 'manufacturer'])).rejects.toMatchObject({ stderr: expect.stringMatching(/--org is required/) });
  });

  it('demo seeds data and prints a token per role; audit verify then passes', async () => {
    const { stdout } = await puente(['demo']);
    for (const role of ['manufacturer', 'fda', 'cofepris', 'auditor', 'admin']) expect(stdout).toMatch(new RegExp(`^  ${role} +pte_`, 'm'));
    const verify = await puente(['audit', 'verify', '--json']);
    const result = JSON.parse(verify.stdout);
    expect(result).toMatchObject({ ok: true, submissions: 5, breaks: [] });
    expect(result.records).toBeGreaterThan(30);
  });

  it('rejects a bad configuration with a message naming the variable', async () => {
    await expect(exec('npx', ['--no-install', 'puente', 'migrate'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: 'mysql://x' } })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/DATABASE_URL/) });
    await expect(exec('npx', ['--no-install', 'puente', 'migrate'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, PORT: 'eighty' } })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/PORT/) });
  });
});
