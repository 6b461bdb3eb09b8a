/** GET /v1/insights in the OpenAPI document (tracker issue 16 §3; DESIGN §10). */
import { json, queryParams, type Json, type Operation } from './openapi-parts.js';

const days = { type: ['number', 'null'] };
const stats: Json = {
  type: 'object',
  description: 'Day counts: count, median (mean of the middle two for an even count), 90th percentile (nearest rank), min, max, mean; null without values',
  required: ['count', 'median', 'p90', 'min', 'max', 'mean'],
  properties: { count: { type: 'integer' }, median: days, p90: days, min: days, max: days, mean: days },
};
const date = { type: 'string', format: 'date' };
const count = { type: 'integer', minimum: 0 };
const object = (properties: Json, description?: string): Json => ({
  type: 'object',
  ...(description ? { description } : {}),
  required: Object.keys(properties),
  properties,
});

const insights: Json = object({
  filters: { type: 'object', description: 'The filters applied (those given)' },
  asOf: object({ FDA: date, COFEPRIS: date }, 'Today in each jurisdiction: the date of the "now" figures (pending, open, overdue)'),
  submissions: { ...count, description: 'Visible submissions of the pathway and product code' },
  goalAttainment: {
    type: 'array',
    description: 'FDA (MDUFA) goals per pathway, quarter of the goal start (receipt cohort) and goal: met, missed, pending; attainment = met / (met + missed)',
    items: object({
      pathway: { type: 'string' },
      quarter: { type: 'string', pattern: '^\\d{4}-Q[1-4]$' },
      goal: { type: 'string' },
      met: count,
      missed: count,
      pending: count,
      attainment: { type: ['number', 'null'], minimum: 0, maximum: 1 },
    }),
  },
  daysToDecision: {
    type: 'array',
    description:
      'Per FDA pathway, decisions in the period (by decision date): FDA days, calendar days and hold days at the decision, as on the submission (clocks)',
    items: object({
      pathway: { type: 'string' },
      decisions: count,
      fdaDays: stats,
      calendarDays: stats,
      holdDays: stats,
      distribution: { type: 'array', description: 'FDA days in 30-day bins [from, to)', items: object({ from: count, to: count, count }) },
    }),
  },
  relianceLeadTime: {
    type: 'array',
    description: 'Per COFEPRIS route: calendar days from the FDA decision relied on to the grant (grants in the period), and registrations still pending now',
    items: object({ route: { enum: ['standard', 'third-party', 'equivalence', 'abbreviated'] }, granted: count, pending: count, leadDays: stats }),
  },
  prevencion: {
    type: 'array',
    description: 'Per COFEPRIS route: registrations with a prevención issued in the period, how many are in it now, and the calendar days spent in it',
    items: object({ route: { enum: ['standard', 'third-party', 'equivalence', 'abbreviated'] }, registrations: count, open: count, days: stats }),
  },
  overdue: {
    type: 'array',
    description: 'Per reviewing agency, now: active submissions with a hard deadline passed or a goal missed and still owed; the 25 most overdue listed',
    items: object({
      agency: { enum: ['FDA', 'COFEPRIS'] },
      submissions: count,
      deadlinesPassed: count,
      goalsMissed: count,
      items: {
        type: 'array',
        items: object({
          submissionId: { type: 'string' },
          title: { type: 'string' },
          pathway: { type: 'string' },
          source: { enum: ['deadline', 'goal'] },
          kind: { type: 'string' },
          dueDate: date,
          daysOverdue: { type: 'integer' },
        }),
      },
    }),
  },
});

export function insightsPaths(all: Json): Record<string, Record<string, Operation>> {
  return {
    '/v1/insights': {
      get: {
        operationId: 'getInsights',
        summary:
          'Figures over the submissions the caller may see (manufacturers: their organization; reviewers: their jurisdiction; auditors: all): ' +
          'MDUFA goal attainment per pathway and quarter, FDA days and calendar days to decision per pathway, reliance lead time per COFEPRIS route, ' +
          'time in prevención, and what is overdue now per agency. Every figure is taken from the per-submission clocks GET /v1/submissions/{id} shows',
        parameters: queryParams(all, 'InsightsQuery'),
        ok: { '200': json(insights) },
      },
    },
  };
}
