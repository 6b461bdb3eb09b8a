/**
 * A submission's deadline and clocks as the engine stores and shows them: the hard deadline of
 * the state it entered, the clock figures derived from its history (issue 5), and the due dates
 * the portfolio queries and the sweeper read (migration 003).
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { WorkflowDefinition } from '../../workflows/index.js';
import { LruMap } from '../lru.js';
import type { SubmissionRevisionRow } from '../store/submission-listing-store.js';
import type { StoreSet } from '../store/stores.js';
import { NO_DUE_DATES, type ClockEventRow, type Deadline, type DueDates, type Submission } from '../store/types.js';
import { computeClocks, type ClockFigures } from './clocks.js';
import type { EngineContext } from './context.js';
import { activeDeadline } from './definitions.js';
import { addCalendarDays, dateIn } from './time.js';

/** What the portfolio queries and the sweeper need of a submission's clocks (migration 003). */
export function dueDatesOf(figures: ClockFigures): DueDates {
  // The sweeper's next look: a running open goal's due date, or a goal already missed while its
  // review is open that the history does not yet record (missed between two commands).
  let goalDate: string | null = null;
  for (const g of figures.goals) {
    const running = (g.status === 'on_track' || g.status === 'due_soon') && !g.paused;
    const unrecorded = g.status === 'missed' && g.metOn === null && !g.recorded;
    if ((running || unrecorded) && (goalDate === null || g.dueDate < goalDate)) goalDate = g.dueDate;
  }
  return {
    nextKey: figures.nextDue?.dueDate ?? NO_DUE_DATES.nextKey,
    nextKind: figures.nextDue?.kind ?? null,
    goalDate,
    // Missed and still owed (a goal met late is history, not overdue work: tracker issue 18 §1).
    goalMissed: figures.goals.some((g) => g.status === 'missed' && g.metOn === null),
  };
}

/**
 * The hard deadline of the state `snapshot` is in, counted from `effectiveAt` (or its anchor date);
 * one counted in Mexican business days carries the calendar's stamp.
 */
export function deadlineFor(ctx: EngineContext, w: WorkflowDefinition, snapshot: AnyMachineSnapshot, effectiveAt: string): Deadline | null {
  const spec = activeDeadline(snapshot);
  if (!spec) return null;
  // From the state's entry, or from a date in the context (e.g. 150 days before validUntil).
  const anchor = spec.anchor ? (snapshot.context as Record<string, unknown>)[spec.anchor] : undefined;
  if (spec.anchor && (typeof anchor !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(anchor))) return null;
  const start = typeof anchor === 'string' ? anchor : dateIn(new Date(effectiveAt), w.timeZone);
  // A term the regulator set (the prevención's business days) is counted by puente, under its calendar.
  const set = spec.lengthFrom ? (snapshot.context as Record<string, unknown>)[spec.lengthFrom] : undefined;
  const length = typeof set === 'number' && Number.isInteger(set) && set > 0 ? set : spec.length;
  if (spec.unit !== 'mx-business') return { kind: spec.kind, dueDate: addCalendarDays(start, length), event: spec.event };
  // Issue 9 §5: a business-day due date names the calendar it was counted under; it is stored and
  // kept as it is when the calendar file changes, until `puente calendar recompute` moves it.
  return { kind: spec.kind, dueDate: ctx.calendar.addBusinessDays(start, length), event: spec.event, calendar: ctx.calendar.stamp };
}

/** The clock facts of `s`'s stored history, read only when its workflow version keeps a clock. */
export async function clockHistory(conn: StoreSet, w: WorkflowDefinition, s: Pick<Submission, 'id'>): Promise<readonly ClockEventRow[]> {
  return w.clock ? (await conn.history.clockEvents([s.id])).get(s.id)! : [];
}

/** The clocks of `s` under workflow version `w` from its history (`history`), at the current time. */
export function figuresFrom(ctx: EngineContext, w: WorkflowDefinition, s: Submission, history: readonly ClockEventRow[]): ClockFigures {
  const figures = computeClocks(w, s.input, history, {
    now: ctx.now(),
    calendar: ctx.calendar,
    dueSoonDays: ctx.dueSoonDays,
    deadlines: s.deadline ? [s.deadline] : [],
  });
  remember(ctx, figuresKey(ctx, w, s), figures);
  return figures;
}

/**
 * Figures computed lately, kept per engine context (least recently used first out). A
 * submission's figures depend on its history, input and stored deadline ({@link
 * submissionRevision}), on the workflow version they are computed under, and on today's date in
 * the workflow's time zone: the key holds all of them, so an entry is never stale, only unused. Lists, the
 * portfolio and the calendar read the same submissions again and again; each page then computes
 * (and reads the history of) only what changed since.
 */
const FIGURES_CACHE_ENTRIES = 4096;
const figureCaches = new WeakMap<EngineContext, LruMap<string, ClockFigures>>();

/**
 * What a stored submission is at: its version and chain head (every record raises the one and
 * moves the other), its workflow version, and its stored deadline (which `puente calendar
 * recompute` may move without a record). Whatever is derived from the submission and its own
 * history alone (clock figures, calendar events, insight facts) is the same while this is, on the
 * same day: caches of such values key on it and on today's date.
 */
export function submissionRevision(s: SubmissionRevisionRow): string {
  const d = s.deadline;
  return `${s.id}|${s.version}|${s.headHash}|${s.workflowId}@${s.workflowVersion}|${d ? `${d.kind}:${d.dueDate}:${d.passedSeq ?? ''}` : ''}`;
}

function figuresKey(ctx: EngineContext, w: WorkflowDefinition, s: Submission): string {
  return `${submissionRevision(s)}|${w.id}@${w.version}|${dateIn(ctx.now(), w.timeZone)}`;
}

function remember(ctx: EngineContext, key: string, figures: ClockFigures): void {
  let cache = figureCaches.get(ctx);
  if (!cache) figureCaches.set(ctx, (cache = new LruMap<string, ClockFigures>(FIGURES_CACHE_ENTRIES)));
  cache.set(key, figures);
}

/** The figures of `s` under `w` computed earlier for the same version, chain head and day, or undefined. */
export function knownFigures(ctx: EngineContext, w: WorkflowDefinition, s: Submission): ClockFigures | undefined {
  return figureCaches.get(ctx)?.get(figuresKey(ctx, w, s));
}

/** The clocks of `s` under `w`, its stored history read first. */
export async function figuresOf(ctx: EngineContext, conn: StoreSet, w: WorkflowDefinition, s: Submission): Promise<ClockFigures> {
  return knownFigures(ctx, w, s) ?? figuresFrom(ctx, w, s, await clockHistory(conn, w, s));
}
