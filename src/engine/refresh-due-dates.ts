/**
 * Recounting the stored due dates (migration 003's `next_due_*`, `goal_*` columns) of every active
 * submission from its history. They are caches of what the clocks derive, for the portfolio's
 * queries and the sweeper; when the rule that derives them changes (a missed goal still owed is
 * the row's next date, tracker issue 18 §1), rows written before keep the old values until their
 * next write. Migration 017 asks for this once; it writes no history and changes no version.
 */
import { WORKFLOWS } from '../../workflows/index.js';
import { agreeingWithChain } from './chain-head.js';
import { requireWorkflow, type EngineContext } from './context.js';
import { dueDatesOf, figuresOf } from './due-dates.js';
import { runInTransaction } from './run-command.js';

/** Recounts every active submission's stored due dates; returns how many changed. */
export async function refreshDueDates(ctx: EngineContext): Promise<number> {
  let changed = 0;
  for (const w of WORKFLOWS) {
    for (const id of await ctx.stores.submissions.activeIdsOn(w.id, w.version)) {
      const moved = await runInTransaction(ctx, async (tx) => {
        const found = await tx.submissions.find(id, { forUpdate: true });
        if (!found || found.status !== 'active') return false;
        const s = agreeingWithChain(found);
        const due = dueDatesOf(await figuresOf(ctx, tx, requireWorkflow(s), s));
        if (JSON.stringify(due) === JSON.stringify(s.due)) return false;
        // The same version: a cache of the history, not a step.
        return tx.submissions.update(s.id, s.version, { ...s, due });
      });
      if (moved) changed++;
    }
  }
  return changed;
}
