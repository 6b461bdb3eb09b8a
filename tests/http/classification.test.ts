/**
 * FDA product classification on creation (reference-data/foiclass.txt): the submission shows the
 * US class, regulation and expected pathway; a 510(k) for a PMA code is refused with 422 at
 * /device/productCode and nothing is written; an exempt or unknown code is accepted with a warning
 * that is also kept in the CREATED record.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const withCode = (productCode: string | undefined, workflow = 'fda-510k', input: Json = { format: 'eSTAR', variant: 'traditional' }) => ({
  ...body510k(`Code ${productCode}`, input),
  workflow,
  device: { name: 'Device', ...(productCode ? { productCode } : {}) },
});

describe('FDA product classification on POST /v1/submissions', () => {
  it('shows class, regulation and expected pathway for a known code, with no warnings', async () => {
    const s = await api.create(ctx.users.manufacturer, withCode('FRN'));
    expect(s.classification).toEqual({
      productCode: 'FRN',
      deviceName: expect.any(String),
      usClass: '2',
      regulationNumber: expect.stringMatching(/^\d{3}\.\d+/),
      expectedPathway: '510(k)',
      exempt: false,
    });
    expect(s.warnings).toBeUndefined();
    // FDA sees it once filed (issue 8 §6), with the same classification.
    await api.send(ctx.users.manufacturer, s.id, 'SUBMIT');
    expect((await api.submission(ctx.users.fda, s.id)).classification).toEqual(s.classification);
  });

  it('refuses a 510(k) for a product code whose class requires PMA, naming the pathway; nothing is written', async () => {
    const before = (await api.get(ctx.users.auditor, '/v1/submissions?limit=100')).body.items.length;
    const res = await api.post(ctx.users.manufacturer, '/v1/submissions', withCode('LWS'));
    const problem = expectProblem(res, 422, 'validation_failed');
    expect(errorPaths(problem)).toEqual(['/device/productCode']);
    expect(JSON.stringify(problem)).toMatch(/LWS/);
    expect(JSON.stringify(problem)).toMatch(/PMA/);
    expect((await api.get(ctx.users.auditor, '/v1/submissions?limit=100')).body.items.length).toBe(before);
  });

  it('Third Party Review (issue 9 §3): only a product code FDA flags eligible (THIRDPARTYFLAG Y); 422 at /input/thirdPartyReview otherwise, nothing written', async () => {
    const tpr = { format: 'eSTAR', variant: 'traditional', thirdPartyReview: true };
    const eligible = await api.create(ctx.users.manufacturer, withCode('FRN', 'fda-510k', tpr));
    expect(eligible.input).toMatchObject({ thirdPartyReview: true });
    const before = await ctx.services.db.knex('submissions').count<{ n: number | string }[]>({ n: '*' });
    const res = await api.post(ctx.users.manufacturer, '/v1/submissions', withCode('LOX', 'fda-510k', tpr));
    const body = expectProblem(res, 422, 'validation_failed');
    expect(errorPaths(body)).toEqual(['/input/thirdPartyReview']);
    expect(body.detail).toContain('not eligible for the 510(k) Third Party Review program');
    const after = await ctx.services.db.knex('submissions').count<{ n: number | string }[]>({ n: '*' });
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
    // The same code without the program is an ordinary 510(k).
    expect((await api.create(ctx.users.manufacturer, withCode('LOX'))).input).toMatchObject({ variant: 'traditional' });
  });

  it('the same code is fine on the PMA pathway', async () => {
    const pmaInput = {};
    const res = await api.post(ctx.users.manufacturer, '/v1/submissions', withCode('LWS', 'fda-pma', pmaInput));
    expect(res.status, res.text).toBe(201);
    expect(res.body.classification).toMatchObject({ productCode: 'LWS', usClass: '3', expectedPathway: 'PMA' });
  });

  it('accepts an exempt code with a warning, kept in the CREATED history record', async () => {
    const s = await api.create(ctx.users.manufacturer, withCode('BRW'));
    expect(s.classification).toMatchObject({ productCode: 'BRW', usClass: '1', exempt: true, expectedPathway: '510(k) exempt' });
    expect(s.warnings).toEqual([expect.stringMatching(/exempt/)]);
    const [created] = await api.history(ctx.users.auditor, s.id);
    expect(created!.data.warnings).toEqual(s.warnings);
    // The warning belongs to the creation response only.
    expect((await api.submission(ctx.users.manufacturer, s.id)).warnings).toBeUndefined();
  });

  it('accepts an unknown code (the table may be older than the code) with a warning, and no code at all silently', async () => {
    const s = await api.create(ctx.users.manufacturer, withCode('ZZZ'));
    expect(s.classification).toBeNull();
    expect(s.warnings?.length).toBe(1);
    const none = await api.create(ctx.users.manufacturer, withCode(undefined));
    expect(none.classification).toBeNull();
    expect(none.warnings).toBeUndefined();
  });
});
