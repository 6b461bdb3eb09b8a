/**
 * Regulatory clocks (DESIGN §7), derived from a submission's history every time they are read:
 * never stored counters. The workflow version's `clock` declares receipt, the end of the review
 * and what restarts the count; state tags say when the submission is on hold. Every count is
 * taken on calendar dates in the workflow's time zone (America/New_York for FDA,
 * America/Mexico_City for COFEPRIS), from each transition's `effectiveAt`.
 *
 * - `calendarDays`: whole days from receipt to the end of the review, or to today.
 * - `holdDays`: the days of that span spent in `hold` states.
 * - `fdaDays` (FDA): `calendarDays` minus the hold days; a restart (a replacement after a refusal
 *   to accept, the fee paid) counts again from the restart's date.
 * - `mxBusinessDays` (COFEPRIS): Mexican business days after receipt up to and including the end,
 *   paused during holds (prevención).
 * - `goals`: each applicable goal with its due date, remaining days and status.
 */
import type { ClockSpec, GoalSpec, RuleSource, WorkflowDefinition } from '../../workflows/types.js';
import { stateTags } from './catalog.js';
import { addCalendarDays, dateIn, type MexicanCalendar } from './time.js';

/** An open goal with at most this many days left is `due_soon` (GOAL_DUE_SOON_DAYS). */
export const DEFAULT_GOAL_DUE_SOON_DAYS = 14;

/** Records that keep the file (creation, documents, migrations, goal notes, calendar recomputations), not the review. */
export const BOOKKEEPING_EVENTS: ReadonlySet<string> = new Set([
  'CREATED',
  'DOCUMENT_ADDED',
  'MIGRATED',
  'GOAL_MISSED',
  'MMD_DUE',
  'CALENDAR_RECOMPUTED',
  'DEADLINE_PASSED',
]);

/** What the clocks need of a history row. */
export interface ClockEvent {
  readonly type: string;
  readonly to: string;
  readonly effectiveAt: string;
  /** For a goal note (`GOAL_MISSED`, `MMD_DUE`): the goal it records as missed. */
  readonly goal?: string;
}

export type GoalStatus = 'on_track' | 'due_soon' | 'met' | 'missed';

export interface GoalView {
  kind: string;
  description: string;
  unit: GoalSpec['unit'];
  length: number;
  /** The date the goal's count starts (receipt, or its own `from` event). */
  startedOn: string;
  /** When the count reaches `length`: reached, or projected from today while it is open. */
  dueDate: string;
  /** Days counted so far (at `metOn` once met). */
  elapsed: number;
  /** `length - elapsed`: the margin once met, negative once missed. */
  remainingDays: number;
  status: GoalStatus;
  /** The date of the event that met (or, late, ended) the goal. */
  metOn: string | null;
  /** True while an open `fda-days` goal waits on a hold: its due date moves with the hold. */
  paused: boolean;
  /** What a missed goal writes to the history. */
  missedEvent: 'GOAL_MISSED' | 'MMD_DUE';
  /** True once the history holds that record (the sweeper wrote it). */
  recorded: boolean;
  /** The system event a miss sends instead of a note (`GoalSpec.fires`, e.g. `AFIRMATIVA_FICTA`). */
  fires?: string;
  /** The goal's primary source, and whether its length is unconfirmed (issue 9 §2). */
  source?: RuleSource;
  unconfirmed?: boolean;
}

export interface NextDue {
  kind: string;
  dueDate: string;
  source: 'goal' | 'deadline';
  /** The unit the date is counted in: a goal's own, `mx-business` for a deadline counted in Mexican business days. */
  unit: GoalSpec['unit'];
  /** Units from today to `dueDate` (a goal's `remainingDays`); negative once overdue (tracker issue 18 §1). */
  remainingDays: number;
}

export interface ClockFigures {
  /** Receipt (the first `clock.start` event), or null before it. */
  receivedOn: string | null;
  /** The end of the review (the first `clock.stop` event after receipt), or null while it runs. */
  stoppedOn: string | null;
  calendarDays: number | null;
  fdaDays: number | null;
  holdDays: number | null;
  mxBusinessDays: number | null;
  goals: GoalView[];
  nextDue: NextDue | null;
}

