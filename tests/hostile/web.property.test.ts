/**
 * Hostile input against the web interface (issue 7). fast-check generates, with real sessions
 * and CSRF tokens where a route needs them (and forged, missing or foreign ones too):
 *
 *  - urlencoded form posts to every POST route: near-valid bodies built from each workflow's own
 *    schemas with keys removed, values replaced by hostile or huge strings, `__proto__` /
 *    `constructor` keys, repeated keys, NUL and lone surrogates percent-encoded, raw
 *    percent-encoding junk, odd Content-Types, cross-origin Origin headers;
 *  - multipart uploads: broken boundaries, truncated bodies, hostile field names, file names and
 *    part headers, too many parts, long fields, two files;
 *  - hostile path ids on every route that takes one;
 *  - hostile query strings for the portfolio, the audit page, the export, the new-submission
 *    form, sign-in, the language switch and the submission page;
 *  - hostile Cookie headers (garbage or forged session tokens, repeated names, junk encodings,
 *    a header past the 8 KB the server reads).
 *
 * After every request: never a 5xx; no stack trace, SQL, driver error or server file path in the
 * body (after removing what the request itself said); a 4xx to a browser is an HTML page; every
 * redirect stays on this site; a session cookie set is HttpOnly and SameSite=Strict; a refused
 * request changes nothing in the database (row counts of submissions, transitions, documents,
 * blobs, users, organizations, web sessions and each submission's version / state / head; a
 * refused command may add its one `refused_commands` row); a request without the session's CSRF
 * token writes nothing; an accepted write changes exactly what it should and the chain it wrote
 * still recomputes; Object.prototype is never polluted.
 *
 * Violations are collected (each distinct kind with its shortest example) and reported at the
 * end of each property, so one run lists every problem. HOSTILE_WEB_RUNS sets the number of
 * generated requests (default 300, or 3% of HOSTILE_RUNS when that is set); HOSTILE_SEED replays.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestWorkflow, latestWorkflows } from '../../workflows/index.js';
import { Api, body510k, bodyRegistration, daysAgo, sha256 } from '../http/helpers.js';
import { DIALECT } from '../support/db.js';
import { TEST_PASSWORD, createTestContext, documentBytes, testApp, type TestContext, type TestUser } from '../support/fixtures.js';
import { creationInputs, exampleOf } from './catalog-support.js';
import {
  chainProblem,
  diffDb,
  envInt,
  fcParams,
  headerJunk,
  hostileKey,
  hostileString,
  hugeString,
  pctEncode,
  pctJunk,
  prototypePollution,
  segmentArb,
  showDiff,
  snapshotDb,
  type DbSnapshot,
} from './support.js';

const TOTAL = envInt('HOSTILE_WEB_RUNS', Math.max(300, Math.round(envInt('HOSTILE_RUNS', 10_000) * 0.03)));
const WEIGHTS = { forms: 30, multipart: 15, paths: 18, queries: 20, cookies: 17 } as const;
const WEIGHT_SUM = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
const runsFor = (k: keyof typeof WEIGHTS) => Math.max(1, Math.ceil((TOTAL * WEIGHTS[k]) / WEIGHT_SUM));
const TIMEOUT = 300_000;

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

type SessionName = 'manufacturer' | 'fda' | 'auditor' | 'admin' | 'beta' | 'throwaway' | 'none';
/** A form's _csrf: the session's own, absent, empty, another session's, or a hostile string. */
type Csrf = { readonly kind: 'valid' | 'absent' | 'empty' | 'other' } | { readonly kind: 'hostile'; readonly value: string };
type Kind = 'none' | 'signIn' | 'signOut' | 'create' | 'event' | 'upload' | 'unlock';

interface Session {
  readonly token: string;
  readonly csrf: string;
}

/** One generated request, before placeholders (`@@version@@`, sessions, CSRF) are resolved. */
interface Case {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly session: SessionName;
  /** Extra Cookie header parts (hostile), before or after the session cookie. */
  readonly cookie?: { readonly before?: string; readonly after?: string; readonly replace?: string };
  readonly csrf?: Csrf;
  /** urlencoded pairs (encoded at send time) */
  readonly pairs?: ReadonlyArray<readonly [string, string]>;
  /** Raw text appended to the encoded pairs (percent-encoding junk). */
  readonly junk?: string;
  /** A whole raw body instead of pairs. */
  readonly raw?: string | Buffer;
  readonly multipart?: Multipart;
  readonly contentType?: string;
  readonly accept?: string;
  readonly origin?: string;
  /** The double-submit value for POST /sign-in: cookie and field. */
  readonly signIn?: { readonly cookie?: string; readonly field?: string };
  /** What an accepted request of this route writes. */
  readonly kind: Kind;
  /** The submission whose version `@@version@@` stands for. */
  readonly target?: string;
}

interface Part {
  readonly name: string;
  readonly value: string | Buffer;
  readonly filename?: string;
  readonly contentType?: string;
  /** Raw extra header lines. */
  readonly extra?: string;
}

interface Multipart {
  readonly boundary: string;
  /** The boundary the Content-Type names (may differ from the one used in the body). */
  readonly declared: string | null;
  readonly parts: readonly Part[];
  readonly csrfPart: 'valid' | 'absent' | 'hostile' | 'other';
  readonly truncate?: number;
  readonly noClose?: boolean;
  readonly preamble?: string;
}

let ctx: TestContext;
let server: http.Server;
let api: Api;
const sessions = new Map<Exclude<SessionName, 'none' | 'throwaway'>, Session>();
/** `id|role|event`: what the role may send on the submission when the run starts. */
const allowedAtStart = new Set<string>();
const ids = { acme: [] as string[], beta: [] as string[], docs: [] as Array<[string, string]>, users: [] as string[], all: [] as string[] };
/** Strings accepted writes stored: later pages may show them (they are the record, not a leak). */
const stored = new Set<string>();
let cases = 0;
const statusCounts = new Map<number, number>();
/** Answers by route kind (`upload 303`, `event 412`...), to see that the generators reach the engine. */
const outcomes = new Map<string, number>();
/**
 * Successful answers (2xx, or 303 after a POST) by test and route: the checks of an accepted
 * request run only when one is accepted, so each test asserts its routes had some.
 */
const successes = new Map<string, number>();
const violations = new Map<string, { count: number; example: string }>();
/** Exceptions nothing caught while a request was served (they would end a real server process). */
const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  ctx = await createTestContext();
  const app = testApp(ctx);
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = new Api(app);
  const { manufacturer: m, fda, otherManufacturer: beta } = ctx.users;

  const draft = await api.create(m, body510k('Web draft'));
  const review = await api.create(m, body510k('Web review'));
  await api.send(m, review.id, 'SUBMIT', { effectiveAt: daysAgo(40) });
  await api.send(fda, review.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(38) });
  await api.send(fda, review.id, 'SCREEN_PASS', { effectiveAt: daysAgo(30) });
  const submitted = await api.create(m, body510k('Web submitted'));
  await api.send(m, submitted.id, 'SUBMIT', { effectiveAt: daysAgo(10) });
  const cleared = await api.cleared510k(m, fda, { kNumber: 'K260222', title: 'Web cleared' });
  const registration = await api.create(m, bodyRegistration({ submissionId: cleared }, 'abbreviated', 'Web registro'));
  const presub = await api.create(m, { workflow: 'fda-presub', title: 'Web Pre-Sub', device: { name: 'Pump' }, input: { meetingRequested: true } });
  const betaDraft = await api.create(beta, body510k('Beta web draft'));
  for (const [who, id, kind] of [
    [m, registration.id, 'fda-decision-letter'],
    [m, review.id, 'cover-letter'],
    [beta, betaDraft.id, 'cover-letter'],
  ] as const) {
    const up = await api.upload(who, id, kind, documentBytes(kind));
    expect(up.status, up.text).toBe(201);
    ids.docs.push([id, up.body.id as string]);
  }
  ids.acme = [draft.id, review.id, submitted.id, cleared, registration.id, presub.id];
  ids.beta = [betaDraft.id];
  ids.all = [...ids.acme, ...ids.beta];
  ids.users = Object.values(ctx.users).map((u) => u.actor.id);
  // What each role may send on each submission as it starts: the plausible half of the event cases.
  for (const id of ids.acme)
    for (const [role, user] of [
      ['manufacturer', m],
      ['fda', fda],
    ] as const) {
      const view = (await api.get(user, `/v1/submissions/${id}`)).body as { allowedEvents?: string[] };
      for (const type of view.allowedEvents ?? []) allowedAtStart.add(`${id}|${role}|${type}`);
    }
  // A user whose signing is locked, for the admin's unlock form.
  await ctx.services.db.knex('users').where({ id: ctx.users.cofepris.actor.id }).update({ signature_failures: 5, signing_locked_at: new Date().toISOString() });

  for (const [name, user] of [
    ['manufacturer', m],
    ['fda', fda],
    ['auditor', ctx.users.auditor],
    ['admin', ctx.users.admin],
    ['beta', beta],
  ] as const) {
    sessions.set(name, await signIn(user));
  }
}, 120_000);

