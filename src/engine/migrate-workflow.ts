/** `puente workflow migrate`: moving running submissions to another version of their workflow. */
import type { AnyMachineSnapshot } from 'xstate';
import type { WorkflowDefinition } from '../../workflows/index.js';
import { agreeingWithChain } from './chain-head.js';
import { InputError, fieldError } from '../errors.js';
import { SYSTEM_ACTOR, persisted, type EngineContext } from './context.js';
import { definitionHash, statePathOf, stateValue } from './definitions.js';
import { deadlineFor, dueDatesOf, figuresOf } from './due-dates.js';
import { chainRecord } from './records.js';
import { VersionRace, runInTransaction } from './run-command.js';
import { dateIn } from './time.js';

/** What a migration did (or, in a dry run, would do). */
export interface MigrationResult {
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  readonly moved: Array<{ id: string; state: string }>;
  /** Submissions whose state does not exist in the target version: left as they are. */
  readonly left: Array<{ id: string; state: string; reason: string }>;
}

/** What happened to one submission. */
type MigrationStep =
  /** No longer active on `from` when its turn came (moved or closed meanwhile): nothing to do. */
  | { readonly kind: 'skipped' }
  | { readonly kind: 'left'; readonly id: string; readonly state: string; readonly reason: string }
  | { readonly kind: 'moved'; readonly id: string; readonly state: string };

/**
 * Moves every active submission on `from` whose current state exists in `to` (same workflow id)
 * to `to`, each in its own transaction with a `MIGRATED` history record (recorded under the new
 * version's rules, naming both definition hashes). Submissions whose state is not in `to` are
 * listed and left alone. `dryRun` writes nothing.
 */
export async function migrateWorkflow(
  ctx: EngineContext,
  from: WorkflowDefinition,
  to: WorkflowDefinition,
  opts: { dryRun: boolean; by: string },
): Promise<MigrationResult> {
  if (from.id !== to.id)
    throw new InputError({ code: 'engine.migration_other_workflow' }, [
      fieldError('/to', { code: 'engine.migration_version_of', params: { workflowId: from.id } }),
    ]);
  if (from.version === to.version) throw new InputError({ code: 'engine.migration_same_version' }, [fieldError('/to', { code: 'engine.migration_differ' })]);
  const moved: MigrationResult['moved'] = [];
  const left: MigrationResult['left'] = [];
  for (const id of await ctx.stores.submissions.activeIdsOn(from.id, from.version)) {
    const step = await runInTransaction<MigrationStep>(ctx, async (tx) => {
      const found = await tx.submissions.find(id, { forUpdate: true });
      if (!found || found.workflowVersion !== from.version || found.status !== 'active') return { kind: 'skipped' };
      const s = agreeingWithChain(found);
      let next: AnyMachineSnapshot;
      try {
        // Where the submission stands, for a field the new version counts from (an AI request's date).
        const at = { state: s.state, stateSinceDate: dateIn(new Date(s.stateSince), to.timeZone) };
        const context = to.upgradeContext ? to.upgradeContext(s.snapshot.context, from.version, at) : s.snapshot.context;
        next = to.machine.resolveState({ value: stateValue(s.state), context: context });
        // The same state, or (when it became compound) its initial descendant.
        const path = statePathOf(next);
        if (path !== s.state && !path.startsWith(`${s.state}.`)) throw new Error('state differs');
      } catch {
        return { kind: 'left', id, state: s.state, reason: `state ${s.state} does not exist in ${to.id}@${to.version}` };
      }
      const state = statePathOf(next);
      if (opts.dryRun) return { kind: 'moved', id, state };
      const at = ctx.now().toISOString();
      const t = chainRecord(s, to, {
        type: 'MIGRATED',
        data: {
          from: { version: from.version, definitionHash: definitionHash(from) },
          to: { version: to.version, definitionHash: definitionHash(to) },
          by: opts.by,
        },
        from: s.state,
        to: state,
        actor: SYSTEM_ACTOR,
        comment: null,
        effectiveAt: at,
        recordedAt: at,
        signature: null,
      });
      // The new version's deadline for this state, counted from when the state was entered.
      const deadline = deadlineFor(ctx, to, next, s.stateSince);
      const after = { ...s, state, snapshot: persisted(next), version: s.version + 1, headSeq: t.seq, headHash: t.hash, updatedAt: at, deadline };
      // The target version's clock (perhaps the first this submission has) sets its due dates.
      const change = { ...after, due: dueDatesOf(await figuresOf(ctx, tx, to, after)) };
      if (!(await tx.submissions.moveToVersion(s.id, s.version, to.version, change))) throw new VersionRace();
      await tx.history.insert(t);
      return { kind: 'moved', id, state };
    });
    if (step.kind === 'left') left.push({ id: step.id, state: step.state, reason: step.reason });
    else if (step.kind === 'moved') moved.push({ id: step.id, state: step.state });
  }
  return { from: `${from.id}@${from.version}`, to: `${to.id}@${to.version}`, dryRun: opts.dryRun, moved, left };
}
