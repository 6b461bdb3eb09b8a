/**
 * Issue 17 §1: several instances, one database, the same guarantees. Three `puente serve`
 * processes on one PostgreSQL database behind HAProxy (round robin; scripts/ha/multi-instance.ts
 * starts them), every request of this file through HAProxy:
 *
 * - a web session opened on one instance works on every other one (sessions live in the database);
 * - racers on one version (If-Match) spread over the three: exactly one wins, the rest 412;
 * - the signing lock and the failed-authentication limit count across instances, not per process;
 * - three sweepers (one per instance, a pass a second) fire each due deadline once;
 * - one instance killed with SIGKILL under a load of commands: every acknowledged (2xx) command
 *   is in its chain, each client that retries with its Idempotency-Key gets the first answer,
 *   nothing is applied twice, `puente audit verify` passes (chains, transparency log, security log).
 *
 * Needs Debian's `haproxy` and a PostgreSQL server (TEST_DATABASE_URL when it names one, else with
 * PUENTE_HA=1 postgres://postgres@127.0.0.1:5432/postgres); it creates its own database and drops
 * it after. It runs once in CI, in the PostgreSQL pass.
 * Without either it is skipped, saying why.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANCE_HEADER, ROOT, haproxyVersion, startCluster, type Cluster } from '../../scripts/ha/multi-instance.js';
import { SETUP_RECORDS, chainProblems, rowFor, submissionInReview, type Json, type User } from '../reliability/helpers.js';

const exec = promisify(execFile);

/** A PostgreSQL server to create the test's database on: TEST_DATABASE_URL's, else the local one. */
const ADMIN_URL = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? process.env.TEST_DATABASE_URL : 'postgres://postgres@127.0.0.1:5432/postgres';

