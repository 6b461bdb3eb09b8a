/**
 * Shared by the reliability suites: real server processes (tests/support/server.ts), the real CLI,
 * Node's global fetch on 127.0.0.1, and an independent recomputation of the hash chain with the
 * `canonicalize` package (no product code is used to judge the product).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import canonicalize from 'canonicalize';
import { ROOT } from '../support/server.js';

const exec = promisify(execFile);

/** "CI size" is 1; RELIABILITY_SCALE=5 makes every load five times larger. */
export const SCALE: number = (() => {
  const raw = Number(process.env.RELIABILITY_SCALE ?? '1');
  return Number.isFinite(raw) && raw >= 1 ? Math.floor(raw) : 1;
})();

/** Seeded PRNG (mulberry32) so a failing run can be replayed with RELIABILITY_SEED. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fixed seed, so every run sends the same load; RELIABILITY_SEED=N replays another, RELIABILITY_SEED=random draws one. */
export const SEED: number =
  process.env.RELIABILITY_SEED === 'random'
    ? Math.floor(Math.random() * 2 ** 31)
    : process.env.RELIABILITY_SEED
      ? Number(process.env.RELIABILITY_SEED)
      : 20261207;

export type Json = Record<string, any>;

export const GENESIS = '0'.repeat(64);
export const sha256 = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

// ------------------------------------------------------------------------------------ the CLI