export interface ClockOptions {
  /** Today, as the instant now. */
  readonly now: Date;
  readonly calendar: MexicanCalendar;
  /** An open goal whose remaining days are at most this is `due_soon`. */
  readonly dueSoonDays: number;
  /** The submission's hard deadlines (sponsor side), for `nextDue`; one with a `calendar` stamp counts Mexican business days. */
  readonly deadlines?: ReadonlyArray<{ kind: string; dueDate: string; calendar?: unknown }>;
}

const DAY_MS = 86_400_000;

/**
 * The local date of an `effectiveAt` in a zone, memoized: a history is read again on every GET
 * and every page of a listing, and parsing the instant costs more than the rest of the clocks.
 */
const localDates = new Map<string, string>();
const MAX_LOCAL_DATES = 50_000;
function localDate(effectiveAt: string, timeZone: string): string {
  const key = `${timeZone} ${effectiveAt}`;
  let d = localDates.get(key);
  if (d === undefined) {
    d = dateIn(new Date(effectiveAt), timeZone);
    if (localDates.size >= MAX_LOCAL_DATES) localDates.clear();
    localDates.set(key, d);
  }
  return d;
}
const utc = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
/** Whole calendar days from `a` to `b` (dates). */
export const daysBetween = (a: string, b: string): number => Math.round((utc(b) - utc(a)) / DAY_MS);
const minDate = (a: string, b: string) => (a < b ? a : b);
const maxDate = (a: string, b: string) => (a > b ? a : b);

interface Span {
  from: string;
  to: string;
}

/** The facts of one history, laid out on the calendar. */
class Timeline {
  constructor(
    readonly receivedOn: string,
    readonly end: string,
    /** Hold spans, `[from, to)`, closed at `end` when still open. */
    readonly holds: readonly Span[],
    /** Dates the review count restarted (ascending). */
    readonly restarts: readonly string[],
    private readonly calendar: MexicanCalendar,
    private readonly holdOpen: boolean,
  ) {}

  /** Calendar days on hold within `[from, at)`. */
  holdDaysIn(from: string, at: string): number {
    let n = 0;
    for (const h of this.holds) {
      const a = maxDate(h.from, from);
      const b = minDate(h.to, at);
      if (b > a) n += daysBetween(a, b);
    }
    return n;
  }

  /** FDA days at `at`: days since receipt (or the last restart before `at`) less hold days. */
  fdaDaysAt(at: string): number {
    let from = this.receivedOn;
    for (const r of this.restarts) if (r <= at) from = r;
    return Math.max(0, daysBetween(from, at) - this.holdDaysIn(from, at));
  }

  /** Business days `d` with `from < d <= at` outside holds (a hold `[a, b)` pauses `(a, b]`). */
  businessDaysAt(from: string, at: string): number {
    let n = 0;
    for (let d = addCalendarDays(from, 1); d <= at; d = addCalendarDays(d, 1)) {
      if (!this.calendar.isBusinessDay(d)) continue;
      if (this.holds.some((h) => d > h.from && d <= h.to)) continue;
      n++;
    }
    return n;
  }

  /**
   * The date the FDA-day count (from the last restart) reaches `length`: walked over the running
   * spans between holds, then projected past the end as if the clock ran from there on.
   */
  fdaDueDate(length: number, until = this.end): string {
    let cursor = this.receivedOn;
    for (const r of this.restarts) if (r <= until) cursor = r;
    let left = length;
    // Only the holds before `until` (a met goal's date) count; later ones did not delay it.
    for (const h of this.holds) {
      if (h.to <= cursor || h.from >= until) continue;
      if (h.from > cursor) {
        const run = daysBetween(cursor, h.from);
        if (run >= left) return addCalendarDays(cursor, left);
        left -= run;
      }
      cursor = minDate(h.to, until);
    }
    return addCalendarDays(cursor, left);
  }

  /**
   * The business day on which the count from `from` (paused on holds) reaches `length`; past the
   * end, business days are projected as if nothing paused the clock.
   */
  businessDueDate(from: string, length: number, until = this.end): string {
    let n = 0;
    let d = from;
    while (n < length) {
      d = addCalendarDays(d, 1);
      if (!this.calendar.isBusinessDay(d)) continue;
      if (this.holds.some((h) => h.from < until && d > h.from && d <= minDate(h.to, until))) continue;
      n++;
    }
    return d;
  }

  /** True when the submission is on hold now (a hold still open at the end). */
  get onHoldNow(): boolean {
    return this.holdOpen;
  }
}