afterAll(async () => {
  console.log(
    `hostile web (${DIALECT}): ${cases} generated requests; statuses ${JSON.stringify(Object.fromEntries([...statusCounts].sort((a, b) => a[0] - b[0])))}; by route kind ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`,
  );
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await ctx?.close();
  process.off('uncaughtException', onUncaught);
});

// ---------------------------------------------------------------- sessions

function csrfIn(text: string): string {
  const m = /name="_csrf" value="([^"]*)"/.exec(text);
  if (!m) throw new Error(`no _csrf in page: ${text.slice(0, 300)}`);
  return m[1]!;
}

/** Signs in through the form (the fixture users, before any hostile request). */
async function signIn(user: TestUser): Promise<Session> {
  const agent = request.agent(server);
  const form = await agent.get('/sign-in');
  const res = await agent
    .post('/sign-in')
    .type('form')
    .send({ _csrf: csrfIn(form.text), identifier: user.actor.name, password: TEST_PASSWORD });
  expect(res.status, res.text).toBe(303);
  const line = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('puente_session='))!;
  const token = decodeURIComponent(line.slice('puente_session='.length).split(';')[0]!);
  const page = await request(server)
    .get(user.actor.role === 'admin' ? '/users' : '/')
    .set('Cookie', `puente_session=${token}`);
  expect(page.status, page.text.slice(0, 300)).toBe(200);
  return { token, csrf: csrfIn(page.text) };
}

/**
 * A fresh session of the manufacturer written straight to the table (hostile sign-ins may have
 * rate-limited this client's address), for a sign-out that may end it.
 */
async function throwaway(): Promise<Session> {
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  await ctx.services.db.knex('web_sessions').insert({
    token_hash: sha256(token),
    user_id: ctx.users.manufacturer.actor.id,
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    expires_at: new Date(now.getTime() + 30 * 60_000).toISOString(),
  });
  const page = await request(server).get('/submissions/new').set('Cookie', `puente_session=${token}`);
  if (page.status !== 200) throw new Error(`throwaway session: ${page.status}`);
  return { token, csrf: csrfIn(page.text) };
}

// ---------------------------------------------------------------- sending

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  /** True when the request carried the session's own CSRF token (or, for sign-in, a matching pair). */
  readonly csrfValid: boolean;
  readonly sessionValid: boolean;
  readonly echoes: readonly string[];
}

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

function encodePairs(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${pctEncode(k)}=${pctEncode(v)}`).join('&');
}

function buildMultipart(mp: Multipart, csrf: string | undefined): Buffer {
  const chunks: Buffer[] = [];
  if (mp.preamble !== undefined) chunks.push(Buffer.from(`${mp.preamble}\r\n`));
  const parts: Part[] = [...mp.parts];
  if (csrf !== undefined) parts.unshift({ name: '_csrf', value: csrf });
  for (const p of parts) {
    let head = `--${mp.boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.contentType !== undefined) head += `Content-Type: ${p.contentType}\r\n`;
    if (p.extra !== undefined) head += `${p.extra}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'utf8'), Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value, 'utf8'), Buffer.from('\r\n'));
  }
  if (!mp.noClose) chunks.push(Buffer.from(`--${mp.boundary}--\r\n`));
  const all = Buffer.concat(chunks);
  // Cut 1 to 160 bytes before the end: inside the closing boundary, the last part's headers or the file's bytes.
  return mp.truncate !== undefined ? all.subarray(0, Math.max(0, all.length - 1 - (mp.truncate % 160))) : all;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
const escapeHtml = (s: string) => s.replace(/[&<>"'`]/g, (c) => ESC[c]!);

/** Every form a request's text may take when a page shows it back. */
function echoForms(values: Iterable<string>): string[] {
  const out = new Set<string>();
  const add = (s: string) => {
    if (s.length < 2) return;
    out.add(s);
    out.add(escapeHtml(s));
    try {
      out.add(encodeURIComponent(s));
    } catch {
      /* lone surrogate */
    }
  };
  for (const value of values) {
    // A huge value (a repeated character) is never shown whole; its start stands for it.
    const v = value.length > 20_000 ? value.slice(0, 5000) : value;
    const fixed = v.toWellFormed();
    for (const s of [
      v,
      fixed,
      fixed.trim(),
      fixed.slice(0, 64),
      fixed.slice(0, 200),
      fixed.slice(0, 255),
      fixed.trim().slice(0, 200),
      fixed.replace(/\r\n?/g, '\n'),
    ])
      add(s);
    for (const line of fixed.split(/\r\n|\r|\n/)) add(line.trim());
  }
  return [...out].sort((a, b) => b.length - a.length);
}

