/**
 * The catalog by version (GET /v1/workflows lists every version with its definition hash;
 * `?version=N` reads an older one) and a submission's own diagram with its path highlighted.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionHash } from '../../src/engine/definitions.js';
import { WORKFLOWS } from '../../workflows/index.js';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { Api, body510k, errorPaths, expectProblem, type Json } from './helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

const IDS = ['fda-510k', 'fda-de-novo', 'fda-pma', 'fda-hde', 'fda-presub', 'fda-breakthrough', 'cofepris-registration'];

describe('GET /v1/workflows', () => {
  it('lists all seven ids of DESIGN §4, each with every version in the catalog and its hash', async () => {
    const res = await api.get(ctx.users.auditor, '/v1/workflows');
    expect(res.status).toBe(200);
    const items = res.body.items as Json[];
    expect(items.map((w) => w.id).sort()).toEqual([...IDS].sort());
    for (const item of items) {
      const versions = WORKFLOWS.filter((w) => w.id === item.id).sort((a, b) => a.version - b.version);
      expect(item.version).toBe(versions.at(-1)!.version);
      expect(item.versions).toEqual(versions.map((w) => ({ version: w.version, definitionHash: definitionHash(w) })));
      expect(item.definitionHash).toBe(definitionHash(versions.at(-1)!));
    }
  });
});

describe('GET /v1/workflows/:id?version=N', () => {
  it('reads any version in the catalog', async () => {
    for (const w of WORKFLOWS) {
      const res = await api.get(ctx.users.auditor, `/v1/workflows/${w.id}?version=${w.version}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ id: w.id, version: w.version, definitionHash: definitionHash(w) });
      const diagram = await api.get(ctx.users.auditor, `/v1/workflows/${w.id}/diagram?version=${w.version}`);
      expect(diagram.status).toBe(200);
      expect(diagram.text.startsWith('stateDiagram-v2\n')).toBe(true);
    }
  });

  it('answers 404 for a version not in the catalog, 422 for a malformed one or an unknown parameter', async () => {
    expectProblem(await api.get(ctx.users.auditor, '/v1/workflows/fda-510k?version=999'), 404, 'not_found');
    expectProblem(await api.get(ctx.users.auditor, '/v1/workflows/fda-510k/diagram?version=999'), 404, 'not_found');
    for (const bad of ['abc', '0', '-1', '1.5', '']) {
      const res = await api.get(ctx.users.auditor, `/v1/workflows/fda-510k?version=${bad}`);
      expect(errorPaths(expectProblem(res, 422, 'validation_failed'))).toEqual(['/version']);
    }
    const twice = await api.get(ctx.users.auditor, '/v1/workflows/fda-510k?version=1&version=1');
    expect(errorPaths(expectProblem(twice, 422, 'validation_failed'))).toEqual(['/version']);
    const unknown = await api.get(ctx.users.auditor, '/v1/workflows/fda-510k?foo=1');
    expect(errorPaths(expectProblem(unknown, 422, 'validation_failed'))).toEqual(['/foo']);
  });
});

describe('GET /v1/submissions/:id/diagram', () => {
  it("is the submission's workflow diagram with the states it went through and its current state marked", async () => {
    const m = ctx.users.manufacturer;
    const s = await api.create(m, body510k('Diagram'));
    let res = await api.get(m, `/v1/submissions/${s.id}/diagram`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('class draft current');
    expect(res.text).not.toMatch(/class \S+ visited/);

    await api.send(m, s.id, 'SUBMIT');
    await api.send(ctx.users.fda, s.id, 'FEE_VERIFIED'); // eSTAR: technical screening
    res = await api.get(ctx.users.fda, `/v1/submissions/${s.id}/diagram`);
    expect(res.text).toContain('class draft,received visited');
    expect(res.text).toContain('class technicalScreening current');
    // The rest of the diagram is the workflow's own.
    const plain = (await api.get(m, '/v1/workflows/fda-510k/diagram')).text;
    expect(res.text.startsWith(plain.trimEnd())).toBe(true);
  });

  it('is 404 for a submission the caller may not see, and for an unknown id', async () => {
    const s = await api.create(ctx.users.manufacturer, body510k('Hidden diagram'));
    expectProblem(await api.get(ctx.users.otherManufacturer, `/v1/submissions/${s.id}/diagram`), 404, 'not_found');
    expectProblem(await api.get(ctx.users.cofepris, `/v1/submissions/${s.id}/diagram`), 404, 'not_found');
    expectProblem(await api.get(ctx.users.auditor, '/v1/submissions/00000000-0000-7000-8000-000000000000/diagram'), 404, 'not_found');
  });
});
