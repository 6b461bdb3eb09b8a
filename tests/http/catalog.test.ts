/**
 * The caller, the workflow catalog, liveness and the API description: GET /v1/me,
 * /v1/workflows[/:id[/diagram]], /healthz, /openapi.json, /docs.
 */
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestContext } from '../support/fixtures.js';
import { Api, expectProblem, type Json, openTestApp } from './helpers.js';

let ctx: TestContext, app: Express, api: Api;

beforeAll(async () => ({ ctx, app, api } = await openTestApp()));
afterAll(async () => ctx?.close());

describe('GET /v1/me', () => {
  it('returns the caller: id, name, role, organization', async () => {
    const res = await api.get(ctx.users.manufacturer, '/v1/me');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      id: ctx.users.manufacturer.actor.id,
      name: 'Maria Lopez',
      role: 'manufacturer',
      organization: { id: expect.any(String), name: 'Acme Medical' },
    });
  });

  it('for every role; reviewers have no organization; the token is never echoed', async () => {
    for (const [key, role] of [
      ['fda', 'fda'],
      ['cofepris', 'cofepris'],
      ['auditor', 'auditor'],
      ['admin', 'admin'],
    ] as const) {
      const u = ctx.users[key];
      const res = await api.get(u, '/v1/me');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: u.actor.id, name: u.actor.name, role, organization: null });
      expect(res.text).not.toContain(u.token);
    }
  });
});

