/**
 * Helpers for the HTTP tests: real requests through supertest against the Express app on a real
 * database. Nothing here reaches into the engine or the store; every step is an HTTP call.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import type { Logger } from 'pino';
import request, { type Response } from 'supertest';
import { expect } from 'vitest';
import { latestWorkflows } from '../../workflows/index.js';
import { createTestContext, signatureOf, testApp, type TestContext, type TestUser } from '../support/fixtures.js';

export type Json = Record<string, any>;

/**
 * Event types that the latest version of some workflow marks `requiresSignature` (regulator
 * decisions, manufacturers' filings). `Api.send` signs these with the sender's password unless
 * the test passes its own `signature` (or `signature: undefined` to send none).
 */
export const SIGNED_EVENTS: ReadonlySet<string> = new Set(
  latestWorkflows().flatMap((w) =>
    Object.entries(w.events)
      .filter(([, e]) => e.requiresSignature)
      .map(([t]) => t),
  ),
);

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** `YYYY-MM-DD` of the UTC day `n` days before now (dates in the past, as regulators write them). */
export function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

/** Adds calendar days to a `YYYY-MM-DD` date. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Raw response bytes, whatever the content type. */
export function binary(res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer | string) => chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

/**
 * Asserts an RFC 9457 problem response with the given status and code, and that nothing internal
 * leaked (stack frames, file paths, SQL). Returns the parsed body.
 */
export function expectProblem(res: Response, status: number, code: string): Json {
  expect(res.status, `expected ${status} ${code}, got ${res.status}: ${res.text}`).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json\b/);
  const body = JSON.parse(res.text) as Json;
  expect(Object.keys(body).sort()).toEqual(expect.arrayContaining(['code', 'detail', 'errors', 'status', 'title', 'type']));
  expect(typeof body.type).toBe('string');
  expect(body.type.length).toBeGreaterThan(0);
  expect(typeof body.title).toBe('string');
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.status).toBe(status);
  expect(typeof body.detail).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
  expect(body.code).toBe(code);
  expect(Array.isArray(body.errors)).toBe(true);
  for (const e of body.errors as unknown[]) {
    expect(e).toEqual({ path: expect.any(String), message: expect.any(String) });
    const p = (e as { path: string }).path;
    // A JSON pointer: empty (the whole request) or starting with '/'.
    expect(p === '' || p.startsWith('/'), `path ${JSON.stringify(p)} is not a JSON pointer`).toBe(true);
  }
  expectNoLeak(res.text);
  return body;
}

/** No stack trace lines, source paths or SQL in a response body. */
export function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/\bat \S+ \(.*:\d+:\d+\)/); // "at fn (file:1:2)"
  expect(text).not.toMatch(/\bat (?:file:\/\/|\/|node:)\S*:\d+/); // "at /path/file.js:1:2"
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toMatch(/SQLITE/i);
  expect(text).not.toMatch(/\bselect /i);
  expect(text).not.toMatch(/insert into/i);
  expect(text).not.toMatch(/node_modules|\/work\/|\.ts:\d+/);
  expect(text).not.toMatch(/"stack"/);
}

/** The messages of a problem's `errors`, by JSON pointer. */
export function errorPaths(body: Json): string[] {
  return (body.errors as Array<{ path: string }>).map((e) => e.path);
}

export const DEVICE = { name: 'Acme Infusion Pump', model: 'AIP-200', productCode: 'FRN' };

export const body510k = (title = 'AIP-200 510(k)', input: Json = { format: 'eSTAR', variant: 'traditional' }) => ({
  workflow: 'fda-510k',
  title,
  device: DEVICE,
  input,
});

export const bodyRegistration = (reference: Json, route = 'abbreviated', title = 'AIP-200 registro sanitario') => ({
  workflow: 'cofepris-registration',
  title,
  device: DEVICE,
  input: { route, reference, ...(route === 'abbreviated' ? { identicalDevice: true } : {}) },
});

/** A thin client over supertest for one app. */
export class Api {
  constructor(readonly app: Express) {}

  get(user: TestUser | undefined, path: string): request.Test {
    const r = request(this.app).get(path);
    return user ? r.set(user.auth) : r;
  }

  post(user: TestUser, path: string, body: unknown, headers: Record<string, string> = {}): request.Test {
    return request(this.app)
      .post(path)
      .set(user.auth)
      .set(headers)
      .send(body as object);
  }

  /** POST /v1/submissions, expecting 201. */
  async create(user: TestUser, body: Json, headers: Record<string, string> = {}): Promise<Json> {
    const res = await this.post(user, '/v1/submissions', body, headers);
    expect(res.status, res.text).toBe(201);
    return res.body as Json;
  }

