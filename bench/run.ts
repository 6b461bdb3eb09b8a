/**
 * `npm run bench`: seeds a dataset, starts puente and the ceiling program as their own
 * processes, drives them with autocannon from this process, and prints one table (median of
 * interleaved rounds) with puente's event throughput as a ratio of the ceiling's.
 *
 *   npm run bench                      # 10,000 submissions / 100,000 history rows, SQLite
 *   npm run bench -- --large           # 100,000 / 1,000,000
 *   npm run bench -- --duration 10 --rounds 5 --out bench-results.json
 *   npm run bench -- --only event        # only the cases whose name contains "event" (several: --only list,portfolio)
 *   npm run bench -- --only around       # the insights (API, page) and the calendar feed (tracker issue 16)
 *   npm run bench -- --soak 600          # then 10 minutes of mixed load (events, reads, lists, web pages,
 *                                        # insights) on a server with its sweeper on, sampling its memory
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench   # also PostgreSQL
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { verifyDatabase } from '../src/engine/verify.js';
import { migrate, openDatabase } from '../src/store/db.js';
import { initServices } from '../src/services.js';
import { seed, type SeedResult } from './seed.js';
import { verifyWithDocuments } from './verify-docs.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    large: { type: 'boolean', default: false },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench-results.json' },
    only: { type: 'string' },
    soak: { type: 'string', default: '0' },
  },
});
const DURATION = Number(args.duration);
const ROUNDS = Number(args.rounds);
const SIZE = args.large
  ? { count: 100_000, rowsEach: 10, longCount: 20, overdueCount: 10_000 }
  : { count: 10_000, rowsEach: 10, longCount: 20, overdueCount: 1_000 };

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  statusCodes?: Record<string, unknown>;
  /** Around the record: the first read of the round (alone, before the timed run), which rebuilds what the writes before it changed. */
  firstMs?: number;
}
interface CaseResult extends Sample {
  name: string;
  connections: number;
  rounds: Sample[];
}

function log(msg: string) {
  process.stderr.write(`${msg}\n`);
}

function startProcess(args: string[], env: Record<string, string>, pattern: RegExp): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer) => {
      if (out.length < 100_000) out += c.toString();
      const m = pattern.exec(out);
      if (m) {
        child.stdout.removeListener('data', onData);
        child.stdout.resume(); // keep draining the request log
        resolve({ child, url: m[1]! });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** One autocannon run; `okStatus` names a success that is not 2xx (the web form's 303 redirect). */
async function load(opts: autocannon.Options, okStatus?: number): Promise<Sample> {
  const r = await autocannon({ ...opts, duration: DURATION });
  const stats = (r.statusCodeStats ?? {}) as Record<string, { count: number }>;
  const notOk = okStatus === undefined ? r.non2xx : Object.entries(stats).reduce((n, [code, v]) => n + (Number(code) === okStatus ? 0 : v.count), 0);
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: notOk,
    errors: r.errors,
    ...(notOk ? { statusCodes: r.statusCodeStats } : {}),
  };
}

/**
 * wrk (a load generator in C), when it is installed (Debian: `apt-get install wrk`): autocannon,
 * in JavaScript on the same two cores, is the limit on large bodies (a whole calendar), not the server.
 */
const WRK = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // wrk --version exits 1 after printing its version; only a missing binary throws ENOENT.
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
})();

