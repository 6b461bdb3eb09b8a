/**
 * The countdown to a submission's next date, as FDA's portal shows it: how much of the window is
 * used, and the days left (or overdue) in the date's own unit, in the submission's own
 * jurisdiction's today. A goal missed while the review is still open, and a deadline that passed
 * (one left to the regulator's decision stays on the record), are overdue (tracker issue 18 §1).
 */
import type { SubmissionView } from '../engine/engine.js';
import { dateIn } from '../engine/time.js';
import type { GoalSpec } from '../../workflows/types.js';
import { workflowVersion } from '../../workflows/index.js';

export interface Countdown {
  readonly kind: string;
  readonly source: 'goal' | 'deadline';
  readonly dueDate: string;
  /** Calendar days from today to the due date; negative once overdue. */
  readonly daysLeft: number;
  /** The unit the date is counted in, and the units left in it (negative once overdue). */
  readonly unit: GoalSpec['unit'];
  readonly unitsLeft: number;
  /** Days of the window used, and its length (FDA days for an FDA-day goal). */
  readonly used: number;
  readonly total: number;
  readonly state: 'on_track' | 'due_soon' | 'overdue';
  /** A deadline left to the regulator's decision that passed (its `DEADLINE_PASSED` is recorded). */
  readonly passed: boolean;
}

const DAY_MS = 86_400_000;
const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

export function countdownOf(view: SubmissionView, now: Date, dueSoonDays: number): Countdown | null {
  const next = view.clocks.nextDue;
  if (!next) return null;
  const zone = workflowVersion(view.workflow.id, view.workflow.version)?.timeZone ?? 'UTC';
  const today = dateIn(now, zone);
  const daysLeft = days(today, next.dueDate);
  let used: number;
  let total: number;
  const goal = next.source === 'goal' ? view.clocks.goals.find((g) => g.kind === next.kind && g.dueDate === next.dueDate) : undefined;
  if (goal) {
    used = goal.elapsed;
    total = goal.length;
  } else {
    const since = dateIn(new Date(view.clocks.since), zone);
    total = Math.max(1, days(since, next.dueDate));
    used = days(since, today);
  }
  const passed = next.source === 'deadline' && view.deadlines.some((d) => d.kind === next.kind && d.dueDate === next.dueDate && d.passed);
  const overdue = daysLeft < 0 || goal?.status === 'missed' || passed;
  const state = overdue ? 'overdue' : daysLeft <= dueSoonDays ? 'due_soon' : 'on_track';
  return {
    kind: next.kind,
    source: next.source,
    dueDate: next.dueDate,
    daysLeft,
    unit: next.unit,
    unitsLeft: next.remainingDays,
    used: Math.max(0, used),
    total: Math.max(1, total),
    state,
    passed,
  };
}
