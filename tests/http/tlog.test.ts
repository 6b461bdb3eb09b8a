/**
 * The transparency log over HTTP (issue 6): who may make and read checkpoints and proofs, that
 * the proofs served verify with RFC 9162's algorithms against the signed checkpoint, and that bad
 * queries are 4xx problems naming their parameter.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/audit/merkle.js';
import { openNote, parseCheckpoint } from '../../src/audit/note.js';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { Api, body510k, expectProblem, type Json } from './helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

const hex = (h: string) => Buffer.from(h, 'hex');

describe('transparency log API', () => {
  it('has no checkpoint until one is made; only admins make them; auditors and admins read them', async () => {
    expectProblem(await api.get(ctx.users.auditor, '/v1/audit/checkpoints/latest'), 404, 'not_found');
    for (const u of [ctx.users.auditor, ctx.users.manufacturer, ctx.users.fda]) expectProblem(await api.post(u, '/v1/audit/checkpoints', {}), 403, 'forbidden');
    for (const u of [ctx.users.manufacturer, ctx.users.cofepris]) expectProblem(await api.get(u, '/v1/audit/checkpoints/latest'), 403, 'forbidden');
    await api.create(ctx.users.manufacturer, body510k('Logged 510(k)'));
    const made = await api.post(ctx.users.admin, '/v1/audit/checkpoints', {});
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      treeSize: 1,
      rootHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      timestamp: expect.any(String),
      note: expect.stringContaining('\n\n\u2014 '),
    });
    const latest = await api.get(ctx.users.auditor, '/v1/audit/checkpoints/latest');
    expect(latest.body).toEqual(made.body);
    const key = await api.get(ctx.users.manufacturer, '/v1/audit/public-key');
    expect(key.status).toBe(200);
    expect(parseCheckpoint(openNote(made.body.note, key.body.verifierKey))).toMatchObject({ origin: key.body.origin, size: 1 });
    expectProblem(await api.post(ctx.users.admin, '/v1/audit/checkpoints?x=1', {}), 422, 'validation_failed');
  });

  it('serves inclusion and consistency proofs that verify against signed checkpoints', async () => {
    const { manufacturer: m } = ctx.users;
    const k = await api.create(m, body510k('Proved 510(k)'));
    await api.send(m, k.id, 'SUBMIT');
    const first = (await api.post(ctx.users.admin, '/v1/audit/checkpoints', {})).body as Json;
    await api.create(m, body510k('Later 510(k)'));
    const second = (await api.post(ctx.users.admin, '/v1/audit/checkpoints', {})).body as Json;
    for (const t of await api.history(ctx.users.auditor, k.id)) {
      const p = await api.get(ctx.users.auditor, `/v1/audit/proofs/inclusion?transitionId=${t.id}&treeSize=${first.treeSize}`);
      expect(p.status, p.text).toBe(200);
      expect(p.body.rootHash).toBe(first.rootHash);
      expect(verifyInclusion(leafHash(hex(t.hash)), p.body.leafIndex, first.treeSize, p.body.auditPath.map(hex), hex(first.rootHash))).toBe(true);
      const now = await api.get(ctx.users.admin, `/v1/audit/proofs/inclusion?transitionId=${t.id}`);
      expect(now.body.treeSize).toBe(second.treeSize);
    }
    const c = await api.get(ctx.users.auditor, `/v1/audit/proofs/consistency?from=${first.treeSize}&to=${second.treeSize}`);
    expect(c.status).toBe(200);
    expect(verifyConsistency(first.treeSize, second.treeSize, c.body.proof.map(hex), hex(first.rootHash), hex(second.rootHash))).toBe(true);
  });

  it('bad proof queries are 4xx problems naming the parameter, never a 500', async () => {
    const a = ctx.users.auditor;
    const size = (await api.get(a, '/v1/audit/checkpoints/latest')).body.treeSize as number;
    const [t] = await api.history(a, (await api.create(ctx.users.manufacturer, body510k('Probe'))).id);
    const path = (res: Awaited<ReturnType<Api['get']>>) => expectProblem(res, 422, 'validation_failed').errors.map((e: Json) => e.path);
    expect(path(await api.get(a, '/v1/audit/proofs/inclusion'))).toContain('/transitionId');
    expect(path(await api.get(a, '/v1/audit/proofs/inclusion?transitionId=nope'))).toContain('/transitionId');
    expect(path(await api.get(a, `/v1/audit/proofs/inclusion?transitionId=${t!.id}&treeSize=0`))).toContain('/treeSize');
    expect(path(await api.get(a, `/v1/audit/proofs/inclusion?transitionId=${t!.id}&treeSize=999999`))).toContain('/treeSize');
    expect(path(await api.get(a, `/v1/audit/proofs/inclusion?transitionId=${t!.id}&treeSize=1`))).toContain('/treeSize');
    expectProblem(await api.get(a, '/v1/audit/proofs/inclusion?transitionId=00000000-0000-7000-8000-000000000000'), 404, 'not_found');
    expect(path(await api.get(a, '/v1/audit/proofs/consistency?from=3'))).toContain('/to');
    expect(path(await api.get(a, `/v1/audit/proofs/consistency?from=${size}&to=1`))).toContain('/from');
    expect(path(await api.get(a, '/v1/audit/proofs/consistency?from=1&to=99999999'))).toContain('/to');
    expect(path(await api.get(a, '/v1/audit/proofs/consistency?from=-1&to=2'))).toContain('/from');
    expect(path(await api.get(a, '/v1/audit/proofs/consistency?from=1&to=2&extra=1'))).toContain('/extra');
    expectProblem(await api.get(ctx.users.manufacturer, '/v1/audit/proofs/consistency?from=1&to=2'), 403, 'forbidden');
  });
});