/** A wrk run of GET `url` (`--latency`): its requests a second, p50, p99 and responses that were not 2xx or 3xx. */
function wrkLoad(opts: { url: string; headers: Record<string, string>; connections: number }): Promise<Sample> {
  const args = [
    '-t1',
    `-c${opts.connections}`,
    `-d${DURATION}s`,
    '--latency',
    ...Object.entries(opts.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    opts.url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = (label: string) => {
        const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
        if (!m) return NaN;
        return Number(m[1]) * (m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1);
      };
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      if (code !== 0 || !Number.isFinite(rps)) return reject(new Error(`wrk exited ${code}: ${out}`));
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const errors = [...out.matchAll(/(connect|read|write|timeout) (\d+)/g)].reduce((n, m) => n + Number(m[2]), 0);
      resolve({ rps, p50: Math.round(ms('50%')), p99: Math.round(ms('99%')), non2xx, errors });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Target {
  label: string;
  puenteUrl: string;
  ceilingUrl: string;
  data: SeedResult;
  sorted: string[];
  /** The nextDue-sort cursor of the row 60 before the end (a deep page of `sort=nextDue`). */
  dueCursor: string;
}

/** The soak's mixed requests (events, GET, history), set by cases(). */
let soakRequests: () => autocannon.Request[] = () => [];

/**
 * Mixed load at 10 clients for `seconds`, sampling the server's resident size every 5 s. Growth is
 * measured from the end of the first minute (heap sized, code compiled) to the end.
 */
async function soak(url: string, pid: number, seconds: number) {
  const samples: Array<{ t: number; mb: number }> = [];
  const t0 = Date.now();
  const timer = setInterval(() => samples.push({ t: (Date.now() - t0) / 1000, mb: rssMb(pid) }), 5000);
  const r = await autocannon({ url, connections: 10, duration: seconds, requests: soakRequests() });
  clearInterval(timer);
  samples.push({ t: (Date.now() - t0) / 1000, mb: rssMb(pid) });
  const warm = samples.find((x) => x.t >= Math.min(60, seconds / 5)) ?? samples[0]!;
  const end = samples[samples.length - 1]!;
  const half = samples.find((x) => x.t >= seconds / 2) ?? samples[0]!;
  const max = Math.max(...samples.map((x) => x.mb));
  return {
    seconds,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    statusCodes: r.statusCodeStats,
    warmMb: warm.mb,
    warmAt: warm.t,
    endMb: end.mb,
    maxMb: max,
    growthPct: ((end.mb - warm.mb) / warm.mb) * 100,
    halfMb: half.mb,
    lastHalfGrowthPct: ((end.mb - half.mb) / half.mb) * 100,
    p99: r.latency.p99,
    rps: r.requests.average,
    samples,
  };
}

/** Builds every case of one database target; each returns a fresh autocannon run. */
function cases(t: Target): Array<{ name: string; connections: number; run: () => Promise<Sample>; warm?: { url: string; headers: Record<string, string> } }> {
  const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  const next = new Map<string, 'REQUEST_AI' | 'AI_RESPONSE'>();
  let cursor = 0;
  // The next event of a submission flips only once its last one is acknowledged: a request set
  // up when a run ends is never sent, and must not skip a step of the alternation.
  const eventRequest = () => ({
    method: 'POST' as const,
    setupRequest: (req: autocannon.Request, ctx: object) => {
      // Requests on a connection are answered in order; the next one may be set up before the
      // previous answer arrives, so what was sent waits in a per-connection queue.
      const context = ctx as { sent?: Array<{ id: string; type: 'REQUEST_AI' | 'AI_RESPONSE' }> };
      const id = t.data.submissionIds[cursor++ % t.data.submissionIds.length]!;
      const type = next.get(id) ?? 'REQUEST_AI';
      (context.sent ??= []).push({ id, type });
      const body =
        type === 'REQUEST_AI' ? { type, data: { deficiencies: ['Provide the bench report'] } } : { type, data: { summary: 'Bench report attached' } };
      return {
        ...req,
        path: `/v1/submissions/${id}/events`,
        headers: auth(type === 'REQUEST_AI' ? t.data.tokens.fda : t.data.tokens.manufacturer),
        body: JSON.stringify(body),
      };
    },
    onResponse: (status: number, _body: string, ctx: object) => {
      const sent = (ctx as { sent?: Array<{ id: string; type: 'REQUEST_AI' | 'AI_RESPONSE' }> }).sent?.shift();
      // A 409 means the submission is already in the other state: a request of the previous run
      // that the server completed after the load generator stopped listening (at most one per
      // connection at a run boundary). Follow the server.
      if (sent && (status === 200 || status === 409)) next.set(sent.id, sent.type === 'REQUEST_AI' ? 'AI_RESPONSE' : 'REQUEST_AI');
    },
  });
  // The same alternation through the web interface's event form (issue 7): a urlencoded form with
  // the session cookie and CSRF token; success is the 303 back to the submission page.
  const webEventRequest = () => ({
    method: 'POST' as const,
    setupRequest: (req: autocannon.Request, ctx: object) => {
      const context = ctx as { sent?: Array<{ id: string; type: 'REQUEST_AI' | 'AI_RESPONSE' }> };
      const id = t.data.submissionIds[cursor++ % t.data.submissionIds.length]!;
      const type = next.get(id) ?? 'REQUEST_AI';
      (context.sent ??= []).push({ id, type });
      const session = type === 'REQUEST_AI' ? t.data.sessions.fda : t.data.sessions.manufacturer;
      const form = new URLSearchParams({
        _csrf: session.csrf,
        type,
        ...(type === 'REQUEST_AI' ? { 'data.deficiencies': 'Provide the bench report' } : { 'data.summary': 'Bench report attached' }),
      });
      return {
        ...req,
        path: `/submissions/${id}/events`,
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: form.toString(),
      };
    },
    onResponse: (status: number, _body: string, ctx: object) => {
      const sent = (ctx as { sent?: Array<{ id: string; type: 'REQUEST_AI' | 'AI_RESPONSE' }> }).sent?.shift();
      if (sent && (status === 303 || status === 409)) next.set(sent.id, sent.type === 'REQUEST_AI' ? 'AI_RESPONSE' : 'REQUEST_AI');
    },
  });
  let pageCursor = 0;
  const webPageRequest = () => ({
    method: 'GET' as const,
    setupRequest: (req: autocannon.Request) => ({
      ...req,
      path: `/submissions/${t.data.longHistoryIds[pageCursor++ % t.data.longHistoryIds.length]}`,
      headers: { cookie: t.data.sessions.auditor.cookie, accept: 'text/html' },
    }),
  });
  let ceilingCursor = 0;
  const ceilingRequest = () => ({
    method: 'POST' as const,
    setupRequest: (req: autocannon.Request) => {
      const id = t.data.submissionIds[ceilingCursor++ % t.data.submissionIds.length]!;
      return {
        ...req,
        path: `/ceiling/${id}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'REQUEST_AI', data: { deficiencies: ['Provide the bench report'] } }),
      };
    },
  });
  // The same transaction on the sqlite3 driver without Knex (bench/ceiling.ts, SQLite only).
  const rawCeilingRequest = () => {
    const r = ceilingRequest();
    return {
      ...r,
      setupRequest: (req: autocannon.Request) => {
        const ceiling = r.setupRequest(req);
        return { ...ceiling, path: ceiling.path.replace('/ceiling/', '/raw/') };
      },
    };
  };
  let readCursor = 0;
  const getRequest = () => ({
    method: 'GET' as const,
    setupRequest: (req: autocannon.Request) => ({
      ...req,
      path: `/v1/submissions/${t.data.submissionIds[(readCursor += 7919) % t.data.submissionIds.length]}`,
      headers: auth(t.data.tokens.auditor),
    }),
  });
  let histCursor = 0;
  const historyRequest = () => ({
    method: 'GET' as const,
    setupRequest: (req: autocannon.Request) => ({
      ...req,
      path: `/v1/submissions/${t.data.longHistoryIds[histCursor++ % t.data.longHistoryIds.length]}/history`,
      headers: auth(t.data.tokens.auditor),
    }),
  });
  const listQuery = 'workflow=fda-510k&status=active&limit=50';
  // A page deep in the list: the keyset cursor of the submission 50 rows before the end.
  const deepCursor = Buffer.from(t.sorted[t.sorted.length - 60]!, 'utf8').toString('base64url');
  // The soak (issue 12 §3): events, reads, lists, the portfolio and a submission's page, the insights.
  soakRequests = () => [
    eventRequest(),
    getRequest(),
    historyRequest(),
    { method: 'GET', path: `/v1/submissions?${listQuery}`, headers: auth(t.data.tokens.auditor) },
    { method: 'GET', path: '/v1/submissions?overdue=true&limit=50', headers: auth(t.data.tokens.auditor) },
    { method: 'GET', path: '/', headers: { cookie: t.data.sessions.auditor.cookie, accept: 'text/html' } },
    webPageRequest(),
    { method: 'GET', path: '/v1/insights', headers: auth(t.data.tokens.auditor) },
  ];
  const out: Array<{ name: string; connections: number; run: () => Promise<Sample>; warm?: { url: string; headers: Record<string, string> } }> = [];
  for (const connections of [1, 10]) {
    out.push({ name: 'event (puente)', connections, run: () => load({ url: t.puenteUrl, connections, requests: [eventRequest()] }) });
    out.push({ name: 'event (ceiling)', connections, run: () => load({ url: t.ceilingUrl, connections, requests: [ceilingRequest()] }) });
    if (t.label === 'SQLite')
      out.push({ name: 'event (raw ceiling)', connections, run: () => load({ url: t.ceilingUrl, connections, requests: [rawCeilingRequest()] }) });
    out.push({ name: 'GET submission', connections, run: () => load({ url: t.puenteUrl, connections, requests: [getRequest()] }) });
    out.push({ name: 'GET history (100 rows)', connections, run: () => load({ url: t.puenteUrl, connections, requests: [historyRequest()] }) });
    out.push({
      name: 'list, first page',
      connections,
      run: () => load({ url: `${t.puenteUrl}/v1/submissions?${listQuery}`, connections, headers: auth(t.data.tokens.auditor) }),
    });
    out.push({
      name: 'list, deep page',
      connections,
      run: () => load({ url: `${t.puenteUrl}/v1/submissions?${listQuery}&cursor=${deepCursor}`, connections, headers: auth(t.data.tokens.auditor) }),
    });
    // Portfolio queries of issue 5: what is overdue, and the soonest due first (a deep page).
    out.push({
      name: 'list, overdue',
      connections,
      run: () => load({ url: `${t.puenteUrl}/v1/submissions?overdue=true&limit=50`, connections, headers: auth(t.data.tokens.auditor) }),
    });
    out.push({ name: 'web event form (303)', connections, run: () => load({ url: t.puenteUrl, connections, requests: [webEventRequest()] }, 303) });
    out.push({ name: 'web submission page (100 rows)', connections, run: () => load({ url: t.puenteUrl, connections, requests: [webPageRequest()] }) });
    out.push({
      name: 'web portfolio page',
      connections,
      run: () => load({ url: `${t.puenteUrl}/`, connections, headers: { cookie: t.data.sessions.auditor.cookie, accept: 'text/html' } }),
    });
    // Around the record (tracker issue 16): the insights (API and page) and the calendar feed over every seeded submission.
    // Each is read once before the runs (`warm`): the first read after a change builds what the next ones reuse.
    const around: Array<{ name: string; warm: { url: string; headers: Record<string, string> } }> = [
      { name: 'around: insights API', warm: { url: `${t.puenteUrl}/v1/insights`, headers: auth(t.data.tokens.auditor) } },
      { name: 'around: insights page', warm: { url: `${t.puenteUrl}/insights`, headers: { cookie: t.data.sessions.auditor.cookie, accept: 'text/html' } } },
      // Calendar clients (Outlook, Google, Apple) send Accept-Encoding: gzip; the plain one is measured too.
      {
        name: 'around: calendar feed (gzip)',
        warm: { url: `${t.puenteUrl}/v1/calendar.ics`, headers: { ...auth(t.data.tokens.auditor), 'accept-encoding': 'gzip' } },
      },
      { name: 'around: calendar feed (identity)', warm: { url: `${t.puenteUrl}/v1/calendar.ics`, headers: auth(t.data.tokens.auditor) } },
    ];
    // Each round's first read rebuilds what the round's writes changed (thousands of steps by
    // then): it is timed on its own (`firstMs`), and the timed run measures what readers get after it.
    const firstRead = async (w: { url: string; headers: Record<string, string> }) => {
      const t0 = performance.now();
      const r = await fetch(w.url, { headers: w.headers });
      await r.arrayBuffer();
      return { ms: performance.now() - t0, etag: r.headers.get('etag') ?? '' };
    };
    for (const a of around) {
      out.push({
        name: a.name,
        connections,
        warm: a.warm,
        run: async () => {
          const first = await firstRead(a.warm);
          return { ...(await load({ ...a.warm, connections })), firstMs: first.ms };
        },
      });
    }
    // The whole calendar again, driven by wrk when it is installed (autocannon cannot take in its bodies fast enough).
    if (WRK) {
      for (const a of around.filter((x) => x.name.startsWith('around: calendar feed'))) {
        out.push({
          name: `${a.name.replace(')', ', wrk)')}`,
          connections,
          warm: a.warm,
          run: async () => {
            const first = await firstRead(a.warm);
            return { ...(await wrkLoad({ ...a.warm, connections })), firstMs: first.ms };
          },
        });
      }
    }
    // A calendar client polling: it sends back the entity tag it holds and gets 304 until something changes.
    const poll = { url: `${t.puenteUrl}/v1/calendar.ics`, headers: { ...auth(t.data.tokens.auditor), 'accept-encoding': 'gzip' } };
    out.push({
      name: 'around: calendar feed (poll, 304)',
      connections,
      warm: poll,
      run: async () => {
        const first = await firstRead(poll);
        return { ...(await load({ ...poll, headers: { ...poll.headers, 'if-none-match': first.etag }, connections }, 304)), firstMs: first.ms };
      },
    });
    out.push({
      name: 'list, nextDue deep page',
      connections,
      run: () => load({ url: `${t.puenteUrl}/v1/submissions?sort=nextDue&limit=50&cursor=${t.dueCursor}`, connections, headers: auth(t.data.tokens.auditor) }),
    });
  }
  return out;
}

async function prepare(label: string, puenteDb: string, ceilingDb: string, copy: () => Promise<void>) {
  log(`[${label}] seeding ${SIZE.count.toLocaleString()} submissions …`);
  const db = openDatabase(puenteDb);
  await migrate(db);
  const t0 = Date.now();
  const data = await seed(db.knex, SIZE);
  log(`[${label}] seeded ${data.rows.toLocaleString()} history rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const v0 = process.hrtime.bigint();
  const verified = await verifyDatabase(db.reader);
  const verifySeconds = Number(process.hrtime.bigint() - v0) / 1e9;
  if (!verified.ok) throw new Error(`seeded chains do not verify: ${JSON.stringify(verified.breaks.slice(0, 3))}`);
  const sorted = [...data.submissionIds, ...data.longHistoryIds].sort();
  const total = sorted.length;
  const deepDue = (await db
    .knex('submissions')
    .select('next_due_key', 'id')
    .orderBy([{ column: 'next_due_key' }, { column: 'id' }])
    .offset(total - 60)
    .first()) as { next_due_key: string; id: string };
  const dueCursor = Buffer.from(`${deepDue.next_due_key}|${deepDue.id}`, 'utf8').toString('base64url');
  await db.destroy();
  await copy();
  void ceilingDb;
  return { data, sorted, dueCursor, verifyRowsPerSecond: verified.records / verifySeconds };
}

async function runTarget(label: string, puenteDb: string, ceilingDb: string, copy: () => Promise<void>) {
  const { data, sorted, dueCursor, verifyRowsPerSecond } = await prepare(label, puenteDb, ceilingDb, copy);
  // The in-process sweeper is off during the HTTP cases: its passes are measured on their own.
  const puente = await startProcess(
    ['bin/puente.js', 'serve'],
    { DATABASE_URL: puenteDb, LOG_LEVEL: 'info', SWEEP_INTERVAL_SECONDS: '0' },
    /listening on (http:\/\/[\d.]+:\d+)/,
  );
  const ceiling = await startProcess(['--import', 'tsx', 'bench/ceiling.ts'], { DATABASE_URL: ceilingDb }, /ceiling listening on (http:\/\/[\d.]+:\d+)/);
  try {
    const target: Target = { label, puenteUrl: puente.url, ceilingUrl: ceiling.url, data, sorted, dueCursor };
    const all = cases(target).filter((c) => !args.only || args.only.split(',').some((o) => c.name.includes(o)));
    // Warm-up: JIT, caches, connection pools.
    for (const c of all)
      await autocannon({
        url: c.name.includes('ceiling') ? ceiling.url : puente.url,
        connections: 1,
        amount: 20,
        requests: [{ method: 'GET', path: '/healthz' }],
      });
    for (const c of all) if (c.warm) await fetch(c.warm.url, { headers: c.warm.headers }).then((r) => r.arrayBuffer());
    const rssStart = rssMb(puente.child.pid!);
    const samples = new Map<string, Sample[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const c of all) {
        const key = `${c.name}|${c.connections}`;
        const s = await c.run();
        samples.set(key, [...(samples.get(key) ?? []), s]);
        log(
          `[${label}] round ${round}/${ROUNDS} ${c.name.padEnd(24)} c=${String(c.connections).padEnd(2)} ${s.rps.toFixed(0).padStart(6)} req/s p50 ${s.p50} ms p99 ${s.p99} ms${s.firstMs !== undefined ? ` (first read ${s.firstMs.toFixed(0)} ms)` : ''}${s.non2xx || s.errors ? ` non2xx ${s.non2xx} errors ${s.errors} ${JSON.stringify(s.statusCodes ?? {})}` : ''}`,
        );
      }
    }
    const rssEnd = rssMb(puente.child.pid!);
    const results: CaseResult[] = all.map((c) => {
      const rounds = samples.get(`${c.name}|${c.connections}`)!;
      return {
        name: c.name,
        connections: c.connections,
        rounds,
        rps: median(rounds.map((r) => r.rps)),
        p50: median(rounds.map((r) => r.p50)),
        p99: median(rounds.map((r) => r.p99)),
        ...(rounds.some((r) => r.firstMs !== undefined) ? { firstMs: median(rounds.map((r) => r.firstMs ?? NaN)) } : {}),
        non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
        errors: rounds.reduce((a, r) => a + r.errors, 0),
      };
    });
    const find = (name: string, c: number) => results.find((r) => r.name === name && r.connections === c);
    const ratio = (find('event (puente)', 10)?.rps ?? NaN) / (find('event (ceiling)', 10)?.rps ?? NaN);
    const rawRatio = (find('event (puente)', 10)?.rps ?? NaN) / (find('event (raw ceiling)', 10)?.rps ?? NaN);
    await stop(puente.child);
    // The sweeper's write path: one pass over (at most) 2,000 overdue AI holds and 2,000 submissions with missed goals.
    log(`[${label}] sweep …`);
    const services = await initServices({ databaseUrl: puenteDb, mxNonWorkingDays: [] });
    let sweep: { seconds: number; fired: number; goalsMissed: number };
    try {
      const s0 = process.hrtime.bigint();
      const r = await services.engine.sweep({ limit: 2_000 });
      sweep = { seconds: Number(process.hrtime.bigint() - s0) / 1e9, fired: r.fired.length, goalsMissed: r.goalsMissed.length };
    } finally {
      await services.shutdown();
    }
    // The soak: a fresh server with its sweeper on (a pass every 10 s), mixed load at 10 clients.
    const soakSeconds = Number(args.soak);
    let soakResult: Awaited<ReturnType<typeof soak>> | null = null;
    if (soakSeconds > 0) {
      log(`[${label}] soak: ${soakSeconds} s of mixed load at 10 clients, sweeper every 10 s …`);
      const soaked = await startProcess(
        ['bin/puente.js', 'serve'],
        { DATABASE_URL: puenteDb, LOG_LEVEL: 'info', SWEEP_INTERVAL_SECONDS: '10' },
        /listening on (http:\/\/[\d.]+:\d+)/,
      );
      try {
        soakResult = await soak(soaked.url, soaked.child.pid!, soakSeconds);
      } finally {
        await stop(soaked.child);
      }
    }
    return { label, size: SIZE, results, ratio, rawRatio, rss: { startMb: rssStart, endMb: rssEnd }, soak: soakResult, verifyRowsPerSecond, sweep };
  } finally {
    await stop(puente.child);
    await stop(ceiling.child);
  }
}

function table(r: Awaited<ReturnType<typeof runTarget>>): string {
  const lines = [`${r.label}: ${r.size.count.toLocaleString()} submissions, ${DURATION} s per case, median of ${ROUNDS} interleaved rounds`];
  lines.push('| case | clients | req/s | p50 ms | p99 ms | non-2xx |', '|---|---:|---:|---:|---:|---:|');
  for (const c of r.results) lines.push(`| ${c.name} | ${c.connections} | ${c.rps.toFixed(0)} | ${c.p50} | ${c.p99} | ${c.non2xx + c.errors} |`);
  const firsts = r.results.filter((c) => c.firstMs !== undefined);
  if (firsts.length) {
    lines.push('', 'first read of each round (after the writes of the cases before it), median ms:');
    for (const c of firsts) lines.push(`- ${c.name}, before the ${c.connections}-client run: ${c.firstMs!.toFixed(0)}`);
  }
  lines.push('', `events / ceiling (10 clients): ${r.ratio.toFixed(2)}`);
  if (Number.isFinite(r.rawRatio)) lines.push(`events / raw sqlite3 ceiling (10 clients): ${r.rawRatio.toFixed(2)}`);
  lines.push(
    `server RSS: ${r.rss.startMb.toFixed(0)} MB at start, ${r.rss.endMb.toFixed(0)} MB at end (${(((r.rss.endMb - r.rss.startMb) / r.rss.startMb) * 100).toFixed(1)} %)`,
  );
  if (r.soak) {
    const k = r.soak;
    lines.push(
      `soak: ${k.seconds} s mixed load, ${k.requests.toLocaleString()} requests (${k.non2xx + k.errors} non-2xx: ${JSON.stringify(k.statusCodes)}); ${k.rps.toFixed(0)} req/s, p99 ${k.p99} ms; RSS ${k.warmMb.toFixed(0)} MB at ${k.warmAt.toFixed(0)} s, ${k.halfMb.toFixed(0)} MB at half time, ${k.endMb.toFixed(0)} MB at the end (${k.growthPct.toFixed(1)} % since ${k.warmAt.toFixed(0)} s, ${k.lastHalfGrowthPct.toFixed(1)} % over the last half), max ${k.maxMb.toFixed(0)} MB`,
    );
  }
  lines.push(`audit verify: ${Math.round(r.verifyRowsPerSecond).toLocaleString()} history rows/s`);
  const sw = r.sweep;
  lines.push(
    `sweep: ${sw.fired.toLocaleString()} deadlines fired and ${sw.goalsMissed.toLocaleString()} missed goals recorded in ${sw.seconds.toFixed(1)} s (${Math.round((sw.fired + sw.goalsMissed) / sw.seconds).toLocaleString()} writes/s)`,
  );
  return lines.join('\n');
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-bench-'));
const reports: Array<Awaited<ReturnType<typeof runTarget>>> = [];
try {
  const a = path.join(tmp, 'puente.db');
  const b = path.join(tmp, 'ceiling.db');
  reports.push(
    await runTarget('SQLite', `sqlite:${a}`, `sqlite:${b}`, async () => {
      fs.copyFileSync(a, b);
    }),
  );
  if (process.env.BENCH_DATABASE_URL) {
    const admin = process.env.BENCH_DATABASE_URL;
    const names = [`puente_bench_${randomBytes(4).toString('hex')}`, `puente_bench_c_${randomBytes(4).toString('hex')}`];
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    const urlOf = (n: string) => Object.assign(new URL(admin), { pathname: `/${n}` }).toString();
    try {
      await client.query(`CREATE DATABASE ${names[0]}`);
      reports.push(
        await runTarget('PostgreSQL', urlOf(names[0]!), urlOf(names[1]!), async () => {
          await client.query(`CREATE DATABASE ${names[1]} TEMPLATE ${names[0]}`);
        }),
      );
    } finally {
      for (const n of names) await client.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
      await client.end();
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
for (const r of reports) console.log(`\n${table(r)}`);
// audit verify over documents (issue 8 §2): documents rows and blobs checked, every blob hashed.
log('[SQLite] audit verify with documents …');
const documentsVerify = await verifyWithDocuments({ submissions: 1000, docsEach: 2, docBytes: 64 * 1024 });
console.log(
  `\naudit verify with documents (SQLite, ${documentsVerify.documents.toLocaleString()} documents, ${documentsVerify.megabytes.toFixed(0)} MB of blobs, ${documentsVerify.records.toLocaleString()} history rows): ${Math.round(documentsVerify.rowsPerSecond).toLocaleString()} history rows/s, ${documentsVerify.megabytesPerSecond.toFixed(0)} MB/s of blobs hashed`,
);
fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
fs.writeFileSync(
  args.out,
  JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version }, reports, documentsVerify }, null, 2),
);
console.log(`\nfigures written to ${args.out}`);
