/**
 * `puente workflow migrate`: a dry run changes nothing; a real run moves only the running
 * submissions whose state exists in the target version, each with a MIGRATED record naming both
 * definition hashes, leaves the others (and closed ones) alone, and every chain still verifies.
 * The target here is a deliberately smaller fda-510k version (no `aiHold`), so both outcomes occur.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { definitionHash } from '../../src/engine/definitions.js';
import { verifyDatabase } from '../../src/engine/verify.js';
import { listTransitions } from '../../src/store/history-store.js';
import { fda510k } from '../../workflows/fda-510k.js';
import { latestWorkflow } from '../../workflows/index.js';
import type { WorkflowDefinition, WorkflowEvent } from '../../workflows/types.js';
import { createTestContext, signatureOf, type TestContext } from '../support/fixtures.js';
import { draftOf } from '../support/drafts.js';

let ctx: TestContext;

/** fda-510k@99: the same ids, but without aiHold (so submissions on AI hold cannot move). */
const smaller: WorkflowDefinition = {
  ...fda510k,
  version: 99,
  machine: setup({ types: { context: {}, events: {} as WorkflowEvent } }).createMachine({
    id: 'fda-510k',
    initial: 'draft',
    context: ({ input }) => ({ ...(input as object) }),
    states: {
      draft: { on: { SUBMIT: 'received' } },
      received: { on: { FEE_VERIFIED: 'review' } },
      review: { initial: 'substantive', states: { substantive: {}, interactive: {} } },
      closed: { initial: 'withdrawn', states: { withdrawn: { type: 'final' } } },
    },
  }),
};

/** The version new submissions are created on (the one these tests migrate from). */
const current = latestWorkflow('fda-510k')!;

const ids: Record<string, string> = {};

beforeAll(async () => {
  ctx = await createTestContext();
  const { engine } = ctx.services;
  const { manufacturer: m, fda } = ctx.users;
  const create = async (title: string) =>
    (await engine.createSubmission(m.actor, { workflow: 'fda-510k', title, device: { name: 'Pump' }, input: { format: 'eCopy', variant: 'traditional' } })).body
      .id;
  ids.draft = await create('Draft');
  ids.review = await create('In review');
  await engine.sendEvent(m.actor, ids.review, { type: 'SUBMIT', effectiveAt: '2026-01-05', signature: signatureOf(m) });
  await engine.sendEvent(fda.actor, ids.review, { type: 'FEE_VERIFIED', effectiveAt: '2026-01-06' });
  await engine.sendEvent(fda.actor, ids.review, { type: 'ACCEPT', effectiveAt: '2026-01-10' });
  ids.aiHold = await create('On AI hold');
  await engine.sendEvent(m.actor, ids.aiHold, { type: 'SUBMIT', effectiveAt: '2026-01-05', signature: signatureOf(m) });
  await engine.sendEvent(fda.actor, ids.aiHold, { type: 'FEE_VERIFIED', effectiveAt: '2026-01-06' });
  await engine.sendEvent(fda.actor, ids.aiHold, { type: 'ACCEPT', effectiveAt: '2026-01-10' });
  await engine.sendEvent(fda.actor, ids.aiHold, { type: 'REQUEST_AI', data: { deficiencies: ['Bench data'] }, effectiveAt: '2026-02-01' });
  ids.closed = await create('Withdrawn');
  await engine.sendEvent(m.actor, ids.closed, { type: 'WITHDRAW', signature: signatureOf(m) });
});
afterAll(async () => ctx?.close());

async function snapshotOf(id: string) {
  const row = await ctx.services.db.knex('submissions').where({ id }).first('workflow_version', 'version', 'state', 'head_seq');
  return { workflowVersion: Number(row.workflow_version), version: Number(row.version), state: row.state as string, headSeq: Number(row.head_seq) };
}

