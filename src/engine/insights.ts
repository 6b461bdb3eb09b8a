/**
 * Insights (DESIGN §10 `GET /v1/insights`, tracker issue 16 §3): figures over the submissions a
 * caller may see, for a regulatory team's quarterly review. Every number is taken from the same
 * per-submission figures GET /v1/submissions/:id shows (`clocks`, goals, deadlines, decision,
 * reference): each submission's clocks are computed by the same function from the same stored
 * history (`figuresFrom`), its reference decision read by the same `referenceFacts`, its
 * visibility decided by the one policy (`visibilityScope`, as SQL in the listing store). Nothing is
 * counted a second way.
 *
 * - Goal attainment (MDUFA): the FDA goals of each pathway by quarter of the goal's start (the
 *   receipt cohort, as FDA's MDUFA performance reports count), met / missed / pending.
 * - Days to decision: per FDA pathway, the FDA days, calendar days and hold days at the decision
 *   (the clock's stop), as a distribution (30-day bins), median and 90th percentile.
 * - Reliance lead time: per COFEPRIS route, calendar days from the FDA decision relied on (the
 *   reference's decision date) to the COFEPRIS grant.
 * - Prevención: per route, the calendar days COFEPRIS registrations spent in prevención (the hold
 *   days of their clock), and how many are in one now.
 * - Overdue now: per reviewing agency, active submissions with a hard deadline passed or a goal
 *   missed and still owed (what `GET /v1/submissions?overdue=true` lists), oldest first.
 *
 * The period (`from`, `to`) selects each dated outcome by its own date: a goal by its start, a
 * decision by its date, a grant by its date, a prevención by its issue date. What is true now
 * (pending grants, open prevenciones, overdue work) is as of today in each jurisdiction.
 *
 * Reading: one keyset scan of the visible rows, their clock histories and references in chunks
 * (one query per 500 submissions, never one per submission), then pure computation. Results are
 * kept in a {@link HistoryCache} checked against the count of committed history records, so a
 * dashboard polled by many readers is computed once per change of the database (or of the date).
 */
import { WORKFLOWS, workflowVersion } from '../../workflows/index.js';
import type { Jurisdiction } from '../../workflows/types.js';
import { InputError, fieldError, type FieldError } from '../errors.js';
import type { SubmissionRevisionRow } from '../store/submission-listing-store.js';
import type { ClockEventRow, Submission } from '../store/types.js';
import { LruMap } from '../lru.js';
import { SCHEMA_BASE } from '../validation.js';
import { daysBetween } from './clocks.js';
import { requireWorkflow, type EngineContext } from './context.js';
import { figuresFrom, submissionRevision } from './due-dates.js';
import { referenceFacts } from './facts.js';
import { createHistoryCache, type HistoryCache } from './history-cache.js';
import { dateIn, isRealDate } from './time.js';
import type { Actor } from '../store/types.js';
import { visibilityScope, type VisibilityScope } from './visibility.js';

/** The query string of GET /v1/insights (schemas/insights-query.json). */
export interface InsightsQuery {
  /** A workflow id (`fda-510k`, `cofepris-registration`, ...). */
  readonly pathway?: string;
  /** The device's FDA product code (`device.productCode`). */
  readonly productCode?: string;
  /** First day of the period (YYYY-MM-DD), inclusive. */
  readonly from?: string;
  /** Last day of the period (YYYY-MM-DD), inclusive. */
  readonly to?: string;
}

/** Count, median, 90th percentile (nearest rank), minimum, maximum and mean of some day counts; null figures when there are none. */
export interface DayStats {
  count: number;
  median: number | null;
  p90: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
}

export type GoalOutcome = 'met' | 'missed' | 'pending';

export interface GoalAttainmentRow {
  pathway: string;
  /** `YYYY-Qn`: the calendar quarter the goal's count started in. */
  quarter: string;
  goal: string;
  met: number;
  missed: number;
  pending: number;
  /** met / (met + missed), or null while none is decided. */
  attainment: number | null;
}

export interface DaysToDecisionRow {
  pathway: string;
  decisions: number;
  fdaDays: DayStats;
  calendarDays: DayStats;
  holdDays: DayStats;
  /** FDA days at decision in 30-day bins `[from, to)`, from 0 to the last one holding a decision. */
  distribution: Array<{ from: number; to: number; count: number }>;
}

