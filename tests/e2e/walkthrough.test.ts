/**
 * The README's curl walk-through (scripts/walkthrough.sh) against a real server process and the
 * real CLI, on the test database: a new user's path from 510(k) to registro sanitario.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ROOT, startServer, type RunningServer } from '../support/server.js';

const run = promisify(execFile);
let db: TestDatabase;
let server: RunningServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startServer(db.url);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe('README walk-through', () => {
  it('takes a 510(k) to cleared and the relying COFEPRIS registration to registered, with a chain anyone can recompute', async () => {
    const { stdout } = await run('bash', ['scripts/walkthrough.sh'], {
      cwd: ROOT,
      env: { ...process.env, API: server.url, DATABASE_URL: db.url },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/^signature_invalid$/m);
    expect(stdout).toMatch(/^cleared$/m);
    // The worked example of issue 5: received 2026-01-05, AI hold 03-01 to 05-30, SE 06-20.
    expect(stdout).toMatch(/^calendarDays 166, holdDays 90, fdaDays 76$/m);
    expect(stdout).toMatch(/^goal substantiveInteraction: met \(55 of 60 fda-days\)$/m);
    expect(stdout).toMatch(/^goal decision: met \(76 of 90 fda-days\)$/m);
    expect(stdout).toMatch(/SUBMIT is refused in state preparing: the dossier is incomplete; missing: application-form/);
    expect(stdout).toMatch(/^registered\.current$/m);
    expect(stdout).toMatch(/validUntil: '2031-09-01'/);
    expect(stdout).toMatch(/meaning: 'approval',\s+name: 'Lic\. Ana Torres',\s+signedAt: '\d{4}-/);
    expect(stdout).toMatch(/chain OK: 20 records/);
    expect(stdout).not.toMatch(/BROKEN/);
  }, 120_000);

  it('logs one JSON line per request and never a token', async () => {
    const lines = server.logs
      .join('')
      .split('\n')
      .filter((l) => l.includes('"msg":"request"'));
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      const entry = JSON.parse(line);
      expect(entry).toMatchObject({ method: expect.any(String), path: expect.stringMatching(/^\//), status: expect.any(Number) });
      expect(entry.reqId).toBeTruthy();
      expect(typeof entry.durationMs).toBe('number');
    }
    expect(server.logs.join('')).not.toMatch(/pte_[A-Za-z0-9_-]{20,}/);
    // Passwords given to sign (right or wrong) never reach the log; the refused attempt is reported.
    expect(server.logs.join('')).not.toMatch(/Quetzal-Signs|Harbor-Decides|Volcan-Resuelve|not-my-password/);
    expect(server.logs.join('')).toMatch(/"msg":"signature refused"/);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});
