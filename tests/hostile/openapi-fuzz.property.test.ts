/**
 * The OpenAPI document against the server, as Schemathesis would check it (issue 10 §7; PyPI is
 * out of reach here, so this is the same run in TypeScript): for every role (manufacturer, fda,
 * cofepris, auditor, admin) fast-check generates requests to every operation of GET /openapi.json
 * from what the document says alone: path, query and header parameters and request bodies from
 * their schemas (valid ones, and invalid ones that break one documented constraint: a required
 * parameter left out, a value against its pattern, enum, type or bound, a body of the wrong shape,
 * malformed JSON, the wrong Content-Type), mixed with ids of real fixtures so that operations also
 * reach their successes. Every answer is checked:
 *
 *  - not_a_server_error: never a 5xx (the documented 503 of a busy database excepted);
 *  - status_code_conformance: the status is documented for the operation;
 *  - content_type_conformance and response_schema_conformance: the Content-Type is one documented
 *    for that status and the body validates against its schema (problem+json for errors);
 *  - response_headers_conformance: documented headers (ETag, Location, Retry-After...) validate;
 *  - negative_data_rejection: a request that breaks a documented constraint is never a 2xx;
 *  - ignored_auth: without a valid token, an operation behind it answers 401;
 *  - unsupported_method: a method the path does not list answers 405 with `Allow` naming the
 *    documented ones (all roles; without a token, /v1 answers 401 first).
 *
 * Each request is built from the document, not from knowledge of the routes: a change to the
 * server that the document does not follow (or the reverse) fails here.
 *
 * Size: about OPENAPI_FUZZ_RUNS generated requests per role, split over the operations by weight (default 300, about a minute in all on two
 * cores; Schemathesis' own run was 8,614 requests: OPENAPI_FUZZ_RUNS=1700). The seed is fixed
 * (HOSTILE_SEED replays another; fast-check prints seed and path of a failure).
 */
import type http from 'node:http';
import fc from 'fast-check';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { FailedAuthLimiter } from '../../src/http/auth.js';
import { Api, body510k } from '../http/helpers.js';
import { createTestContext, documentBytes, type TestContext, type TestUser } from '../support/fixtures.js';
import { HTTP_METHODS, OpenApiContract, pointer, type Answer } from '../support/openapi.js';
import { envInt, fcParams, hostileString } from './support.js';

const RUNS = envInt('OPENAPI_FUZZ_RUNS', 300);
const ROLES = ['manufacturer', 'fda', 'cofepris', 'auditor', 'admin'] as const;
type Role = (typeof ROLES)[number];
const TIMEOUT = 600_000;

type Json = Record<string, any>;
type Schema = Json | boolean;

const contract = new OpenApiContract();
const doc = contract.doc;

// ------------------------------------------------------------------ values from JSON Schema

/** The schema a `$ref` names (siblings other than `$ref` override the target's). */
function resolve(s: Schema): Schema {
  let cur = s;
  for (let i = 0; typeof cur === 'object' && typeof cur.$ref === 'string' && i < 20; i++) {
    const { $ref, ...rest } = cur;
    const target = String($ref)
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, seg) => (node as Json | undefined)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    cur = { ...(target as Json), ...rest };
  }
  return cur;
}

/** allOf folded into one schema (properties and required merged). */
function flatten(s: Json): Json {
  if (!Array.isArray(s.allOf)) return s;
  const { allOf, ...rest } = s;
  let out: Json = { ...rest };
  for (const part of allOf as Schema[]) {
    const p = flatten(resolve(part) as Json);
    out = { ...p, ...out, properties: { ...p.properties, ...out.properties }, required: [...new Set([...(p.required ?? []), ...(out.required ?? [])])] };
  }
  return out;
}

const smallJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

function regexArb(pattern: string, s: Json): fc.Arbitrary<string> {
  try {
    const re = new RegExp(pattern, 'u');
    const min = s.minLength ?? 0;
    const max = s.maxLength ?? Infinity;
    return fc.stringMatching(re).filter((v) => [...v].length >= min && [...v].length <= max);
  } catch {
    return fc.string({ maxLength: 20 });
  }
}