function decodeLoose(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

async function resolve(c: Case): Promise<Sent> {
  let session: Session | undefined;
  if (c.session === 'throwaway') session = await throwaway();
  else if (c.session !== 'none') session = sessions.get(c.session);
  const headers: Record<string, string> = {};
  if (c.accept !== undefined) headers.Accept = c.accept;
  if (c.origin !== undefined) headers.Origin = c.origin;
  const cookieParts: string[] = [];
  if (c.cookie?.before) cookieParts.push(c.cookie.before);
  if (session && c.cookie?.replace === undefined) cookieParts.push(`puente_session=${session.token}`);
  if (c.cookie?.replace !== undefined) cookieParts.push(c.cookie.replace);
  if (c.cookie?.after) cookieParts.push(c.cookie.after);
  if (c.signIn?.cookie !== undefined) cookieParts.push(`puente_signin=${c.signIn.cookie}`);
  if (cookieParts.length) headers.Cookie = cookieParts.join('; ');
  // Is the session the server will see the one we mean? (A huge header is ignored whole; the first of a repeated name wins.)
  const cookieHeader = headers.Cookie ?? '';
  const sessionValid = session !== undefined && cookieHeader.length <= 8192 && firstCookie(cookieHeader, 'puente_session') === session.token;

  let csrfText: string | undefined;
  const other = c.session === 'auditor' ? sessions.get('manufacturer')!.csrf : sessions.get('auditor')!.csrf;
  switch (c.csrf?.kind) {
    case 'valid':
      csrfText = session?.csrf ?? sessions.get('manufacturer')!.csrf;
      break;
    case 'empty':
      csrfText = '';
      break;
    case 'other':
      csrfText = other;
      break;
    case 'hostile':
      csrfText = c.csrf.value;
      break;
    default:
      csrfText = undefined;
  }
  let version = '1';
  if (c.target) {
    const row = (await ctx.services.db.knex('submissions').where({ id: c.target }).first('version')) as { version: number } | undefined;
    if (row) version = String(row.version);
  }
  const sub = (s: string) => s.split('@@version@@').join(version);
  const echoes: string[] = [c.path, decodeLoose(c.path), ...c.path.split(/[/?&=]/).map(decodeLoose)];
  let body: Buffer | undefined;
  let csrfValid = false;
  if (c.multipart) {
    const mpCsrf =
      c.multipart.csrfPart === 'valid'
        ? session?.csrf
        : c.multipart.csrfPart === 'other'
          ? other
          : c.multipart.csrfPart === 'hostile'
            ? (csrfText ?? 'x')
            : undefined;
    body = buildMultipart(c.multipart, mpCsrf);
    headers['Content-Type'] =
      c.contentType ?? (c.multipart.declared === null ? 'multipart/form-data' : `multipart/form-data; boundary=${c.multipart.declared}`);
    csrfValid = session !== undefined && mpCsrf === session.csrf;
    for (const p of c.multipart.parts) echoes.push(p.name, p.filename ?? '', typeof p.value === 'string' ? p.value : '', p.contentType ?? '');
  } else if (c.method === 'POST') {
    const pairs: Array<[string, string]> = (c.pairs ?? []).map(([k, v]) => [k, sub(v)]);
    if (c.signIn?.field !== undefined) pairs.unshift(['_csrf', c.signIn.field]);
    else if (csrfText !== undefined) pairs.unshift(['_csrf', csrfText]);
    const text = c.raw !== undefined ? c.raw : `${encodePairs(pairs)}${c.junk ?? ''}`;
    body = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
    headers['Content-Type'] = c.contentType ?? 'application/x-www-form-urlencoded';
    for (const [k, v] of pairs) echoes.push(k, v);
    if (typeof c.raw === 'string') echoes.push(c.raw, ...c.raw.split(/[&=]/).map(decodeLoose));
    if (c.junk) echoes.push(c.junk, decodeLoose(c.junk));
    // The token the server compares with is the first `_csrf` (urlencoded keeps repeats as a list: no match).
    const given = pairs.filter(([k]) => k === '_csrf');
    if (c.kind === 'signIn') csrfValid = c.signIn?.cookie !== undefined && c.signIn.cookie !== '' && given.length === 1 && given[0]![1] === c.signIn.cookie;
    else csrfValid = session !== undefined && given.length === 1 && given[0]![1] === session.csrf && c.raw === undefined;
  }
  if (c.cookie) echoes.push(...Object.values(c.cookie).filter((v): v is string => typeof v === 'string'));
  return { method: c.method, path: c.path, headers, body, csrfValid, sessionValid, echoes: echoForms(echoes.filter(Boolean)) };
}

function firstCookie(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    if (part.slice(0, i).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function send(s: Sent): Promise<Answer> {
  const port = (server.address() as { port: number }).port;
  return new Promise((resolvePromise, reject) => {
    const headers: Record<string, string | number> = { ...s.headers };
    if (s.body) headers['Content-Length'] = s.body.length;
    const req = http.request({ host: '127.0.0.1', port, path: s.path, method: s.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(s.body);
  });
}

// ---------------------------------------------------------------- checks

const LEAKS: ReadonlyArray<[string, RegExp, 'all' | 'visible']> = [
  ['stack frame', /\bat \S+ \(.*:\d+:\d+\)|\bat (?:file:\/\/|\/|node:)\S*:\d+|\n\s+at \S+ \(/, 'all'],
  ['driver', /SQLITE_|sqlite3|\bknex\b|pg-protocol|ECONNREFUSED/i, 'all'],
  ['SQL', /\bselect\s+(?:\*|[\w."]+(?:\s*,\s*[\w."]+)*)\s+from\s|\binsert\s+into\s|\bdelete\s+from\s|\bupdate\s+"?\w+"?\s+set\s/i, 'visible'],
  [
    'database error',
    /duplicate key|violates .*constraint|syntax error at or near|invalid input syntax|invalid byte sequence|relation "|unterminated quoted/i,
    'visible',
  ],
  ['JS error', /\b(?:TypeError|RangeError|ReferenceError|SyntaxError)\b|Cannot read propert|is not a function|Maximum call stack/, 'visible'],
  ['file path', /node_modules|\/(?:tmp|home|usr|opt|root|work)\/|\.ts:\d+|file:\/\//, 'all'],
  ['stack property', /"stack"\s*:/, 'all'],
];

function scrub(text: string, echoes: readonly string[]): string {
  let t = text;
  for (const e of [...echoes, ...stored]) if (e.length > 1 && t.includes(e)) t = t.split(e).join('\u2420');
  return t;
}

function short(s: string, n = 400): string {
  return s.length > n ? `${s.slice(0, n)}…(${s.length})` : s;
}

function labelOf(s: Sent): string {
  const b = s.body ? ` body=${short(s.body.toString('utf8').replace(/[\r\n]/g, '⏎'), 300)}` : '';
  return `${s.method} ${short(s.path, 200)} headers=${short(JSON.stringify(s.headers), 300)}${b}`;
}

/** The problems of one exchange (empty when it kept every property). */
async function check(c: Case, s: Sent, res: Answer, before: DbSnapshot & { sessions: number }, after: DbSnapshot & { sessions: number }): Promise<string[]> {
  const problems: string[] = [];
  const ct = String(res.headers['content-type'] ?? '');
  const browser = s.headers.Accept === BROWSER_ACCEPT;
  if (res.status >= 500 || res.status < 100) problems.push(`5xx answer ${res.status}`);
  if (res.status >= 400 && browser && !/^text\/html\b/.test(ct)) problems.push(`4xx to a browser is not HTML (${ct}, ${res.status})`);
  if (res.status >= 400 && !/^text\/html\b|^application\/problem\+json\b/.test(ct)) problems.push(`4xx neither HTML nor problem+json (${ct})`);
  if (/^text\/html\b/.test(ct)) for (const x of XSS) if (res.text.includes(x)) problems.push(`unescaped markup in a page: ${x}`);
  if (/^text\/html\b|^application\/problem\+json\b/.test(ct)) {
    const scrubbed = scrub(res.text, s.echoes);
    const visible = scrubbed.replace(/<[^>]*>/g, ' ');
    for (const [what, re, where] of LEAKS) {
      const m = re.exec(where === 'visible' ? visible : scrubbed);
      if (m) problems.push(`${what} leaked: …${short(scrubbed.slice(Math.max(0, m.index - 80), m.index + 80), 200)}…`);
    }
  }
  if (res.status >= 300 && res.status < 400) {
    const loc = String(res.headers.location ?? '');
    if (!/^\/(?![/\\])/.test(loc)) problems.push(`redirect off the site: ${short(loc, 200)}`);
  }
  for (const line of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
    if (/^puente_(session|signin)=/.test(line) && !(/;\s*HttpOnly/i.test(line) && /;\s*SameSite=Strict/i.test(line) && /;\s*Path=\//.test(line)))
      problems.push(`weak cookie: ${line}`);
  }
  const pollution = prototypePollution();
  if (pollution) problems.push(`prototype polluted: ${pollution}`);

  // The database: what changed, against what this answer allows.
  const d = diffDb(before, after);
  const sessionsDelta = after.sessions - before.sessions;
  const { refused_commands: refusedDelta = 0, ...counts } = d.counts;
  const nothing = Object.keys(counts).length === 0 && d.changed.size === 0 && d.added.length === 0 && d.removed.length === 0;
  const where = `diff ${showDiff(d)} web_sessions ${sessionsDelta}`;
  // 403, 409, 412, and the security refusals of issue 8 §8 (a write to a submission one may not
  // see: the engine's 404, not a missing route; a wrong or locked signature) leave one record.
  const securityRefusal =
    (res.status === 404 && !res.text.includes('No route')) || res.status === 423 || (res.status === 401 && res.text.includes('signature'));
  if (refusedDelta !== 0 && !(refusedDelta === 1 && ([403, 409, 412].includes(res.status) || securityRefusal)))
    problems.push(`refused_commands changed by ${refusedDelta} on a ${res.status} (${where})`);
  const loc = String(res.headers.location ?? '');
  const accepted =
    res.status === 303 &&
    ((c.kind === 'create' && /^\/submissions\/[^/?]+\?created=1$/.test(loc)) ||
      (c.kind === 'event' && /\?done=/.test(loc)) ||
      (c.kind === 'upload' && /\?uploaded=/.test(loc)) ||
      (c.kind === 'signIn' && !loc.startsWith('/sign-in')) ||
      (c.kind === 'signOut' && loc === '/sign-in?signedOut=1') ||
      (c.kind === 'unlock' && loc.startsWith('/users?unlocked=')));
  const foreign = c.origin !== undefined && !c.origin.startsWith('http://127.0.0.1:');
  // (A sign-out without a session ends nothing: it may answer 303 to anyone.)
  const wrote = c.kind === 'signOut' ? sessionsDelta !== 0 : accepted;
  if (wrote && !s.csrfValid) problems.push(`accepted (${c.kind}) without the session's CSRF token`);
  if (wrote && foreign) problems.push(`accepted (${c.kind}) from Origin ${c.origin}`);
  if (!accepted) {
    if (!nothing || sessionsDelta !== 0) problems.push(`state changed by a request that was not accepted (${res.status} ${short(loc, 100)}): ${where}`);
  } else {
    const ok = (cond: boolean, what: string) => {
      if (!cond) problems.push(`accepted ${c.kind} wrote the wrong footprint (${what}): ${where}`);
    };
    const touched: string[] = [];
    switch (c.kind) {
      case 'create':
        ok(
          JSON.stringify(counts) === JSON.stringify({ submissions: 1, transitions: 1 }) && d.added.length === 1 && d.changed.size === 0 && sessionsDelta === 0,
          'one submission, one record',
        );
        touched.push(...d.added);
        break;
      case 'event':
        ok(
          counts.submissions === undefined &&
            counts.documents === undefined &&
            counts.blobs === undefined &&
            counts.users === undefined &&
            d.added.length === 0 &&
            sessionsDelta === 0,
          'counts',
        );
        ok(d.changed.size >= 1 && [...d.changed.values()].every((v) => v === 1) && counts.transitions === d.changed.size, 'one record per changed submission');
        touched.push(...d.changed.keys());
        break;
      case 'upload':
        ok(
          counts.transitions === 1 &&
            counts.documents === 1 &&
            (counts.blobs ?? 0) <= 1 &&
            counts.submissions === undefined &&
            d.changed.size === 1 &&
            sessionsDelta === 0,
          'one document, one record',
        );
        touched.push(...d.changed.keys());
        break;
      case 'signIn':
        ok(nothing && sessionsDelta === 1, 'one session');
        break;
      case 'signOut':
        ok(nothing && sessionsDelta <= 0 && sessionsDelta >= -1, 'at most one session fewer');
        if (s.sessionValid && s.csrfValid && sessionsDelta !== -1) problems.push(`sign-out with the session and its token left the session (${where})`);
        break;
      case 'unlock':
        ok(nothing && sessionsDelta === 0, 'no rows');
        break;
      default:
        ok(false, 'a write on a read-only route');
    }
    for (const id of touched) {
      const h = await request(server).get(`/v1/submissions/${id}/history`).set(ctx.users.auditor.auth);
      if (h.status !== 200) problems.push(`history of ${id} after an accepted ${c.kind}: ${h.status}`);
      else {
        const broken = chainProblem(h.body.items as Array<Record<string, unknown>>);
        if (broken) problems.push(`hash chain of ${id} broken after an accepted ${c.kind}: ${broken}`);
      }
    }
    // What was accepted is now on record; pages may show it.
    for (const e of s.echoes) stored.add(e);
  }
  // A post with the session's cookie but not its token never writes (whatever the answer).
  if (c.method === 'POST' && !s.csrfValid && c.kind !== 'signIn' && c.kind !== 'signOut' && (!nothing || sessionsDelta !== 0))
    problems.push(`a post without the CSRF token wrote: ${where}`);
  return problems;
}

/** A request path as its route (`/submissions/:id/documents/:doc`). */
function webRoute(path: string): string {
  return path
    .split('?')[0]!
    .replace(/^\/submissions\/[^/]+/, '/submissions/:id')
    .replace(/\/documents\/[^/]+/, '/documents/:doc')
    .replace(/^\/(users|lang|assets)\/[^/]+/, '/$1/:x');
}

/** Sends one case and records any violation; returns the answer. */
async function exchange(c: Case): Promise<Answer> {
  const knex = ctx.services.db.knex;
  const s = await resolve(c);
  const snap = async () => ({ ...(await snapshotDb(knex)), sessions: Number((await knex('web_sessions').count<{ n: number | string }[]>({ n: '*' }))[0]!.n) });
  const before = await snap();
  cases++;
  const res = await send(s);
  statusCounts.set(res.status, (statusCounts.get(res.status) ?? 0) + 1);
  if ((res.status >= 200 && res.status < 300) || (c.method === 'POST' && res.status === 303)) {
    const key = `${expect.getState().currentTestName?.split(' > ').at(-1)}|${c.method} ${webRoute(c.path)}`;
    successes.set(key, (successes.get(key) ?? 0) + 1);
  }
  const outcome = `${c.method === 'GET' ? 'GET' : c.kind} ${res.status}`;
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  await new Promise((r) => setImmediate(r));
  const after = await snap();
  const problems = await check(c, s, res, before, after);
  for (const e of uncaught.splice(0)) problems.unshift(`uncaught exception in the server (it would end the process): ${String(e)}`);
  for (const p of problems) {
    const route = webRoute(c.path);
    const key = `${p.split(':')[0]!.replace(/\(.*$/, '').trim()} | ${c.method} ${short(route, 60)}`;
    const example = `${p}\n      request: ${labelOf(s)}\n      answer: ${res.status} ${res.headers['content-type'] ?? ''} ${short(res.text.replace(/\s+/g, ' '), 300)}`;
    const seen = violations.get(key);
    if (!seen) violations.set(key, { count: 1, example });
    else {
      seen.count++;
      if (example.length < seen.example.length) seen.example = example;
    }
  }
  return res;
}

/** Fails listing each distinct kind of violation (with its shortest example) seen since the last call. */
function flush(): void {
  if (!violations.size) return;
  const lines = [...violations].map(([k, v]) => `  ${k} (x${v.count})\n      ${v.example}`);
  violations.clear();
  expect.fail(`violations:\n${lines.join('\n')}`);
}

// ---------------------------------------------------------------- generators

/** JSON example data as dotted form pairs (`data.reason`, `data.reference.number`, repeated for lists). */
function flatten(prefix: string, v: unknown, out: Array<[string, string]> = []): Array<[string, string]> {
  if (v === null || v === undefined) return out;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== 'object' || x === null)) for (const x of v) out.push([prefix, String(x)]);
    else out.push([prefix, JSON.stringify(v)]);
  } else if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) flatten(`${prefix}.${k}`, x, out);
  } else out.push([prefix, String(v)]);
  return out;
}

const sessionArb = (preferred: SessionName, other = 1): fc.Arbitrary<SessionName> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(preferred) },
    { weight: other, arbitrary: fc.constantFrom<SessionName>('manufacturer', 'fda', 'auditor', 'admin', 'beta', 'none') },
  );

const csrfArb: fc.Arbitrary<Csrf> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Csrf>({ kind: 'valid' }) },
  { weight: 1, arbitrary: fc.constantFrom<Csrf>({ kind: 'absent' }, { kind: 'empty' }, { kind: 'other' }) },
  { weight: 1, arbitrary: fc.oneof(hostileString, headerJunk).map<Csrf>((value) => ({ kind: 'hostile', value })) },
);

const acceptArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 10, arbitrary: fc.constant(BROWSER_ACCEPT) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, 'application/json', '*/*', 'text/plain', 'application/problem+json') },
  { weight: 1, arbitrary: headerJunk },
);

const originArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1.evil.example', 'file://', '') },
  { weight: 1, arbitrary: headerJunk },
);

const FORM_TYPES = ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8'];
const contentTypeArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 14, arbitrary: fc.constantFrom(...FORM_TYPES) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/x-www-form-urlencoded; charset=latin1',
      'application/x-www-form-urlencoded; charset=x-junk',
      'application/x-www-form-urlencoded; charset=utf-16',
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'multipart/form-data',
      'APPLICATION/X-WWW-FORM-URLENCODED',
      '',
    ),
  },
  { weight: 1, arbitrary: headerJunk },
);

/** Markup that must never reach a page unescaped, wherever it was typed (and whenever: stored values too). */
const XSS = ['<script>alert(1)</script>', '"><svg onload=alert(1)>', "'><img src=x onerror=alert(1)>"] as const;

/** A value for a form field: mostly hostile strings, sometimes huge, sometimes percent junk kept raw. */
const formValueArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(...XSS) },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: fc.constantFrom('@@version@@', '0', '-1', '999999999999999', '1e3', ' 1', '1.0', 'true', '[]', '{}', 'null') },
);

