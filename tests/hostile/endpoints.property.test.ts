/**
 * Hostile input, endpoint by endpoint (issue 3). fast-check generates bodies (arbitrary JSON,
 * near-valid bodies with one field removed / replaced / retyped / added, huge strings, deep
 * nesting, unicode, `__proto__` / `constructor` keys, malformed JSON), headers (Authorization,
 * Content-Type, Content-Encoding, If-Match, Idempotency-Key), query strings and path parameters
 * (hostile strings, percent-encoding junk, very long ids) for every endpoint, and checks after
 * every single request:
 *
 *  - never a 5xx;
 *  - every 4xx is application/problem+json with `code`, `status` and `errors[]` whose `path`s are
 *    JSON pointers, and no stack trace, SQL or file path in it;
 *  - no valid credential on /v1 -> 401;
 *  - a rejected request (and every GET) changes nothing in the database: counts of submissions,
 *    transitions, documents, blobs, idempotency keys, users, organizations, and every
 *    submission's version / state / head hash are compared before and after;
 *  - an accepted write changes exactly what it should (one submission, one history row, ...)
 *    and the history it wrote still recomputes its hash chain;
 *  - Object.prototype is never polluted.
 *
 * HOSTILE_RUNS (default 10000) generated requests in total are split across the endpoints;
 * HOSTILE_SEED replays another seed (fast-check prints seed and path of any failure);
 * HOSTILE_SURVEY=1 runs every case without stopping at the first failure and lists each distinct
 * kind of violation with its shortest example (no shrinking).
 */
import http from 'node:http';
import fc from 'fast-check';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { FailedAuthLimiter } from '../../src/http/auth.js';
import { latestWorkflows } from '../../workflows/index.js';
import { Api, DEVICE, body510k, bodyRegistration, daysAgo } from '../http/helpers.js';
import { addUser, createTestContext, documentBytes, type TestContext, type TestUser } from '../support/fixtures.js';
import {
  anyJson,
  assertContract,
  chainProblem,
  deepArb,
  deepText,
  diffDb,
  echoes,
  envInt,
  fcParams,
  headerJunk,
  hostileString,
  isEmptyDiff,
  malformedJsonArb,
  mutateToText,
  mutationArb,
  pctEncode,
  pctJunk,
  prototypePollution,
  queryArb,
  segmentArb,
  showDiff,
  snapshotDb,
  sometimes,
  type DbSnapshot,
  type HttpAnswer,
  type JsonObject,
} from './support.js';

const TOTAL = envInt('HOSTILE_RUNS', 10_000);

/** Share of the generated cases per endpoint (write endpoints get the most). */
const WEIGHTS = {
  me: 3,
  workflows: 3,
  workflow: 5,
  diagram: 4,
  create: 18,
  list: 10,
  get: 6,
  events: 20,
  history: 5,
  upload: 12,
  documents: 4,
  document: 5,
  healthz: 1.5,
  openapi: 1.5,
  docs: 1.5,
  other: 2,
} as const;
const WEIGHT_SUM = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
const runsFor = (k: keyof typeof WEIGHTS) => Math.max(1, Math.ceil((TOTAL * WEIGHTS[k]) / WEIGHT_SUM));
const TIMEOUT = 300_000;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'HEAD';
type WriteKind = 'none' | 'create' | 'event' | 'upload';

interface Req {
  readonly method: Method;
  readonly path: string;
  readonly headers: Record<string, string | undefined>;
  readonly body?: string | Buffer;
  /** True when Authorization carries a valid, enabled token. */
  readonly authed: boolean | undefined;
}

interface Auth {
  readonly value: string | undefined;
  /** True: a valid enabled token; false: certainly no credential; undefined: debatable (scheme case, spacing). */
  readonly valid: boolean | undefined;
}

let ctx: TestContext;
let server: http.Server;
let api: Api;
let baseline: DbSnapshot | null = null;
/**
 * HOSTILE_SURVEY=1: instead of stopping (and shrinking) at the first violation, run every case,
 * then fail listing each distinct kind of violation with its shortest example.
 */
const SURVEY = process.env.HOSTILE_SURVEY === '1';
const survey = new Map<string, { count: number; example: string }>();

function surveyKey(r: Req, message: string): string {
  const route = r.path.split('?')[0]!.replace(/^(\/v1\/(?:submissions|workflows))\/[^/]+/, '$1/:id').replace(/(\/documents)\/[^/]+/, '$1/:doc');
  return `${message.split(':')[0]!.replace(/"[^"]*"/g, '"…"').replace(/ of \S+ /, ' of … ')} | ${r.method} ${route.slice(0, 80)}`;
}

