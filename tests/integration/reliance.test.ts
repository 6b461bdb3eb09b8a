/**
 * Reliance across jurisdictions: a rescinded clearance invalidates every relying registration in
 * the same transaction, attributed to the system actor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTransitions } from '../../src/store/history-store.js';
import { createTestContext, documentBytes, signatureOf, type TestContext } from '../support/fixtures.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

async function cleared(): Promise<string> {
  const { engine } = ctx.services;
  const { manufacturer: m, fda } = ctx.users;
  const id = (
    await engine.createSubmission(m.actor, {
      workflow: 'fda-510k',
      title: 'Ref',
      device: { name: 'Stent' },
      input: { format: 'eSTAR', variant: 'traditional' },
    })
  ).body.id;
  for (const [a, type, data] of [
    [m, 'SUBMIT', undefined],
    [fda, 'FEE_VERIFIED', undefined],
    [fda, 'SCREEN_PASS', undefined],
    [fda, 'DECIDE_SE', { kNumber: 'K260001', decisionDate: '2026-03-01' }],
  ] as const) {
    await engine.sendEvent(a.actor, id, {
      type,
      ...(data ? { data } : {}),
      ...(type === 'SUBMIT' || type === 'DECIDE_SE' ? { signature: signatureOf(a) } : {}),
    });
  }
  return id;
}

async function registration(referenceId: string, submit: boolean): Promise<string> {
  const { engine } = ctx.services;
  const m = ctx.users.manufacturer;
  const id = (
    await engine.createSubmission(m.actor, {
      workflow: 'cofepris-registration',
      title: 'Reg',
      device: { name: 'Stent' },
      input: { route: 'equivalence', reference: { submissionId: referenceId } },
    })
  ).body.id;
  const view = await engine.getSubmission(m.actor, id);
  for (const kind of view.dossier.required) {
    await engine.addDocument(m.actor, id, { kind, filename: `${kind}.pdf`, contentType: 'application/pdf', bytes: documentBytes(kind) });
  }
  if (submit) await engine.sendEvent(m.actor, id, { type: 'SUBMIT', signature: signatureOf(m) });
  return id;
}

describe('reliance', () => {
  it('RESCIND_SE sends REFERENCE_INVALIDATED to every active relying registration in the same transaction', async () => {
    const { engine } = ctx.services;
    const ref = await cleared();
    const preparing = await registration(ref, false);
    const submitted = await registration(ref, true);
    const other = await registration(await cleared(), true);
    const result = await engine.sendEvent(ctx.users.fda.actor, ref, {
      type: 'RESCIND_SE',
      data: { reason: 'new safety data' },
      signature: signatureOf(ctx.users.fda),
    });
    expect(result.body.submission.state).toBe('closed.rescinded');

    const knex = ctx.services.db.knex;
    const p = await listTransitions(knex, preparing);
    const s = await listTransitions(knex, submitted);
    const o = await listTransitions(knex, other);
    expect(p.at(-1)).toMatchObject({ type: 'REFERENCE_INVALIDATED', from: 'preparing', to: 'preparing', actor: { role: 'system', id: 'system' } });
    expect(s.at(-1)).toMatchObject({ type: 'REFERENCE_INVALIDATED', from: 'submitted', to: 'underReview', actor: { role: 'system' } });
    expect(s.at(-1)!.data).toMatchObject({ referenceSubmissionId: ref, referenceState: 'closed.rescinded' });
    expect(s.at(-1)!.recordedAt).toBe(result.body.transition.recordedAt);
    expect(o.at(-1)!.type).toBe('SUBMIT');

    // The registration can no longer be granted, and cannot be submitted on a rescinded reference.
    await expect(engine.sendEvent(ctx.users.cofepris.actor, submitted, { type: 'GRANT', data: { registrationNumber: 'X' } })).rejects.toMatchObject({
      code: 'event_not_allowed',
      message: expect.stringMatching(/invalidated/),
    });
    await expect(engine.sendEvent(ctx.users.manufacturer.actor, preparing, { type: 'SUBMIT' })).rejects.toMatchObject({
      code: 'event_not_allowed',
      message: expect.stringMatching(/no favourable FDA decision/),
    });
    const view = await engine.getSubmission(ctx.users.cofepris.actor, submitted);
    expect(view.reference).toMatchObject({ favourable: false, invalidated: true });
  });

  it('a reference of another organization is refused at creation with a pointer', async () => {
    const ref = await cleared();
    await expect(
      ctx.services.engine.createSubmission(ctx.users.otherManufacturer.actor, {
        workflow: 'cofepris-registration',
        title: 'x',
        device: { name: 'x' },
        input: { route: 'equivalence', reference: { submissionId: ref } },
      }),
    ).rejects.toMatchObject({ code: 'validation_failed', errors: [{ path: '/input/reference/submissionId' }] });
  });
});