/** Form keys worth trying: pollution, bracket syntax, dotted paths into data/device/input/signature. */
const formKeyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileKey },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '__proto__',
      '__proto__[polluted]',
      'constructor[prototype][polluted]',
      'data.__proto__',
      'data.__proto__.polluted',
      'data.constructor.prototype.polluted',
      'data',
      'data.',
      '.data',
      'data..x',
      'device.__proto__',
      'input.__proto__.role',
      'input.reference.__proto__',
      'signature',
      'signature.__proto__',
      'type[]',
      '_csrf[]',
      'version[]',
      'hasOwnProperty',
      'toString',
      '',
      '=',
      '&',
    ),
  },
);

type Mutation =
  | { readonly op: 'remove'; readonly pick: number }
  | { readonly op: 'replace'; readonly pick: number; readonly value: string }
  | { readonly op: 'repeat'; readonly pick: number; readonly value: string }
  | { readonly op: 'add'; readonly key: string; readonly value: string };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('replace' as const), pick: fc.nat(), value: formValueArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('repeat' as const), pick: fc.nat(), value: formValueArb }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('add' as const), key: formKeyArb, value: fc.oneof(formValueArb, fc.constantFrom('polluted', 'admin', 'true')) }),
  },
);

function mutate(base: ReadonlyArray<readonly [string, string]>, ms: readonly Mutation[]): Array<[string, string]> {
  const pairs = base.map(([k, v]) => [k, v] as [string, string]);
  for (const m of ms) {
    if (m.op === 'add') {
      pairs.push([m.key, m.value]);
      continue;
    }
    if (!pairs.length) continue;
    const i = m.pick % pairs.length;
    if (m.op === 'remove') pairs.splice(i, 1);
    else if (m.op === 'replace') pairs[i] = [pairs[i]![0], m.value];
    else pairs.splice(i + 1, 0, [pairs[i]![0], m.value]);
  }
  return pairs;
}

/** Valid event forms for the fixture submissions: every event of their workflows, with example data. */
function eventBases(): Array<{ target: string; pairs: Array<[string, string]>; roles: readonly string[] }> {
  const out: Array<{ target: string; pairs: Array<[string, string]>; roles: readonly string[] }> = [];
  const meaning = ['responsibility', 'approval', 'review', 'authorship'];
  for (const id of ids.all) {
    const wid = id === ids.acme[4] ? 'cofepris-registration' : id === ids.acme[5] ? 'fda-presub' : 'fda-510k';
    const w = latestWorkflow(wid)!;
    for (const [type, spec] of Object.entries(w.events)) {
      const data = flatten('data', exampleOf(spec.schema, type.length));
      const pairs: Array<[string, string]> = [
        ['type', type],
        ['version', '@@version@@'],
        // A step that ends the submission is confirmed on the web (guide issue 13 §2).
        ['confirm', 'yes'],
        ...data,
        ['effectiveAt', daysAgo(type.length % 5)],
        ['comment', `web ${type}`],
      ];
      if (spec.requiresSignature) pairs.push(['signature.meaning', meaning[type.length % 4]!], ['signature.password', TEST_PASSWORD]);
      out.push({ target: id, pairs, roles: spec.roles });
    }
  }
  return out;
}

function creationBases(): Array<Array<[string, string]>> {
  const out: Array<Array<[string, string]>> = [];
  for (const w of latestWorkflows()) {
    for (const input of creationInputs(w, { tracked: [ids.acme[3]!, ids.acme[1]!], linkable: [ids.acme[0]!] }).slice(0, 3)) {
      out.push([
        ['workflow', w.id],
        ['title', `Hostile web ${w.id}`],
        ['device.name', 'Pump'],
        ['device.model', 'P-1'],
        ['device.productCode', 'FRN'],
        ...flatten('input', input),
      ]);
    }
  }
  return out;
}