function goalApplies(g: GoalSpec, clock: ClockSpec, input: Record<string, unknown>, types: ReadonlySet<string>): boolean {
  for (const [k, v] of Object.entries(g.when ?? {})) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- clock inputs are schema-validated scalars (format, variant)
    const actual = input[k] === undefined || input[k] === null ? clock.absentInput?.[k] : String(input[k]);
    if (actual !== v) return false;
  }
  if (g.requires && !g.requires.some((t) => types.has(t))) return false;
  if (g.excludedBy?.some((t) => types.has(t))) return false;
  return true;
}

/**
 * The clocks of one submission. `events` is its whole history in `seq` order; bookkeeping rows
 * are skipped. A workflow version without a `clock` has no counts and no goal status.
 */
export function computeClocks(w: WorkflowDefinition, input: Record<string, unknown>, history: readonly ClockEvent[], opts: ClockOptions): ClockFigures {
  const deadlines = opts.deadlines ?? [];
  const today = dateIn(opts.now, w.timeZone);
  const none: ClockFigures = {
    receivedOn: null,
    stoppedOn: null,
    calendarDays: null,
    fdaDays: null,
    holdDays: null,
    mxBusinessDays: null,
    goals: [],
    nextDue: nextDueOf([], deadlines, today, opts.calendar),
  };
  const clock = w.clock;
  if (!clock) return none;
  const tags = stateTags(w);
  const recorded = new Set(history.filter((e) => e.goal).map((e) => e.goal!));
  const dated = history.filter((e) => !BOOKKEEPING_EVENTS.has(e.type)).map((e) => ({ type: e.type, to: e.to, date: localDate(e.effectiveAt, w.timeZone) }));
  const startAt = dated.findIndex((e) => clock.start.includes(e.type));

  // Goals that count from their own event (a HUD request) run even before receipt.
  const goalsOf = (timeline: Timeline | null, stoppedOn: string | null): GoalView[] => {
    const types = new Set(dated.map((e) => e.type));
    const out: GoalView[] = [];
    for (const g of w.goals) {
      if (!goalApplies(g, clock, input, types)) continue;
      const view = goalView(g, clock, dated, timeline, stoppedOn, today, opts);
      if (view) out.push({ ...view, recorded: recorded.has(g.kind) });
    }
    return out;
  };

  if (startAt < 0) {
    const goals = goalsOf(null, null);
    return { ...none, goals, nextDue: nextDueOf(goals, deadlines, today, opts.calendar) };
  }
  const receivedOn = dated[startAt]!.date;
  const holds: Span[] = [];
  const restarts: string[] = [];
  let open: { from: string } | null = tags.get(dated[startAt]!.to)?.includes('hold') ? { from: receivedOn } : null;
  let stoppedOn: string | null = null;
  for (const e of dated.slice(startAt + 1)) {
    if (clock.restart?.includes(e.type)) restarts.push(e.date);
    const hold = tags.get(e.to)?.includes('hold') ?? false;
    if (hold && !open) open = { from: e.date };
    else if (!hold && open) {
      holds.push({ from: open.from, to: e.date });
      open = null;
    }
    if (clock.stop.includes(e.type)) {
      stoppedOn = e.date;
      break;
    }
  }
  const end = maxDate(stoppedOn ?? today, receivedOn);
  if (open) holds.push({ from: open.from, to: end });
  const timeline = new Timeline(receivedOn, end, holds, restarts, opts.calendar, open !== null);
  const goals = goalsOf(timeline, stoppedOn);
  return {
    receivedOn,
    stoppedOn,
    calendarDays: daysBetween(receivedOn, end),
    holdDays: timeline.holdDaysIn(receivedOn, end),
    fdaDays: clock.kind === 'fda' ? timeline.fdaDaysAt(end) : null,
    mxBusinessDays: clock.kind === 'mx' ? timeline.businessDaysAt(receivedOn, end) : null,
    goals,
    nextDue: nextDueOf(goals, deadlines, today, opts.calendar),
  };
}