function flushSurvey(): void {
  if (!survey.size) return;
  const lines = [...survey].map(([k, v]) => `${k} (x${v.count})\n    e.g. ${v.example}`);
  survey.clear();
  throw new Error(`violations:\n${lines.join('\n')}`);
}
let cases = 0;
const statusCounts = new Map<number, number>();

/** Ids the generators aim at. */
const ids = {
  submissions: [] as string[],
  documents: [] as string[],
  organizations: [] as string[],
  acmeSubmissions: [] as string[],
};
let tokens: string[] = [];
let disabled: TestUser;

beforeAll(async () => {
  ctx = await createTestContext();
  // A limiter that never blocks: junk Authorization headers would otherwise lock every later
  // request of this address out with 429 and hide the endpoints behind it.
  const app = createApp({ db: ctx.services.db, engine: ctx.services.engine, logger: pino({ level: 'silent' }), authLimiter: new FailedAuthLimiter(Number.MAX_SAFE_INTEGER) });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = new Api(app);
  const { manufacturer: m, otherManufacturer: beta, fda } = ctx.users;
  disabled = await addUser(ctx.services, 'manufacturer', 'Disabled Dan', 'Acme Medical');
  await ctx.services.db.knex('users').where({ id: disabled.actor.id }).update({ disabled: true });
  tokens = Object.values(ctx.users).map((u) => u.token);

  const draft = await api.create(m, body510k('Draft 510(k)'));
  const ecopy = await api.create(m, body510k('eCopy 510(k)', { format: 'eCopy', variant: 'special' }));
  const review = await api.create(m, body510k('In review 510(k)'));
  await api.send(m, review.id, 'SUBMIT', { effectiveAt: daysAgo(40) });
  await api.send(fda, review.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(38) });
  await api.send(fda, review.id, 'SCREEN_PASS', { effectiveAt: daysAgo(30) });
  const cleared = await api.cleared510k(m, fda, { kNumber: 'K260111' });
  const registration = await api.create(m, bodyRegistration({ submissionId: cleared }, 'equivalence'));
  const external = await api.create(m, bodyRegistration({ agency: 'FDA', number: 'K231234', decisionDate: daysAgo(300), decision: 'SE' }));
  const up = await api.upload(m, registration.id, 'fda-decision-letter', documentBytes('fda-decision-letter'));
  expect(up.status, up.text).toBe(201);
  const up2 = await api.upload(m, review.id, 'cover-letter', documentBytes('cover-letter'), 'résumé "final".pdf', { 'Content-Type': 'text/html' });
  expect(up2.status, up2.text).toBe(201);
  const betaDraft = await api.create(beta, body510k('Beta 510(k)'));
  const betaUp = await api.upload(beta, betaDraft.id, 'cover-letter', documentBytes('beta'));
  expect(betaUp.status, betaUp.text).toBe(201);

  ids.acmeSubmissions = [draft.id, ecopy.id, review.id, cleared, registration.id, external.id];
  ids.submissions = [...ids.acmeSubmissions, betaDraft.id];
  ids.documents = [up.body.id, up2.body.id, betaUp.body.id];
  ids.organizations = [m.actor.organization!.id, beta.actor.organization!.id];
}, 120_000);

afterAll(async () => {
  console.log(
    `hostile endpoints: ${cases} generated requests; statuses ${JSON.stringify(Object.fromEntries([...statusCounts].sort((a, b) => a[0] - b[0])))}`,
  );
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await ctx?.close();
});

// ---------------------------------------------------------------- sending and checking

function collect(res: http.IncomingMessage, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
  res.on('error', (e) => cb(e, Buffer.concat(chunks)));
}

async function send(r: Req): Promise<HttpAnswer> {
  const agent = request(server) as unknown as Record<string, (path: string) => request.Test>;
  let t = agent[r.method.toLowerCase()]!(r.path);
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) t = t.set(k, v);
  t = t.buffer(true).parse(collect as never);
  if (r.body !== undefined) t = t.send(typeof r.body === 'string' && r.headers['Content-Type'] === undefined ? Buffer.from(r.body) : r.body);
  const res = await t.ok(() => true);
  const body = res.body as unknown;
  return { status: res.status, headers: res.headers as Record<string, string>, text: Buffer.isBuffer(body) ? body.toString('utf8') : '' };
}