function formCaseArb(): fc.Arbitrary<Case> {
  const events = eventBases();
  const creations = creationBases();
  const common = fc.record({
    mutations: fc.array(mutationArb, { maxLength: 3 }),
    csrf: csrfArb,
    accept: acceptArb,
    origin: originArb,
    contentType: contentTypeArb,
    junk: fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: pctJunk.map((j) => `&${j}`) }),
  });
  /** A POST of urlencoded `pairs` carrying `c`'s hostile variations (CSRF, mutations, junk, Content-Type, Accept, Origin). */
  const formPost = (
    path: string,
    session: SessionName,
    c: typeof common extends fc.Arbitrary<infer T> ? T : never,
    pairs: ReadonlyArray<readonly [string, string]>,
    kind: Kind,
  ): Case => ({
    method: 'POST',
    path,
    session,
    csrf: c.csrf,
    pairs: mutate(pairs, c.mutations),
    junk: c.junk,
    contentType: c.contentType,
    accept: c.accept,
    origin: c.origin,
    kind,
  });
  const anyEvent = fc
    .record({
      base: fc.constantFrom(...events),
      session: fc.oneof(
        { weight: 3, arbitrary: fc.constant<SessionName>('manufacturer') },
        { weight: 2, arbitrary: fc.constant<SessionName>('fda') },
        { weight: 1, arbitrary: sessionArb('beta') },
      ),
      c: common,
    })
    .map(({ base, session, c }): Case => ({ ...formPost(`/submissions/${base.target}/events`, session, c, base.pairs, 'event'), target: base.target }));
  // The same, sent by a role the event names: the catalogs have grown many timer and reviewer
  // events, and a run must still reach the accepted path of the route, not only its refusals.
  const typeOf = (b: (typeof events)[number]) => b.pairs.find(([k]) => k === 'type')![1];
  const ownEvents = (['manufacturer', 'fda'] as const).flatMap((role) =>
    events.filter((b) => allowedAtStart.has(`${b.target}|${role}|${typeOf(b)}`)).map((base) => ({ base, role })),
  );
  const ownEvent = fc
    .record({
      own: fc.constantFrom(...ownEvents),
      // Mostly as the form sends it (hostile variations stay possible).
      c: fc.record({ c: common, clean: fc.boolean() }).map(({ c, clean }) => (clean ? { ...c, mutations: [] } : c)),
    })
    .map(({ own: { base, role }, c }): Case => ({ ...formPost(`/submissions/${base.target}/events`, role, c, base.pairs, 'event'), target: base.target }));
  const event = fc.oneof({ weight: 1, arbitrary: anyEvent }, { weight: 2, arbitrary: ownEvent });
  const create = fc
    .record({ base: fc.constantFrom(...creations), session: sessionArb('manufacturer'), c: common })
    .map(({ base, session, c }) => formPost('/submissions', session, c, base, 'create'));
  const signInCase = fc
    .record({
      identifier: fc.oneof(fc.constantFrom('Maria Lopez', 'Bob Beta', 'maria lopez', ' Maria Lopez ', 'Ada Admin'), hostileString),
      password: fc.oneof(fc.constant(TEST_PASSWORD), hostileString, hugeString),
      next: fc.oneof(
        fc.constantFrom('/', '/audit', '//evil.example', 'https://evil.example', '/\\evil.example', '/%2F/evil.example', '\t//evil.example', '/\u2028x'),
        hostileString,
      ),
      pair: fc.oneof({ weight: 6, arbitrary: fc.constant('match') }, { weight: 1, arbitrary: fc.constantFrom('noCookie', 'noField', 'differ', 'empty') }),
      c: common,
    })
    .map(({ identifier, password, next, pair, c }): Case => {
      const token = 'signin-token-0123456789';
      const signIn =
        pair === 'match'
          ? { cookie: token, field: token }
          : pair === 'noCookie'
            ? { field: token }
            : pair === 'noField'
              ? { cookie: token }
              : pair === 'empty'
                ? { cookie: '', field: '' }
                : { cookie: token, field: `${token}x` };
      return {
        method: 'POST',
        path: '/sign-in',
        session: 'none',
        signIn,
        pairs: mutate(
          [
            ['identifier', identifier],
            ['password', password],
            ['next', next],
          ],
          c.mutations.filter((m) => m.op !== 'replace'),
        ),
        junk: c.junk,
        contentType: c.contentType,
        accept: c.accept,
        origin: c.origin,
        kind: 'signIn',
      };
    });
  const signOut = fc
    .record({
      session: fc.oneof({ weight: 3, arbitrary: fc.constant<SessionName>('throwaway') }, { weight: 1, arbitrary: fc.constant<SessionName>('none') }),
      c: common,
    })
    .map(({ session, c }) => formPost('/sign-out', session, c, [], 'signOut'));
  const verify = fc.record({ session: sessionArb('auditor'), c: common }).map(({ session, c }) => formPost('/audit/verify', session, c, [], 'none'));
  const unlock = fc
    .record({ user: fc.constantFrom(...ids.users), session: sessionArb('admin'), c: common })
    .map(({ user, session, c }) => formPost(`/users/${user}/unlock`, session, c, [], 'unlock'));
  const uploadAsForm = fc.record({ id: fc.constantFrom(...ids.acme), c: common }).map(({ id, c }): Case => ({
    method: 'POST',
    path: `/submissions/${id}/documents`,
    session: 'manufacturer',
    csrf: c.csrf,
    pairs: mutate(
      [
        ['kind', 'cover-letter'],
        ['file', 'x'],
      ],
      c.mutations,
    ),
    contentType: c.contentType,
    accept: c.accept,
    kind: 'upload',
  }));
  const rawBody = fc
    .record({
      path: fc.constantFrom('/submissions', '/sign-in', '/sign-out', '/audit/verify', `/submissions/${ids.acme[0]}/events`),
      raw: fc.oneof(
        fc.constantFrom(
          '',
          '&',
          '&&&',
          '=',
          '==',
          '%',
          '_csrf',
          '_csrf=%',
          'a=1&a=2&a=3',
          '__proto__=x',
          '__proto__[a]=1',
          'constructor[prototype][polluted]=1',
          `${'a=1&'.repeat(600)}`,
          '\u0000=\u0000',
          '%00=%00',
          'a=%ED%A0%80',
          'a=%C0%AF',
          'a=%FF%FE',
          `x=${'%'.repeat(5000)}`,
        ),
        fc.string({ unit: 'binary', maxLength: 200 }),
        pctJunk,
      ),
      session: sessionArb('manufacturer'),
      accept: acceptArb,
      contentType: contentTypeArb,
    })
    .map(({ path, raw, session, accept, contentType }): Case => ({
      method: 'POST',
      path,
      session,
      raw,
      contentType,
      accept,
      kind:
        path === '/sign-in' ? 'signIn' : path === '/sign-out' ? 'signOut' : path === '/submissions' ? 'create' : path.endsWith('/events') ? 'event' : 'none',
      target: path.endsWith('/events') ? ids.acme[0] : undefined,
    }));
  return fc.oneof(
    { weight: 8, arbitrary: event },
    { weight: 4, arbitrary: create },
    { weight: 3, arbitrary: signInCase },
    { weight: 1, arbitrary: signOut },
    { weight: 1, arbitrary: verify },
    { weight: 1, arbitrary: unlock },
    { weight: 1, arbitrary: uploadAsForm },
    { weight: 2, arbitrary: rawBody },
  );
}

/** `arb` once in `1 + none` cases, else null. */
const rarely = <T>(arb: fc.Arbitrary<T>, none: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: none, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

const KINDS = ['cover-letter', 'fda-decision-letter', 'application-form', 'labeling', 'other'];
const filenameArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'doc.pdf',
      'résumé final.pdf',
      'a b.pdf',
      'x.html',
      '.pdf',
      'a'.repeat(300),
      'C:\\fakepath\\doc.pdf',
      '../../etc/passwd',
      'doc.pdf\r\nX-Injected: 1',
      'doc"quoted".pdf',
      'doc%22.pdf',
      'doc\u0000.pdf',
      '<script>alert(1)</script>.pdf',
      `${XSS[2]}.pdf`,
    ),
  },
  { weight: 3, arbitrary: hostileString },
);

function multipartCaseArb(): fc.Arbitrary<Case> {
  const part = fc.oneof(
    { weight: 3, arbitrary: fc.record({ name: fc.constant('kind'), value: fc.oneof(fc.constantFrom(...KINDS), hostileString) }) },
    { weight: 2, arbitrary: fc.record({ name: formKeyArb, value: fc.oneof(hostileString, fc.constant('x'.repeat(5000))) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        name: fc.constantFrom('file', 'other', '__proto__'),
        value: fc.constantFrom(Buffer.from('%PDF-1.4 extra'), Buffer.alloc(0)),
        filename: filenameArb,
        contentType: fc.constantFrom('application/pdf', 'text/html', ''),
      }),
    },
  );
  const file = fc.record({
    value: fc.oneof(
      { weight: 4, arbitrary: fc.constant(Buffer.from('%PDF-1.4\n% hostile web\n')) },
      { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((a) => Buffer.from(a)) },
      { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
    ),
    filename: fc.oneof({ weight: 2, arbitrary: fc.constantFrom('doc.pdf', 'Carta de la FDA.pdf', 'résumé.pdf') }, { weight: 1, arbitrary: filenameArb }),
    contentType: fc.oneof(fc.constantFrom('application/pdf', 'text/html', 'application/octet-stream', 'image/svg+xml', ''), headerJunk),
  });
  return fc
    .record({
      id: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...ids.acme) }, { weight: 1, arbitrary: fc.constantFrom(...ids.beta) }),
      session: fc.oneof(
        { weight: 8, arbitrary: fc.constant<SessionName>('manufacturer') },
        { weight: 2, arbitrary: fc.constantFrom<SessionName>('fda', 'auditor', 'beta', 'none') },
      ),
      kind: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...KINDS) }, { weight: 1, arbitrary: hostileString }),
      file: fc.option(file, { freq: 6 }),
      extra: fc.array(part, { maxLength: 3 }),
      many: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(11, 13) }),
      boundary: fc.oneof(
        { weight: 8, arbitrary: fc.constant('----puenteBoundary7MA4YWxk') },
        { weight: 1, arbitrary: fc.constantFrom('x', 'a'.repeat(71), 'b"q', 'sp ace', '--', '') },
      ),
      declared: fc.oneof(
        { weight: 9, arbitrary: fc.constant('same') },
        { weight: 1, arbitrary: fc.constantFrom<'none' | 'other' | 'quoted'>('none', 'other', 'quoted') },
      ),
      csrfPart: fc.oneof(
        { weight: 10, arbitrary: fc.constant<'valid'>('valid') },
        { weight: 1, arbitrary: fc.constantFrom<'absent' | 'hostile' | 'other'>('absent', 'hostile', 'other') },
      ),
      truncate: rarely(fc.nat(), 7),
      closeMissing: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      preamble: rarely(fc.constantFrom('preamble text', '--not-the-boundary', ''), 10),
      accept: acceptArb,
      origin: originArb,
      csrfHostile: fc.oneof(hostileString, headerJunk),
      contentType: rarely(
        fc.oneof(
          fc.constantFrom(
            'multipart/form-data',
            'multipart/mixed; boundary=----puenteBoundary7MA4YWxk',
            'multipart/form-data; boundary=',
            'multipart/form-data; charset=utf-8; boundary=----puenteBoundary7MA4YWxk',
          ),
          headerJunk,
        ),
        10,
      ),
    })
    .map((r): Case => {
      const parts: Part[] = [{ name: 'kind', value: r.kind }, ...r.extra.map((p) => ({ ...p }))];
      for (let i = 0; i < r.many; i++) parts.push({ name: `f${i}`, value: 'v' });
      if (r.file)
        parts.push({ name: 'file', value: r.file.value, filename: r.file.filename, ...(r.file.contentType ? { contentType: r.file.contentType } : {}) });
      const declared = r.declared === 'same' ? r.boundary : r.declared === 'none' ? null : r.declared === 'quoted' ? `"${r.boundary}"` : 'other-boundary';
      return {
        method: 'POST',
        path: `/submissions/${r.id}/documents`,
        session: r.session,
        csrf: { kind: 'hostile', value: r.csrfHostile },
        multipart: {
          boundary: r.boundary,
          declared,
          parts,
          csrfPart: r.csrfPart,
          ...(r.truncate !== null ? { truncate: r.truncate } : {}),
          noClose: r.closeMissing,
          ...(r.preamble !== null ? { preamble: r.preamble } : {}),
        },
        ...(r.contentType !== null ? { contentType: r.contentType } : {}),
        accept: r.accept,
        origin: r.origin,
        kind: 'upload',
      };
    });
}