  event(user: TestUser, id: string, ev: Json, headers: Record<string, string> = {}): request.Test {
    return this.post(user, `/v1/submissions/${id}/events`, ev, headers);
  }

  /** Sends an event, expecting 200; returns `{ submission, transition }`. */
  async send(user: TestUser, id: string, type: string, rest: Json = {}, headers: Record<string, string> = {}): Promise<Json> {
    const signed = !('signature' in rest) && SIGNED_EVENTS.has(type) && user.password !== null ? { signature: signatureOf(user) } : {};
    const res = await this.event(user, id, { type, ...signed, ...rest }, headers);
    expect(res.status, `${type}: ${res.text}`).toBe(200);
    expect(res.headers.etag).toBe(`"${res.body.submission.version}"`);
    return res.body as Json;
  }

  async submission(user: TestUser, id: string): Promise<Json> {
    const res = await this.get(user, `/v1/submissions/${id}`);
    expect(res.status, res.text).toBe(200);
    return res.body as Json;
  }

  async history(user: TestUser, id: string): Promise<Json[]> {
    const res = await this.get(user, `/v1/submissions/${id}/history`);
    expect(res.status, res.text).toBe(200);
    return res.body.items as Json[];
  }

  upload(user: TestUser, id: string, kind: string, bytes: Buffer, filename = `${kind}.pdf`, headers: Record<string, string> = {}): request.Test {
    return request(this.app)
      .post(`/v1/submissions/${id}/documents`)
      .query({ kind, filename })
      .set(user.auth)
      .set('Content-Type', 'application/pdf')
      .set(headers)
      .send(bytes);
  }

  /** Uploads every missing dossier kind; returns the uploaded documents by kind. */
  async completeDossier(user: TestUser, id: string): Promise<Map<string, { doc: Json; bytes: Buffer }>> {
    const s = await this.submission(user, id);
    const out = new Map<string, { doc: Json; bytes: Buffer }>();
    for (const kind of s.dossier.missing as string[]) {
      const bytes = Buffer.from(`%PDF-1.7\n% ${kind} for ${id}\n${'x'.repeat(kind.length * 7)}\n%%EOF\n`);
      const res = await this.upload(user, id, kind, bytes);
      expect(res.status, res.text).toBe(201);
      out.set(kind, { doc: res.body as Json, bytes });
    }
    return out;
  }

  /**
   * Drives a new eSTAR 510(k) to `cleared` via HTTP: SUBMIT, FEE_VERIFIED, SCREEN_PASS,
   * DECIDE_SE on the given past dates. Returns the submission id.
   */
  async cleared510k(m: TestUser, fda: TestUser, opts: { kNumber?: string; decisionDaysAgo?: number; title?: string } = {}): Promise<string> {
    const decided = opts.decisionDaysAgo ?? 200;
    const s = await this.create(m, body510k(opts.title ?? 'Reference 510(k)'));
    await this.send(m, s.id, 'SUBMIT', { effectiveAt: daysAgo(decided + 60) });
    await this.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(decided + 58) });
    await this.send(fda, s.id, 'SCREEN_PASS', { effectiveAt: daysAgo(decided + 45) });
    const d = await this.send(fda, s.id, 'DECIDE_SE', {
      data: { kNumber: opts.kNumber ?? 'K260001', decisionDate: daysAgo(decided) },
      effectiveAt: daysAgo(decided),
    });
    expect(d.submission.state).toBe('cleared');
    return s.id as string;
  }
}

/** A stream that keeps every log line written to it in `lines` (for tests that read the request log). */
export function logInto(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
}

/**
 * A test file's context on a fresh database, its app and an API client on that app, for its `beforeAll`
 * (`({ ctx, app, api } = await openTestApp())`; the file closes `ctx` in `afterAll`).
 */
export async function openTestApp(
  opts: Parameters<typeof createTestContext>[0] & { logger?: Logger } = {},
): Promise<{ ctx: TestContext; app: Express; api: Api }> {
  const { logger, ...contextOpts } = opts;
  const ctx = await createTestContext(contextOpts);
  const app = testApp(ctx, logger);
  return { ctx, app, api: new Api(app) };
}

/** A new 510(k) taken to review.substantive (SUBMIT 20 days ago, fee verified, screening passed), ready for an FDA decision. */
export async function new510kInReview(api: Api, users: { manufacturer: TestUser; fda: TestUser }, title: string): Promise<string> {
  const s = await api.create(users.manufacturer, body510k(title));
  await api.send(users.manufacturer, s.id, 'SUBMIT', { effectiveAt: daysAgo(20) });
  await api.send(users.fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(19) });
  await api.send(users.fda, s.id, 'SCREEN_PASS', { effectiveAt: daysAgo(18) });
  return s.id as string;
}