function label(r: Req): string {
  const b = r.body === undefined ? '' : ` body=${(Buffer.isBuffer(r.body) ? `<${r.body.length} bytes>` : r.body).slice(0, 300)}`;
  return `${r.method} ${r.path.slice(0, 300)} headers=${JSON.stringify(r.headers).slice(0, 400)}${b}`;
}

/** Throws unless the accepted write `kind` changed exactly what it should. */
async function checkWrite(kind: WriteKind, r: Req, res: HttpAnswer, before: DbSnapshot, after: DbSnapshot): Promise<void> {
  const d = diffDb(before, after);
  const where = `${label(r)} -> ${res.status}: diff ${showDiff(d)}`;
  const replayed = res.headers['idempotent-replayed'] === 'true';
  if (kind === 'none' || res.status >= 300 || replayed) {
    if (!isEmptyDiff(d)) throw new Error(`state changed by a ${replayed ? 'replayed' : res.status >= 300 ? 'rejected' : 'read-only'} request: ${where}`);
    return;
  }
  const key = r.headers['Idempotency-Key'];
  const keyStored = key !== undefined ? 1 : 0;
  const c = d.counts;
  const ok = (cond: boolean, what: string) => {
    if (!cond) throw new Error(`accepted ${kind} wrote the wrong footprint (${what}): ${where}`);
  };
  ok((c.idempotency_keys ?? 0) === keyStored, 'idempotency keys');
  ok(c.users === undefined && c.organizations === undefined, 'users/organizations');
  let touched: string[];
  if (kind === 'create') {
    ok(res.status === 201, 'status');
    ok(c.submissions === 1 && c.transitions === 1 && c.documents === undefined && c.blobs === undefined, 'counts');
    ok(d.added.length === 1 && d.changed.size === 0 && d.removed.length === 0, 'rows');
    touched = [...d.added];
  } else if (kind === 'event') {
    ok(res.status === 200, 'status');
    ok(c.submissions === undefined && c.documents === undefined && c.blobs === undefined, 'counts');
    ok(d.added.length === 0 && d.removed.length === 0 && d.changed.size >= 1, 'rows');
    ok([...d.changed.values()].every((v) => v === 1), 'each changed submission moves exactly one version');
    ok(c.transitions === d.changed.size, 'one history row per changed submission');
    touched = [...d.changed.keys()];
  } else {
    ok(res.status === 201, 'status');
    ok(c.submissions === undefined && c.transitions === 1 && c.documents === 1 && (c.blobs ?? 0) <= 1, 'counts');
    ok(d.added.length === 0 && d.removed.length === 0 && d.changed.size === 1 && [...d.changed.values()][0] === 1, 'rows');
    touched = [...d.changed.keys()];
  }
  for (const id of touched) {
    const h = await request(server).get(`/v1/submissions/${id}/history`).set(ctx.users.auditor.auth);
    if (h.status !== 200) throw new Error(`history of ${id} after an accepted ${kind}: ${h.status} ${h.text.slice(0, 300)} (${where})`);
    const broken = chainProblem(h.body.items as Array<Record<string, unknown>>);
    if (broken) throw new Error(`hash chain of ${id} broken after an accepted ${kind} (${broken}): ${where}`);
  }
}

/**
 * Sends one generated request and checks every property. The snapshot after one request is the
 * baseline of the next, so each request costs one snapshot; a failure drops the baseline.
 */
async function exchange(r: Req, kind: WriteKind, extra?: (res: HttpAnswer) => void): Promise<HttpAnswer> {
  const knex = ctx.services.db.knex;
  try {
    const before = baseline ?? (await snapshotDb(knex));
    baseline = null;
    cases++;
    const res = await send(r);
    statusCounts.set(res.status, (statusCounts.get(res.status) ?? 0) + 1);
    assertContract(label(r), res, res.status >= 400 ? echoes({ path: r.path, headers: r.headers, body: r.body }) : [], r.method);
    if (r.path.startsWith('/v1') && r.authed === false && res.status !== 401) {
      throw new Error(`no valid credential but ${res.status}: ${label(r)} -> ${res.text.slice(0, 300)}`);
    }
    const pollution = prototypePollution();
    if (pollution) throw new Error(`prototype polluted (${pollution}) by ${label(r)}`);
    extra?.(res);
    const after = await snapshotDb(knex);
    await checkWrite(kind, r, res, before, after);
    baseline = after;

    return res;
  } catch (e) {
    baseline = null;
    if (!SURVEY) throw e;
    const message = (e as Error).message;
    const key = surveyKey(r, message);
    const seen = survey.get(key);
    const example = message.length > 1500 ? `${message.slice(0, 1500)}...` : message;
    if (!seen) survey.set(key, { count: 1, example });
    else {
      seen.count++;
      if (example.length < seen.example.length) seen.example = example;
    }
    return { status: 0, headers: {}, text: '' };
  }
}