describe('GET /v1/workflows', () => {
  it('lists the catalog with id, version, title, jurisdiction and definition hash', async () => {
    const res = await api.get(ctx.users.auditor, '/v1/workflows');
    expect(res.status).toBe(200);
    const items = res.body.items as Json[];
    const byId = new Map(items.map((w) => [w.id as string, w]));
    // The latest version of each pathway (issue 9 released fda-510k@4 and cofepris-registration@6).
    expect(byId.get('fda-510k')).toMatchObject({ version: 5, jurisdiction: 'FDA', definitionHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(byId.get('cofepris-registration')).toMatchObject({ version: 7, jurisdiction: 'COFEPRIS' });
    for (const w of items) expect(typeof w.title).toBe('string');
  });

  it('requires authentication', async () => {
    expectProblem(await request(app).get('/v1/workflows'), 401, 'unauthenticated');
  });
});

describe('GET /v1/workflows/:id', () => {
  let w: Json;
  beforeAll(async () => {
    const res = await api.get(ctx.users.manufacturer, '/v1/workflows/fda-510k');
    expect(res.status).toBe(200);
    w = res.body as Json;
  });
  const state = (path: string): Json => {
    const s = (w.states as Json[]).find((x) => x.path === path);
    expect(s, `state ${path}`).toBeDefined();
    return s!;
  };

  it('describes the machine: id, version, initial state, input schema', () => {
    expect(w).toMatchObject({ id: 'fda-510k', version: 5, initial: 'draft' });
    expect(w.inputSchema.properties.format.enum).toEqual(['eSTAR', 'eCopy']);
    expect(w.inputSchema.properties.variant.enum).toEqual(expect.arrayContaining(['traditional', 'special', 'abbreviated']));
  });

  it('lists every state of DESIGN §4 with tags, clocks and deadlines', () => {
    const paths = (w.states as Json[]).map((s) => s.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'draft',
        'received',
        'userFeeHold',
        'technicalScreening',
        'eStarHold',
        'acceptanceReview',
        'rtaHold',
        'review',
        'review.substantive',
        'review.interactive',
        'aiHold',
        'cleared',
        'closed.nse',
        'closed.withdrawn',
        'closed.deleted',
        'closed.rescinded',
      ]),
    );
    expect(state('technicalScreening').tags).toContain('fda-clock');
    expect(state('technicalScreening').clocks).toContain('fda-clock');
    expect(state('aiHold').tags).toContain('hold');
    expect(state('aiHold').clocks).not.toContain('fda-clock');
    expect(state('aiHold').deadline).toMatchObject({ kind: 'aiResponse', length: 180, unit: 'calendar', event: 'AI_TIMEOUT' });
    expect(state('rtaHold').deadline).toMatchObject({ length: 180, event: 'RTA_TIMEOUT' });
    expect(state('draft').deadline).toBeNull();
    expect(state('closed.rescinded').type).toBe('final');
    expect(state('draft').transitions).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'SUBMIT', targets: ['received'] })]));
    expect(
      state('received')
        .transitions.filter((t: Json) => t.event === 'FEE_VERIFIED')
        .map((t: Json) => t.targets[0])
        .sort(),
    ).toEqual(['acceptanceReview', 'technicalScreening']);
  });

  it('lists every event with its roles and payload schema', () => {
    const ev = w.events as Record<string, Json>;
    expect(ev.SUBMIT!.roles).toEqual(['manufacturer']);
    expect(ev.FEE_VERIFIED!.roles).toEqual(['fda']);
    expect(ev.AI_TIMEOUT!.roles).toEqual(['system']);
    expect(ev.RTA_TIMEOUT!.roles).toEqual(['system']);
    expect(ev.REQUEST_AI!.roles).toEqual(['fda']);
    expect(ev.REQUEST_AI!.schema).toMatchObject({ type: 'object', additionalProperties: false, required: ['deficiencies'] });
    expect(ev.REQUEST_AI!.schema.properties.deficiencies).toMatchObject({ type: 'array', minItems: 1 });
    expect(ev.DECIDE_SE!.schema.required).toEqual(expect.arrayContaining(['kNumber', 'decisionDate']));
    expect(ev.DECIDE_SE!.schema.properties.kNumber.pattern).toBe('^K[0-9]{6}$');
    for (const [type, e] of Object.entries(ev)) {
      expect(e.schema.additionalProperties, `${type} forbids unknown fields`).toBe(false);
      expect(typeof e.description).toBe('string');
    }
    for (const type of [
      'SUBMIT',
      'FEE_VERIFIED',
      'FEE_UNPAID',
      'FEE_PAID',
      'SCREEN_PASS',
      'SCREEN_FAIL',
      'REPLACEMENT_SUBMITTED',
      'ACCEPT',
      'REFUSE_TO_ACCEPT',
      'RTA_RESPONSE',
      'SUBSTANTIVE_INTERACTION',
      'AI_RESPONSE',
      'DECIDE_NSE',
      'WITHDRAW',
      'RESCIND_SE',
    ]) {
      expect(ev[type], type).toBeDefined();
    }
  });

  it('the COFEPRIS registration describes its prevención deadline and system-only events', async () => {
    const res = await api.get(ctx.users.cofepris, '/v1/workflows/cofepris-registration');
    expect(res.status).toBe(200);
    const prevencion = (res.body.states as Json[]).find((s) => s.path === 'prevencion')!;
    // Version 6 (issue 9, LFPA art. 17-A): the term is the one the authority set, and when it has
    // passed COFEPRIS decides whether to desechar (no automatic event).
    expect(prevencion.deadline).toMatchObject({
      unit: 'mx-business',
      event: 'PREVENCION_TIMEOUT',
      consequence: 'decision',
      lengthFrom: 'prevencionTermBusinessDays',
      source: expect.objectContaining({ title: 'Ley Federal de Procedimiento Administrativo' }),
    });
    expect(res.body.events.REFERENCE_INVALIDATED.roles).toEqual(['system']);
    expect(res.body.events.GRANT.schema.required).toEqual(['registrationNumber']);
    expect((res.body.states as Json[]).map((s) => s.path)).toEqual(
      expect.arrayContaining(['preparing', 'submitted', 'underReview', 'prevencion', 'registered', 'closed.desechado']),
    );
  });

  it('GET /v1/workflows/:id/diagram is Mermaid stateDiagram-v2 text', async () => {
    const res = await api.get(ctx.users.auditor, '/v1/workflows/fda-510k/diagram');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text.startsWith('stateDiagram-v2')).toBe(true);
    expect(res.text).toContain('SUBMIT');
    expect(res.text).toContain('RESCIND_SE');
    expect(res.text).toMatch(/\[\*\] --> draft/);
  });

  it('an unknown workflow -> 404 problem (both routes)', async () => {
    expectProblem(await api.get(ctx.users.auditor, '/v1/workflows/fda-teleportation'), 404, 'not_found');
    expectProblem(await api.get(ctx.users.auditor, '/v1/workflows/fda-teleportation/diagram'), 404, 'not_found');
  });
});

describe('GET /healthz', () => {
  it('answers 200 without authentication', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });
});

