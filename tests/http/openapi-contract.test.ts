/**
 * The OpenAPI document is a valid OpenAPI 3.1 document (checked by a real validator,
 * @seriousme/openapi-schema-validator), it says what the server enforces (issue 10 §7: 401/429 on
 * every bearer operation, required query parameters, the version bound, workflow ids as an enum
 * with their input schemas, an operationId everywhere, no unused component), and the answers of
 * one walk over every operation validate against it (tests/support/openapi.ts). The generated
 * requests of every role are in tests/hostile/openapi-fuzz.property.test.ts.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { FailedAuthLimiter } from '../../src/http/auth.js';
import { buildOpenApi } from '../../src/http/openapi.js';
import { WORKFLOWS, latestWorkflows } from '../../workflows/index.js';
import { addUser, createTestContext, documentBytes, testApp, type TestContext } from '../support/fixtures.js';
import { HTTP_METHODS, OpenApiContract, answerOf, expectDocumented } from '../support/openapi.js';
import { Api, body510k, expectProblem, type Json } from './helpers.js';

/** Operations under /v1 that take no bearer token: a password reset carries its one-time credential in the body. */
const NO_BEARER_V1: ReadonlySet<string> = new Set(['/v1/password-reset']);

const doc: Json = buildOpenApi();
const contract = new OpenApiContract(doc);
const operations = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
  HTTP_METHODS.filter((m) => m in item).map((method) => ({ path, method, op: item[method] as Json })),
);
const param = (path: string, method: string, name: string): Json => (doc.paths[path][method].parameters as Json[]).find((p) => p.name === name) ?? {};

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const res = await validator.validate(structuredClone(doc));
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('has an operationId on every operation, each unique', () => {
    const ids = operations.map((o) => o.op.operationId as string);
    expect(ids.filter((id) => typeof id !== 'string' || id === '')).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations.length).toBe(41 + 1 /* GET /v1/submissions/export */ + 3 /* calendar feeds */ + 2 /* notifications */ + 1 /* GET /v1/insights */);
  });

  it('uses every component schema', () => {
    const text = JSON.stringify(doc.paths);
    const used = new Set<string>();
    const visit = (name: string) => {
      if (used.has(name)) return;
      used.add(name);
      for (const m of JSON.stringify(doc.components.schemas[name]).matchAll(/#\/components\/schemas\/([^"/]+)"/g)) visit(m[1]!);
    };
    for (const m of text.matchAll(/#\/components\/schemas\/([^"/]+)"/g)) visit(m[1]!);
    expect(Object.keys(doc.components.schemas).filter((n) => !used.has(n))).toEqual([]);
  });

  it('documents 401, 422, 429 and 503 on every bearer operation, and no 401, 422 or 429 where no token is asked', () => {
    for (const { path, method, op } of operations) {
      const bearer = !(Array.isArray(op.security) && op.security.length === 0);
      expect(bearer, `${method} ${path}`).toBe(path.startsWith('/v1/') && !NO_BEARER_V1.has(path));
      // The reset credential's own operation: no token, but its credential is checked (401), its body (422) and its failures limited (429).
      for (const s of ['401', '422', '429']) expect(s in op.responses, `${method} ${path} ${s}`).toBe(bearer || NO_BEARER_V1.has(path));
      if (bearer) expect('503' in op.responses, `${method} ${path} 503`).toBe(true);
      if (bearer) expect(op.responses['429'].headers['Retry-After'], `${method} ${path}`).toBeDefined();
      for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
        if (Number(status) >= 400) expect(Object.keys(r.content), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
      }
    }
  });

  it('marks the query parameters the server requires, with the constraints it enforces', () => {
    const upload = ['kind', 'filename'].map((n) => param('/v1/submissions/{id}/documents', 'post', n));
    for (const p of upload) expect(p).toMatchObject({ in: 'query', required: true, schema: { type: 'string', pattern: expect.any(String) } });
    expect(param('/v1/audit/proofs/inclusion', 'get', 'transitionId')).toMatchObject({ required: true });
    expect(param('/v1/audit/proofs/inclusion', 'get', 'treeSize')).toMatchObject({ required: false });
    expect(param('/v1/audit/proofs/consistency', 'get', 'from')).toMatchObject({ required: true });
    expect(param('/v1/audit/proofs/consistency', 'get', 'to')).toMatchObject({ required: true });
    for (const path of ['/v1/workflows/{id}', '/v1/workflows/{id}/diagram']) {
      expect(param(path, 'get', 'version')).toMatchObject({ required: false, schema: { type: 'integer', minimum: 1, maximum: 999_999 } });
      expect(param(path, 'get', 'id').schema.enum).toEqual([...new Set(WORKFLOWS.map((w) => w.id))]);
    }
  });

  it('names the workflows a submission may be created on, each with its input schema', () => {
    const create = doc.components.schemas.CreateSubmission as Json;
    expect(create.properties.workflow.enum).toEqual(latestWorkflows().map((w) => w.id));
    expect(create.oneOf).toEqual(
      latestWorkflows().map((w) => ({ properties: { workflow: { const: w.id }, input: { $ref: `#/components/schemas/${w.id}.${w.version}.input` } } })),
    );
    expect(doc.components.schemas.SendEvent.properties.data).toEqual({ $ref: '#/components/schemas/EventData' });
  });
});

describe('answers validate against the document', () => {
  let ctx: TestContext;
  let app: Express;
  let api: Api;

  beforeAll(async () => {
    ctx = await createTestContext();
    app = testApp(ctx);
    api = new Api(app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('serves the document it is built from', async () => {
    const res = expectDocumented(await request(app).get('/openapi.json'));
    expect(res.body).toEqual(JSON.parse(JSON.stringify(doc)));
    expectDocumented(await request(app).get('/docs'));
    expectDocumented(await request(app).get('/healthz'));
    expectDocumented(await request(app).head('/healthz'));
  });

  it('a walk over every operation, successes and refusals', async () => {
    const { manufacturer: m, fda, auditor, admin, cofepris } = ctx.users;
    const seen = new Set<string>();
    const ok = async (t: request.Test, status?: number) => {
      const res = expectDocumented(await t);
      if (status !== undefined) expect(res.status, res.text).toBe(status);
      const a = answerOf(res);
      const matched = contract.match(a.path);
      if (matched) seen.add(`${a.method.toLowerCase()} ${matched.template}`);
      return res;
    };

    await ok(api.get(m, '/v1/me'), 200);
    await ok(request(app).get('/v1/me'), 401);
    await ok(api.get(m, '/v1/workflows'), 200);
    await ok(api.get(m, '/v1/workflows/fda-510k?version=1'), 200);
    await ok(api.get(m, '/v1/workflows/fda-510k?version=1000000'), 422);
    await ok(api.get(m, '/v1/workflows/fda-510k/diagram'), 200);
    await ok(api.get(m, '/v1/workflows/nope/diagram'), 404);

    const created = await ok(api.post(m, '/v1/submissions', body510k('Contract 510(k)'), { 'Idempotency-Key': 'contract-1' }), 201);
    await ok(api.post(m, '/v1/submissions', body510k('Contract 510(k)'), { 'Idempotency-Key': 'contract-1' }));
    await ok(api.post(fda, '/v1/submissions', body510k('Not mine')), 403);
    await ok(request(app).post('/v1/submissions').set(m.auth).set('Content-Type', 'application/json').send('{"workflow":'), 400);
    await ok(request(app).post('/v1/submissions').set(m.auth).set('Content-Type', 'text/plain').send('x'), 415);
    const id = created.body.id as string;
    await ok(api.get(m, '/v1/submissions?limit=1'), 200);
    await ok(api.get(m, `/v1/submissions/${id}`), 200);
    await ok(api.get(cofepris, `/v1/submissions/${id}`), 404);
    await ok(api.get(m, `/v1/submissions/${id}/diagram`), 200);
    await ok(api.get(m, `/v1/submissions/${id}/history`), 200);
    await ok(api.get(m, `/v1/submissions/${id}/report`), 200);

    // If-Match: a weak or a foreign entity tag never matches (412); text that is no tag is a 422.
    await ok(api.event(m, id, { type: 'SUBMIT' }, { 'If-Match': 'W/"1"' }), 412);
    await ok(api.event(m, id, { type: 'SUBMIT' }, { 'If-Match': '"abc"' }), 412);
    await ok(api.event(m, id, { type: 'SUBMIT' }, { 'If-Match': 'W/"1", "x"' }), 412);
    await ok(api.event(m, id, { type: 'SUBMIT' }, { 'If-Match': '"1", "2"' }), 422);
    await ok(api.event(m, id, { type: 'SUBMIT' }, { 'If-Match': 'seven' }), 422);
    await ok(api.event(fda, id, { type: 'FEE_VERIFIED' }), 404); // a draft: not yet filed, so not FDA's to see (issue 8 §6)
    await ok(api.event(m, id, { type: 'AI_RESPONSE', data: { summary: 'Answer' } }), 409);
    await ok(api.event(m, id, { type: 'SUBMIT', signature: { meaning: 'responsibility', password: 'wrong-password-1' } }), 401);

    const upload = await ok(api.upload(m, id, 'cover-letter', documentBytes('cover-letter')), 201);
    await ok(request(app).post(`/v1/submissions/${id}/documents`).set(m.auth).send(Buffer.from('x')), 422);
    await ok(api.get(m, `/v1/submissions/${id}/documents`), 200);
    await ok(api.get(m, `/v1/submissions/${id}/documents/${upload.body.id}`), 200);
    await ok(api.get(m, `/v1/submissions/${id}/documents/nope`), 404);

    await ok(api.post(m, '/v1/me/password', { currentPassword: 'Wrong-Horse-Battery-1', newPassword: 'Another-Horse-Battery-7' }), 401);
    await ok(api.post(m, `/v1/users/${fda.actor.id}/signing-unlock`, {}), 403);
    await ok(api.post(admin, `/v1/users/${fda.actor.id}/signing-unlock`, {}), 200);

    // Offboarding and resets (issue 8 §3), on a user of its own: they change tokens and passwords.
    const leaver = await addUser(ctx.services, 'manufacturer', 'Contract Leaver', 'Acme Medical');
    await ok(api.post(m, `/v1/users/${leaver.actor.id}/disable`, {}), 403);
    await ok(api.post(admin, `/v1/users/${leaver.actor.id}/disable`, {}), 200);
    await ok(api.post(admin, `/v1/users/${leaver.actor.id}/enable`, {}), 200);
    const reset = await ok(api.post(admin, `/v1/users/${leaver.actor.id}/password-reset`, {}), 200);
    await ok(
      request(app)
        .post('/v1/password-reset')
        .send({ resetToken: `pwr_${'A'.repeat(43)}`, newPassword: 'Quartz-Lantern-Rivet-84' }),
      401,
    );
    await ok(request(app).post('/v1/password-reset').send({ resetToken: reset.body.resetToken, newPassword: 'Quartz-Lantern-Rivet-84' }), 204);
    const rotated = await ok(api.post(admin, `/v1/users/${leaver.actor.id}/token`, {}), 200);
    await ok(request(app).post('/v1/me/token').set('Authorization', `Bearer ${rotated.body.token}`).send({}), 200);
    await ok(api.get(auditor, '/v1/audit/security-log?limit=2'), 200);
    await ok(api.get(m, '/v1/audit/security-log'), 403);
    await ok(api.get(auditor, '/v1/audit/security-log/export'), 200);

    const hook = await ok(api.post(m, '/v1/webhooks', { url: 'https://hooks.example.com/puente' }), 201);
    await ok(api.get(m, '/v1/webhooks'), 200);
    await ok(api.get(auditor, '/v1/webhooks'), 403);
    await ok(api.get(m, `/v1/webhooks/${hook.body.id}`), 200);
    await ok(api.get(m, `/v1/webhooks/${hook.body.id}/deliveries`), 200);
    await ok(request(app).delete(`/v1/webhooks/${hook.body.id}`).set(m.auth), 204);
    await ok(request(app).delete(`/v1/webhooks/${hook.body.id}`).set(m.auth), 404);

    await ok(api.get(auditor, '/v1/audit/transitions?limit=2'), 200);
    await ok(api.get(m, '/v1/audit/transitions'), 403);
    await ok(api.get(auditor, '/v1/audit/verify'), 200);
    await ok(api.get(auditor, '/v1/audit/export'), 200);
    await ok(api.get(auditor, '/v1/audit/export?format=csv'), 200);
    await ok(api.get(auditor, '/v1/audit/refusals'), 200);
    await ok(api.get(m, '/v1/submissions/export?format=csv&status=active'), 200);
    await ok(api.get(m, '/v1/submissions/export?format=xlsx'), 200);
    await ok(api.get(m, '/v1/submissions/export?format=pdf'), 422);
    await ok(request(app).get('/v1/calendar.ics').set(m.auth), 200);
    await ok(api.get(m, '/v1/calendar.ics?from=2026-01-01'), 422);
    await ok(api.post(m, '/v1/me/calendar-feed', {}), 200);
    await ok(request(app).delete('/v1/me/calendar-feed').set(m.auth), 204);
    await ok(api.get(m, '/v1/insights?pathway=fda-510k'), 200);
    await ok(api.get(m, '/v1/insights?from=2026-05-01&to=2026-04-30'), 422);
    await ok(api.get(m, '/v1/me/notifications'), 200);
    await ok(request(app).put('/v1/me/notifications').set(m.auth).send({ mode: 'digest', email: 'maria@acme.test' }), 200);
    await ok(request(app).put('/v1/me/notifications').set(m.auth).send({ mode: 'weekly' }), 422);
    await ok(api.get(auditor, '/v1/audit/checkpoints/latest'), 404);
    await ok(api.post(admin, '/v1/audit/checkpoints', {}), 201);
    await ok(api.get(auditor, '/v1/audit/checkpoints/latest'), 200);
    await ok(api.get(m, '/v1/audit/public-key'), 200);
    const first = (await api.history(m, id))[0]!;
    await ok(api.get(auditor, `/v1/audit/proofs/inclusion?transitionId=${first.id}`), 200);
    await ok(api.get(auditor, '/v1/audit/proofs/inclusion'), 422);
    await ok(api.get(auditor, '/v1/audit/proofs/consistency?from=1&to=1'), 200);
    await ok(api.get(auditor, '/v1/audit/proofs/consistency?to=1'), 422);
    await ok(api.get(m, '/v1/submissions/%E0%A4%A'), 400);
    await ok(api.get(m, '/v1/submissions/a%00b'), 422);

    const missing = operations.filter(({ path, method }) => !seen.has(`${method} ${path}`)).map(({ path, method }) => `${method} ${path}`);
    expect(missing).toEqual(['get /healthz', 'get /openapi.json', 'get /docs']);
  });

  it('answers 405 with Allow for every method a documented path does not support (after authentication on /v1)', async () => {
    // Anonymous requests here would soon be limited (429): this app does not limit failed authentications.
    const open = createApp({ ...ctx.services, authLimiter: new FailedAuthLimiter(Number.MAX_SAFE_INTEGER) }, { logger: pino({ level: 'silent' }) });
    for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
      const path = template.replace(/\{[^}]+\}/g, 'x');
      for (const method of ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const) {
        if (method in item || (method === 'head' && 'get' in item)) continue;
        const res = await request(open)[method](path).set(ctx.users.auditor.auth);
        expect(contract.check(answerOf(res))).toEqual([]);
        expect(res.status, `${method} ${path}`).toBe(405);
        if (method !== 'head') expectProblem(res, 405, 'method_not_allowed');
        const anonymous = await request(open)[method](path);
        expect(contract.check(answerOf(anonymous))).toEqual([]);
        expect(anonymous.status, `${method} ${path} without a token`).toBe(path.startsWith('/v1/') && !NO_BEARER_V1.has(path) ? 401 : 405);
      }
    }
  });

  it('renders the 405 detail in the language asked for, as every problem', async () => {
    const res = await request(app).delete('/healthz').set('Accept-Language', 'es-MX');
    expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers['content-language']).toBe('es');
    expect(res.headers.vary).toMatch(/Accept-Language/);
    expect((await request(app).delete('/healthz')).headers['content-language']).toBe('en');
  });

  it('still answers 404 for paths the document does not list', async () => {
    const res = await api.get(ctx.users.auditor, '/v1/nothing-here');
    expectProblem(res, 404, 'not_found');
    expectDocumented(res);
    expect((await request(app).put('/v1/submissions/x/events/y').set(ctx.users.auditor.auth)).status).toBe(404);
  });
});

describe('the contract helper (tests/support/openapi.ts) finds what it is for', () => {
  const problem = (status: number, code: string) =>
    JSON.stringify({ type: `https://puente.dev/problems/${code}`, title: code, status, detail: code, code, errors: [] });
  const asProblem = { 'content-type': 'application/problem+json; charset=utf-8' };
  const found = (a: Parameters<OpenApiContract['check']>[0]) => contract.check(a).join('\n');

  it('an undocumented status, content type, body, header', () => {
    expect(found({ method: 'GET', path: '/v1/me', status: 409, headers: asProblem, text: problem(409, 'event_not_allowed') })).toMatch(
      /status 409 is not documented/,
    );
    expect(found({ method: 'GET', path: '/v1/me', status: 200, headers: { 'content-type': 'text/html' }, text: '<p>' })).toMatch(
      /content type "text\/html" is not documented/,
    );
    expect(found({ method: 'GET', path: '/v1/me', status: 200, headers: { 'content-type': 'application/json' }, text: '{"id":1}' })).toMatch(
      /does not match the 200 application\/json schema/,
    );
    expect(found({ method: 'GET', path: '/v1/me', status: 401, headers: asProblem, text: '{"code":"unauthenticated"}' })).toMatch(/does not match the 401/);
    expect(
      found({ method: 'GET', path: '/v1/submissions/x', status: 200, headers: { 'content-type': 'application/json', etag: 'W/"3"' }, text: '{}' }),
    ).toMatch(/header ETag/);
    expect(found({ method: 'DELETE', path: '/v1/webhooks/x', status: 204, headers: {}, text: '' })).toBe('');
    expect(found({ method: 'DELETE', path: '/v1/webhooks/x', status: 204, headers: {}, text: 'gone' })).toMatch(/a body where the document has none/);
  });

  it('a method the path does not list: 405 with exactly the documented Allow (401 first behind the token)', () => {
    const ok405 = { method: 'DELETE', path: '/healthz', status: 405, headers: { ...asProblem, allow: 'GET, HEAD' }, text: problem(405, 'method_not_allowed') };
    expect(found(ok405)).toBe('');
    expect(found({ ...ok405, headers: asProblem })).toMatch(/Allow is ""/);
    expect(found({ ...ok405, headers: { ...asProblem, allow: 'GET' } })).toMatch(/expected GET, HEAD/);
    expect(found({ ...ok405, status: 404, text: problem(404, 'not_found') })).toMatch(/expected 405/);
    expect(found({ ...ok405, status: 401, text: problem(401, 'unauthenticated') })).toMatch(/expected 405/);
    expect(found({ ...ok405, path: '/v1/me', status: 401, headers: asProblem, text: problem(401, 'unauthenticated') })).toBe('');
  });
});
