/** Bearer authentication: failed attempts are rate-limited per client (address and token), valid tokens never; If-Match: * matches. */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { FailedAuthLimiter } from '../../src/http/auth.js';
import { createTestContext, signatureOf, testApp, type TestContext } from '../support/fixtures.js';
import { expectProblem } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

describe('failed authentication is rate-limited', () => {
  it('answers 429 with Retry-After once a client has failed too often, then recovers after the window; valid tokens pass throughout', async () => {
    let clock = 1_000_000;
    const limiter = new FailedAuthLimiter(3, 60_000, () => clock);
    const app = createApp({ ...ctx.services, authLimiter: limiter }, { logger: pino({ level: 'silent' }) });
    for (let i = 0; i < 3; i++) expectProblem(await request(app).get('/v1/me').set('Authorization', 'Bearer pte_wrong'), 401, 'unauthenticated');
    const blocked = await request(app).get('/v1/me').set('Authorization', 'Bearer pte_wrong');
    expectProblem(blocked, 429, 'too_many_requests');
    expect(Number(blocked.headers['retry-after'])).toBe(60);
    // The same address with a valid token is not throttled.
    const ok = await request(app).get('/v1/me').set(ctx.users.auditor.auth);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ role: 'auditor', name: 'Quinn Auditor' });
    clock += 60_001;
    expectProblem(await request(app).get('/v1/me').set('Authorization', 'Bearer pte_wrong'), 401, 'unauthenticated');
  });

  it('successful requests do not count', async () => {
    const limiter = new FailedAuthLimiter(2, 60_000);
    const app = createApp({ ...ctx.services, authLimiter: limiter }, { logger: pino({ level: 'silent' }) });
    for (let i = 0; i < 5; i++) expect((await request(app).get('/v1/me').set(ctx.users.fda.auth)).status).toBe(200);
    for (let i = 0; i < 2; i++) expectProblem(await request(app).get('/v1/me').set('Authorization', 'Bearer pte_wrong'), 401, 'unauthenticated');
  });
});

describe('If-Match', () => {
  it('"*" matches whatever the current version is; a quoted version must be current', async () => {
    const app = testApp(ctx);
    const m = ctx.users.manufacturer;
    const created = await request(app)
      .post('/v1/submissions')
      .set(m.auth)
      .send({ workflow: 'fda-510k', title: 't', device: { name: 'd' }, input: { format: 'eSTAR', variant: 'special' } });
    expect(created.headers.etag).toBe('"1"');
    const sent = await request(app)
      .post(`/v1/submissions/${created.body.id}/events`)
      .set(m.auth)
      .set('If-Match', '*')
      .send({ type: 'SUBMIT', signature: signatureOf(m) });
    expect(sent.status).toBe(200);
    expect(sent.headers.etag).toBe('"2"');
    expectProblem(
      await request(app).post(`/v1/submissions/${created.body.id}/events`).set(ctx.users.fda.auth).set('If-Match', 'seven').send({ type: 'FEE_VERIFIED' }),
      422,
      'validation_failed',
    );
  });
});
