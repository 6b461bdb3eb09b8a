/**
 * Issue 17 §3 (DESIGN §6: the CLI works against the same database while a server runs): CLI
 * writes on a SQLite file while a server process on the same file takes a load of events and
 * uploads. `npx puente demo` once failed there with `SQLITE_BUSY: database is locked`: a
 * transaction that read before it wrote (users.create: the organization, then the user) met
 * another process's commit, and SQLite answers that at once, without waiting on the busy timeout.
 * Every transaction now takes the writer lock first, waiting on the busy timeout like the server.
 *
 * Real processes: `node bin/puente.js serve`, the real CLI (`npx puente user add`, `demo`), a
 * SQLite file of its own.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startInstance, type Instance } from '../../scripts/ha/multi-instance.js';
import { call, describeOutcome, submissionInReview, type Outcome, type User } from '../reliability/helpers.js';

const exec = promisify(execFile);

const LOOPS = 6;

let dir: string;
let url: string;
let server: Instance;
let mfr: User;
let fda: User;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-cli-load-'));
  url = `sqlite:${path.join(dir, 'puente.db')}`;
  server = await startInstance('server', { DATABASE_URL: url }); // applies the migrations
  [mfr, fda] = await Promise.all([addUser('Maria Lopez', 'manufacturer', 'Acme Medical'), addUser('Dr. James Carter', 'fda')]);
}, 400_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** What a CLI run came to: its exit code and output. */
async function run(args: string[], stdin?: string): Promise<{ args: string; code: number; stdout: string; stderr: string }> {
  try {
    // `node bin/puente.js` as `npx puente` runs it, with room for a slow machine (the helpers' `puente` gives up after 60 s).
    const child = exec(process.execPath, ['bin/puente.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
      timeout: 300_000,
    });
    child.child.stdin?.end(stdin ?? '');
    const { stdout, stderr } = await child;
    return { args: args.join(' '), code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { args: args.join(' '), code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** A user made with the CLI, with a password for signatures. */
async function addUser(name: string, role: string, org?: string): Promise<User> {
  const password = `Steady-${role}-2026`;
  const r = await run(['user', 'add', '--name', name, '--role', role, ...(org ? ['--org', org] : []), '--json', '--password-stdin'], `${password}\n`);
  if (r.code !== 0) throw new Error(`user add ${name}: exit ${r.code}: ${r.stderr}`);
  const u = JSON.parse(r.stdout) as { id: string; token: string; role: string };
  return { id: u.id, token: u.token, role: u.role, password };
}

describe('the CLI beside a server under load on one SQLite file', () => {
  it('user add and demo succeed while the server commits events and uploads; the server answers every command; audit verify passes', async () => {
    const ids = await Promise.all(Array.from({ length: LOOPS }, (_, i) => submissionInReview(server.url, mfr, fda, `CLI load ${i}`)));
    let stop = false;
    const outcomes: Outcome[] = [];
    // The server's load: each loop uploads to its own submission and moves it between review and AI hold.
    const load = Promise.all(
      ids.map(async (id, loop) => {
        let onHold = false;
        for (let j = 0; !stop; j++) {
          const tag = `cli-load-l${loop}-c${j}`;
          let o: Outcome;
          if (j % 4 === 3) {
            o = await call(server.url, `/v1/submissions/${id}/events`, {
              token: onHold ? mfr.token : fda.token,
              json: onHold
                ? { type: 'AI_RESPONSE', data: { summary: `answer ${tag}` }, comment: tag }
                : { type: 'REQUEST_AI', data: { deficiencies: [`deficiency ${tag}`] }, comment: tag },
            });
            if (o.kind === 'response' && o.status === 200) onHold = !onHold;
          } else {
            o = await call(server.url, `/v1/submissions/${id}/documents?kind=annex&filename=${tag}.pdf`, {
              token: mfr.token,
              bytes: Buffer.from(`%PDF-1.4 ${tag}\n${'x'.repeat(1024)}`),
            });
          }
          outcomes.push(o);
          // A steady stream of commits, not a flood: the CLI's processes need the CPU to start.
          await new Promise((r) => setTimeout(r, 25));
        }
      }),
    );

    const started = Date.now();
    // Let the load run, then the CLI's writes beside it: users added in parallel, and the demo twice.
    await new Promise((r) => setTimeout(r, 1000));
    const runs = await Promise.all([
      (async () => [await run(['demo']), await run(['demo'])])(),
      Promise.all(Array.from({ length: 2 }, (_, i) => run(['user', 'add', '--name', `Load Reviewer ${i}`, '--role', 'fda', '--json']))),
      run(
        ['user', 'add', '--name', 'Load Maker', '--role', 'manufacturer', '--org', 'Acme Medical', '--json', '--password-stdin'],
        'Quiet-Harbor-Lantern-2026\n',
      ),
    ]);
    const cliSeconds = (Date.now() - started) / 1000;
    stop = true;
    await load;

    const cli = runs.flat();
    const acked = outcomes.filter((o) => o.kind === 'response' && o.status < 300).length;
    console.log(
      `${cli.length} CLI writes (2 demo, 3 user add) in ${cliSeconds.toFixed(1)} s beside ${outcomes.length} server commands (${acked} acknowledged); ` +
        `CLI exit codes ${cli.map((r) => r.code).join(',')}`,
    );
    expect(cli.filter((r) => r.code !== 0).map((r) => `${r.args}: exit ${r.code}: ${r.stderr.slice(0, 500)}`)).toEqual([]);
    expect(cli.map((r) => r.stderr).join('')).not.toMatch(/SQLITE_BUSY|database is locked/);
    for (const demo of cli.filter((r) => r.args === 'demo')) expect(demo.stdout).toMatch(/Tokens \(shown once/);
    for (const added of cli.filter((r) => r.args.startsWith('user add')))
      expect(JSON.parse(added.stdout)).toMatchObject({ token: expect.stringMatching(/^pte_/) });

    // The server kept answering: every command committed (the events alternate, so none is refused).
    expect(outcomes.length).toBeGreaterThan(LOOPS * 5);
    expect(outcomes.filter((o) => o.kind !== 'response' || o.status >= 300).map(describeOutcome)).toEqual([]);

    const audit = await run(['audit', 'verify', '--json']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, breaks: [] });
  }, 400_000);
});