async function skipReason(): Promise<string | undefined> {
  // One run is enough: `.ci/run`'s PostgreSQL pass (TEST_DATABASE_URL set) runs it; the SQLite pass
  // (no TEST_DATABASE_URL) leaves it to that pass. PUENTE_HA=1 runs it against the local server.
  if (!process.env.TEST_DATABASE_URL?.startsWith('postgres') && process.env.PUENTE_HA !== '1')
    return 'it runs in the PostgreSQL pass (TEST_DATABASE_URL=postgres://…, or PUENTE_HA=1 for the local server)';
  if (!haproxyVersion()) return 'haproxy is not installed (Debian: apt-get install -y haproxy)';
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (e) {
    return `PostgreSQL is not reachable at ${new URL(ADMIN_URL).host} (${(e as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
  return undefined;
}

const SKIP = await skipReason();
if (SKIP) console.warn(`tests/ha/multi-instance.test.ts skipped: ${SKIP}`);

/** Failed bearer authentications allowed per address and token in a window (AUTH_FAILURE_LIMIT). */
const AUTH_FAILURE_LIMIT = 10;
const SIGNING_MAX_FAILURES = 5;

let cluster: Cluster;
let dbName: string;
let mfr: User;
let fda: User;
let pat: User;

async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/** The real CLI with the instances' environment (the database and the shared signing key). */
async function cli(args: string[], stdin?: string, env: Record<string, string> = cluster.env): Promise<string> {
  const run = exec(process.execPath, ['bin/puente.js', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    timeout: 240_000,
  });
  run.child.stdin?.end(stdin ?? '');
  return (await run).stdout;
}

/** A user made with the CLI; with a password (sign-in, signatures) when `withPassword`. */
async function addUser(name: string, role: string, org: string | undefined, env: Record<string, string>, withPassword = true): Promise<User> {
  const password = `Several-${role}-2026`;
  const args = ['user', 'add', '--name', name, '--role', role, ...(org ? ['--org', org] : []), '--json', ...(withPassword ? ['--password-stdin'] : [])];
  const out = await cli(args, withPassword ? `${password}\n` : undefined, env);
  const u = JSON.parse(out) as Json;
  return { id: u.id as string, token: u.token as string, role: u.role as string, password };
}

/** One answer through HAProxy: status, JSON body, which instance answered, whether it was a replay. */
interface Answer {
  readonly status: number;
  readonly body: Json | null;
  readonly instance: string | null;
  readonly replayed: boolean;
  readonly retryAfter: string | null;
}

interface Send {
  readonly method?: string;
  readonly token?: string;
  readonly json?: unknown;
  readonly bytes?: Buffer;
  readonly headers?: Record<string, string>;
}

/** One request through HAProxy; a transport error (no answer) is returned as status 0. */
async function send(path: string, opts: Send = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: BodyInit | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.bytes) {
    headers['content-type'] = 'application/pdf';
    body = new Uint8Array(opts.bytes);
  }
  try {
    const res = await fetch(`${cluster.url}${path}`, { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, redirect: 'manual' });
    const text = await res.text();
    let parsed: Json | null = null;
    try {
      parsed = text ? (JSON.parse(text) as Json) : null;
    } catch {
      parsed = null;
    }
    return {
      status: res.status,
      body: parsed,
      instance: res.headers.get(INSTANCE_HEADER),
      replayed: res.headers.get('idempotent-replayed') === 'true',
      retryAfter: res.headers.get('retry-after'),
    };
  } catch {
    return { status: 0, body: null, instance: null, replayed: false, retryAfter: null };
  }
}

/**
 * `send`, expecting `status` and a JSON body. A read (GET) is asked again while HAProxy has no
 * answer for it (a transport error, 502-504: an instance dying or all of them briefly out).
 */
async function must(path: string, status: number, opts: Send = {}): Promise<Json> {
  let a = await send(path, opts);
  const read = (opts.method ?? (opts.json === undefined && opts.bytes === undefined ? 'GET' : 'POST')) === 'GET';
  for (let i = 0; read && i < 20 && (a.status === 0 || a.status >= 502); i++) {
    await new Promise((r) => setTimeout(r, 250));
    a = await send(path, opts);
  }
  if (a.status !== status || !a.body) throw new Error(`${opts.method ?? 'GET'} ${path}: expected ${status}, got ${a.status} ${JSON.stringify(a.body)}`);
  return a.body;
}

function tally<T extends string | number>(values: readonly T[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

const history = async (id: string): Promise<Json[]> => (await must(`/v1/submissions/${id}/history`, 200, { token: fda.token })).items as Json[];

beforeAll(async () => {
  if (SKIP) return;
  dbName = `puente_ha_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const started = Date.now();
  // The migrations first (the CLI), then the instances and the users together.
  const env = { DATABASE_URL: url.toString() };
  await cli(['migrate'], undefined, env);
  const starting = startCluster({
    databaseUrl: url.toString(),
    instances: 3,
    migrated: true,
    env: {
      // Three sweepers at once, a pass a second each; checkpoints signed by whichever instance ticks.
      SWEEP_INTERVAL_SECONDS: '1',
      CHECKPOINT_INTERVAL_SECONDS: '2',
      AUTH_FAILURE_LIMIT: String(AUTH_FAILURE_LIMIT),
    },
  });
  // The users are added with the CLI while the instances start.
  const settled = await Promise.allSettled([
    starting,
    addUser('Maria Lopez', 'manufacturer', 'Acme Medical', env),
    // REQUEST_AI and the other FDA steps here need no signature: no password, no scrypt run.
    addUser('Dr. James Carter', 'fda', undefined, env, false),
    addUser('Parallel Pat', 'manufacturer', 'Acme Medical', env),
  ]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (settled[0].status === 'fulfilled') cluster = settled[0].value;
  if (failed) throw failed.reason;
  [mfr, fda, pat] = settled.slice(1).map((r) => (r as PromiseFulfilledResult<User>).value) as [User, User, User];
  console.log(
    `cluster: ${cluster.instances.map((i) => `${i.name} ${i.url}`).join(', ')} behind ${haproxyVersion()} at ${cluster.url}; up with users in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}, 600_000);

afterAll(async () => {
  if (SKIP) return;
  await cluster?.stop();
  if (dbName) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
}, 60_000);

describe.skipIf(SKIP !== undefined)('three instances on one PostgreSQL database behind HAProxy', () => {
  it('HAProxy spreads requests round robin, and a web session opened on one instance works on all three', async () => {
    const served = await Promise.all(Array.from({ length: 6 }, () => send('/healthz')));
    expect(new Set(served.map((a) => a.instance))).toEqual(new Set(['p1', 'p2', 'p3']));

    // Sign in through HAProxy: the form's double-submit cookie and the session are no one instance's.
    const form = await fetch(`${cluster.url}/sign-in`, { headers: { accept: 'text/html' } });
    const csrf = /name="_csrf" value="([^"]*)"/.exec(await form.text())![1]!;
    const formCookies = form.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const signIn = await fetch(`${cluster.url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: formCookies.join('; ') },
      body: new URLSearchParams({ _csrf: csrf, identifier: 'Maria Lopez', password: mfr.password }).toString(),
    });
    await signIn.arrayBuffer();
    expect(signIn.status).toBe(303);
    const session = signIn.headers.getSetCookie().find((c) => c.startsWith('puente_session='))!;
    expect(session).toBeDefined();
    const pages = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const r = await fetch(`${cluster.url}/`, { redirect: 'manual', headers: { accept: 'text/html', cookie: session.split(';')[0]! } });
        await r.arrayBuffer();
        return { status: r.status, instance: r.headers.get(INSTANCE_HEADER) };
      }),
    );
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(pages.map((p) => p.instance))).toEqual(new Set(['p1', 'p2', 'p3']));
  });

  it('30 racers with the same If-Match over three instances: exactly one 200, 29 × 412, one new history record', async () => {
    const n = 30;
    const id = await submissionInReview(cluster.url, mfr, fda, 'Racers through HAProxy');
    const before = await history(id);
    const version = before.length;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        send(`/v1/submissions/${id}/events`, {
          token: fda.token,
          headers: { 'if-match': `"${version}"` },
          json: { type: 'REQUEST_AI', data: { deficiencies: [`deficiency ${i}`] }, comment: `racer ${i}` },
        }),
      ),
    );
    const outcomes = answers.map((a) => `${a.status}${a.status === 200 ? '' : ` ${a.body?.code}`}`);
    console.log(`racers: ${JSON.stringify(tally(outcomes))}, answered by ${JSON.stringify(tally(answers.map((a) => a.instance ?? 'none')))}`);
    expect(tally(outcomes)).toEqual({ '200': 1, '412 version_mismatch': n - 1 });
    expect(new Set(answers.map((a) => a.instance)).size).toBe(3);
    const winner = answers.find((a) => a.status === 200)!;
    const after = await history(id);
    expect(after).toHaveLength(version + 1);
    expect(after.slice(0, version)).toEqual(before);
    expect(after[version]).toEqual(winner.body!.transition);
    expect(chainProblems(id, after)).toEqual([]);
  });

  it('the signing lock counts across instances: 16 wrong passwords at once → five 401, eleven 423, then the right one is refused too', async () => {
    const draft = await must('/v1/submissions', 201, {
      token: pat.token,
      json: { workflow: 'fda-510k', title: 'Parallel guesses', device: { name: 'Guess device' }, input: { format: 'eSTAR', variant: 'traditional' } },
    });
    const submit = (password: string) =>
      send(`/v1/submissions/${draft.id}/events`, {
        token: pat.token,
        headers: { 'if-match': '*' },
        json: { type: 'SUBMIT', signature: { meaning: 'responsibility', password } },
      });
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => submit(`Wrong-guess-${i}`)));
    console.log(
      `signing lock: ${JSON.stringify(tally(answers.map((a) => a.status)))}, answered by ${JSON.stringify(tally(answers.map((a) => a.instance ?? 'none')))}`,
    );
    expect(tally(answers.map((a) => a.status))).toEqual({ '401': SIGNING_MAX_FAILURES, '423': 16 - SIGNING_MAX_FAILURES });
    expect(new Set(answers.map((a) => a.instance)).size).toBeGreaterThanOrEqual(2);
    // Locked everywhere: the right password on each instance is refused unchecked.
    const right: Answer[] = [];
    for (let i = 0; i < 3; i++) right.push(await submit(pat.password));
    expect(right.map((a) => a.status)).toEqual([423, 423, 423]);
    expect(new Set(right.map((a) => a.instance)).size).toBe(3);
  });

  it(`the failed-authentication limit counts across instances: a bad token is refused ${AUTH_FAILURE_LIMIT} times (401), then throttled (429) on every instance`, async () => {
    const bad = `pte_${randomBytes(32).toString('base64url')}`;
    const answers: Answer[] = [];
    for (let i = 0; i < AUTH_FAILURE_LIMIT + 6; i++) answers.push(await send('/v1/submissions', { token: bad }));
    console.log(`bad token: ${answers.map((a) => `${a.status}@${a.instance}`).join(' ')}`);
    expect(answers.slice(0, AUTH_FAILURE_LIMIT).map((a) => a.status)).toEqual(Array<number>(AUTH_FAILURE_LIMIT).fill(401));
    const throttled = answers.slice(AUTH_FAILURE_LIMIT);
    expect(throttled.map((a) => a.status)).toEqual(Array<number>(6).fill(429));
    expect(throttled.every((a) => Number(a.retryAfter) >= 1)).toBe(true);
    // Per-process counting would have let each instance refuse 10 before throttling (30 in all).
    expect(new Set(throttled.map((a) => a.instance))).toEqual(new Set(['p1', 'p2', 'p3']));
    // A valid token is never throttled.
    expect((await send('/v1/submissions', { token: mfr.token })).status).toBe(200);
  });

  it('three sweepers fire each due deadline once (and note each missed goal once)', async () => {
    const count = 9;
    // AI requested on 2025-03-03: the 180-day answer window ended on 2025-08-30, so every
    // sweeper finds the deadline due the moment REQUEST_AI commits.
    const ids = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const s = await must('/v1/submissions', 201, {
          token: mfr.token,
          json: { workflow: 'fda-510k', title: `Sweeper ${i}`, device: { name: `Sweeper device ${i}` }, input: { format: 'eSTAR', variant: 'traditional' } },
        });
        const id = s.id as string;
        await must(`/v1/submissions/${id}/events`, 200, {
          token: mfr.token,
          json: { type: 'SUBMIT', effectiveAt: '2025-01-06', signature: { meaning: 'responsibility', password: mfr.password } },
        });
        await must(`/v1/submissions/${id}/events`, 200, { token: fda.token, json: { type: 'FEE_VERIFIED', effectiveAt: '2025-01-06' } });
        await must(`/v1/submissions/${id}/events`, 200, { token: fda.token, json: { type: 'SCREEN_PASS', effectiveAt: '2025-01-15' } });
        await must(`/v1/submissions/${id}/events`, 200, {
          token: fda.token,
          json: { type: 'REQUEST_AI', effectiveAt: '2025-03-03', data: { deficiencies: ['Provide the bench report'] } },
        });
        return id;
      }),
    );
    const started = Date.now();
    const fired = async () => (await Promise.all(ids.map(async (id) => (await history(id)).some((r) => r.type === 'AI_TIMEOUT')))).filter(Boolean).length;
    while ((await fired()) < count && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 250));
    // A few more passes of all three sweepers over what they already fired.
    await new Promise((r) => setTimeout(r, 3000));
    const problems: string[] = [];
    for (const id of ids) {
      const items = await history(id);
      problems.push(...chainProblems(id, items));
      const timeouts = items.filter((r) => r.type === 'AI_TIMEOUT');
      if (timeouts.length !== 1) problems.push(`${id}: ${timeouts.length} AI_TIMEOUT records`);
      const notes = items.filter((r) => r.type === 'GOAL_MISSED' || r.type === 'MMD_DUE').map((r) => `${r.type} ${r.data?.goal}`);
      for (const [note, n] of Object.entries(tally(notes))) if (n > 1) problems.push(`${id}: ${note} recorded ${n} times`);
      const view = await must(`/v1/submissions/${id}`, 200, { token: fda.token });
      if (view.state !== 'closed.deleted') problems.push(`${id}: state ${view.state}`);
    }
    const byInstance = Object.fromEntries(
      cluster.instances.map((i) => [
        i.name,
        i.logs
          .join('')
          .split('\n')
          .filter((l) => l.includes('"deadline fired"') && ids.some((id) => l.includes(id))).length,
      ]),
    );
    console.log(`sweepers: ${count} deadlines fired in ${((Date.now() - started) / 1000).toFixed(1)} s, by instance ${JSON.stringify(byInstance)}`);
    expect(problems).toEqual([]);
    expect(Object.values(byInstance).reduce((a, b) => a + b, 0)).toBe(count);
  });

  it('one instance killed with SIGKILL under load: every acknowledged command is in its chain once, retries with the Idempotency-Key get the first answer, audit verify passes', async () => {
    const LOOPS = 8;
    const LOAD_MS = 5000;
    const KILL_AT_MS = 1500;
    const ids = await Promise.all(Array.from({ length: LOOPS }, (_, i) => submissionInReview(cluster.url, mfr, fda, `Kill load ${i}`)));

    interface Command {
      readonly submissionId: string;
      readonly kind: 'upload' | 'event';
      readonly tag: string;
      readonly key: string;
      readonly path: string;
      readonly opts: Send;
      attempts: Answer[];
      final?: Answer;
    }
    const commands: Command[] = [];
    const started = Date.now();
    let stop = false;
    const victim = cluster.instances[1]!;
    const killer = (async () => {
      await new Promise((r) => setTimeout(r, KILL_AT_MS));
      victim.process.kill('SIGKILL');
      await new Promise<void>((r) => victim.process.once('exit', () => r()));
      return Date.now() - started;
    })();
    setTimeout(() => (stop = true), LOAD_MS);

    /** Sends `c` until an answer that is not a transport error or a gateway error, with the same Idempotency-Key. */
    async function deliver(c: Command): Promise<void> {
      for (let attempt = 0; attempt < 40; attempt++) {
        const a = await send(c.path, { ...c.opts, headers: { ...(c.opts.headers ?? {}), 'idempotency-key': c.key } });
        c.attempts.push(a);
        if (a.status !== 0 && a.status !== 502 && a.status !== 503 && a.status !== 504) {
          c.final = a;
          return;
        }
        await new Promise((r) => setTimeout(r, 100 + attempt * 50));
      }
    }

    await Promise.all(
      ids.map(async (id, loop) => {
        let onHold = false;
        for (let j = 0; !stop; j++) {
          const tag = `kill-l${loop}-c${j}`;
          const upload = j % 3 !== 2;
          const c: Command = upload
            ? {
                submissionId: id,
                kind: 'upload',
                tag,
                key: randomUUID(),
                path: `/v1/submissions/${id}/documents?kind=annex&filename=${tag}.pdf`,
                opts: { token: mfr.token, bytes: Buffer.from(`%PDF-1.4 ${tag}\n${'x'.repeat(512 + j)}`) },
                attempts: [],
              }
            : {
                submissionId: id,
                kind: 'event',
                tag,
                key: randomUUID(),
                path: `/v1/submissions/${id}/events`,
                opts: onHold
                  ? { token: mfr.token, json: { type: 'AI_RESPONSE', data: { summary: `answer for ${tag}` }, comment: tag } }
                  : { token: fda.token, json: { type: 'REQUEST_AI', data: { deficiencies: [`deficiency for ${tag}`] }, comment: tag } },
                attempts: [],
              };
          commands.push(c);
          await deliver(c);
          if (c.kind === 'event' && c.final?.status === 200) onHold = !onHold;
        }
      }),
    );
    const killedAt = await killer;
    const duration = Date.now() - started;

    const acked = commands.filter((c) => c.final && c.final.status >= 200 && c.final.status < 300);
    const refused = commands.filter((c) => c.final && c.final.status >= 400);
    const unresolved = commands.filter((c) => !c.final);
    const retried = commands.filter((c) => c.attempts.length > 1);
    const requests = commands.reduce((n, c) => n + c.attempts.length, 0);
    const failedAttempts = tally(
      commands.flatMap((c) => c.attempts.filter((a) => a.status === 0 || a.status >= 502).map((a) => (a.status === 0 ? 'transport' : a.status))),
    );
    const replayedDuringLoad = commands.filter((c) => c.final?.replayed).length;
    console.log(
      `SIGKILL of ${victim.name} at ${killedAt} ms: ${requests} requests for ${commands.length} commands in ${(duration / 1000).toFixed(1)} s; ` +
        `${acked.length} acknowledged, ${refused.length} refused (${JSON.stringify(tally(refused.map((c) => `${c.final!.status} ${c.final!.body?.code}`)))}), ` +
        `${retried.length} retried (failed attempts ${JSON.stringify(failedAttempts)}), ${replayedDuringLoad} answered by a replay of a commit the client never saw, ` +
        `${unresolved.length} unresolved; answers by instance ${JSON.stringify(tally(commands.flatMap((c) => c.attempts.map((a) => a.instance ?? 'none'))))}`,
    );
    expect(unresolved).toEqual([]);
    expect(refused.map((c) => `${c.tag}: ${c.final!.status} ${JSON.stringify(c.final!.body)}`)).toEqual([]);
    expect(acked.length).toBeGreaterThan(LOOPS * 5);
    // The load reached the victim before it died, and went on without it.
    expect(commands.some((c) => c.attempts.some((a) => a.instance === victim.name))).toBe(true);

    // Every acknowledged command asked again with its key: the first answer, marked as a replay.
    const replays = await Promise.all(acked.map((c) => send(c.path, { ...c.opts, headers: { ...(c.opts.headers ?? {}), 'idempotency-key': c.key } })));
    const differing = acked.filter((c, i) => {
      const r = replays[i]!;
      return r.status !== c.final!.status || !r.replayed || JSON.stringify(r.body) !== JSON.stringify(c.final!.body);
    });
    expect(differing.map((c) => c.tag)).toEqual([]);

    // Each chain: exactly the setup and every acknowledged command, each once, as acknowledged.
    const problems: string[] = [];
    for (const id of ids) {
      const items = await history(id);
      problems.push(...chainProblems(id, items));
      const mine = acked.filter((c) => c.submissionId === id);
      if (items.length !== SETUP_RECORDS + mine.length)
        problems.push(`${id}: ${items.length} records, expected ${SETUP_RECORDS} + ${mine.length} acknowledged`);
      const tags = items
        .slice(SETUP_RECORDS)
        .map((r) => (r.type === 'DOCUMENT_ADDED' ? (r.data?.filename as string).replace(/\.pdf$/, '') : (r.comment as string)));
      for (const [tag, n] of Object.entries(tally(tags))) if (n > 1) problems.push(`${id}: ${tag} applied ${n} times`);
      for (const c of mine) {
        const body = c.final!.body!;
        const row = rowFor(items, c.kind === 'event' ? { kind: 'event', id: body.transition.id as string } : { kind: 'upload', id: body.id as string });
        if (!row) problems.push(`${id}: acknowledged ${c.tag} is not in the history`);
        else if (c.kind === 'event' && JSON.stringify(row) !== JSON.stringify(body.transition))
          problems.push(`${id}: ${c.tag} differs from its acknowledgement`);
      }
    }
    expect(problems).toEqual([]);

    const verify = JSON.parse(await cli(['audit', 'verify', '--json'])) as Json;
    console.log(
      `audit verify: ok=${verify.ok}, ${verify.records} records in ${verify.submissions} submissions, transparency log ${verify.log?.treeSize} (checkpoint ${verify.log?.checkpointSize}), security log ${verify.securityLog?.entries} entries`,
    );
    expect(verify).toMatchObject({ ok: true, breaks: [], log: { ok: true }, securityLog: { ok: true } });
  }, 120_000);
});
