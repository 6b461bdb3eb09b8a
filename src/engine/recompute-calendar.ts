/**
 * `puente calendar recompute` (issue 9 §5, DESIGN §7): a stored Mexican business-day due date
 * keeps the calendar it was counted under when the calendar file changes; this command is the
 * explicit step that counts it again under the current calendar. Each submission whose due date
 * moves gets a `CALENDAR_RECOMPUTED` history record (a system record, like MIGRATED: it changes no
 * state) naming both due dates and both calendars, in its own transaction, chained and
 * hash-linked; its row then carries the new due date and the current calendar's stamp.
 */
import { agreeingWithChain } from './chain-head.js';
import { requireWorkflow, restore, type EngineContext } from './context.js';
import { activeDeadline } from './definitions.js';
import { deadlineFor, dueDatesOf, figuresOf } from './due-dates.js';
import { systemNote } from './records.js';
import { VersionRace, runInTransaction } from './run-command.js';
import type { CalendarStamp } from './time.js';

/** The history record type a recomputation writes. */
export const CALENDAR_RECOMPUTED = 'CALENDAR_RECOMPUTED';

export interface RecomputeResult {
  /** The calendar due dates are now counted under. */
  readonly calendar: CalendarStamp;
  readonly dryRun: boolean;
  /** Due dates moved (or, in a dry run, that would move), one record each. */
  readonly moved: Array<{ id: string; kind: string; from: string; to: string; fromCalendar: CalendarStamp | null }>;
  /** Business-day due dates counted under another calendar that the current one leaves where they are: not written. */
  readonly unchanged: Array<{ id: string; kind: string; dueDate: string }>;
}

type Step =
  | { readonly kind: 'skipped' }
  | { readonly kind: 'unchanged'; readonly id: string; readonly deadline: string; readonly dueDate: string }
  | {
      readonly kind: 'moved';
      readonly id: string;
      readonly deadline: string;
      readonly from: string;
      readonly to: string;
      readonly fromCalendar: CalendarStamp | null;
    };

/**
 * Counts again, under `ctx.calendar`, every active submission's business-day deadline that was
 * counted under another calendar (or before calendars were versioned), from the date its state
 * was entered (or its anchor date), as the engine counted it then. `dryRun` writes nothing.
 */
export async function recomputeCalendar(ctx: EngineContext, opts: { dryRun: boolean; by: string }): Promise<RecomputeResult> {
  const current = ctx.calendar.stamp;
  const moved: RecomputeResult['moved'] = [];
  const unchanged: RecomputeResult['unchanged'] = [];
  for (const id of await ctx.stores.submissions.calendarCandidates(current.sha256)) {
    const step = await runInTransaction<Step>(ctx, async (tx) => {
      const found = await tx.submissions.find(id, { forUpdate: true });
      if (!found || found.status !== 'active' || !found.deadline || ctx.calendar.sameAs(found.deadline.calendar)) return { kind: 'skipped' };
      const s = agreeingWithChain(found);
      const old = s.deadline!;
      const w = requireWorkflow(s);
      const snap = restore(w, s);
      const spec = activeDeadline(snap);
      if (!spec || spec.unit !== 'mx-business' || spec.kind !== old.kind) return { kind: 'skipped' };
      const deadline = deadlineFor(ctx, w, snap, s.stateSince);
      if (!deadline) return { kind: 'skipped' };
      if (deadline.dueDate === old.dueDate) return { kind: 'unchanged', id, deadline: old.kind, dueDate: old.dueDate };
      const result: Step = { kind: 'moved', id, deadline: old.kind, from: old.dueDate, to: deadline.dueDate, fromCalendar: old.calendar ?? null };
      if (opts.dryRun) return result;
      const at = ctx.now().toISOString();
      const t = systemNote(s, w, {
        type: CALENDAR_RECOMPUTED,
        data: {
          deadline: old.kind,
          event: old.event,
          from: { dueDate: old.dueDate, calendar: old.calendar ?? null },
          to: { dueDate: deadline.dueDate, calendar: deadline.calendar ?? null },
          by: opts.by,
        },
        effectiveAt: at,
        recordedAt: at,
      });
      const after = { ...s, version: s.version + 1, headSeq: t.seq, headHash: t.hash, updatedAt: at, deadline };
      const change = { ...after, due: dueDatesOf(await figuresOf(ctx, tx, w, after)) };
      if (!(await tx.submissions.update(s.id, s.version, change))) throw new VersionRace();
      await tx.history.insert(t);
      return result;
    });
    if (step.kind === 'moved') moved.push({ id: step.id, kind: step.deadline, from: step.from, to: step.to, fromCalendar: step.fromCalendar });
    else if (step.kind === 'unchanged') unchanged.push({ id: step.id, kind: step.deadline, dueDate: step.dueDate });
  }
  return { calendar: current, dryRun: opts.dryRun, moved, unchanged };
}