// ---------------------------------------------------------------- generators

function authArb(): fc.Arbitrary<Auth> {
  const valid = Object.values(ctx.users).map((u) => u.auth.Authorization);
  const tok = ctx.users.manufacturer.token;
  const isValid = (v: string | undefined): boolean | undefined => {
    if (v === undefined) return false;
    const trimmed = v.replace(/^[ \t]+|[ \t]+$/g, '');
    if (tokens.some((t) => trimmed === `Bearer ${t}`)) return true;
    // RFC 9110 makes the scheme case-insensitive and allows more than one space: either answer is defensible.
    if (tokens.some((t) => new RegExp(`^bearer +${t.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')}$`, 'i').test(trimmed))) return undefined;
    return false;
  };
  const junk = [
    undefined,
    '',
    'Bearer',
    'Bearer ',
    `bearer ${tok}`,
    `BEARER ${tok}`,
    `Bearer  ${tok}`,
    `Bearer ${tok}x`,
    `Bearer ${tok.slice(0, -1)}`,
    `Bearer ${tok}=`,
    `Bearer ${tok}, Bearer ${tok}`,
    `Bearer "${tok}"`,
    `Token ${tok}`,
    `Basic ${Buffer.from(`x:${tok}`).toString('base64')}`,
    tok,
    `Bearer ${disabled.token}`,
    'Bearer pte_',
    'Bearer =',
    'Bearer ======',
    'Bearer null',
    'Bearer undefined',
    `Bearer ${tok.toUpperCase()}`,
    `Bearer ${'A'.repeat(4000)}`,
    `Bearer ${tok}\u00e9`,
    'Digest username="admin"',
  ];
  const mk = (value: string | undefined): Auth => ({ value, valid: isValid(value) });
  return fc.oneof(
    { weight: 14, arbitrary: fc.constantFrom(...valid).map(mk) },
    { weight: 2, arbitrary: fc.constantFrom(...junk).map(mk) },
    { weight: 1, arbitrary: headerJunk.map((v) => mk(`Bearer ${v}`)) },
    { weight: 1, arbitrary: headerJunk.map(mk) },
  );
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/problem+json', 'application/merge-patch+json'];
const OTHER_TYPES = [
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=x-junk',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  'application/JSON',
  'application/json;;;',
  '*/*',
  'json',
  '',
];

function contentTypeArb(preferred: readonly string[]): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...preferred) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(...JSON_TYPES, ...OTHER_TYPES) },
    { weight: 1, arbitrary: headerJunk },
  );
}

const ifMatchArb: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 0, max: 12 }).map((n) => `"${n}"`),
  fc.integer({ min: 0, max: 12 }).map((n) => `W/"${n}"`),
  fc.integer({ min: 0, max: 12 }).map(String),
  fc.constantFrom('*', ' * ', '"-1"', '"1e3"', '"0x1"', '"1.0"', '"99999999999999999999"', '"999999999999999"', '"1", "2"', '""', 'W/', '"abc"'),
  headerJunk,
);

const idemKeyArb: fc.Arbitrary<string> = fc.oneof(
  fc.uuid(),
  fc.constantFrom('k1', 'k2', 'same-key', 'a'.repeat(255), 'a'.repeat(256), '', ' ', 'key with space', 'clé', '\u00ff'),
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 40 }),
  headerJunk,
);

const encodingArb = fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-compress', 'gzip, deflate', 'GZIP', 'zstd', '');

interface HeaderOpts {
  readonly contentTypes?: readonly string[];
  readonly body: boolean;
  readonly ifMatch?: boolean;
  readonly idempotency?: boolean;
}