function pathCaseArb(): fc.Arbitrary<Case> {
  const sub = segmentArb([...ids.all, ...ids.users.slice(0, 1)]);
  const doc = segmentArb(ids.docs.map(([, d]) => d));
  const user = segmentArb(ids.users);
  const session = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<SessionName>('manufacturer', 'fda', 'auditor') },
    { weight: 1, arbitrary: fc.constantFrom<SessionName>('admin', 'beta', 'none') },
  );
  return fc.oneof(
    fc
      .record({ s: sub, session, accept: acceptArb })
      .map(({ s, session: se, accept }): Case => ({ method: 'GET', path: `/submissions/${s}`, session: se, accept, kind: 'none' })),
    fc
      .record({ s: sub, session, accept: acceptArb })
      .map(({ s, session: se, accept }): Case => ({ method: 'GET', path: `/submissions/${s}/report`, session: se, accept, kind: 'none' })),
    fc
      .record({ s: fc.oneof(fc.constantFrom(...ids.docs.map(([id]) => id)), sub), d: doc, session, accept: acceptArb })
      .map(({ s, d, session: se, accept }): Case => ({ method: 'GET', path: `/submissions/${s}/documents/${d}`, session: se, accept, kind: 'none' })),
    fc.record({ s: sub, accept: acceptArb, csrf: csrfArb }).map(({ s, accept, csrf }): Case => ({
      method: 'POST',
      path: `/submissions/${s}/events`,
      session: 'manufacturer',
      csrf,
      pairs: [
        ['type', 'WITHDRAW'],
        ['confirm', 'yes'],
        ['signature.meaning', 'responsibility'],
        ['signature.password', TEST_PASSWORD],
        ['version', '@@version@@'],
      ],
      accept,
      kind: 'event',
      target: decodeLoose(s),
    })),
    fc
      .record({ u: user, accept: acceptArb, csrf: csrfArb })
      .map(({ u, accept, csrf }): Case => ({ method: 'POST', path: `/users/${u}/unlock`, session: 'admin', csrf, pairs: [], accept, kind: 'unlock' })),
    fc
      .record({ l: segmentArb(['es', 'en']), next: fc.oneof(fc.constant('/'), hostileString.map(pctEncode), pctJunk), accept: acceptArb })
      .map(({ l, next, accept }): Case => ({ method: 'GET', path: `/lang/${l}?next=${next}`, session: 'none', accept, kind: 'none' })),
    fc
      .record({ a: segmentArb(['app.css', 'app.js', 'mermaid.min.js']), accept: acceptArb })
      .map(({ a, accept }): Case => ({ method: 'GET', path: `/assets/${a}`, session: 'none', accept, kind: 'none' })),
    fc
      .record({ p: fc.oneof(hostileString.map(pctEncode), pctJunk), session, accept: acceptArb })
      .map(({ p, session: se, accept }): Case => ({ method: 'GET', path: `/${p}`, session: se, accept, kind: 'none' })),
  );
}

function queryValue(key: string): fc.Arbitrary<string> {
  const known: Record<string, readonly string[]> = {
    workflow: [...latestWorkflows().map((w) => w.id), 'FDA-510K', '__proto__'],
    state: ['draft', 'review', 'review.substantive', 'cleared', 'closed.withdrawn', 'aiHold'],
    organization: [ctx.users.manufacturer.actor.organization!.id, ctx.users.otherManufacturer.actor.organization!.id],
    dueSoon: ['true', 'false', '1', ''],
    overdue: ['true', 'false', 'yes'],
    cursor: ['eyJ4IjoxfQ', 'abc', '', 'W10', 'bnVsbA'],
    submission: ids.all,
    recordedFrom: ['2026-01-01', '2026-02-30', daysAgo(1), 'yesterday', '2026-01-01T00:00:00Z'],
    recordedTo: ['2027-01-01', '0000-00-00', daysAgo(0)],
    role: ['manufacturer', 'fda', 'system', 'root'],
    type: ['SUBMIT', 'submit', 'DECIDE_SE', "'; DROP TABLE transitions; --"],
    format: ['csv', 'jsonl', 'xml', ''],
    search: ['1', '0', ''],
    next: ['/', '//evil.example', 'https://evil.example', '/\\x'],
    done: ['SUBMIT', 'submit', 'A'.repeat(65), '<b>x</b>'],
    created: ['1', '0'],
    uploaded: ['a.pdf', '<script>alert(1)</script>', 'x'.repeat(300)],
    signedOut: ['1'],
    expired: ['1'],
  };
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...(known[key] ?? ['x'])) },
    { weight: 3, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.constantFrom(...XSS) },
    { weight: 1, arbitrary: hugeString.map((h) => h.slice(0, 3000)) },
  );
}

/** key=value pairs: proper encoding, raw junk, repeats, bracket and pollution keys. */
function queryArbOf(keys: readonly string[]): fc.Arbitrary<string> {
  const pair = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...keys).chain((k) => queryValue(k).map((v) => `${pctEncode(k)}=${pctEncode(v)}`)) },
    { weight: 1, arbitrary: fc.record({ k: hostileKey, v: hostileString }).map(({ k, v }) => `${pctEncode(k)}=${pctEncode(v)}`) },
    { weight: 1, arbitrary: fc.record({ k: fc.constantFrom(...keys), v: pctJunk }).map(({ k, v }) => `${k}=${v}`) },
    { weight: 1, arbitrary: fc.constantFrom(...keys, '__proto__', 'constructor').map((k) => `${k}[]=x&${k}[a]=y`) },
    { weight: 1, arbitrary: fc.constantFrom(...keys) },
  );
  return fc.array(pair, { maxLength: 7 }).map((pairs) => pairs.join('&').slice(0, 6000));
}