export async function puente(databaseUrl: string, args: string[], stdin?: string): Promise<{ stdout: string; stderr: string }> {
  const run = exec('npx', ['--no-install', 'puente', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
  run.child.stdin?.end(stdin ?? '');
  return run;
}

export interface User {
  readonly id: string;
  readonly token: string;
  readonly role: string;
  /** The password for electronic signatures (`--password-stdin`). */
  readonly password: string;
}

/** A user made with the real CLI, with a password to sign filings and decisions. */
export async function addUser(databaseUrl: string, name: string, role: string, org?: string): Promise<User> {
  const password = `Reliable-${role}-2026`;
  const { stdout } = await puente(
    databaseUrl,
    ['user', 'add', '--name', name, '--role', role, ...(org ? ['--org', org] : []), '--json', '--password-stdin'],
    `${password}\n`,
  );
  const u = JSON.parse(stdout) as Json;
  return { id: u.id, token: u.token, role: u.role, password };
}

export interface AuditResult {
  ok: boolean;
  records: number;
  submissions: number;
  breaks: Array<{ submissionId: string; seq: number; reason: string }>;
}

/** `npx puente audit verify --json`; exit code 1 (a break) still yields the JSON. */
export async function auditVerify(databaseUrl: string): Promise<AuditResult & { exitCode: number }> {
  try {
    const { stdout } = await puente(databaseUrl, ['audit', 'verify', '--json']);
    return { ...(JSON.parse(stdout) as AuditResult), exitCode: 0 };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (err.stdout?.trim().startsWith('{')) return { ...(JSON.parse(err.stdout) as AuditResult), exitCode: err.code ?? -1 };
    throw new Error(`puente audit verify failed (exit ${err.code}): ${err.stderr ?? ''}${err.stdout ?? ''}`);
  }
}

// ------------------------------------------------------------------------------------ HTTP

/** What one request came to: an HTTP status and body, or a transport error (no response). */
export type Outcome =
  | { readonly kind: 'response'; readonly status: number; readonly body: Json | null; readonly text: string }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

/** The transport error code of a failed fetch (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ...). */
export function errorCode(e: unknown): string {
  let cur: any = e;
  for (let i = 0; cur && i < 5; i++) {
    if (typeof cur.code === 'string') return cur.code;
    cur = cur.cause;
  }
  return (e as Error)?.name ?? 'unknown';
}

export interface RequestOptions {
  readonly method?: string;
  readonly token?: string;
  readonly json?: unknown;
  readonly bytes?: Buffer;
  readonly body?: BodyInit;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

/** One request with the global fetch; never throws, the whole body is read before returning. */
export async function call(base: string, path: string, opts: RequestOptions = {}): Promise<Outcome> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: BodyInit | undefined = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.bytes) {
    headers['content-type'] ??= 'application/pdf';
    body = new Uint8Array(opts.bytes); // a copy backed by a plain ArrayBuffer, as BodyInit wants
  }
  const init: RequestInit & { duplex?: 'half' } = { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, signal: opts.signal };
  if (body instanceof ReadableStream) init.duplex = 'half';
  try {
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    let parsed: Json | null = null;
    try {
      parsed = text ? (JSON.parse(text) as Json) : null;
    } catch {
      parsed = null;
    }
    return { kind: 'response', status: res.status, body: parsed, text };
  } catch (e) {
    return { kind: 'error', code: errorCode(e), message: String((e as Error)?.cause ?? e) };
  }
}

/** Like `call`, but the request must succeed with `status`; returns the JSON body. */
export async function must(base: string, path: string, status: number, opts: RequestOptions = {}): Promise<Json> {
  const o = await call(base, path, opts);
  if (o.kind !== 'response' || o.status !== status || !o.body) {
    throw new Error(
      `${opts.method ?? 'GET'} ${path}: expected ${status}, got ${o.kind === 'response' ? `${o.status} ${o.text.slice(0, 500)}` : `${o.code} ${o.message}`}`,
    );
  }
  return o.body;
}

export function describeOutcome(o: Outcome): string {
  return o.kind === 'response' ? `${o.status} ${o.text.slice(0, 300)}` : `transport error ${o.code}: ${o.message}`;
}

// ------------------------------------------------------------------------------------ workflow

export const REVIEW = 'review.substantive';
export const AI_HOLD = 'aiHold';

/** A new 510(k), taken through SUBMIT, FEE_VERIFIED and SCREEN_PASS to review.substantive (4 records). */
export async function submissionInReview(base: string, mfr: User, fda: User, title: string): Promise<string> {
  const created = await must(base, '/v1/submissions', 201, {
    token: mfr.token,
    json: { workflow: 'fda-510k', title, device: { name: `${title} device` }, input: { format: 'eSTAR', variant: 'traditional' } },
  });
  const id = created.id as string;
  await must(base, `/v1/submissions/${id}/events`, 200, {
    token: mfr.token,
    json: { type: 'SUBMIT', signature: { meaning: 'responsibility', password: mfr.password } },
  });
  await must(base, `/v1/submissions/${id}/events`, 200, { token: fda.token, json: { type: 'FEE_VERIFIED' } });
  const last = await must(base, `/v1/submissions/${id}/events`, 200, { token: fda.token, json: { type: 'SCREEN_PASS' } });
  if (last.submission?.state !== REVIEW) throw new Error(`expected ${REVIEW}, got ${last.submission?.state}`);
  return id;
}

export const SETUP_RECORDS = 4; // CREATED, SUBMIT, FEE_VERIFIED, SCREEN_PASS

/** The body of an event that moves a 510(k) out of `state` (REQUEST_AI in review, AI_RESPONSE on hold). */
export function nextEvent(state: string, comment: string): { role: 'fda' | 'manufacturer'; body: Json } {
  return state === AI_HOLD
    ? { role: 'manufacturer', body: { type: 'AI_RESPONSE', data: { summary: `response for ${comment}` }, comment } }
    : { role: 'fda', body: { type: 'REQUEST_AI', data: { deficiencies: [`deficiency for ${comment}`] }, comment } };
}

// ------------------------------------------------------------------------------------ chain

/**
 * Recomputes one submission's history independently of the product: seq runs 1..n, prevHash of
 * seq 1 is 64 zeros and every later prevHash names its predecessor's hash, every hash is the
 * SHA-256 of the RFC 8785 canonical JSON of the record without `hash`, every record belongs to
 * the submission, and each record starts in the state its predecessor ended in. Returns the
 * problems found (empty when the chain holds).
 */
export function chainProblems(submissionId: string, items: Json[]): string[] {
  const problems: string[] = [];
  let prev = GENESIS;
  let prevTo: string | null = null;
  items.forEach((r, i) => {
    const where = `${submissionId} record ${i + 1} (${r.type})`;
    if (r.seq !== i + 1) problems.push(`${where}: seq ${r.seq}, expected ${i + 1}`);
    if (r.submissionId !== submissionId) problems.push(`${where}: submissionId ${r.submissionId}`);
    if (r.prevHash !== prev) problems.push(`${where}: prevHash ${r.prevHash}, expected ${prev}`);
    const { hash, ...rest } = r;
    const canonical = canonicalize(rest);
    if (canonical === undefined || sha256(canonical) !== hash) problems.push(`${where}: hash does not recompute`);
    if (i > 0 && r.from !== prevTo) problems.push(`${where}: from ${r.from}, but the previous record ended in ${prevTo}`);
    prev = typeof hash === 'string' ? hash : '';
    prevTo = r.to;
  });
  return problems;
}

/** The history row a 2xx acknowledged: the transition id of an event, the document id of an upload. */
export function rowFor(items: Json[], ack: { kind: 'event' | 'upload'; id: string }): Json | undefined {
  return ack.kind === 'event' ? items.find((r) => r.id === ack.id) : items.find((r) => r.type === 'DOCUMENT_ADDED' && r.data?.documentId === ack.id);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