export interface RelianceRow {
  route: string;
  /** Granted registrations relying on a dated FDA decision. */
  granted: number;
  /** Active registrations relying on a dated FDA decision, not yet granted (now). */
  pending: number;
  /** Calendar days from the FDA decision date to the grant. */
  leadDays: DayStats;
}

export interface PrevencionRow {
  route: string;
  /** Registrations with a prevención issued in the period. */
  registrations: number;
  /** Of them, in prevención now. */
  open: number;
  /** Calendar days in prevención (hold days of the registration's clock; an open one counts to today). */
  days: DayStats;
}

export interface OverdueItem {
  submissionId: string;
  title: string;
  pathway: string;
  /** `deadline`: a hard deadline (the applicant's term) passed; `goal`: the agency's goal missed and still owed. */
  source: 'deadline' | 'goal';
  kind: string;
  dueDate: string;
  daysOverdue: number;
}

export interface OverdueRow {
  agency: Jurisdiction;
  /** Submissions with at least one overdue date. */
  submissions: number;
  deadlinesPassed: number;
  goalsMissed: number;
  /** The most overdue first, at most {@link OVERDUE_ITEMS}. */
  items: OverdueItem[];
}

export interface Insights {
  filters: InsightsQuery;
  /** Today in each jurisdiction's time zone: what "now" means for pending, open and overdue figures. */
  asOf: Record<Jurisdiction, string>;
  /** Visible submissions matching the pathway and product code. */
  submissions: number;
  goalAttainment: GoalAttainmentRow[];
  daysToDecision: DaysToDecisionRow[];
  relianceLeadTime: RelianceRow[];
  prevencion: PrevencionRow[];
  overdue: OverdueRow[];
}

/** Overdue items listed per agency (the counts cover them all). */
export const OVERDUE_ITEMS = 25;
/** Width of a bin of the days-to-decision distribution, in FDA days. */
export const DISTRIBUTION_BIN_DAYS = 30;
/** The COFEPRIS routes, in the order the figures list them. */
export const ROUTES = ['standard', 'third-party', 'equivalence', 'abbreviated'] as const;
const AGENCIES: readonly Jurisdiction[] = ['FDA', 'COFEPRIS'];
const ZONES = new Map<Jurisdiction, string>(WORKFLOWS.map((w) => [w.jurisdiction, w.timeZone]));
const PATHWAY_ORDER = [...new Set(WORKFLOWS.map((w) => w.id))];
const CHUNK = 500;

/** What one submission contributes, computed from its own figures. */
interface SubmissionFacts {
  readonly productCode: string | null;
  readonly goals: ReadonlyArray<{ pathway: string; kind: string; startedOn: string; outcome: GoalOutcome }>;
  readonly decision: { pathway: string; on: string; fdaDays: number; calendarDays: number; holdDays: number } | null;
  readonly reliance: { route: string; granted: string | null; leadDays: number | null; pending: boolean } | null;
  readonly prevencion: { route: string; issuedOn: string; days: number; open: boolean } | null;
  readonly overdue: readonly OverdueItem[];
  readonly agency: Jurisdiction;
}

const caches = new WeakMap<EngineContext, { facts: HistoryCache<SubmissionFacts[]>; results: HistoryCache<Insights> }>();

function cachesOf(ctx: EngineContext) {
  let c = caches.get(ctx);
  if (!c) {
    const generation = () => ctx.stores.generation.committedRecords();
    c = { facts: createHistoryCache(generation, { maxEntries: 32 }), results: createHistoryCache(generation, { maxEntries: 256 }) };
    caches.set(ctx, c);
  }
  return c;
}

/** The query checked: its schema, then real dates and a period that does not end before it starts. */
function checkQuery(ctx: EngineContext, query: Record<string, unknown>): InsightsQuery {
  ctx.validator.check(`${SCHEMA_BASE}insights-query.json`, query, '', { code: 'invalid.query' });
  const q = query as InsightsQuery;
  const errors: FieldError[] = [];
  for (const name of ['from', 'to'] as const) {
    const v = q[name];
    if (v !== undefined && !isRealDate(v)) errors.push(fieldError(`/${name}`, { code: 'validation.real_date' }));
  }
  if (!errors.length && q.from && q.to && q.to < q.from) errors.push(fieldError('/to', { code: 'insights.period_reversed_field', params: { from: q.from } }));
  if (errors.length) throw new InputError({ code: 'invalid.query' }, errors);
  return q;
}