describe('puente workflow migrate', () => {
  it('a dry run lists what would move and what stays, and writes nothing', async () => {
    const before = await Promise.all(Object.values(ids).map(snapshotOf));
    const result = await ctx.services.engine.migrateWorkflow(current, smaller, { dryRun: true, by: 'tester' });
    expect(result.dryRun).toBe(true);
    expect(result.moved.map((m) => m.id).sort()).toEqual([ids.draft, ids.review].sort());
    expect(result.left).toEqual([{ id: ids.aiHold, state: 'aiHold', reason: expect.stringMatching(/aiHold does not exist in fda-510k@99/) }]);
    expect(await Promise.all(Object.values(ids).map(snapshotOf))).toEqual(before);
  });

  it('a real run moves only compatible running submissions, each with a MIGRATED record; chains verify', async () => {
    const before = {
      draft: await snapshotOf(ids.draft!),
      review: await snapshotOf(ids.review!),
      aiHold: await snapshotOf(ids.aiHold!),
      closed: await snapshotOf(ids.closed!),
    };
    const result = await ctx.services.engine.migrateWorkflow(current, smaller, { dryRun: false, by: 'tester' });
    expect(result.moved.map((m) => m.id).sort()).toEqual([ids.draft, ids.review].sort());
    expect(result.left.map((l) => l.id)).toEqual([ids.aiHold]);

    for (const key of ['draft', 'review'] as const) {
      const after = await snapshotOf(ids[key]!);
      expect(after).toEqual({ ...before[key], workflowVersion: 99, version: before[key].version + 1, headSeq: before[key].headSeq + 1 });
      const history = await listTransitions(ctx.services.db.knex, ids[key]!);
      const last = history.at(-1)!;
      expect(last).toMatchObject({
        type: 'MIGRATED',
        from: before[key].state,
        to: before[key].state,
        actor: { id: 'system', role: 'system' },
        workflow: { id: 'fda-510k', version: 99, definitionHash: definitionHash(smaller) },
        data: {
          from: { version: current.version, definitionHash: definitionHash(current) },
          to: { version: 99, definitionHash: definitionHash(smaller) },
          by: 'tester',
        },
      });
    }
    expect(await snapshotOf(ids.aiHold!)).toEqual(before.aiHold);
    expect(await snapshotOf(ids.closed!)).toEqual(before.closed);
    expect((await verifyDatabase(ctx.services.db.reader)).ok).toBe(true);

    // Run again: nothing is left on version 1 but the AI-hold submission.
    const again = await ctx.services.engine.migrateWorkflow(current, smaller, { dryRun: false, by: 'tester' });
    expect(again.moved).toEqual([]);
    expect(again.left.map((l) => l.id)).toEqual([ids.aiHold]);
  });

  it('refuses a migration across workflows or to the same version', async () => {
    await expect(ctx.services.engine.migrateWorkflow(fda510k, fda510k, { dryRun: true, by: 'x' })).rejects.toThrow(/same version/);
    await expect(ctx.services.engine.migrateWorkflow(fda510k, { ...smaller, id: 'fda-pma' }, { dryRun: true, by: 'x' })).rejects.toThrow(/one workflow/);
  });
});

