/**
 * Writing a planned event: the submission update guarded by the version the plan read, its
 * history row, and the reliance cascade (DESIGN §4): a reference that can no longer be relied on
 * is announced to every active registration relying on it, in the same transaction.
 */
import { VersionMismatchError } from '../errors.js';
import type { StoreSet } from '../store/stores.js';
import { SYSTEM_ACTOR, requireWorkflow, restore, type EngineContext } from './context.js';
import { agreeingWithChain } from './chain-head.js';
import { planEventOn, type EventPlan } from './plan-event.js';
import { VersionRace } from './run-command.js';

/**
 * Writes a planned event through `tx` (the stores of the command's transaction). A lost version check is a 412 when the sender named the
 * version (`ifMatch`), otherwise a {@link VersionRace} the runner retries on fresh state.
 */
export async function writeEvent(ctx: EngineContext, tx: StoreSet, plan: EventPlan, opts: { ifMatch?: number; at: Date }): Promise<void> {
  const { before: s, submission: updated, transition: t } = plan;
  if (!(await tx.history.commitEvent(s.id, s.version, updated, t))) {
    if (opts.ifMatch !== undefined) {
      const fresh = await tx.submissions.find(s.id);
      throw new VersionMismatchError(fresh?.version ?? s.version, opts.ifMatch);
    }
    throw new VersionRace();
  }
  if (cascades(plan)) await invalidateRelying(ctx, tx, plan, opts.at);
}

/** True when writing `plan` must also notify relying registrations (so it needs the full transaction). */
export function cascades(plan: EventPlan): boolean {
  return plan.stateChanged && (plan.w.invalidatesReliance?.(plan.submission.state) ?? false);
}

/**
 * Reliance: sends `REFERENCE_INVALIDATED` from the system actor to every active registration
 * relying on the submission `plan` moved, when its machine accepts it, dated no earlier than
 * either submission's last regulatory event.
 */
async function invalidateRelying(ctx: EngineContext, tx: StoreSet, plan: EventPlan, at: Date): Promise<void> {
  const { w, before: s, submission: updated, transition: t } = plan;
  const to = updated.state;
  for (const relyingId of await tx.submissions.relyingIds(s.id)) {
    const found = await tx.submissions.find(relyingId, { forUpdate: true });
    if (!found || found.status !== 'active') continue;
    const relying = agreeingWithChain(found);
    const rw = requireWorkflow(relying);
    if (!rw.events.REFERENCE_INVALIDATED) continue;
    const eff = relying.lastEffectiveAt && relying.lastEffectiveAt > t.effectiveAt ? relying.lastEffectiveAt : t.effectiveAt;
    const snap = restore(rw, relying);
    const invalidation = {
      type: 'REFERENCE_INVALIDATED',
      data: { referenceSubmissionId: s.id, referenceState: to, reason: `${w.title} ${s.id} entered ${to} (${t.type})` },
    };
    if (!snap.can(invalidation)) continue;
    const p = await planEventOn(ctx, tx, relying, SYSTEM_ACTOR, { ...invalidation, effectiveAt: eff }, { at, trusted: true });
    await writeEvent(ctx, tx, p, { at });
  }
}
