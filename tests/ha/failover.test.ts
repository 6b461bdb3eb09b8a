/**
 * PostgreSQL failover under load (issue 17 §2, DESIGN §8): a primary and a synchronous standby
 * managed by pg_auto_failover (scripts/ha/pg-auto-failover.sh: a monitor and two nodes on their
 * own ports and data folders), puente (`node bin/puente.js serve`) on a `DATABASE_URL` naming
 * both hosts with `target_session_attrs=read-write`, clients sending workflow events with
 * Idempotency-Keys, and the primary killed with SIGKILL (its pg_autoctl and postgres) mid-load.
 *
 * Shows: every command acknowledged (2xx) before, during and after the failover is in its chain
 * exactly once and every chain recomputes; during the switch a command answers 503 with
 * Retry-After, as problem+json without a stack or SQL, and is never half-applied; a client
 * retrying with the same Idempotency-Key gets the first answer; `puente audit verify` holds and
 * the transparency log stays append-only (a consistency proof from a checkpoint signed before the
 * kill to one signed after verifies); service is back within 30 s. Prints the set-up time and the
 * measured outage.
 *
 * Needs pg_autoctl (Debian's postgresql-15-auto-failover); skipped with a message without it.
 * `npm test` runs the short form (one failover); `npm run test:ha` sets HA_FULL=1: a longer load
 * and a second failover back to the first node after it rejoined as standby.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyConsistency } from '../../src/audit/merkle.js';
import { loadConfig } from '../../src/config.js';
import { initServices } from '../../src/services.js';
import { ROOT, type RunningServer } from '../support/server.js';
import {
  AI_HOLD,
  REVIEW,
  SETUP_RECORDS,
  auditVerify,
  chainProblems,
  must,
  nextEvent,
  prng,
  sleep,
  submissionInReview,
  type Json,
  type User,
} from '../reliability/helpers.js';

const exec = promisify(execFile);
const SCRIPT = path.join(ROOT, 'scripts/ha/pg-auto-failover.sh');
const FULL = process.env.HA_FULL === '1';
const SUBMISSIONS = FULL ? 12 : 6;
const LOOPS = FULL ? 8 : 6;
/** Failovers in one run: to the standby, and (full form) back to the first node once it rejoined. */
const FAILOVERS = FULL ? 2 : 1;
const LOAD_BEFORE_MS = FULL ? 4000 : 2500;
const LOAD_AFTER_MS = FULL ? 4000 : 2500;
const RECOVERY_BOUND_MS = 30_000;

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const pgBin = fs.existsSync('/usr/lib/postgresql') && fs.readdirSync('/usr/lib/postgresql').some((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`));
const AVAILABLE = which('pg_autoctl') && pgBin && process.platform === 'linux';
if (!AVAILABLE) {
  console.log('tests/ha/failover.test.ts skipped: pg_autoctl or the PostgreSQL server binaries are missing (apt-get install -y postgresql-15-auto-failover)');
}

/** Three consecutive free ports (monitor, node 1, node 2) from a random start. */
async function freePortBase(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let i = 0; i < 50; i++) {
    const base = 20000 + Math.floor(Math.random() * 20000);
    if ((await free(base)) && (await free(base + 1)) && (await free(base + 2))) return base;
  }
  throw new Error('no three free ports');
}

let dir: string;
let env: NodeJS.ProcessEnv;
let url: string;
let server: RunningServer | undefined;
let mfr: User;
let fda: User;
let admin: User;
let ids: string[] = [];
let setupMs = 0;
const rand = prng(20261208);

const cluster = (...args: string[]) => exec(SCRIPT, args, { env, timeout: 180_000 });

beforeAll(async () => {
  if (!AVAILABLE) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-ha-'));
  fs.chmodSync(dir, 0o755);
  env = { ...process.env, PGAF_DIR: path.join(dir, 'pgaf'), PGAF_PORT: String(await freePortBase()) };
  const t0 = Date.now();
  const { stdout } = await cluster('start');
  setupMs = Date.now() - t0;
  url = /DATABASE_URL=(\S+)/.exec(stdout)![1]!;
  console.log(`failover suite: pg_auto_failover monitor and two nodes ready in ${(setupMs / 1000).toFixed(1)} s; DATABASE_URL=${url}`);
  // In-process first: the migrations run here, so the server process only has to start.
  [mfr, fda, admin] = (await addUsers([
    ['Maria Lopez', 'manufacturer', 'Acme Medical'],
    ['Dr. James Carter', 'fda'],
    ['Grace Hopper', 'admin'],
  ])) as [User, User, User];
  // Checkpoints every second, so some are signed while the primary is gone.
  server = await startPuente(url, { CHECKPOINT_INTERVAL_SECONDS: '1', SWEEP_INTERVAL_SECONDS: '1' });
  ids = await Promise.all(Array.from({ length: SUBMISSIONS }, (_, i) => submissionInReview(server!.url, mfr, fda, `Failover ${i}`)));
}, 300_000);

/**
 * `node bin/puente.js serve` as tests/support/server.ts starts it, waiting up to 2 minutes for it to
 * listen (a loaded machine takes longer than its 30 s to load the TypeScript sources).
 */
async function startPuente(databaseUrl: string, extra: Record<string, string>): Promise<RunningServer> {
  const child = spawn(process.execPath, ['bin/puente.js', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  child.stderr.on('data', (c: Buffer) => logs.push(c.toString()));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`puente did not start:\n${logs.join('')}`)), 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      logs.push(chunk.toString());
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(logs.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`puente exited with ${code}:\n${logs.join('')}`));
    });
  });
  return {
    url: base,
    process: child,
    logs,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/**
 * Users made in-process on the multi-host URL, as `puente user add` makes them (the CLI costs a
 * process start per user; `puente audit verify` below is the CLI's turn).
 */
async function addUsers(specs: Array<[name: string, role: 'manufacturer' | 'fda' | 'admin', org?: string]>): Promise<User[]> {
  const services = await initServices(loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' }));
  try {
    const made: User[] = [];
    for (const [name, role, org] of specs) {
      const password = `Failover-${role}-2026`;
      const passwordHash = await services.signatures.hashNewPassword(password, name, '/password');
      const { user, token } = await services.users.create({ name, role, organization: org, passwordHash });
      made.push({ id: user.id, token, role, password });
    }
    return made;
  } finally {
    await services.shutdown();
  }
}

afterAll(async () => {
  if (!AVAILABLE) return;
  if (server && server.process.exitCode === null) await server.stop('SIGKILL');
  await cluster('destroy').catch((e) => console.log(`failover suite: destroy failed: ${String(e)}`));
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** One answer: status, headers that matter, body; or a transport error. */
interface Answer {
  /** When the request was sent, and when its answer (or transport error) came. */
  readonly sentAt: number;
  readonly at: number;
  readonly status: number | null;
  readonly retryAfter: string | null;
  readonly contentType: string | null;
  readonly text: string;
  readonly body: Json | null;
}

async function send(base: string, pathname: string, token: string, json: unknown, key: string): Promise<Answer> {
  const sentAt = Date.now();
  try {
    const res = await fetch(`${base}${pathname}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(json),
    });
    const text = await res.text();
    let body: Json | null = null;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      body = null;
    }
    return { sentAt, at: Date.now(), status: res.status, retryAfter: res.headers.get('retry-after'), contentType: res.headers.get('content-type'), text, body };
  } catch (e) {
    return { sentAt, at: Date.now(), status: null, retryAfter: null, contentType: null, text: String(e), body: null };
  }
}