const scopeKey = (s: VisibilityScope) => JSON.stringify(s);

/** Today in each jurisdiction. */
function todayOf(ctx: EngineContext): Record<Jurisdiction, string> {
  const now = ctx.now();
  return { FDA: dateIn(now, ZONES.get('FDA')!), COFEPRIS: dateIn(now, ZONES.get('COFEPRIS')!) };
}

/** The insights `actor` may see under `query` (validated here: a bad query is an InputError naming its field). */
export async function insights(ctx: EngineContext, actor: Actor, query: Record<string, unknown>): Promise<Insights> {
  const q = checkQuery(ctx, query);
  const scope = visibilityScope(actor);
  const today = todayOf(ctx);
  const filters: InsightsQuery = {
    ...(q.pathway ? { pathway: q.pathway } : {}),
    ...(q.productCode ? { productCode: q.productCode } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
  };
  const { facts, results } = cachesOf(ctx);
  const base = JSON.stringify([scopeKey(scope), today, q.pathway ?? null]);
  return results.get(JSON.stringify([base, filters]), async () => {
    const all = await facts.get(base, () => submissionFacts(ctx, scope, q.pathway, today));
    return aggregate(q.productCode ? all.filter((f) => f.productCode === q.productCode) : all, filters, today);
  });
}

/** Every submission `scope` admits (of `pathway`), with what it contributes. */
async function submissionFacts(
  ctx: EngineContext,
  scope: VisibilityScope,
  pathway: string | undefined,
  today: Record<Jurisdiction, string>,
): Promise<SubmissionFacts[]> {
  const { stores } = ctx;
  // Where each submission is, without reading it whole; rows are read in full only when needed.
  const revisions = await stores.listing.revisions(scope, pathway);
  const revisionOf = new Map<string, SubmissionRevisionRow>(revisions.map((r) => [r.id, r]));
  const rows = new Map<string, Submission>();
  const load = async (ids: Iterable<string>) => {
    const needed = [...new Set(ids)].filter((id) => !rows.has(id));
    for (let i = 0; i < needed.length; i += CHUNK) for (const r of await stores.listing.byIds(needed.slice(i, i + CHUNK))) rows.set(r.id, r);
  };
  // The FDA submissions registrations rely on, whether or not the caller's filters include them.
  const refIds = revisions.map((r) => r.referenceSubmissionId).filter((x): x is string => x !== null);
  await load(refIds.filter((id) => !revisionOf.has(id)));
  // What each submission contributes is kept while it, its reference and the day are unchanged:
  // after a step, only the submissions that changed are read and counted again.
  const kept = factCachesOf(ctx);
  const validity = new Map(
    revisions.map((r) => {
      const ref = r.referenceSubmissionId ? (revisionOf.get(r.referenceSubmissionId) ?? rows.get(r.referenceSubmissionId)) : undefined;
      return [r.id, `${submissionRevision(r)}|${ref ? submissionRevision(ref) : ''}|${today.FDA}|${today.COFEPRIS}`];
    }),
  );
  const stale = revisions.filter((r) => kept.get(r.id)?.validity !== validity.get(r.id));
  await load(stale.map((r) => r.id));
  await load(stale.map((r) => r.referenceSubmissionId).filter((x): x is string => x !== null));
  const loadReference = (id: string) => Promise.resolve(rows.get(id));
  const histories = new Map<string, readonly ClockEventRow[]>();
  const clocked = stale.filter((r) => workflowVersion(r.workflowId, r.workflowVersion)?.clock).map((r) => r.id);
  for (let i = 0; i < clocked.length; i += CHUNK) for (const [id, h] of await stores.history.clockEvents(clocked.slice(i, i + CHUNK))) histories.set(id, h);
  const fresh = new Map<string, SubmissionFacts>();
  for (const r of stale) {
    const s = rows.get(r.id);
    // Gone between the two reads (never: submissions are not deleted); counted at the next change.
    if (s) fresh.set(r.id, await factsOf(ctx, s, histories.get(r.id) ?? [], loadReference, today));
  }
  const out: SubmissionFacts[] = [];
  for (const r of revisions) {
    const facts = fresh.get(r.id) ?? kept.get(r.id)?.facts;
    if (!facts) continue;
    kept.set(r.id, { validity: validity.get(r.id)!, facts });
    out.push(facts);
  }
  return out;
}

/** Facts kept per submission (least recently used first out): an auditor's 10,000 submissions and more. */
const FACT_ENTRIES = 25_000;
type KeptFacts = LruMap<string, { validity: string; facts: SubmissionFacts }>;
const factCaches = new WeakMap<EngineContext, KeptFacts>();

function factCachesOf(ctx: EngineContext): KeptFacts {
  let c = factCaches.get(ctx);
  if (!c) factCaches.set(ctx, (c = new LruMap(FACT_ENTRIES)));
  return c;
}

/** A goal status as attainment counts it: met, missed (late included), or pending while open. */
const outcomeOf = (status: string): GoalOutcome => (status === 'met' ? 'met' : status === 'missed' ? 'missed' : 'pending');
const quarterOf = (date: string) => `${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;

async function factsOf(
  ctx: EngineContext,
  s: Submission,
  history: readonly ClockEventRow[],
  loadReference: (id: string) => Promise<Submission | undefined>,
  today: Record<Jurisdiction, string>,
): Promise<SubmissionFacts> {
  const w = requireWorkflow(s);
  const agency = w.jurisdiction;
  const figures = figuresFrom(ctx, w, s, history);
  const active = s.status === 'active';
  const productCode = typeof s.device.productCode === 'string' ? s.device.productCode : null;
  const route = typeof s.input.route === 'string' ? s.input.route : null;

  const goals =
    agency === 'FDA'
      ? figures.goals.map((g) => ({
          pathway: s.workflowId,
          kind: g.kind,
          startedOn: g.startedOn,
          outcome: outcomeOf(g.status),
        }))
      : [];

  let decision: SubmissionFacts['decision'] = null;
  if (agency === 'FDA' && figures.stoppedOn && w.decisionOf?.(s.state, s.snapshot.context).decision) {
    decision = {
      pathway: s.workflowId,
      on: figures.stoppedOn,
      fdaDays: figures.fdaDays ?? 0,
      calendarDays: figures.calendarDays ?? 0,
      holdDays: figures.holdDays ?? 0,
    };
  }

  let reliance: SubmissionFacts['reliance'] = null;
  let prevencion: SubmissionFacts['prevencion'] = null;
  if (agency === 'COFEPRIS' && route) {
    if (s.input.reference) {
      const ref = await referenceFacts(ctx, ctx.stores, s, loadReference);
      const granted = (s.snapshot.context as { grantedOn?: string | null }).grantedOn ?? null;
      if (ref.decisionDate) {
        reliance = {
          route,
          granted,
          leadDays: granted ? daysBetween(ref.decisionDate, granted) : null,
          pending: !granted && active && figures.receivedOn !== null,
        };
      }
    }
    // The application's prevención (not a prórroga's, after the clock stopped), dated as the clocks date it.
    const issued = history.find((e) => e.type === 'ISSUE_PREVENCION' && e.to === 'prevencion');
    if (issued && figures.receivedOn) {
      prevencion = { route, issuedOn: dateIn(new Date(issued.effectiveAt), w.timeZone), days: figures.holdDays ?? 0, open: s.state === 'prevencion' };
    }
  }

  const overdue: OverdueItem[] = [];
  if (active) {
    const day = today[agency];
    const item = (source: OverdueItem['source'], kind: string, dueDate: string): OverdueItem => ({
      submissionId: s.id,
      title: s.title,
      pathway: s.workflowId,
      source,
      kind,
      dueDate,
      daysOverdue: daysBetween(dueDate, day),
    });
    if (s.deadline && s.deadline.dueDate < day) overdue.push(item('deadline', s.deadline.kind, s.deadline.dueDate));
    for (const g of figures.goals) if (g.status === 'missed' && g.metOn === null) overdue.push(item('goal', g.kind, g.dueDate));
  }
  return { productCode, goals, decision, reliance, prevencion, overdue, agency };
}

/** Median (mean of the middle two for an even count) and nearest-rank 90th percentile of `values`. */
export function dayStats(values: readonly number[]): DayStats {
  const n = values.length;
  if (n === 0) return { count: 0, median: null, p90: null, min: null, max: null, mean: null };
  const v = [...values].sort((a, b) => a - b);
  const median = n % 2 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
  const p90 = v[Math.ceil(0.9 * n) - 1]!;
  const mean = Math.round((v.reduce((a, b) => a + b, 0) / n) * 10) / 10;
  return { count: n, median, p90, min: v[0]!, max: v[n - 1]!, mean };
}

const byPathway = (a: string, b: string) => PATHWAY_ORDER.indexOf(a) - PATHWAY_ORDER.indexOf(b);

function aggregate(facts: readonly SubmissionFacts[], filters: InsightsQuery, today: Record<Jurisdiction, string>): Insights {
  const inPeriod = (date: string) => (!filters.from || date >= filters.from) && (!filters.to || date <= filters.to);

  const goalRows = new Map<string, GoalAttainmentRow>();
  for (const f of facts)
    for (const g of f.goals) {
      if (!inPeriod(g.startedOn)) continue;
      const quarter = quarterOf(g.startedOn);
      const key = `${g.pathway}|${quarter}|${g.kind}`;
      let row = goalRows.get(key);
      if (!row) goalRows.set(key, (row = { pathway: g.pathway, quarter, goal: g.kind, met: 0, missed: 0, pending: 0, attainment: null }));
      row[g.outcome]++;
    }
  const goalAttainment = [...goalRows.values()]
    .map((r) => ({ ...r, attainment: r.met + r.missed ? Math.round((r.met / (r.met + r.missed)) * 1000) / 1000 : null }))
    .sort((a, b) => byPathway(a.pathway, b.pathway) || a.quarter.localeCompare(b.quarter) || a.goal.localeCompare(b.goal));

  const decisions = new Map<string, Array<NonNullable<SubmissionFacts['decision']>>>();
  for (const f of facts)
    if (f.decision && inPeriod(f.decision.on)) decisions.set(f.decision.pathway, [...(decisions.get(f.decision.pathway) ?? []), f.decision]);
  const daysToDecision = [...decisions.entries()]
    .sort(([a], [b]) => byPathway(a, b))
    .map(([pathway, ds]) => {
      const fda = ds.map((d) => d.fdaDays);
      const bins = Math.floor(Math.max(...fda) / DISTRIBUTION_BIN_DAYS) + 1;
      const distribution = Array.from({ length: bins }, (_, i) => ({ from: i * DISTRIBUTION_BIN_DAYS, to: (i + 1) * DISTRIBUTION_BIN_DAYS, count: 0 }));
      for (const d of fda) distribution[Math.floor(d / DISTRIBUTION_BIN_DAYS)]!.count++;
      return {
        pathway,
        decisions: ds.length,
        fdaDays: dayStats(fda),
        calendarDays: dayStats(ds.map((d) => d.calendarDays)),
        holdDays: dayStats(ds.map((d) => d.holdDays)),
        distribution,
      };
    });

  const relianceLeadTime: RelianceRow[] = ROUTES.map((route) => {
    const mine = facts.map((f) => f.reliance).filter((r): r is NonNullable<SubmissionFacts['reliance']> => r !== null && r.route === route);
    const granted = mine.filter((r) => r.granted !== null && inPeriod(r.granted));
    return { route, granted: granted.length, pending: mine.filter((r) => r.pending).length, leadDays: dayStats(granted.map((r) => r.leadDays!)) };
  });

  const prevencion: PrevencionRow[] = ROUTES.map((route) => {
    const mine = facts
      .map((f) => f.prevencion)
      .filter((p): p is NonNullable<SubmissionFacts['prevencion']> => p !== null && p.route === route && inPeriod(p.issuedOn));
    return { route, registrations: mine.length, open: mine.filter((p) => p.open).length, days: dayStats(mine.map((p) => p.days)) };
  });

  const overdue: OverdueRow[] = AGENCIES.map((agency) => {
    const mine = facts.filter((f) => f.agency === agency && f.overdue.length > 0);
    const items = mine.flatMap((f) => f.overdue);
    return {
      agency,
      submissions: mine.length,
      deadlinesPassed: items.filter((i) => i.source === 'deadline').length,
      goalsMissed: items.filter((i) => i.source === 'goal').length,
      items: items
        .sort((a, b) => b.daysOverdue - a.daysOverdue || a.submissionId.localeCompare(b.submissionId) || a.kind.localeCompare(b.kind))
        .slice(0, OVERDUE_ITEMS),
    };
  });

  return { filters, asOf: today, submissions: facts.length, goalAttainment, daysToDecision, relianceLeadTime, prevencion, overdue };
}
