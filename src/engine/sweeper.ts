/**
 * One pass of the sweeper (issue 5, DESIGN §7): hard deadlines fire their timeout events, missed
 * goals are recorded. src/sweeper.ts runs it on an interval inside `serve`; `puente sweep` once.
 */
import { AppError, EventNotAllowedError } from '../errors.js';
import type { StoreSet } from '../store/stores.js';
import type { Submission, Transition } from '../store/types.js';
import type { DeadlineSpec, WorkflowDefinition } from '../../workflows/types.js';
import { SYSTEM_ACTOR, requireWorkflow, restore, type EngineContext } from './context.js';
import { agreeingWithChain } from './chain-head.js';
import { activeDeadline } from './definitions.js';
import { dueDatesOf, figuresOf } from './due-dates.js';
import { planEventOn } from './plan-event.js';
import { systemNote } from './records.js';
import { VersionRace, runInTransaction } from './run-command.js';
import { addCalendarDays, dateIn, startOfDayIn } from './time.js';
import { writeEvent } from './write-event.js';

/** What one sweeper pass did. */
export interface SweepResult {
  /** Hard deadlines fired: the timeout event sent and the state it led to. */
  fired: Array<{ submissionId: string; event: string; kind: string; dueDate: string; state: string }>;
  /** Goals newly recorded as missed (`GOAL_MISSED` / `MMD_DUE` rows). */
  goalsMissed: Array<{ submissionId: string; goal: string; event: string; dueDate: string; seq: number }>;
  /**
   * Deadlines left to a regulator's decision (`consequence: 'decision'`, domain.md §7.1) that
   * passed: one `DEADLINE_PASSED` record each, no state change; the regulator sends `event`.
   */
  passed: Array<{ submissionId: string; kind: string; event: string; dueDate: string; seq: number }>;
  /** Due deadlines whose timeout a guard refused (logged; the submission is left as it is). */
  refused: Array<{ submissionId: string; reason: string }>;
}

type Fired = SweepResult['fired'][number];
type Passed = SweepResult['passed'][number];

const isIntegrityFailure = (e: unknown): e is AppError => e instanceof AppError && e.code === 'integrity_failure';

/**
 * Fires the hard deadline of submission `id` if it is still due: its `*_TIMEOUT` event from the
 * system actor, dated on the due date. Null when there is nothing to fire (another sweeper did,
 * the submission moved on or closed, the deadline is not over yet in its time zone).
 */
function fireDeadline(ctx: EngineContext, id: string): Promise<Fired | Passed | null> {
  return runInTransaction(ctx, async (tx) => {
    const found = await tx.submissions.find(id, { forUpdate: true, skipLocked: true });
    if (!found || found.status !== 'active' || !found.deadline) return null;
    const s = agreeingWithChain(found);
    if (!s.deadline || s.deadline.passedSeq !== undefined) return null;
    const w = requireWorkflow(s);
    const spec = activeDeadline(restore(w, s));
    // A window that opens on a date counted back from an anchor (the prórroga window) fires on
    // its date; every other deadline is the last day of a term and passes once it is over.
    const opensOnDate = spec?.anchor !== undefined && spec.length < 0;
    const today = dateIn(ctx.now(), w.timeZone);
    if (opensOnDate ? today < s.deadline.dueDate : today <= s.deadline.dueDate) return null;
    const start = startOfDayIn(s.deadline.dueDate, w.timeZone).toISOString();
    const effectiveAt = s.lastEffectiveAt && s.lastEffectiveAt > start ? s.lastEffectiveAt : start;
    const at = ctx.now();
    if (spec?.consequence === 'decision') return notePassedDeadline(tx, w, s, spec, effectiveAt, at);
    const plan = await planEventOn(ctx, tx, s, SYSTEM_ACTOR, { type: s.deadline.event, effectiveAt }, { at, trusted: true });
    await writeEvent(ctx, tx, plan, { at });
    return { submissionId: s.id, event: s.deadline.event, kind: s.deadline.kind, dueDate: s.deadline.dueDate, state: plan.submission.state };
  });
}

/**
 * A deadline whose consequence is the regulator's to decide (domain.md §7.1): its passing is
 * written as one `DEADLINE_PASSED` record (no state change; webhooks and the portfolio's overdue
 * view see it) and its `seq` is kept on the row, so it is recorded once and shown as passed.
 */
async function notePassedDeadline(tx: StoreSet, w: WorkflowDefinition, s: Submission, spec: DeadlineSpec, effectiveAt: string, at: Date): Promise<Passed> {
  const deadline = s.deadline!;
  const recordedAt = at.toISOString();
  const t = systemNote(s, w, {
    type: 'DEADLINE_PASSED',
    data: {
      deadline: deadline.kind,
      description: spec.description,
      dueDate: deadline.dueDate,
      event: deadline.event,
      ...(deadline.calendar ? { calendar: deadline.calendar } : {}),
      ...(spec.source ? { source: spec.source } : {}),
    },
    effectiveAt,
    recordedAt,
  });
  const change = { ...s, version: s.version + 1, headSeq: t.seq, headHash: t.hash, updatedAt: recordedAt, deadline: { ...deadline, passedSeq: t.seq } };
  if (!(await tx.submissions.update(s.id, s.version, change))) throw new VersionRace();
  await tx.history.insert(t);
  return { submissionId: s.id, kind: deadline.kind, event: deadline.event, dueDate: deadline.dueDate, seq: t.seq };
}