/** Values the schema accepts (as far as a generator can tell; the server decides the rest). */
function valid(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (schema === true || schema === undefined) return smallJson;
  if (schema === false) return fc.constant(null);
  const s = flatten(resolve(schema) as Json);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const variants = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (variants && depth < 8) {
    const { oneOf: _o, anyOf: _a, ...base } = s;
    return fc.oneof(
      ...variants.map((v) => {
        const r = flatten(resolve(v) as Json);
        return fc
          .constant(0)
          .chain(() =>
            valid(
              { ...base, ...r, properties: { ...base.properties, ...r.properties }, required: [...new Set([...(base.required ?? []), ...(r.required ?? [])])] },
              depth + 1,
            ),
          );
      }),
    );
  }
  const type = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [s.type as string] : s.properties ? ['object'] : undefined;
  if (!type) return smallJson;
  return fc.constantFrom(...type).chain((t) => validOfType(s, t, depth));
}

function validOfType(s: Json, t: string, depth: number): fc.Arbitrary<unknown> {
  switch (t) {
    case 'string':
      if (s.format === 'date')
        return fc.date({ min: new Date('2000-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (s.format === 'date-time')
        return fc.date({ min: new Date('2000-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === 'uuid') return fc.uuid();
      if (s.format === 'email') return fc.emailAddress();
      if (s.format === 'uri') return fc.webUrl();
      if (typeof s.pattern === 'string') return regexArb(s.pattern, s);
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.max(s.minLength ?? 0, Math.min(s.maxLength ?? 24, 48)) });
    case 'integer':
      return fc.integer({
        min: s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000),
        max: s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000),
      });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const min = s.minItems ?? 0;
      const max = Math.max(min, Math.min(s.maxItems ?? 3, 4));
      return depth > 6 ? fc.constant([]) : fc.array(valid(s.items ?? true, depth + 1), { minLength: min, maxLength: max });
    }
    default: {
      if (depth > 6) return fc.constant({});
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const required = ((s.required ?? []) as string[]).filter((k) => k in props);
      const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valid(v, depth + 1)]));
      return fc.record(model, { requiredKeys: required });
    }
  }
}

/** Values meant to break the schema (checked with ajv afterwards: a mutation that still validates counts as valid). */
function invalid(schema: Schema): fc.Arbitrary<unknown> {
  const s = flatten(resolve(schema) as Json);
  const wrongType = fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.constant([]), fc.string({ maxLength: 10 }), fc.constant({}));
  const options: fc.Arbitrary<unknown>[] = [wrongType];
  if (Array.isArray(s.enum)) options.push(hostileString.filter((v) => !(s.enum as unknown[]).includes(v)));
  if (typeof s.pattern === 'string' || s.maxLength !== undefined || s.format)
    options.push(hostileString, fc.string({ minLength: (s.maxLength ?? 64) + 1, maxLength: (s.maxLength ?? 64) + 8 }));
  if (s.type === 'integer' || s.maximum !== undefined) options.push(fc.constantFrom((s.maximum ?? 1e6) + 1, (s.minimum ?? 1) - 1, 1.5));
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const required = (s.required ?? []) as string[];
  if (s.type === 'object' || s.properties) {
    const base = valid(s) as fc.Arbitrary<Json>;
    if (required.length)
      options.push(fc.tuple(base, fc.constantFrom(...required)).map(([o, k]) => Object.fromEntries(Object.entries(o).filter(([key]) => key !== k))));
    if (s.additionalProperties === false || s.unevaluatedProperties === false)
      options.push(
        fc
          .tuple(
            base,
            fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in props)),
          )
          .map(([o, k]) => ({ ...o, [k]: 1 })),
      );
    const keys = Object.keys(props);
    if (keys.length) options.push(fc.constantFrom(...keys).chain((k) => fc.tuple(base, invalid(props[k]!)).map(([o, v]) => ({ ...o, [k]: v }))));
  }
  return fc.oneof(...options);
}

// ------------------------------------------------------------------ requests from the document

interface Param {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly schema: Json;
}

interface Operation {
  readonly method: string;
  readonly template: string;
  /** JSON pointer segments of the operation in the document. */
  readonly segs: readonly string[];
  readonly params: readonly Param[];
  readonly body?: { readonly required: boolean; readonly types: readonly string[] };
  readonly bearer: boolean;
}

const operations: Operation[] = Object.entries(doc.paths as Record<string, Json>).flatMap(([template, item]) =>
  HTTP_METHODS.filter((m) => m in item).map((method) => {
    const op = item[method] as Json;
    const body = op.requestBody as Json | undefined;
    return {
      method,
      template,
      segs: ['paths', template, method],
      params: (op.parameters ?? []) as Param[],
      body: body ? { required: body.required === true, types: Object.keys(body.content as Json) } : undefined,
      bearer: !(Array.isArray(op.security) && op.security.length === 0),
    };
  }),
);