describe('cofepris-registration@1 -> @2 (the real versions)', () => {
  it('moves a v1 registration from `registered` to `registered.current` with the renewal deadline, via the CLI; the chain verifies', async () => {
    const { initialTransition, transition } = await import('xstate');
    const { chainRecord, persisted, statusOf, XSTATE_VERSION } = await import('../../src/engine/engine.js');
    const { statePath } = await import('../../src/engine/definitions.js');
    const { insertSubmission } = await import('../../src/store/submission-store.js');
    const { insertTransition } = await import('../../src/store/history-store.js');
    const { cofeprisRegistration } = await import('../../workflows/cofepris-registration.js');
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { ROOT } = await import('../support/server.js');

    // A registration granted on v1, written the way the store keeps it (creation uses the latest version).
    const m = ctx.users.manufacturer.actor;
    const input = { route: 'equivalence', reference: { agency: 'FDA', number: 'K201234', decisionDate: '2020-06-01', decision: 'SE' } };
    const [initial] = initialTransition(cofeprisRegistration.machine, input as never);
    const at = '2026-03-02T18:00:00.000Z';
    const id = '0193f000-0000-7000-8000-00000000c0f1';
    let s = draftOf(
      cofeprisRegistration,
      { id, organization: m.organization!, title: 'v1 registration', device: { name: 'Catheter' }, input, at },
      { state: statePath(initial.value), status: statusOf(statePath(initial.value)), snapshot: persisted(initial), xstateVersion: XSTATE_VERSION },
    );
    const t1 = chainRecord(s, cofeprisRegistration, {
      type: 'CREATED',
      data: { title: s.title, device: s.device, input },
      from: null,
      to: s.state,
      actor: m,
      comment: null,
      effectiveAt: at,
      recordedAt: at,
      signature: null,
    });
    s = { ...s, version: 1, headSeq: 1, headHash: t1.hash };
    // Straight to registered (the v1 machine's GRANT from underReview), granted 2021-03-01.
    const underReview = cofeprisRegistration.machine.resolveState({ value: 'underReview', context: initial.context });
    const [granted] = transition(cofeprisRegistration.machine, underReview, {
      type: 'GRANT',
      data: { registrationNumber: '0001E2021 SSA' },
      effectiveDate: '2021-03-01',
    });
    const t2 = chainRecord(s, cofeprisRegistration, {
      type: 'GRANT',
      data: { registrationNumber: '0001E2021 SSA' },
      from: s.state,
      to: 'registered',
      actor: ctx.users.cofepris.actor,
      comment: null,
      effectiveAt: at,
      recordedAt: at,
      signature: null,
    });
    s = { ...s, state: 'registered', snapshot: persisted(granted), version: 2, headSeq: 2, headHash: t2.hash };
    await insertSubmission(ctx.services.db.knex, s);
    await insertTransition(ctx.services.db.knex, t1);
    await insertTransition(ctx.services.db.knex, t2);

    const cli = (args: string[]) =>
      promisify(execFile)('npx', ['--no-install', 'puente', 'workflow', 'migrate', ...args], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: ctx.database.url, LOG_LEVEL: 'silent' },
        timeout: 60_000,
      });
    const dry = JSON.parse((await cli(['--from', 'cofepris-registration@1', '--to', 'cofepris-registration@2', '--dry-run', '--json'])).stdout);
    expect(dry).toMatchObject({ dryRun: true, moved: [{ id, state: 'registered.current' }], left: [] });
    expect((await ctx.services.db.knex('submissions').where({ id }).first('workflow_version')).workflow_version).toBe(1);

    const real = await cli(['--from', 'cofepris-registration@1', '--to', 'cofepris-registration@2']);
    expect(real.stdout).toMatch(/1 moved, 0 left on cofepris-registration@1/);
    const view = await ctx.services.engine.getSubmission(ctx.users.auditor.actor, id);
    expect(view).toMatchObject({ workflow: { id: 'cofepris-registration', version: 2 }, state: 'registered.current' });
    expect(view.decision).toMatchObject({ registrationNumber: '0001E2021 SSA', validUntil: '2026-03-01' });
    // The renewal window deadline of v2 (150 days before validUntil) now applies.
    expect(view.deadlines.map((d) => d.event)).toContain('RENEWAL_WINDOW_OPENS');
    const history = await listTransitions(ctx.services.db.knex, id);
    expect(history.at(-1)).toMatchObject({ type: 'MIGRATED', from: 'registered', to: 'registered.current', workflow: { version: 2 } });
    expect((await verifyDatabase(ctx.services.db.reader)).ok).toBe(true);

    // Usage errors: a bad option value exits 1 (as every option of the CLI), a refused migration 2.
    await expect(cli(['--from', 'cofepris-registration@9', '--to', 'cofepris-registration@2'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/not in the catalog/),
    });
    await expect(cli(['--from', 'nonsense', '--to', 'cofepris-registration@2'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/<workflow>@<version>/),
    });
    await expect(cli(['--from', 'fda-510k@1', '--to', 'cofepris-registration@2'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/one workflow/),
    });
  }, 120_000);
});
