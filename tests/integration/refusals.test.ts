/**
 * The engine records refused commands itself (src/engine/run-command.ts `recordingRefusals`):
 * a command refused as forbidden, not allowed now, or on a stale version leaves one
 * `refused_commands` row with what the edge said about its origin, and so do the security refusals
 * of issue 8 §8 (a write to a submission the caller may not see, a wrong or locked signature); bad
 * input, or a command without an origin, leaves none. The HTTP
 * suites (audit, web, hostile) check the same through the API and the pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOrigin } from '../../src/engine/engine.js';
import { DIALECT } from '../support/db.js';
import { createTestContext, documentBytes, signatureOf, type TestContext, new510k } from '../support/fixtures.js';

let ctx: TestContext;
let id: string;
/** A filed 510(k): FDA sees it (a draft is not FDA's to see, issue 8 §6), so its refusals are the state's. */
let filed: string;
beforeAll(async () => {
  ctx = await createTestContext();
  const m = ctx.users.manufacturer.actor;
  id = await new510k(ctx, 'Refusals');
  filed = await new510k(ctx, 'Refusals, filed');
  await ctx.services.engine.sendEvent(m, filed, { type: 'SUBMIT', signature: signatureOf(ctx.users.manufacturer) });
});
afterAll(async () => ctx?.close());

const STATUS: Record<string, number> = {
  forbidden: 403,
  not_found: 404,
  event_not_allowed: 409,
  version_mismatch: 412,
  signature_invalid: 401,
  signature_locked: 423,
};
const logged: unknown[] = [];
const origin = (path: string, over: Partial<CommandOrigin> = {}): CommandOrigin => ({
  method: 'POST',
  path,
  requestId: 'req-1',
  statusOf: (code) => STATUS[code] ?? 500,
  logger: { error: (obj) => logged.push(obj) },
  ...over,
});
const rows = () => ctx.services.db.knex('refused_commands').orderBy('recorded_at').orderBy('id').select('*') as Promise<Array<Record<string, unknown>>>;