interface Generated {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  /** Which documented constraint the request breaks, if any. */
  readonly broken?: string;
  readonly label: string;
  /** The operation asks for the bearer token. */
  readonly bearer: boolean;
}

/** Ids of real fixtures, by the parameter and path they fit. */
const pools = {
  submission: [] as string[],
  document: [] as string[],
  webhook: [] as string[],
  user: [] as string[],
  transition: [] as string[],
};

function poolFor(op: Operation, name: string): string[] {
  if (name === 'documentId') return pools.document;
  if (name === 'transitionId') return pools.transition;
  if (name !== 'id') return [];
  if (op.template.startsWith('/v1/submissions/')) return pools.submission;
  if (op.template.startsWith('/v1/webhooks/')) return pools.webhook;
  if (op.template.startsWith('/v1/users/')) return pools.user;
  return [];
}

/** Query and path values travel as text: numbers and booleans as their JSON text. */
const asText = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
/** Text that can travel in a URL or header: lone surrogates become U+FFFD; headers stay latin1 without controls. */
function sendable(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Query text as the schema sees it (an integer parameter is given as digits). */
function fromText(schema: Json, text: string): unknown {
  const s = resolve(schema) as Json;
  if ((s.type === 'integer' || s.type === 'number') && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function paramArb(op: Operation, p: Param, i: number): fc.Arbitrary<{ value: string | undefined; broken?: string }> {
  const ptr = pointer('', ...op.segs, 'parameters', String(i), 'schema');
  const pool = poolFor(op, p.name);
  // A path segment is never empty (`/v1/workflows/` is another path).
  const good = valid(p.schema)
    .map(asText)
    .map(sendable)
    .filter((v) => p.in !== 'path' || v !== '');
  // Fixture ids (the pools fill in beforeAll; the arbitrary reads them when it generates).
  const known = ['id', 'documentId', 'transitionId'].includes(p.name)
    ? [{ weight: 4, arbitrary: fc.constant(0).chain(() => (pool.length ? fc.constantFrom(...pool) : good)) }]
    : [];
  const validArb = fc.oneof(...known, { weight: 3, arbitrary: good });
  // Node trims and refuses some header text: a header value is not judged against its schema.
  const bad = invalid(p.schema)
    .map(asText)
    .map(sendable)
    .filter((v) => p.in !== 'path' || v !== '')
    .map((value) => ({
      value,
      broken: p.in === 'header' || contract.valid(ptr, fromText(p.schema, value)) ? undefined : `${p.in} ${p.name} against its schema`,
    }));
  const arms: Array<fc.WeightedArbitrary<{ value: string | undefined; broken?: string }>> = [
    { weight: 8, arbitrary: validArb.map((value) => ({ value })) },
    { weight: 2, arbitrary: bad },
  ];
  if (p.required && p.in !== 'path') arms.push({ weight: 1, arbitrary: fc.constant({ value: undefined, broken: `required ${p.in} ${p.name} left out` }) });
  else if (!p.required) arms.push({ weight: 5, arbitrary: fc.constant({ value: undefined }) });
  return fc.oneof(...arms);
}

function bodyArb(op: Operation): fc.Arbitrary<{ body?: string | Buffer; type?: string; broken?: string }> {
  const spec = op.body;
  if (!spec) return fc.constant({});
  if (!spec.types.includes('application/json')) {
    // Raw bytes of any type (document uploads).
    return fc.record({
      body: fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)),
      type: fc.constantFrom('application/pdf', 'application/octet-stream', 'text/plain; charset=utf-8', 'image/png'),
    });
  }
  const ptr = pointer('', ...op.segs, 'requestBody', 'content', 'application/json', 'schema');
  const schema = doc.paths[op.template][op.method].requestBody.content['application/json'].schema as Schema;
  const json = 'application/json';
  const arms: Array<fc.WeightedArbitrary<{ body?: string | Buffer; type?: string; broken?: string }>> = [
    { weight: 10, arbitrary: valid(schema).map((v) => ({ body: JSON.stringify(v), type: json })) },
    {
      weight: 4,
      arbitrary: invalid(schema).map((v) => {
        const text = JSON.stringify(v) ?? 'null';
        return { body: text, type: json, broken: contract.valid(ptr, JSON.parse(text)) ? undefined : 'body against its schema' };
      }),
    },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[1,]', 'nul', '\u0000').map((t) => ({ body: t, type: json, broken: 'malformed JSON' })) },
    { weight: 1, arbitrary: valid(schema).map((v) => ({ body: JSON.stringify(v), type: 'text/plain', broken: 'Content-Type not application/json' })) },
  ];
  if (spec.required) arms.push({ weight: 1, arbitrary: fc.constant({ broken: 'required body left out' }) });
  else arms.push({ weight: 2, arbitrary: fc.constant({}) });
  return fc.oneof(...arms);
}

function requestArb(op: Operation): fc.Arbitrary<Generated> {
  return fc.tuple(fc.tuple(...op.params.map((p, i) => paramArb(op, p, i))), bodyArb(op)).map(([values, b]) => {
    let path = op.template;
    const query: string[] = [];
    const headers: Record<string, string> = {};
    const broken: string[] = [];
    op.params.forEach((p, i) => {
      const { value, broken: why } = values[i]!;
      if (why) broken.push(why);
      if (value === undefined) return;
      if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(value));
      else if (p.in === 'query') query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(value)}`);
      else headers[p.name] = value.replace(/[^\x20-\x7e\x80-\xff]/g, '?');
    });
    if (b.type) headers['Content-Type'] = b.type;
    if (b.broken) broken.push(b.broken);
    const full = query.length ? `${path}?${query.join('&')}` : path;
    return {
      method: op.method.toUpperCase(),
      path: full,
      headers,
      body: b.body,
      broken: broken[0],
      label: `${op.method.toUpperCase()} ${op.template}`,
      bearer: op.bearer,
    };
  });
}

// ------------------------------------------------------------------ the run

let ctx: TestContext;
let server: http.Server;
const counts: Record<string, { requests: number; byStatus: Record<string, number>; broken: number; ops: Set<string>; twoXX: Set<string> }> = {};

async function exchange(g: Generated, auth: string | undefined, who: string, authed = auth !== undefined): Promise<void> {
  let t = request(server)[g.method.toLowerCase() as 'get'](g.path);
  if (auth) t = t.set('Authorization', auth);
  for (const [k, v] of Object.entries(g.headers)) t = t.set(k, v);
  const res = g.body === undefined ? await t : await t.send(g.body as string);
  const c = (counts[who] ??= { requests: 0, byStatus: {}, broken: 0, ops: new Set(), twoXX: new Set() });
  c.requests++;
  c.byStatus[res.status] = (c.byStatus[res.status] ?? 0) + 1;
  c.ops.add(g.label);
  if (g.broken) c.broken++;
  if (res.status < 300) c.twoXX.add(g.label);
  const answer: Answer = { method: g.method, path: g.path, status: res.status, headers: res.headers, text: typeof res.text === 'string' ? res.text : '' };
  const where = `${who}: ${g.method} ${g.path.slice(0, 300)}${g.body === undefined ? '' : ` body ${String(g.body).slice(0, 300)}`} -> ${res.status} ${answer.text.slice(0, 300)}`;
  expect(res.status >= 500 && res.status !== 503, `not_a_server_error: ${where}`).toBe(false);
  expect(contract.check(answer), where).toEqual([]);
  if (g.broken) expect(res.status >= 400, `negative_data_rejection (${g.broken}): ${where}`).toBe(true);
  // ignored_auth: an operation behind the token answers 401 to a request without a valid one.
  if (g.bearer && !authed) expect(res.status, `ignored_auth: ${where}`).toBe(401);
}

beforeAll(async () => {
  ctx = await createTestContext();
  // Failed authentications are not limited here: a 429 would hide every later answer.
  const app = createApp({ ...ctx.services, authLimiter: new FailedAuthLimiter(Number.MAX_SAFE_INTEGER) }, { logger: pino({ level: 'silent' }) });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const api = new Api(app);
  const { manufacturer: m, fda, admin } = ctx.users;
  const draft = await api.create(m, body510k('Fuzz draft'));
  const cleared = await api.cleared510k(m, fda, { title: 'Fuzz cleared' });
  pools.submission.push(draft.id as string, cleared);
  for (const kind of ['cover-letter', 'device-description']) {
    const up = await api.upload(m, draft.id, kind, documentBytes(kind));
    expect(up.status, up.text).toBe(201);
    pools.document.push(up.body.id as string);
  }
  pools.transition.push(...(await api.history(m, cleared)).map((t) => t.id as string));
  for (const [who, body] of [
    [m, { url: 'https://hooks.example.com/m' }],
    [admin, { url: 'https://hooks.example.com/admin' }],
  ] as const) {
    pools.webhook.push((await api.post(who, '/v1/webhooks', body)).body.id as string);
  }
  pools.user.push(...Object.values(ctx.users).map((u) => u.actor.id));
  expect((await api.post(admin, '/v1/audit/checkpoints', {})).status).toBe(201);
}, TIMEOUT);

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await ctx.close();
  for (const [who, c] of Object.entries(counts)) {
    const statuses = Object.entries(c.byStatus)
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    console.log(
      `openapi fuzz ${who}: ${c.requests} requests (${c.broken} breaking a documented constraint) over ${c.ops.size} operations, ${c.twoXX.size} with a 2xx; statuses ${statuses}`,
    );
  }
});

/** Runs per operation: every operation gets some; those with bodies and many parameters get more. */
const weight = (op: Operation) => 1 + op.params.length / 2 + (op.body ? 3 : 0);
const WEIGHT_SUM = operations.reduce((n, op) => n + weight(op), 0);
const runsOf = (op: Operation) => Math.max(3, Math.round((RUNS * weight(op)) / WEIGHT_SUM));
/** A seed per role and operation, derived from the fixed one, so roles do not replay each other's requests. */
const seedOf = (role: string, op: Operation) =>
  [...`${role} ${op.method} ${op.template}`].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) | 0, Number(fcParams(1).seed));

describe('requests generated from the OpenAPI document, every operation', () => {
  const anyRequest = fc.constantFrom(...operations).chain(requestArb);

  for (const role of ROLES) {
    it(
      `as ${role}`,
      async () => {
        const user: TestUser = ctx.users[role];
        for (const op of operations) {
          await fc.assert(
            fc.asyncProperty(requestArb(op), async (g) => {
              await exchange(g, user.auth.Authorization, role);
            }),
            { ...fcParams(runsOf(op)), seed: seedOf(role, op) },
          );
        }
        expect(counts[role]!.ops.size).toBe(operations.length);
      },
      TIMEOUT,
    );
  }

  it(
    'without a token, or with a wrong one',
    async () => {
      await fc.assert(
        fc.asyncProperty(anyRequest, fc.constantFrom(undefined, 'Bearer pte_not-a-token', 'Basic eDp4'), async (g, auth) => {
          await exchange(g, auth, 'anonymous', false);
        }),
        fcParams(Math.max(30, Math.ceil(RUNS / 5))),
      );
    },
    TIMEOUT,
  );
});

describe('methods a path does not support', () => {
  const paths = Object.entries(doc.paths as Record<string, Json>).map(([template, item]) => ({ template, methods: HTTP_METHODS.filter((m) => m in item) }));
  const unsupported = paths.flatMap(({ template, methods }) =>
    (['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const)
      .filter((m) => !methods.includes(m.toLowerCase() as never) && !(m === 'HEAD' && methods.includes('get')))
      .map((m) => ({ template, method: m })),
  );

  it(
    'answer 405 with Allow, for every role and without a token',
    async () => {
      const who = fc.constantFrom<Role | 'anonymous'>(...ROLES, 'anonymous');
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...unsupported), who, fc.constantFrom(...pools.submission, 'x', '%41'), async ({ template, method }, role, id) => {
          const g: Generated = {
            method,
            path: template.replace(/\{[^}]+\}/g, id),
            headers: {},
            label: `${method} ${template}`,
            // Behind the token: every /v1 path but the password reset, which carries its own credential.
            bearer: template.startsWith('/v1/') && template !== '/v1/password-reset',
          };
          await exchange(g, role === 'anonymous' ? undefined : ctx.users[role].auth.Authorization, `unsupported methods`);
        }),
        fcParams(Math.max(unsupported.length, Math.ceil(RUNS / 3))),
      );
    },
    TIMEOUT,
  );
});

describe('429 after repeated failed authentications', () => {
  it('is documented, with Retry-After', async () => {
    // A client that keeps presenting one bad token (valid tokens are never throttled: issue 8 §4).
    const bad = { Authorization: 'Bearer pte_not-a-token' };
    const app = createApp({ ...ctx.services, authLimiter: new FailedAuthLimiter(2) }, { logger: pino({ level: 'silent' }) });
    for (let i = 0; i < 2; i++) expect((await request(app).get('/v1/me').set(bad)).status).toBe(401);
    for (const op of operations.filter((o) => o.bearer)) {
      const path = op.template.replace(/\{[^}]+\}/g, 'x');
      const res = await request(app)[op.method as 'get'](path).set(bad);
      expect(res.status, `${op.method} ${path}`).toBe(429);
      expect(contract.check({ method: op.method.toUpperCase(), path, status: res.status, headers: res.headers, text: res.text })).toEqual([]);
    }
  });
});