function goalView(
  g: GoalSpec,
  clock: ClockSpec,
  dated: ReadonlyArray<{ type: string; date: string }>,
  timeline: Timeline | null,
  stoppedOn: string | null,
  today: string,
  opts: ClockOptions,
): Omit<GoalView, 'recorded'> | null {
  let startIndex: number;
  if (g.unit !== 'fda-days' && g.from) {
    startIndex = dated.findIndex((e) => g.from!.includes(e.type));
  } else {
    startIndex = timeline ? dated.findIndex((e) => clock.start.includes(e.type)) : -1;
  }
  if (startIndex < 0) return null;
  const startedOn = dated[startIndex]!.date;
  const meets = new Set([...(g.metBy ?? []), ...clock.stop]);
  const metOn = dated.slice(startIndex + 1).find((e) => meets.has(e.type))?.date ?? null;
  const end = metOn ?? stoppedOn ?? today;
  // Elapsed units at a date, on the goal's own clock.
  const elapsedAt = (at: string): number => {
    if (g.unit === 'fda-days') return timeline!.fdaDaysAt(at);
    if (g.unit === 'calendar') return Math.max(0, daysBetween(startedOn, at));
    // Mexican business days pause on holds only once the clock has a timeline.
    return timeline ? timeline.businessDaysAt(startedOn, at) : businessDaysPlain(opts.calendar, startedOn, at);
  };
  const elapsed = elapsedAt(end);
  const remainingDays = g.length - elapsed;
  // The date the count reached `length`, or (not yet reached) a projection from `end` on.
  const dueDate =
    g.unit === 'calendar'
      ? addCalendarDays(startedOn, g.length)
      : g.unit === 'fda-days'
        ? timeline!.fdaDueDate(g.length, end)
        : timeline
          ? timeline.businessDueDate(startedOn, g.length, end)
          : opts.calendar.addBusinessDays(startedOn, g.length);
  let status: GoalStatus;
  if (metOn) status = remainingDays >= 0 ? 'met' : 'missed';
  else if (remainingDays < 0) status = 'missed';
  else status = remainingDays <= opts.dueSoonDays ? 'due_soon' : 'on_track';
  // A miss is a fact: a hold after it pauses the count but leaves the goal missed (tracker issue 18 §1).
  const paused = !metOn && status !== 'missed' && g.unit !== 'calendar' && timeline !== null && timeline.onHoldNow;
  return {
    kind: g.kind,
    description: g.description,
    unit: g.unit,
    length: g.length,
    startedOn,
    dueDate,
    elapsed,
    remainingDays,
    status,
    metOn,
    paused,
    missedEvent: g.missedEvent ?? 'GOAL_MISSED',
    ...(g.fires ? { fires: g.fires } : {}),
    ...(g.source ? { source: g.source } : {}),
    ...(g.unconfirmed ? { unconfirmed: true } : {}),
  };
}

function businessDaysPlain(calendar: MexicanCalendar, from: string, at: string): number {
  let n = 0;
  for (let d = addCalendarDays(from, 1); d <= at; d = addCalendarDays(d, 1)) if (calendar.isBusinessDay(d)) n++;
  return n;
}

/**
 * The next date the submission faces: a hard deadline (passed or not), an open goal's due date, or
 * an open goal already missed (its due date, in the past: overdue work sorts first, tracker issue
 * 18 §1), with the units left until it in the date's own unit.
 */
function nextDueOf(
  goals: readonly GoalView[],
  deadlines: ReadonlyArray<{ kind: string; dueDate: string; calendar?: unknown }>,
  today: string,
  calendar: MexicanCalendar,
): NextDue | null {
  let next: NextDue | null = null;
  for (const d of deadlines) {
    if (next && d.dueDate >= next.dueDate) continue;
    const business = d.calendar !== undefined;
    const remainingDays = business ? businessDaysUntil(calendar, today, d.dueDate) : daysBetween(today, d.dueDate);
    next = { kind: d.kind, dueDate: d.dueDate, source: 'deadline', unit: business ? 'mx-business' : 'calendar', remainingDays };
  }
  for (const g of goals) {
    // A goal paused on a hold has no fixed date: the hold's own deadline is the next date then.
    const open = (g.status === 'on_track' || g.status === 'due_soon') && !g.paused;
    const overdue = g.status === 'missed' && g.metOn === null;
    if (!open && !overdue) continue;
    if (!next || g.dueDate < next.dueDate) next = { kind: g.kind, dueDate: g.dueDate, source: 'goal', unit: g.unit, remainingDays: g.remainingDays };
  }
  return next;
}

/** Mexican business days from `today` to `date`: those in `(today, date]`, or minus those in `(date, today]`. */
function businessDaysUntil(calendar: MexicanCalendar, today: string, date: string): number {
  return date >= today ? businessDaysPlain(calendar, today, date) : -businessDaysPlain(calendar, date, today);
}