/** A command: one Idempotency-Key, sent again with the same key until it gets a final answer. */
interface Command {
  readonly submissionId: string;
  readonly type: string;
  readonly tag: string;
  readonly key: string;
  readonly token: string;
  readonly body: Json;
  readonly answers: Answer[];
  /** The first final answer: 2xx (acknowledged) or 409 (the state had moved on). */
  final?: Answer;
}

const isFinal = (a: Answer) => a.status !== null && (a.status < 300 || a.status === 409);
const isAck = (c: Command) => c.final?.status !== undefined && c.final.status !== null && c.final.status < 300;

/**
 * `LOOPS` clients: each picks a submission and sends the event that leaves the state it believes
 * the submission is in, with a fresh Idempotency-Key; a 503 or a broken connection is retried with
 * the same key after Retry-After (at most 1 s: an eager client), until a final answer.
 */
function load(prefix: string) {
  const commands: Command[] = [];
  const believed = new Map<string, string>(ids.map((id) => [id, REVIEW]));
  let stopped = false;
  let n = 0;
  const loop = async (l: number) => {
    while (!stopped) {
      const submissionId = ids[Math.floor(rand() * ids.length)]!;
      const tag = `${prefix}-l${l}-${n++}`;
      const ev = nextEvent(believed.get(submissionId) ?? REVIEW, tag);
      const c: Command = {
        submissionId,
        type: ev.body.type as string,
        tag,
        key: `ha-${tag}`,
        token: ev.role === 'fda' ? fda.token : mfr.token,
        body: ev.body,
        answers: [],
      };
      commands.push(c);
      for (;;) {
        const a = await send(server!.url, `/v1/submissions/${submissionId}/events`, c.token, c.body, c.key);
        c.answers.push(a);
        if (isFinal(a)) {
          c.final = a;
          break;
        }
        const wait = a.retryAfter ? Math.min(Number(a.retryAfter) * 1000, 1000) : 200;
        await sleep(wait);
      }
      if (c.final.status === 200) believed.set(submissionId, c.final.body?.submission?.state);
      else if (c.final.status === 409) believed.set(submissionId, c.type === 'REQUEST_AI' ? AI_HOLD : REVIEW);
    }
  };
  const running = Promise.all(Array.from({ length: LOOPS }, (_, l) => loop(l)));
  return {
    commands,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

async function checkpoint(): Promise<Json> {
  // An admin's checkpoint on demand; during an outage it is retried like any command.
  for (let i = 0; ; i++) {
    const res = await fetch(`${server!.url}/v1/audit/checkpoints`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` } });
    if (res.status === 201) return (await res.json()) as Json;
    if (i > 100) throw new Error(`checkpoint: ${res.status} ${await res.text()}`);
    await sleep(300);
  }
}

/** Polls `check` every 100 ms until it answers something other than null; throws after `ms`. */
async function waitFor<T>(check: () => Promise<T | null>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Port of the current primary, from the monitor. */
async function primaryPort(): Promise<string> {
  return (await cluster('primary')).stdout.trim();
}

describe.skipIf(!AVAILABLE)(`PostgreSQL failover under load (pg_auto_failover, ${FULL ? 'full' : 'short'} form)`, () => {
  it(`keeps every acknowledged command exactly once across ${FAILOVERS} failover(s), answers 503 with Retry-After meanwhile, and is back within 30 s`, async () => {
    const before = await checkpoint();
    const run = load('ha');
    const outages: Array<{ killedAt: number; port: string; firstFailure: number | null; firstAckAfter: number; newPrimary: string }> = [];
    await sleep(LOAD_BEFORE_MS);
    for (let f = 0; f < FAILOVERS; f++) {
      if (f > 0) {
        // The killed node rejoins as a standby; then the new primary is killed in turn.
        const rejoin = Date.now();
        await cluster('start-node', Number(outages[f - 1]!.port) === Number(env.PGAF_PORT) + 1 ? '1' : '2');
        await waitFor(
          async () => ((await cluster('status')).stdout.match(/\|\s+secondary\s+\|\s+secondary\s*$/m) ? true : null),
          120_000,
          'the killed node to rejoin as standby',
        );
        console.log(`failover suite: the killed node rejoined as synchronous standby in ${((Date.now() - rejoin) / 1000).toFixed(1)} s`);
        await sleep(LOAD_BEFORE_MS);
      }
      const port = await primaryPort();
      const killing = Date.now();
      await cluster('kill-primary'); // the script's last step is the SIGKILL
      const killedAt = Date.now();
      // Back: a command sent after the kill is acknowledged.
      const firstAckAfter = await waitFor(
        async () => {
          const acked = run.commands.flatMap((c) => c.answers).filter((a) => a.sentAt > killedAt && a.status !== null && a.status < 300);
          return acked.length > 0 ? Math.min(...acked.map((a) => a.at)) : null;
        },
        RECOVERY_BOUND_MS + 30_000,
        'a command acknowledged after the kill',
      );
      const failures = run.commands.flatMap((c) => c.answers).filter((a) => a.at > killing && !isFinal(a));
      const newPrimary = await waitFor(
        async () => {
          const p = await primaryPort();
          return p && p !== port ? p : null;
        },
        60_000,
        'the monitor to name the new primary',
      );
      outages.push({ killedAt, port, firstFailure: failures.length ? Math.min(...failures.map((a) => a.at)) : null, firstAckAfter, newPrimary });
      await sleep(LOAD_AFTER_MS);
    }
    await run.stop();
    const after = await checkpoint();

    const { commands } = run;
    const acked = commands.filter(isAck);
    const answers = commands.flatMap((c) => c.answers);
    const unavailable = answers.filter((a) => a.status === 503);
    const transport = answers.filter((a) => a.status === null);
    for (const [i, o] of outages.entries()) {
      const outage = o.firstAckAfter - o.killedAt;
      console.log(
        `failover suite: failover ${i + 1}: primary on port ${o.port} killed; commands acknowledged again on port ${o.newPrimary} after ${(outage / 1000).toFixed(2)} s` +
          (o.firstFailure
            ? `; clients saw ${((o.firstAckAfter - o.firstFailure) / 1000).toFixed(2)} s from the first failed answer to the first acknowledgement`
            : ''),
      );
      expect(outage, 'service back within 30 s').toBeLessThan(RECOVERY_BOUND_MS);
      expect(o.newPrimary).not.toBe(o.port);
    }
    console.log(
      `failover suite: ${commands.length} commands, ${acked.length} acknowledged, ${commands.filter((c) => c.final?.status === 409).length} refused (409), ` +
        `${unavailable.length} answers 503, ${transport.length} transport errors, ${commands.filter((c) => c.answers.length > 1).length} retried with their Idempotency-Key; set-up ${(setupMs / 1000).toFixed(1)} s`,
    );
    expect(acked.length).toBeGreaterThan(20);
    // The switch was seen by clients, and answered as the contract says.
    expect(unavailable.length + transport.length).toBeGreaterThan(0);
    for (const a of unavailable) {
      expect(a.retryAfter).toMatch(/^\d+$/);
      expect(a.contentType).toMatch(/^application\/problem\+json/);
      expect(a.body).toMatchObject({ status: 503, code: 'unavailable' });
      expect(a.text).not.toMatch(/\bat \S+ \(|node_modules|select |insert |update |ECONN|postgres/i);
    }
    // Never anything but 2xx, 409 (the state moved on), 503 during the switch (an unhandled
    // error's log line says which error was not mapped).
    const unhandled = server!.logs
      .join('')
      .split('\n')
      .filter((l) => l.includes('unhandled error'))
      .map((l) => {
        const err = (JSON.parse(l) as { err?: { type?: string; code?: string; message?: string } }).err;
        return `${err?.type} ${err?.code} ${err?.message}`;
      });
    if (unhandled.length) console.log(`failover suite: unhandled errors:\n${unhandled.join('\n')}`);
    expect(
      answers.filter((a) => a.status !== null && a.status >= 300 && a.status !== 409 && a.status !== 503).map((a) => `${a.status} ${a.text.slice(0, 200)}`),
    ).toEqual([]);

    // Every chain recomputes, every acknowledged command is in it exactly once, as acknowledged;
    // nothing is written that was not sent, nothing twice, nothing refused.
    const problems: string[] = [];
    let records = 0;
    for (const id of ids) {
      const items = (await must(server!.url, `/v1/submissions/${id}/history`, 200, { token: fda.token })).items as Json[];
      records += items.length;
      problems.push(...chainProblems(id, items));
      const view = await must(server!.url, `/v1/submissions/${id}`, 200, { token: fda.token });
      if (view.version !== items.length) problems.push(`${id}: version ${view.version}, ${items.length} records (half-applied?)`);
      const sent = new Map(commands.filter((c) => c.submissionId === id).map((c) => [c.tag, c]));
      const seen = new Map<string, number>();
      for (const r of items.slice(SETUP_RECORDS)) {
        const c = sent.get(r.comment as string);
        if (!c) problems.push(`${id}: record ${r.seq} (${r.type}) was never sent`);
        else if (c.type !== r.type) problems.push(`${id}: record ${r.seq} is ${r.type}, sent ${c.type}`);
        seen.set(r.comment as string, (seen.get(r.comment as string) ?? 0) + 1);
      }
      for (const c of sent.values()) {
        const times = seen.get(c.tag) ?? 0;
        if (times > 1) problems.push(`${id}: ${c.tag} written ${times} times`);
        if (c.final?.status === 409 && times > 0) problems.push(`${id}: ${c.tag} refused (409) but written`);
        if (!isAck(c)) continue;
        const row = items.find((r) => r.id === c.final!.body?.transition?.id);
        if (!row || times !== 1) problems.push(`${id}: acknowledged ${c.tag} is ${row ? `written ${times} times` : 'not in the chain'}`);
        else if (JSON.stringify(row) !== JSON.stringify(c.final!.body!.transition))
          problems.push(`${id}: record ${row.seq} differs from the acknowledged ${c.tag}`);
      }
    }
    expect(problems).toEqual([]);

    // A retry with the same Idempotency-Key answers the first answer, for every acknowledged command.
    const replays = await Promise.all(acked.map((c) => send(server!.url, `/v1/submissions/${c.submissionId}/events`, c.token, c.body, c.key)));
    const differing = replays.flatMap((r, i) =>
      r.status === acked[i]!.final!.status && r.text === acked[i]!.final!.text ? [] : [`${acked[i]!.tag}: ${r.status} ${r.text.slice(0, 200)}`],
    );
    expect(differing).toEqual([]);

    // The record holds: `puente audit verify` (chains, rows, documents, the transparency log) on the multi-host URL.
    const audit = await auditVerify(url);
    expect(audit).toMatchObject({ ok: true, breaks: [], exitCode: 0, submissions: ids.length, records });
    // The log only grew: the checkpoint signed after the failover extends the one signed before it.
    const proof = await must(server!.url, `/v1/audit/proofs/consistency?from=${before.treeSize}&to=${after.treeSize}`, 200, { token: admin.token });
    const ok = verifyConsistency(
      Number(before.treeSize),
      Number(after.treeSize),
      (proof.proof as string[]).map((p) => Buffer.from(p, 'hex')),
      Buffer.from(before.rootHash as string, 'hex'),
      Buffer.from(after.rootHash as string, 'hex'),
    );
    expect(ok).toBe(true);
  }, 300_000);
});