/** Every route the tests use, as OpenAPI paths with methods. */
const ROUTES: Array<[string, string]> = [
  ['get', '/healthz'],
  ['get', '/v1/me'],
  ['get', '/v1/workflows'],
  ['get', '/v1/workflows/{id}'],
  ['get', '/v1/workflows/{id}/diagram'],
  ['post', '/v1/submissions'],
  ['get', '/v1/submissions'],
  ['get', '/v1/submissions/{id}'],
  ['post', '/v1/submissions/{id}/events'],
  ['get', '/v1/submissions/{id}/history'],
  ['post', '/v1/submissions/{id}/documents'],
  ['get', '/v1/submissions/{id}/documents'],
  ['get', '/v1/submissions/{id}/documents/{documentId}'],
];

/**
 * The routes the Express app really registers, read from its router (Express 5 layers): mounted
 * routers carry their mount path in `rawPath`, routes in `route.path`.
 */
function registeredRoutes(app: Express): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          out.push([method, (prefix + layer.route.path).replace(/:(\w+)/g, '{$1}')]);
        }
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as any).router.stack, '');
  return out;
}

describe('GET /openapi.json', () => {
  let doc: Json;
  beforeAll(async () => {
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body as Json;
  });

  it('is OpenAPI 3.1 with bearer security', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists every route the tests use, with its method', () => {
    for (const [method, path] of ROUTES) {
      expect(doc.paths[path], path).toBeDefined();
      expect(doc.paths[path][method], `${method.toUpperCase()} ${path}`).toBeDefined();
    }
  });

  it('lists every route the app registers, the documentation routes included (introspected from the router)', () => {
    // The API: /v1 and the public documentation routes. The web interface's pages (src/web) are
    // HTML for browsers, not API, and are not in the OpenAPI document.
    const apiPath = (p: string) => p.startsWith('/v1/') || ['/healthz', '/openapi.json', '/docs'].includes(p);
    const routes = registeredRoutes(app).filter(([, p]) => apiPath(p));
    expect(registeredRoutes(app).some(([m, p]) => m === 'post' && p === '/submissions/{id}/events')).toBe(true);
    expect(routes.length).toBeGreaterThanOrEqual(ROUTES.length);
    const documented = new Set<string>();
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Json>)) for (const m of Object.keys(methods)) documented.add(`${m} ${path}`);
    const missing = routes.map(([m, p]) => `${m} ${p}`).filter((r) => !documented.has(r));
    expect(missing).toEqual([]);
    // And nothing is documented that the app does not serve.
    const served = new Set(routes.map(([m, p]) => `${m} ${p}`));
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
  });

  it('is generated from schemas/: request bodies, the problem and the transition record', () => {
    const schemas = doc.components.schemas as Record<string, Json>;
    for (const name of ['CreateSubmission', 'SendEvent', 'Submission', 'Transition', 'Problem', 'Device', 'Document'])
      expect(schemas[name], name).toBeDefined();
    expect(schemas.Problem!.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code', 'errors']));
    expect(doc.paths['/v1/submissions'].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CreateSubmission');
    // Event payload schemas are those of the latest version of each workflow (fda-510k@4, issue 9).
    expect(schemas['fda-510k.3.REQUEST_AI']).toBeUndefined();
    expect(schemas['fda-510k.5.REQUEST_AI']).toMatchObject({ required: ['deficiencies'] });
    // Every $ref resolves inside the document.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const r of refs) {
      const target = r.slice(8, -1);
      expect(target.startsWith('#/components/schemas/'), target).toBe(true);
      expect(schemas[target.slice('#/components/schemas/'.length)], target).toBeDefined();
    }
  });

  it('documents the error statuses of the event endpoint', () => {
    const responses = doc.paths['/v1/submissions/{id}/events'].post.responses as Json;
    for (const s of ['200', '400', '401', '403', '404', '409', '412', '413', '422']) expect(responses[s], s).toBeDefined();
    expect(responses['409'].content['application/problem+json']).toBeDefined();
  });

  it('is public (no token needed)', async () => {
    expect((await request(app).get('/openapi.json')).status).toBe(200);
  });
});

describe('GET /docs', () => {
  it('returns an HTML page rendering the API', async () => {
    const res = await request(app).get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/^<!doctype html>/i);
    expect(res.text).toContain('/v1/submissions/{id}/events');
    expect(res.text).toContain('/openapi.json');
  });
});
