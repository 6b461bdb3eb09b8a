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

/** `puente ...` with `input` piped on standard input (`--password-stdin`). */
function puenteWithStdin(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'npx',
      ['--no-install', 'puente', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.drop());

describe('npx puente', () => {
  it('migrate applies the schema, then reports it up to date', async () => {
    expect((await puente(['migrate'])).stdout).toMatch(/applied: 001-initial, 002-workflow-index/);
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
    await expect(puente(['user', 'add', '--name', 'X', '--role', 'superuser'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/must be one of manufacturer, fda, cofepris, auditor, admin/),
    });
    await expect(puente(['user', 'add', '--name', 'X', '--role', 'manufacturer'])).rejects.toMatchObject({
      stderr: expect.stringMatching(/--org is required/),
    });
  });

  it('demo seeds data and prints a token per role; audit verify then passes', async () => {
    const { stdout } = await puente(['demo']);
    for (const role of ['manufacturer', 'fda', 'cofepris', 'auditor', 'admin']) expect(stdout).toMatch(new RegExp(`^  ${role} +pte_`, 'm'));
    // Every role has an e-mail and a password for the web interface, printed once; whoever files
    // or decides signs with the same password, and is shown how to sign.
    for (const role of ['manufacturer', 'fda', 'cofepris', 'auditor', 'admin'])
      expect(stdout).toMatch(new RegExp(`^  ${role} +[a-z.+0-9]+@[a-z.]+ +Demo-[A-Za-z0-9_-]{12}-7$`, 'm'));
    expect(stdout).toMatch(/"signature":\{"meaning":"approval","password":"Demo-/);
    const verify = await puente(['audit', 'verify', '--json']);
    const result = JSON.parse(verify.stdout);
    expect(result).toMatchObject({ ok: true, submissions: 5, breaks: [] });
    expect(result.records).toBeGreaterThan(30);
  }, 90_000); // five scrypt password hashes and a dozen signature checks, on a loaded CI machine

  it('user add --password-stdin stores only a scrypt hash; a password that breaks the rules writes nothing (exit 2)', async () => {
    const database = openDatabase(db.url);
    try {
      const before = (await database.knex('users').count<{ n: number }[]>({ n: '*' }))[0]!.n;
      const weak = await puenteWithStdin(['user', 'add', '--name', 'Weak Pw', '--role', 'fda', '--json', '--password-stdin'], 'short\n');
      expect(weak.code).toBe(2);
      expect(weak.stderr).toMatch(/\/password must have at least 12 characters/);
      expect(weak.stderr).not.toContain('short');
      expect(Number((await database.knex('users').count<{ n: number }[]>({ n: '*' }))[0]!.n)).toBe(Number(before));

      const ok = await puenteWithStdin(['user', 'add', '--name', 'Dr. Stdin', '--role', 'fda', '--json', '--password-stdin'], 'Quartz-Lantern-2026\n');
      expect(ok.code, ok.stderr).toBe(0);
      const user = JSON.parse(ok.stdout);
      expect(JSON.stringify(user)).not.toMatch(/Quartz-Lantern|password/i);
      const row = await database.knex('users').where({ id: user.id }).first();
      expect(row.password_hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
      expect(JSON.stringify(await database.knex('users').select('*'))).not.toContain('Quartz-Lantern-2026');
      const { verifyPassword } = await import('../../src/engine/passwords.js');
      expect(await verifyPassword('Quartz-Lantern-2026', row.password_hash)).toBe(true);
      expect(await verifyPassword('Quartz-Lantern-2027', row.password_hash)).toBe(false);

      // puente user unlock clears a lock; it never sets a password (issue 8 §3: nobody signs as somebody else).
      await database.knex('users').where({ id: user.id }).update({ signature_failures: 5, signing_locked_at: '2026-01-01T00:00:00.000Z' });
      const refused = await puenteWithStdin(['user', 'unlock', '--id', user.id, '--password-stdin'], 'Reset-By-Admin-2026\n');
      expect(refused.code).toBe(2);
      expect(await verifyPassword('Quartz-Lantern-2026', (await database.knex('users').where({ id: user.id }).first()).password_hash)).toBe(true);
      const unlocked = await puenteWithStdin(['user', 'unlock', '--id', user.id], '');
      expect(unlocked.code, unlocked.stderr).toBe(0);
      expect(unlocked.stdout).toMatch(/signing unlocked for Dr\. Stdin/);
      const after = await database.knex('users').where({ id: user.id }).first();
      expect({ failures: Number(after.signature_failures), locked: after.signing_locked_at }).toEqual({ failures: 0, locked: null });
      // A forgotten password: a reset clears it and prints a one-time credential for the user, never a password.
      const reset = await puenteWithStdin(['user', 'reset', '--id', user.id, '--json'], '');
      expect(reset.code, reset.stderr).toBe(0);
      expect(JSON.parse(reset.stdout)).toMatchObject({ id: user.id, resetToken: expect.stringMatching(/^pwr_/) });
      expect((await database.knex('users').where({ id: user.id }).first()).password_hash).toBeNull();
      expect((await puenteWithStdin(['user', 'unlock', '--id', '0193f000-0000-7000-8000-000000000000'], '')).code).not.toBe(0);
    } finally {
      await database.destroy();
    }
  }, 90_000); // three CLI processes (each starts tsx and the services), on a loaded CI machine

  it('rejects a bad configuration with a message naming the variable', async () => {
    await expect(exec('npx', ['--no-install', 'puente', 'migrate'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: 'mysql://x' } })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/DATABASE_URL/),
    });
    await expect(
      exec('npx', ['--no-install', 'puente', 'migrate'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, PORT: 'eighty' } }),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/PORT/) });
  });
});