describe(`refused commands recorded by the engine on ${DIALECT}`, () => {
  it('records forbidden, event_not_allowed and version_mismatch once each, with the origin the edge gave', async () => {
    const { engine } = ctx.services;
    const { manufacturer: m, fda, auditor } = ctx.users;
    const before = (await rows()).length;
    await expect(
      engine.createSubmission(
        fda.actor,
        { workflow: 'fda-510k', title: 'x', device: { name: 'x' }, input: { format: 'eSTAR', variant: 'traditional' } },
        { origin: origin('/v1/submissions') },
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(engine.sendEvent(m.actor, id, { type: 'FEE_VERIFIED' }, { origin: origin(`/submissions/${id}/events`) })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(engine.sendEvent(fda.actor, filed, { type: 'ACCEPT' }, { origin: origin(`/v1/submissions/${filed}/events`) })).rejects.toMatchObject({
      code: 'event_not_allowed',
    });
    await expect(engine.sendEvent(m.actor, id, { type: 'WITHDRAW' }, { ifMatch: 7, origin: origin(`/v1/submissions/${id}/events`) })).rejects.toMatchObject({
      code: 'version_mismatch',
    });
    await expect(
      engine.addDocument(
        auditor.actor,
        id,
        { kind: 'cover-letter', filename: 'c.pdf', contentType: 'application/pdf', bytes: documentBytes('c') },
        { origin: origin(`/v1/submissions/${id}/documents`) },
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const added = (await rows()).slice(before);
    expect(added.map((r) => [r.actor_id, r.method, r.path, r.submission_id, r.event_type, Number(r.status), r.code, r.request_id])).toEqual([
      [fda.actor.id, 'POST', '/v1/submissions', null, 'CREATED', 403, 'forbidden', 'req-1'],
      [m.actor.id, 'POST', `/submissions/${id}/events`, id, 'FEE_VERIFIED', 403, 'forbidden', 'req-1'],
      [fda.actor.id, 'POST', `/v1/submissions/${filed}/events`, filed, 'ACCEPT', 409, 'event_not_allowed', 'req-1'],
      [m.actor.id, 'POST', `/v1/submissions/${id}/events`, id, 'WITHDRAW', 412, 'version_mismatch', 'req-1'],
      [auditor.actor.id, 'POST', `/v1/submissions/${id}/documents`, id, 'DOCUMENT_ADDED', 403, 'forbidden', 'req-1'],
    ]);
    for (const r of added) expect(String(r.detail).length).toBeGreaterThan(0);
  });

  it("records the security refusals (issue 8 §8): a write to another organization's submission (404) and a wrong signature password (401)", async () => {
    const { engine } = ctx.services;
    const { manufacturer: m, otherManufacturer: beta } = ctx.users;
    const before = (await rows()).length;
    const o = origin(`/v1/submissions/${id}/events`);
    await expect(engine.sendEvent(beta.actor, id, { type: 'WITHDRAW' }, { origin: o })).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      engine.addDocument(
        beta.actor,
        id,
        { kind: 'cover-letter', filename: 'c.pdf', contentType: 'application/pdf', bytes: documentBytes('c') },
        { origin: origin(`/v1/submissions/${id}/documents`) },
      ),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      engine.sendEvent(m.actor, id, { type: 'SUBMIT', signature: { meaning: 'responsibility', password: 'Not-The-Password-42' } }, { origin: o }),
    ).rejects.toMatchObject({ code: 'signature_invalid' });
    const added = (await rows()).slice(before);
    expect(added.map((r) => [r.actor_id, r.submission_id, r.event_type, Number(r.status), r.code])).toEqual([
      [beta.actor.id, id, 'WITHDRAW', 404, 'not_found'],
      [beta.actor.id, id, 'DOCUMENT_ADDED', 404, 'not_found'],
      [m.actor.id, id, 'SUBMIT', 401, 'signature_invalid'],
    ]);
    // The record names the refusal, never the password.
    expect(JSON.stringify(added)).not.toContain('Not-The-Password-42');
  });

  it('records nothing for bad input, a success, or a command without an origin', async () => {
    const { engine } = ctx.services;
    const { manufacturer: m, otherManufacturer: beta, fda } = ctx.users;
    const before = (await rows()).length;
    const o = origin(`/v1/submissions/${id}/events`);
    await expect(engine.sendEvent(m.actor, id, { type: 'NOPE' }, { origin: o })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(engine.sendEvent(beta.actor, id, { type: 'WITHDRAW' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(engine.sendEvent(fda.actor, filed, { type: 'ACCEPT' })).rejects.toMatchObject({ code: 'event_not_allowed' });
    const other = (
      await engine.createSubmission(
        m.actor,
        { workflow: 'fda-510k', title: 'Ok', device: { name: 'x' }, input: { format: 'eSTAR', variant: 'traditional' } },
        { origin: origin('/v1/submissions') },
      )
    ).body.id;
    expect((await engine.sendEvent(m.actor, other, { type: 'WITHDRAW', signature: signatureOf(m) }, { origin: o })).outcome).toBe('applied');
    expect(await rows()).toHaveLength(before);
  });

  it('a failure to record is logged and the refusal answered as it would have been', async () => {
    const { engine } = ctx.services;
    const before = (await rows()).length;
    logged.length = 0;
    const broken = origin(`/v1/submissions/${id}/events`, {
      statusOf: () => {
        throw new Error('no status');
      },
    });
    await expect(engine.sendEvent(ctx.users.fda.actor, filed, { type: 'ACCEPT' }, { origin: broken })).rejects.toMatchObject({ code: 'event_not_allowed' });
    expect(logged).toEqual([expect.objectContaining({ reqId: 'req-1', err: expect.objectContaining({ message: 'no status' }) })]);
    expect(await rows()).toHaveLength(before);
  });
});