function headersArb(o: HeaderOpts): fc.Arbitrary<{ headers: Record<string, string | undefined>; authed: boolean | undefined }> {
  return fc
    .record({
      auth: authArb(),
      contentType: o.body ? contentTypeArb(o.contentTypes ?? ['application/json']) : sometimes(fc.constantFrom(...JSON_TYPES, ...OTHER_TYPES), 1, 8),
      ifMatch: o.ifMatch ? sometimes(ifMatchArb, 1, 3) : sometimes(ifMatchArb, 1, 20),
      idem: o.idempotency ? sometimes(idemKeyArb, 1, 3) : sometimes(idemKeyArb, 1, 20),
      encoding: o.body ? sometimes(encodingArb, 1, 25) : fc.constant(undefined),
      extraName: fc.constantFrom('Accept', 'X-Request-Id', 'Accept-Charset', 'Origin', 'X-Forwarded-For', 'Cookie', 'Range', 'Expect-CT'),
      extraValue: sometimes(headerJunk, 1, 4),
    })
    .map(({ auth, contentType, ifMatch, idem, encoding, extraName, extraValue }) => ({
      authed: auth.valid,
      headers: {
        Authorization: auth.value,
        'Content-Type': contentType,
        'If-Match': ifMatch,
        'Idempotency-Key': idem,
        'Content-Encoding': encoding,
        [extraName]: extraValue,
      },
    }));
}