function queryCaseArb(): fc.Arbitrary<Case> {
  const portfolio = ['workflow', 'state', 'organization', 'q', 'dueSoon', 'overdue', 'cursor'];
  const audit = ['search', 'submission', 'workflow', 'role', 'type', 'recordedFrom', 'recordedTo', 'cursor'];
  const mk = (path: string, keys: readonly string[], session: fc.Arbitrary<SessionName>) =>
    fc
      .record({ q: queryArbOf(keys), session, accept: acceptArb })
      .map(({ q, session: se, accept }): Case => ({ method: 'GET', path: `${path}?${q}`, session: se, accept, kind: 'none' }));
  const pageSession = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<SessionName>('manufacturer', 'fda', 'auditor') },
    { weight: 1, arbitrary: fc.constantFrom<SessionName>('beta', 'none', 'admin') },
  );
  return fc.oneof(
    { weight: 6, arbitrary: mk('/', portfolio, pageSession) },
    { weight: 5, arbitrary: mk('/audit', audit, sessionArb('auditor', 2)) },
    { weight: 2, arbitrary: mk('/audit/export', [...audit, 'format'], sessionArb('auditor', 2)) },
    {
      weight: 2,
      arbitrary: mk(
        '/submissions/new',
        ['workflow', 'title', 'device.name', 'input.route', 'input.reference.submissionId', 'input.format'],
        sessionArb('manufacturer'),
      ),
    },
    { weight: 2, arbitrary: mk('/sign-in', ['next', 'signedOut', 'expired'], fc.constantFrom<SessionName>('none', 'manufacturer')) },
    { weight: 1, arbitrary: mk('/lang/es', ['next'], fc.constant<SessionName>('none')) },
    { weight: 2, arbitrary: fc.constantFrom(...ids.all).chain((id) => mk(`/submissions/${id}`, ['done', 'created', 'uploaded'], pageSession)) },
    { weight: 1, arbitrary: mk('/users', ['unlocked'], sessionArb('admin')) },
  );
}

function cookieCaseArb(): fc.Arbitrary<Case> {
  const token = () => sessions.get('manufacturer')!.token;
  const junkCookie = fc.oneof(
    fc.constantFrom(
      'puente_session=garbage',
      'puente_session=',
      'puente_session',
      `puente_session=${'A'.repeat(43)}`,
      `puente_session=${'A'.repeat(600)}`,
      'puente_session=%zz',
      'puente_session=%00',
      'puente_session="quoted"',
      'puente_lang=fr',
      'puente_lang=__proto__',
      'puente_lang=%zz',
      '__proto__=x',
      'constructor=y',
      '=novalue',
      ';;;',
      'a=b; a=c; a=d',
      'puente_signin=x',
    ),
    fc.record({ n: fc.constantFrom('puente_session', 'puente_lang', 'x'), v: hostileString.map(pctEncode) }).map(({ n, v }) => `${n}=${v}`),
    headerJunk,
    fc.integer({ min: 8193, max: 14_000 }).map((n) => `x=${'a'.repeat(n)}`),
    fc.integer({ min: 1, max: 400 }).map((n) => Array.from({ length: n }, (_, i) => `c${i}=${i}`).join('; ')),
  );
  const placement = fc.oneof(
    junkCookie.map((v) => ({ before: v })),
    junkCookie.map((v) => ({ after: v })),
    junkCookie.map((v) => ({ replace: v })),
    fc.constant({ replace: `puente_session=${token()}x` }),
    fc.constant({ before: 'puente_session=garbage' }),
    fc.constant({ after: 'puente_session=garbage' }),
    fc.constant({ before: `puente_session=${token()}` }),
  );
  const routes = fc.oneof(
    fc.constantFrom<[Case['method'], string, Kind]>(
      ['GET', '/', 'none'],
      ['GET', `/submissions/${ids.acme[1]}`, 'none'],
      ['GET', '/submissions/new?workflow=fda-510k', 'none'],
      ['GET', '/sign-in', 'none'],
      ['GET', '/audit', 'none'],
      ['GET', '/users', 'none'],
      ['GET', '/assets/app.css', 'none'],
      ['GET', '/lang/es', 'none'],
    ),
    fc.constantFrom<[Case['method'], string, Kind]>(
      ['POST', `/submissions/${ids.acme[0]}/events`, 'event'],
      ['POST', '/submissions', 'create'],
      ['POST', '/sign-out', 'signOut'],
      ['POST', '/audit/verify', 'none'],
    ),
  );
  return fc
    .record({ cookie: placement, route: routes, csrf: csrfArb, accept: acceptArb })
    .map(({ cookie, route: [method, path, kind], csrf, accept }): Case => ({
      method,
      path,
      session: path === '/sign-out' ? 'throwaway' : 'manufacturer',
      cookie,
      csrf,
      pairs:
        method === 'POST'
          ? kind === 'event'
            ? [
                ['type', 'WITHDRAW'],
                ['confirm', 'yes'],
                ['signature.meaning', 'responsibility'],
                ['signature.password', TEST_PASSWORD],
                ['version', '@@version@@'],
                ['comment', 'cookie case'],
              ]
            : kind === 'create'
              ? [
                  ['workflow', 'fda-510k'],
                  ['title', 'Cookie case'],
                  ['device.name', 'P'],
                  ['input.format', 'eSTAR'],
                  ['input.variant', 'traditional'],
                ]
              : []
          : undefined,
      accept,
      kind,
      target: kind === 'event' ? ids.acme[0] : undefined,
    }));
}

// ---------------------------------------------------------------- properties

describe(`hostile input to the web interface on ${DIALECT}`, () => {
  /** Runs a property, then asserts each of `routes` answered with success at least once (its accepted path ran). */
  const run = async (arb: fc.Arbitrary<Case>, n: number, routes: readonly string[]) => {
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        await exchange(c);
      }),
      { ...fcParams<[Case]>(n), endOnFailure: true },
    );
    flush();
    const test = expect.getState().currentTestName?.split(' > ').at(-1);
    for (const route of routes) expect(successes.get(`${test}|${route}`) ?? 0, `no successful answer for ${route}`).toBeGreaterThan(0);
  };

  it(
    `urlencoded form posts to every POST route (${runsFor('forms')} cases)`,
    async () => {
      // POST /users/:x/unlock succeeds only in the path property (its form here always carries a mutation that refuses it).
      await run(formCaseArb(), runsFor('forms'), [
        'POST /sign-in',
        'POST /sign-out',
        'POST /submissions',
        'POST /submissions/:id/events',
        'POST /audit/verify',
      ]);
    },
    TIMEOUT,
  );

  it(
    `multipart uploads (${runsFor('multipart')} cases)`,
    async () => {
      await run(multipartCaseArb(), runsFor('multipart'), ['POST /submissions/:id/documents']);
    },
    TIMEOUT,
  );

  it(
    `hostile path ids (${runsFor('paths')} cases)`,
    async () => {
      await run(pathCaseArb(), runsFor('paths'), ['GET /submissions/:id', 'GET /submissions/:id/report', 'GET /assets/:x', 'POST /users/:x/unlock']);
    },
    TIMEOUT,
  );

  it(
    `hostile query strings (${runsFor('queries')} cases)`,
    async () => {
      await run(queryCaseArb(), runsFor('queries'), ['GET /', 'GET /sign-in', 'GET /submissions/:id', 'GET /audit', 'GET /users']);
    },
    TIMEOUT,
  );

  it(
    `hostile cookies (${runsFor('cookies')} cases)`,
    async () => {
      await run(cookieCaseArb(), runsFor('cookies'), ['GET /', 'POST /sign-out', 'POST /submissions', 'POST /submissions/:id/events']);
    },
    TIMEOUT,
  );

  it('the fixture sessions survived (no hostile request ended or hijacked them) and nothing polluted Object.prototype', async () => {
    for (const [name, s] of sessions) {
      const res = await request(server).get('/submissions/new').set('Cookie', `puente_session=${s.token}`);
      expect(res.status, name).toBe(200);
    }
    expect(prototypePollution()).toBeNull();
  });
});