/**
 * Records every goal of submission `id` missed while its review is open and not yet recorded:
 * one `GOAL_MISSED` (or `MMD_DUE`) record each, which changes no state; then its due dates move on.
 */
function noteMissedGoals(ctx: EngineContext, id: string): Promise<SweepResult['goalsMissed'] | Fired> {
  return runInTransaction(ctx, async (tx) => {
    const found = await tx.submissions.find(id, { forUpdate: true, skipLocked: true });
    if (!found || found.status !== 'active') return [];
    const s = agreeingWithChain(found);
    const w = requireWorkflow(s);
    const figures = await figuresOf(ctx, tx, w, s);
    const missed = figures.goals.filter((g) => g.status === 'missed' && g.metOn === null && !g.recorded);
    // A goal whose miss has a consequence in law (afirmativa ficta) sends its event, when the
    // machine takes it there, dated the day after the due date; the others are noted next pass.
    const firing = missed.find((g) => g.fires !== undefined && restore(w, s).can({ type: g.fires }));
    if (firing) {
      const at = ctx.now();
      const due = startOfDayIn(addCalendarDays(firing.dueDate, 1), w.timeZone).toISOString();
      const effectiveAt = s.lastEffectiveAt && s.lastEffectiveAt > due ? s.lastEffectiveAt : due < at.toISOString() ? due : at.toISOString();
      const plan = await planEventOn(ctx, tx, s, SYSTEM_ACTOR, { type: firing.fires!, effectiveAt }, { at, trusted: true });
      await writeEvent(ctx, tx, plan, { at });
      return { submissionId: s.id, event: firing.fires!, kind: firing.kind, dueDate: firing.dueDate, state: plan.submission.state };
    }
    let current = s;
    const records: Transition[] = [];
    for (const g of missed) {
      const at = ctx.now().toISOString();
      // Missed once its due date is over: dated at the start of the next day there.
      const effectiveAt = startOfDayIn(addCalendarDays(g.dueDate, 1), w.timeZone).toISOString();
      const t = systemNote(current, w, {
        type: g.missedEvent,
        data: {
          goal: g.kind,
          description: g.description,
          length: g.length,
          unit: g.unit,
          startedOn: g.startedOn,
          dueDate: g.dueDate,
          elapsed: g.elapsed,
          // Issue 9 §5: a business-day count names the calendar it was counted under.
          ...(g.unit === 'mx-business' ? { calendar: ctx.calendar.stamp } : {}),
          ...(g.source ? { source: g.source } : {}),
        },
        effectiveAt,
        recordedAt: at,
      });
      records.push(t);
      current = { ...current, version: current.version + 1, headSeq: t.seq, headHash: t.hash, updatedAt: at };
    }
    // Recomputed even when nothing was missed: a goal that is no longer open moves the date on.
    const noted = { ...figures, goals: figures.goals.map((g) => (missed.includes(g) ? { ...g, recorded: true } : g)) };
    const change = { ...current, due: dueDatesOf(noted) };
    if (!(await tx.submissions.update(s.id, s.version, change))) throw new VersionRace();
    for (const t of records) await tx.history.insert(t);
    return missed.map((g, i) => ({ submissionId: s.id, goal: g.kind, event: g.missedEvent, dueDate: g.dueDate, seq: records[i]!.seq }));
  });
}

/**
 * One sweeper pass. Every active submission whose hard deadline has passed receives its
 * `*_TIMEOUT` event from the system actor, dated on the due date; every goal missed while its
 * review is still open gets one `GOAL_MISSED` (or `MMD_DUE`) record, which changes no state. Each
 * submission is its own transaction: the row is locked (skipped when another sweeper holds it,
 * PostgreSQL) and re-read, and the version check makes a second sweeper's attempt a no-op, so
 * each deadline fires and each goal is noted exactly once.
 *
 * A deadline is the last day of a term: it passes once its due date is over in the workflow's
 * time zone, whether it counts from the state's entry or from a date in the context (the AI
 * request a response window keeps running from). Only a window that opens on a date counted back
 * from an anchor (the prórroga window, 150 days before `validUntil`) fires on its due date.
 */
export async function sweep(ctx: EngineContext, opts: { limit?: number } = {}): Promise<SweepResult> {
  const limit = opts.limit ?? 1000;
  // Every jurisdiction's today is on or before UTC's today (the Americas): a superset, each
  // candidate then checked against its own zone.
  const utcToday = dateIn(ctx.now(), 'UTC');
  const result: SweepResult = { fired: [], goalsMissed: [], passed: [], refused: [] };
  for (const id of await ctx.stores.submissions.dueCandidates('deadline_due_date', utcToday, limit)) {
    try {
      const done = await fireDeadline(ctx, id);
      if (done && 'seq' in done) result.passed.push(done);
      else if (done) result.fired.push(done);
    } catch (e) {
      // A guard that refuses the timeout (the machine knows better) leaves the submission as it
      // is; so does a row that disagrees with its chain (nothing plans on it; verify names it).
      if (!(e instanceof EventNotAllowedError || isIntegrityFailure(e))) throw e;
      result.refused.push({ submissionId: id, reason: e.message });
    }
  }
  for (const id of await ctx.stores.submissions.dueCandidates('goal_due_date', utcToday, limit)) {
    try {
      const done = await noteMissedGoals(ctx, id);
      if (Array.isArray(done)) result.goalsMissed.push(...done);
      else result.fired.push(done);
    } catch (e) {
      if (!(e instanceof EventNotAllowedError || isIntegrityFailure(e))) throw e;
      result.refused.push({ submissionId: id, reason: e.message });
    }
  }
  return result;
}
