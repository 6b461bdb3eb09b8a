/**
 * Issue 8 §8: a refused signature is a security record. A wrong password or a locked signer on a
 * signed workflow event leaves a `signing.refused` entry in the security log (who, 401 or 423,
 * which submission and event) and a `refused_commands` row, and nothing in the history. Real
 * database, real HTTP through supertest.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, createTestContext, addUser, type TestContext } from '../support/fixtures.js';
import { Api, body510k, expectProblem, type Json } from '../http/helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

async function refusedSignings(userId: string): Promise<Json[]> {
  const res = await api.get(ctx.users.auditor, `/v1/audit/security-log?type=signing.refused&limit=200`);
  expect(res.status, res.text).toBe(200);
  return (res.body.items as Json[]).filter((e) => e.subject === userId);
}

describe('refused signatures are security records (issue 8 §8)', () => {
  it('a wrong password on SUBMIT: 401, a signing.refused entry naming the submission and event, a refused command, no history row', async () => {
    const signer = await addUser(ctx.services, 'manufacturer', 'Refused Rita', 'Acme Medical');
    const s = await api.create(signer, body510k('Refused signing'));
    const res = await api.post(signer, `/v1/submissions/${s.id}/events`, {
      type: 'SUBMIT',
      signature: { meaning: 'responsibility', password: 'Wrong-Password-123' },
    });
    expectProblem(res, 401, 'signature_invalid');
    const entries = await refusedSignings(signer.actor.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ type: 'signing.refused', data: { status: 401, during: 'signing', submissionId: s.id, eventType: 'SUBMIT' } });
    expect(JSON.stringify(entries)).not.toContain('Wrong-Password-123');
    const refused = await ctx.services.db.knex('refused_commands').where({ actor_id: signer.actor.id });
    expect(refused.map((r: Json) => [Number(r.status), r.code, r.event_type])).toEqual([[401, 'signature_invalid', 'SUBMIT']]);
    expect(await api.history(signer, s.id as string)).toHaveLength(1);
  });

  it('a locked signer: 423 without a password check, recorded the same way', async () => {
    const signer = await addUser(ctx.services, 'manufacturer', 'Locked Lena', 'Acme Medical');
    const s = await api.create(signer, body510k('Locked signing'));
    for (let i = 0; i < 5; i++) {
      const r = await api.post(signer, `/v1/submissions/${s.id}/events`, {
        type: 'SUBMIT',
        signature: { meaning: 'responsibility', password: `Wrong-Password-${i}x` },
      });
      expect(r.status).toBe(401);
    }
    const res = await api.post(signer, `/v1/submissions/${s.id}/events`, {
      type: 'SUBMIT',
      signature: { meaning: 'responsibility', password: signer.password },
    });
    expectProblem(res, 423, 'signature_locked');
    const entries = await refusedSignings(signer.actor.id);
    expect(entries.map((e) => e.data.status)).toEqual([401, 401, 401, 401, 401, 423]);
  });
});