/** A JSON body: near-valid (one mutation of a valid body), arbitrary JSON, malformed, deep, absent. */
function jsonBodyArb(bases: readonly JsonObject[]): fc.Arbitrary<string | undefined> {
  const texts = bases.map((b) => JSON.stringify(b));
  return fc.oneof(
    { weight: 10, arbitrary: fc.record({ base: fc.constantFrom(...bases), m: mutationArb }).map(({ base, m }) => mutateToText(base, m)) },
    { weight: 2, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: malformedJsonArb(texts) },
    { weight: 1, arbitrary: deepArb().map(deepText) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const WORKFLOW_IDS = ['fda-510k', 'cofepris-registration', 'fda-de-novo', 'FDA-510K', 'fda-510k@1', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];

/** Query strings for endpoints that take none: mostly empty, else junk. */
const junkQuery = sometimes(
  queryArb(['a', 'limit', 'kind', '__proto__'], () => hostileString),
  1,
  3,
).map((q) => (q ? `?${q}` : ''));

function withQuery(path: string, q: string): string {
  return q ? `${path}${q.startsWith('?') ? q : `?${q}`}` : path;
}

const subSegment = () => segmentArb(ids.submissions);

// ---------------------------------------------------------------- example bodies

function createBases(): JsonObject[] {
  const [cleared, other] = [ids.acmeSubmissions[3]!, ids.submissions[ids.submissions.length - 1]!];
  const device = { ...DEVICE, udiDi: '00812345678901' };
  return [
    body510k('Hostile 510(k)', { format: 'eSTAR', variant: 'traditional' }),
    { ...body510k('Hostile eCopy', { format: 'eCopy', variant: 'abbreviated' }), device },
    body510k('Special', { format: 'eSTAR', variant: 'special' }),
    bodyRegistration({ submissionId: cleared }, 'equivalence', 'Hostile registro'),
    bodyRegistration({ submissionId: other }, 'abbreviated'),
    bodyRegistration({ agency: 'FDA', number: 'K231234', decisionDate: '2023-05-02', decision: 'SE' }),
    bodyRegistration({ agency: 'FDA', number: 'P123456/S001', decisionDate: '2024-01-31', decision: 'approved' }, 'equivalence'),
  ] as JsonObject[];
}

/** Example payloads per event type (valid for the event's schema as far as the test knows). */
const EXAMPLE_DATA: Record<string, JsonObject> = {
  FEE_PAID: { receipt: 'R-1' },
  SCREEN_FAIL: { reasons: ['incomplete'] },
  REFUSE_TO_ACCEPT: { reasons: ['missing element'] },
  RTA_RESPONSE: { summary: 'added' },
  SUBSTANTIVE_INTERACTION: { summary: 'SI letter' },
  REQUEST_AI: { deficiencies: ['biocompatibility'] },
  AI_RESPONSE: { summary: 'answered' },
  DECIDE_SE: { kNumber: 'K261234', decisionDate: daysAgo(3) },
  DECIDE_NSE: { reason: 'new intended use', decisionDate: daysAgo(3) },
  WITHDRAW: { reason: 'business' },
  RESCIND_SE: { reason: 'error' },
  SUBMIT: {},
  ISSUE_PREVENCION: { items: ['label'] },
  RESPOND_PREVENCION: { summary: 'done' },
  GRANT: { registrationNumber: 'RS-2026-1' },
  DENY: { reason: 'no' },
  DESIST: { reason: 'no' },
  REVOKE: { reason: 'fraud' },
  REFERENCE_INVALIDATED: { reason: 'x' },
};

function eventBases(): JsonObject[] {
  const types = [...new Set(latestWorkflows().flatMap((w) => Object.keys(w.events)))];
  const out: JsonObject[] = [];
  for (const type of types) {
    const data = EXAMPLE_DATA[type] ?? {};
    out.push({ type, data });
    out.push({ type, data, comment: 'per letter of today', effectiveAt: daysAgo(2), signature: { meaning: 'review' } });
  }
  out.push({ type: 'SUBMIT' }, { type: 'NOT_AN_EVENT', data: {} });
  return out;
}

// ---------------------------------------------------------------- properties

describe(`hostile input on every endpoint (${TOTAL} generated requests in total)`, () => {
  it('GET /v1/me', async () => {
    await fc.assert(
      fc.asyncProperty(headersArb({ body: false }), junkQuery, async (h, q) => {
        const res = await exchange({ method: 'GET', path: withQuery('/v1/me', q), ...h }, 'none');
        if (res.status === 200 && !JSON.parse(res.text).role) throw new Error('GET /v1/me without role');
      }),
      fcParams(runsFor('me')),
    );
    flushSurvey();
  }, TIMEOUT);

  it('GET /v1/workflows', async () => {
    await fc.assert(
      fc.asyncProperty(headersArb({ body: false }), junkQuery, async (h, q) => {
        await exchange({ method: 'GET', path: withQuery('/v1/workflows', q), ...h }, 'none');
      }),
      fcParams(runsFor('workflows')),
    );
    flushSurvey();
  }, TIMEOUT);

  it('GET /v1/workflows/:id', async () => {
    await fc.assert(
      fc.asyncProperty(headersArb({ body: false }), segmentArb(WORKFLOW_IDS), junkQuery, async (h, id, q) => {
        await exchange({ method: 'GET', path: withQuery(`/v1/workflows/${id}`, q), ...h }, 'none');
      }),
      fcParams(runsFor('workflow')),
    );
    flushSurvey();
  }, TIMEOUT);

  it('GET /v1/workflows/:id/diagram', async () => {
    await fc.assert(
      fc.asyncProperty(headersArb({ body: false }), segmentArb(WORKFLOW_IDS), junkQuery, async (h, id, q) => {
        const res = await exchange({ method: 'GET', path: withQuery(`/v1/workflows/${id}/diagram`, q), ...h }, 'none');
        if (res.status === 200 && !res.text.startsWith('stateDiagram-v2')) throw new Error(`diagram is not Mermaid: ${res.text.slice(0, 80)}`);
      }),
      fcParams(runsFor('diagram')),
    );
    flushSurvey();
  }, TIMEOUT);

  it('POST /v1/submissions', async () => {
    const bases = createBases();
    await fc.assert(
      fc.asyncProperty(headersArb({ body: true, idempotency: true }), jsonBodyArb(bases), junkQuery, async (h, body, q) => {
        await exchange({ method: 'POST', path: withQuery('/v1/submissions', q), ...h, body }, 'create');
      }),
      fcParams(runsFor('create')),
    );
    flushSurvey();
  }, TIMEOUT);

  it('GET /v1/submissions (query)', async () => {
    const cursorOf = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
    const values: Record<string, fc.Arbitrary<string>> = {
      workflow: fc.constantFrom('fda-510k', 'cofepris-registration', 'nope'),
      state: fc.constantFrom('draft', 'closed', 'closed.', 'review', 'review.substantive', 'cleared', '%', '_', 'draft%'),
      status: fc.constantFrom('active', 'closed', 'ACTIVE', 'all'),
      organization: fc.constantFrom(...ids.organizations),
      overdue: fc.constantFrom('true', 'false', '1', 'yes'),
      q: fc.constantFrom('510', 'AIP', '%', '_', '\\', "'", '%_\\', 'é'),
      limit: fc.constantFrom('1', '2', '50', '200', '0', '201', '-1', '1e2', '007', '1.5', ' 5', 'abc', '9'.repeat(30)),
      cursor: fc.oneof(
        fc.constantFrom(...ids.submissions).map(cursorOf),
        fc.constantFrom('ffffffff-ffff-ffff-ffff-ffffffffffff', '00000000-0000-0000-0000-000000000000', "' OR 1=1 --", '\u0000'.repeat(36)).map(cursorOf),
        fc.constantFrom('AAAA', '_-_-', 'a'.repeat(100), 'a'.repeat(101), '====', '%2F'),
        hostileString.map(cursorOf),
      ),
    };
    const keys = Object.keys(values);
    const q = queryArb([...keys, 'page', 'offset', 'sort'], (k) => fc.oneof({ weight: 3, arbitrary: values[k] ?? hostileString }, { weight: 1, arbitrary: hostileString }));
    await fc.assert(
      fc.asyncProperty(headersArb({ body: false }), q, async (h, query) => {
        const res = await exchange({ method: 'GET', path: withQuery('/v1/submissions', query), ...h }, 'none');
        if (res.status === 200) {
          const body = JSON.parse(res.text) as { items: unknown[]; nextCursor: unknown };
          if (!Array.isArray(body.items) || !(body.nextCursor === null || typeof body.nextCursor === 'string')) throw new Error(`list shape: ${res.text.slice(0, 200)}`);
        }
      }),
      fcParams(runsFor('list')),
    );
    flushSurvey();
  }, TIMEOUT);

  it('GET /v1/submissions/:id', async () => {
    await fc.assert(
      fc.asyncProperty(headersArb({ body: false }), subSegment(), junkQuery, async (h, id, q) => {
        const res = await exchange({ method: 'GET', path: withQuery(`/v1/submissions/${id}`, q), ...h }, 'none');
        const version = res.status === 200 ? (JSON.parse(res.text) as { version?: number }).version : undefined;
        if (version !== undefined && res.headers.etag !== `"${version}"`) throw new Error(`ETag ${String(res.headers.etag)} is not the version ${version}`);
      }),
      fcParams(runsFor('get')),
    );
    flushSurvey();
  }, TIMEOUT);

  it('POST /v1/submissions/:id/events', async () => {
    const bases = eventBases();
    await fc.assert(
      fc.asyncProperty(headersArb({ body: true, ifMatch: true, idempotency: true }), subSegment(), jsonBodyArb(bases), junkQuery, async (h, id, body, q) => {
        await exchange({ method: 'POST', path: withQuery(`/v1/submissions/${id}/events`, q), ...h, body }, 'event');
      }),
      fcParams(runsFor('events')),
    );
    flushSurvey();
  }, TIMEOUT);

  it('GET /v1/submissions/:id/history', async () => {
    await fc.assert(
      fc.asyncProperty(headersArb({ body: false }), subSegment(), junkQuery, async (h, id, q) => {
        const res = await exchange({ method: 'GET', path: withQuery(`/v1/submissions/${id}/history`, q), ...h }, 'none');
        if (res.status === 200) {
          const broken = chainProblem(JSON.parse(res.text).items as Array<Record<string, unknown>>);
          if (broken) throw new Error(`served history does not recompute: ${broken}`);
        }
      }),
      fcParams(runsFor('history')),
    );
    flushSurvey();
  }, TIMEOUT);

  it('POST /v1/submissions/:id/documents?kind=&filename=', async () => {
    const kinds = ['fda-decision-letter', 'application-form', 'cover-letter', 'apostille', 'a', '0-0', 'a'.repeat(64), 'a'.repeat(65), 'Cover', '-x', 'x_y', 'kind with space'];
    const filenames = ['doc.pdf', 'résumé final.pdf', '中文.pdf', '😀.pdf', 'a"b.pdf', "a'b.pdf", 'a;b=c.pdf', 'x'.repeat(255), 'x'.repeat(256), 'a/b.pdf', 'a\\b.pdf', '..', '.', 'a\u0000b', 'a\nb', '\u007f', '\u202egnp.exe', '%2F', 'CON'];
    const q = queryArb(['kind', 'filename', 'extra'], (k) =>
      fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...(k === 'kind' ? kinds : filenames)) }, { weight: 1, arbitrary: hostileString }),
    );
    const validQuery = fc.record({ kind: fc.constantFrom(...kinds.slice(0, 6)), filename: fc.constantFrom(...filenames.slice(0, 9)) }).map(({ kind, filename }) => `kind=${pctEncode(kind)}&filename=${pctEncode(filename)}`);
    const huge = Buffer.alloc(25 * 1024 * 1024 + 1, 0x41);
    const bytes = fc.oneof(
      { weight: 600, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((a) => Buffer.from(a)) },
      { weight: 200, arbitrary: fc.constant(Buffer.alloc(0)) },
      { weight: 200, arbitrary: hostileString.map((s) => Buffer.from(s)) },
      { weight: 100, arbitrary: fc.integer({ min: 1, max: 300_000 }).map((n) => Buffer.alloc(n, 0x25)) },
      { weight: 100, arbitrary: fc.constant(undefined) },
      // Over the 25 MB document limit: costly, so rare.
      { weight: 1, arbitrary: fc.constant(huge) },
    );
    await fc.assert(
      fc.asyncProperty(
        headersArb({ body: true, idempotency: true, contentTypes: ['application/pdf', 'application/octet-stream', 'text/html', 'image/png', 'application/json'] }),
        subSegment(),
        fc.oneof({ weight: 2, arbitrary: validQuery }, { weight: 3, arbitrary: q }, { weight: 1, arbitrary: pctJunk }),
        bytes,
        async (h, id, query, body) => {
          await exchange({ method: 'POST', path: withQuery(`/v1/submissions/${id}/documents`, query), ...h, body }, 'upload');
        },
      ),
      fcParams(runsFor('upload')),
    );
    flushSurvey();
  }, TIMEOUT);

  it('GET /v1/submissions/:id/documents', async () => {
    await fc.assert(
      fc.asyncProperty(headersArb({ body: false }), subSegment(), junkQuery, async (h, id, q) => {
        await exchange({ method: 'GET', path: withQuery(`/v1/submissions/${id}/documents`, q), ...h }, 'none');
      }),
      fcParams(runsFor('documents')),
    );
    flushSurvey();
  }, TIMEOUT);

  it('GET /v1/submissions/:id/documents/:documentId', async () => {
    await fc.assert(
      fc.asyncProperty(headersArb({ body: false }), subSegment(), segmentArb(ids.documents), junkQuery, async (h, id, doc, q) => {
        const res = await exchange({ method: 'GET', path: withQuery(`/v1/submissions/${id}/documents/${doc}`, q), ...h }, 'none');
        if (doc !== '' && res.status === 200 && !/^sha-256=:[A-Za-z0-9+/]+=*:$/.test(String(res.headers['repr-digest']))) throw new Error('download without Repr-Digest');
      }),
      fcParams(runsFor('document')),
    );
    flushSurvey();
  }, TIMEOUT);

  for (const [path, key, type] of [
    ['/healthz', 'healthz', /^application\/json/],
    ['/openapi.json', 'openapi', /^application\/json/],
    ['/docs', 'docs', /^text\/html/],
  ] as const) {
    it(`GET ${path}`, async () => {
      await fc.assert(
        fc.asyncProperty(headersArb({ body: false }), junkQuery, async (h, q) => {
          // Public endpoints: whatever the headers and query, they answer 200.
          const res = await exchange({ method: 'GET', path: withQuery(path, q), ...h, authed: true }, 'none');
          if (res.status !== 200 || !type.test(String(res.headers['content-type']))) throw new Error(`${path}: ${res.status} ${String(res.headers['content-type'])}`);
        }),
        fcParams(runsFor(key)),
      );
      flushSurvey();
    }, TIMEOUT);
  }

  it('other methods and unknown routes', async () => {
    const templates = [
      '/v1/me',
      '/v1/workflows/{w}',
      '/v1/submissions',
      '/v1/submissions/{s}',
      '/v1/submissions/{s}/events',
      '/v1/submissions/{s}/events/{x}',
      '/v1/submissions/{s}/documents/{d}',
      '/v1/submissions/{s}/documents/{d}/{x}',
      '/v1/audit/{x}',
      '/v1',
      '/v1/',
      '/v1/{x}',
      '/v2/me',
      '/{x}',
      '/healthz/{x}',
      '//v1/me',
      '/V1/ME',
      '/v1/me/',
      '/v1/%2e%2e/healthz',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Method>('PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'GET'),
        fc.constantFrom(...templates),
        subSegment(),
        segmentArb(ids.documents),
        segmentArb(['x', 'verify', 'export', '..']),
        segmentArb(WORKFLOW_IDS),
        headersArb({ body: true }),
        sometimes(hostileString, 1, 2),
        async (method, template, s, d, x, w, h, body) => {
          const path = template.replace('{s}', s).replace('{d}', d).replace('{x}', x).replace('{w}', w);
          await exchange({ method, path, ...h, authed: path.startsWith('/v1') ? h.authed : true, body: method === 'GET' || method === 'HEAD' ? undefined : body }, 'none');
        },
      ),
      fcParams(runsFor('other')),
    );
    flushSurvey();
  }, TIMEOUT);
});

