/**
 * The Insights page (tracker issue 16 §3): the figures of GET /v1/insights for the reader, under
 * the same filters, each as a chart rendered on the server (SVG, src/web/charts.ts) with the table
 * of its numbers under it. Words, quarters and numbers in the reader's language; no script.
 */
import type { TopLevelSpec } from 'vega-lite';
import { latestWorkflows } from '../../../workflows/index.js';
import type { Engine, Insights } from '../../engine/engine.js';
import type { DayStats, OverdueRow } from '../../engine/insights.js';
import { InputError, type FieldError } from '../../errors.js';
import { renderChart } from '../charts.js';
import { flag, html, raw, type SafeHtml } from '../html.js';
import type { Translator } from '../i18n.js';
import type { MessageKey } from '../messages/en.js';
import { page, type WebContext } from '../layout.js';

const FIELDS = ['pathway', 'productCode', 'from', 'to'] as const;
type Field = (typeof FIELDS)[number];

/** The page's filters as the query of GET /v1/insights: the given ones, as typed (the engine checks them). */
export function insightsQuery(q: Record<string, unknown>): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  for (const f of FIELDS) {
    const v = q[f];
    if (typeof v === 'string' && v.trim() !== '') out[f] = v.trim().slice(0, 200);
  }
  return out;
}

const WIDTH = 560;
const COLORS = { met: '#1b7837', missed: '#b2182b', pending: '#8c8c8c', a: '#1f5fa8', b: '#e08214', c: '#5e3c99' };

/** A horizontal bar chart: one band per `y`, bars stacked (`stack`) or side by side per `series`. */
function barSpec(opts: { x: string; stack: boolean; series: Array<{ label: string; color: string }> }): TopLevelSpec {
  return {
    width: WIDTH,
    height: { step: opts.stack ? 22 : 14 },
    mark: { type: 'bar', tooltip: false },
    encoding: {
      y: { field: 'y', type: 'nominal', title: null, sort: null, axis: { labelLimit: 220 } },
      x: { field: 'value', type: 'quantitative', title: opts.x, stack: opts.stack ? 'zero' : null, axis: { tickMinStep: 1 } },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: opts.series.map((s) => s.label), range: opts.series.map((s) => s.color) },
        legend: { orient: 'bottom', direction: 'horizontal', labelLimit: 320, columns: 2 },
      },
      ...(opts.stack ? { order: { field: 'order', type: 'quantitative' } } : { yOffset: { field: 'series', sort: opts.series.map((s) => s.label) } }),
    },
  } as TopLevelSpec;
}

interface Section {
  id: string;
  heading: string;
  caption: string;
  /** The chart's rows: `y` (band), `series`, `value`, `order`. */
  rows: Array<{ y: string; series: string; value: number; order: number }>;
  spec: () => TopLevelSpec;
  table: SafeHtml;
  /** Something below the table (the overdue lists). */
  after?: SafeHtml;
}

async function section(ctx: WebContext, s: Section): Promise<SafeHtml> {
  const { t } = ctx;
  const captionId = `${s.id}-caption`;
  const empty = s.rows.length === 0;
  const chart = empty ? '' : raw(await renderChart(`insights-${s.id}-${ctx.lang}`, s.spec, s.rows, captionId));
  return html`<section aria-labelledby="${s.id}-heading" class="insight">
    <h2 id="${s.id}-heading">${s.heading}</h2>
    ${
      empty
        ? html`<p id="${captionId}">${s.caption}. ${t.t('insights.none')}</p>`
        : html`<figure class="chart" id="${s.id}-chart"><figcaption id="${captionId}">${s.caption}</figcaption>${chart}</figure>
    ${s.table}`
    }
    ${s.after ?? ''}
  </section>`;
}

const numberFormat = (ctx: WebContext) => new Intl.NumberFormat(ctx.lang === 'es' ? 'es-MX' : 'en-US', { maximumFractionDigits: 1 });

function tableOf(
  id: string,
  caption: string,
  head: readonly string[],
  rows: ReadonlyArray<readonly [SafeHtml | string, ...Array<string | number | SafeHtml>]>,
): SafeHtml {
  return html`<table id="${id}" class="cards"><caption>${caption}</caption>
    <thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
    <tbody>${rows.map(([first, ...rest]) => html`<tr><th scope="row">${first}</th>${rest.map((v, i) => html`<td data-label="${head[i + 1]}">${v}</td>`)}</tr>`)}</tbody></table>`;
}

export async function renderInsights(
  ctx: WebContext,
  opts: { engine: Pick<Engine, 'insights'>; query: Record<string, unknown> },
): Promise<{ status: number; html: string }> {
  const { t } = ctx;
  const actor = ctx.session!.user;
  const query = insightsQuery(opts.query);
  let data: Insights | null = null;
  let errors: readonly FieldError[] = [];
  let problem: InputError | null = null;
  try {
    data = await opts.engine.insights({ id: actor.id, name: actor.name, role: actor.role, organization: actor.organization }, query);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    problem = e;
    errors = e.errors;
  }
  const errorOf = (f: Field) => errors.filter((e) => e.path === `/${f}`).map((e) => t.fieldError(e));
  const field = (f: Field, label: string, control: (attrs: SafeHtml) => SafeHtml, hint?: string) => {
    const messages = errorOf(f);
    const described = [hint ? `f-${f}-hint` : '', messages.length ? `f-${f}-error` : ''].filter(Boolean).join(' ');
    const attrs = html` id="f-${f}" name="${f}"${described ? html` aria-describedby="${described}"` : ''}${flag('aria-invalid="true"', messages.length > 0)}`;
    return html`<div class="field"><label for="f-${f}">${label}</label>${hint ? html`<span class="muted" id="f-${f}-hint">${hint}</span>` : ''}
      ${control(attrs)}${messages.length ? html`<p class="field-error" id="f-${f}-error">${messages.join(' ')}</p>` : ''}</div>`;
  };
  const pathways = latestWorkflows().map((w) => w.id);
  const filters = html`<form method="get" action="/insights" class="filters" aria-labelledby="filters-heading" novalidate>
    <h2 id="filters-heading" class="visually-hidden">${t.t('insights.filters')}</h2>
    ${field(
      'pathway',
      t.t('insights.pathway'),
      (a) =>
        html`<select${a}><option value="">${t.t('insights.any')}</option>${pathways.map(
          (id) => html`<option value="${id}"${flag('selected', query.pathway === id)}>${t.domain('workflow', id)}</option>`,
        )}</select>`,
    )}
    ${field('productCode', t.t('insights.productCode'), (a) => html`<input${a} type="text" maxlength="3" size="5" autocomplete="off" value="${query.productCode ?? ''}">`, t.t('insights.productCodeHint'))}
    ${field('from', t.t('insights.from'), (a) => html`<input${a} type="date" value="${query.from ?? ''}">`)}
    ${field('to', t.t('insights.to'), (a) => html`<input${a} type="date" value="${query.to ?? ''}">`)}
    <div class="field"><button type="submit">${t.t('insights.apply')}</button> <a href="/insights">${t.t('insights.reset')}</a></div>
  </form>`;
  const summary = problem
    ? html`<div class="error-summary" role="alert" tabindex="-1"><h2>${t.errorTitle(problem.code)}</h2><p>${t.errorDetail(problem)}</p>
      <ul>${errors.map((e) => html`<li><a href="#f-${e.path.slice(1)}">${t.t(`insights.${e.path.slice(1)}` as MessageKey)}: ${t.fieldError(e)}</a></li>`)}</ul></div>`
    : '';
  const sections = data ? await figures(ctx, data) : [];
  const body = html`<h1>${t.t('insights.title')}</h1>
  ${summary}
  ${data ? html`<p>${t.t('insights.intro', { fda: t.date(data.asOf.FDA), mx: t.date(data.asOf.COFEPRIS) })}</p>` : ''}
  ${filters}
  ${data ? html`<p id="insights-count">${t.t('insights.count', { count: data.submissions })}</p>` : ''}
  ${sections}`;
  return { status: problem ? 422 : 200, html: page(ctx, { title: t.t('insights.title'), body }) };
}

const stat = (n: Intl.NumberFormat, v: number | null) => (v === null ? '–' : n.format(v));

async function figures(ctx: WebContext, d: Insights): Promise<SafeHtml[]> {
  const { t } = ctx;
  const n = numberFormat(ctx);
  const pathway = (id: string) => t.domain('workflow', id);
  const route = (id: string) => t.domain('input', id);
  const quarter = (q: string) => t.t('insights.quarter', { year: q.slice(0, 4), q: q.slice(6) });
  const outcome = { met: t.t('insights.met'), missed: t.t('insights.missed'), pending: t.t('insights.pending') };
  const median = t.t('insights.median');
  const p90 = t.t('insights.p90');
  const statRows = (y: string, s: DayStats) =>
    s.count
      ? [
          { y, series: median, value: s.median!, order: 0 },
          { y, series: p90, value: s.p90!, order: 1 },
        ]
      : [];
  const twoSeries = () =>
    barSpec({
      x: t.t('insights.days'),
      stack: false,
      series: [
        { label: median, color: COLORS.a },
        { label: p90, color: COLORS.b },
      ],
    });

  // Goal attainment: per pathway and quarter, the goals summed; the table per goal.
  const perBand = new Map<string, { met: number; missed: number; pending: number }>();
  for (const r of d.goalAttainment) {
    const key = `${pathway(r.pathway)} · ${quarter(r.quarter)}`;
    const b = perBand.get(key) ?? { met: 0, missed: 0, pending: 0 };
    b.met += r.met;
    b.missed += r.missed;
    b.pending += r.pending;
    perBand.set(key, b);
  }
  const goals: Section = {
    id: 'goals',
    heading: t.t('insights.goals.heading'),
    caption: t.t('insights.goals.caption'),
    rows: [...perBand].flatMap(([y, b]) =>
      (['met', 'missed', 'pending'] as const).filter((k) => b[k] > 0).map((k, i) => ({ y, series: outcome[k], value: b[k], order: i })),
    ),
    spec: () =>
      barSpec({
        x: t.t('insights.goals.axis'),
        stack: true,
        series: [
          { label: outcome.met, color: COLORS.met },
          { label: outcome.missed, color: COLORS.missed },
          { label: outcome.pending, color: COLORS.pending },
        ],
      }),
    table: tableOf(
      'goals-table',
      t.t('insights.tableOf'),
      [
        t.t('insights.pathway'),
        t.t('insights.goals.colQuarter'),
        t.t('insights.goals.colGoal'),
        outcome.met,
        outcome.missed,
        outcome.pending,
        t.t('insights.goals.colAttainment'),
      ],
      d.goalAttainment.map(
        (r) =>
          [
            pathway(r.pathway),
            quarter(r.quarter),
            t.domain('goal', r.goal),
            r.met,
            r.missed,
            r.pending,
            r.attainment === null ? '–' : `${n.format(Math.round(r.attainment * 1000) / 10)} %`,
          ] as const,
      ),
    ),
  };

  const fdaMedian = t.t('insights.decision.fdaMedian');
  const fdaP90 = t.t('insights.decision.fdaP90');
  const calMedian = t.t('insights.decision.calendarMedian');
  const decisions: Section = {
    id: 'decisions',
    heading: t.t('insights.decision.heading'),
    caption: t.t('insights.decision.caption'),
    rows: d.daysToDecision.flatMap((r) => [
      { y: pathway(r.pathway), series: fdaMedian, value: r.fdaDays.median!, order: 0 },
      { y: pathway(r.pathway), series: fdaP90, value: r.fdaDays.p90!, order: 1 },
      { y: pathway(r.pathway), series: calMedian, value: r.calendarDays.median!, order: 2 },
    ]),
    spec: () =>
      barSpec({
        x: t.t('insights.days'),
        stack: false,
        series: [
          { label: fdaMedian, color: COLORS.a },
          { label: fdaP90, color: COLORS.b },
          { label: calMedian, color: COLORS.c },
        ],
      }),
    table: tableOf(
      'decisions-table',
      t.t('insights.tableOf'),
      [
        t.t('insights.pathway'),
        t.t('insights.decision.colDecisions'),
        t.t('insights.decision.colFdaMedian'),
        t.t('insights.decision.colFdaP90'),
        t.t('insights.decision.colCalendarMedian'),
        t.t('insights.decision.colCalendarP90'),
        t.t('insights.decision.colHold'),
      ],
      d.daysToDecision.map(
        (r) =>
          [
            pathway(r.pathway),
            r.decisions,
            stat(n, r.fdaDays.median),
            stat(n, r.fdaDays.p90),
            stat(n, r.calendarDays.median),
            stat(n, r.calendarDays.p90),
            stat(n, r.holdDays.median),
          ] as const,
      ),
    ),
  };

  const reliance: Section = {
    id: 'reliance',
    heading: t.t('insights.reliance.heading'),
    caption: t.t('insights.reliance.caption'),
    rows: d.relianceLeadTime.flatMap((r) => statRows(route(r.route), r.leadDays)),
    spec: twoSeries,
    table: tableOf(
      'reliance-table',
      t.t('insights.tableOf'),
      [t.t('insights.reliance.colRoute'), t.t('insights.reliance.colGranted'), median, p90, t.t('insights.reliance.colPending')],
      d.relianceLeadTime.map((r) => [route(r.route), r.granted, stat(n, r.leadDays.median), stat(n, r.leadDays.p90), r.pending] as const),
    ),
  };

  const prevencion: Section = {
    id: 'prevencion',
    heading: t.t('insights.prevencion.heading'),
    caption: t.t('insights.prevencion.caption'),
    rows: d.prevencion.flatMap((r) => statRows(route(r.route), r.days)),
    spec: twoSeries,
    table: tableOf(
      'prevencion-table',
      t.t('insights.tableOf'),
      [t.t('insights.reliance.colRoute'), t.t('insights.prevencion.colRegistrations'), median, p90, t.t('insights.prevencion.colOpen')],
      d.prevencion.map((r) => [route(r.route), r.registrations, stat(n, r.days.median), stat(n, r.days.p90), r.open] as const),
    ),
  };

  const deadlines = t.t('insights.overdue.deadlines');
  const missedGoals = t.t('insights.overdue.goals');
  const agency = (a: string) => t.domain('jurisdiction', a);
  const overdue: Section = {
    id: 'overdue',
    heading: t.t('insights.overdue.heading'),
    caption: t.t('insights.overdue.caption'),
    rows: d.overdue
      .filter((r) => r.submissions > 0)
      .flatMap((r) => [
        { y: agency(r.agency), series: deadlines, value: r.deadlinesPassed, order: 0 },
        { y: agency(r.agency), series: missedGoals, value: r.goalsMissed, order: 1 },
      ]),
    spec: () =>
      barSpec({
        x: t.t('insights.overdue.axis'),
        stack: true,
        series: [
          { label: deadlines, color: COLORS.missed },
          { label: missedGoals, color: COLORS.b },
        ],
      }),
    table: tableOf(
      'overdue-table',
      t.t('insights.tableOf'),
      [t.t('insights.overdue.colAgency'), t.t('insights.overdue.colSubmissions'), deadlines, missedGoals],
      d.overdue.map((r) => [agency(r.agency), r.submissions, r.deadlinesPassed, r.goalsMissed] as const),
    ),
    after: html`${d.overdue.filter((r) => r.items.length > 0).map((r) => overdueList(t, r))}`,
  };
  return Promise.all([goals, decisions, reliance, prevencion, overdue].map((s) => section(ctx, s)));
}

function overdueList(t: Translator, r: OverdueRow): SafeHtml {
  const head = [t.t('insights.overdue.colSubmission'), t.t('insights.overdue.colWhat'), t.t('insights.overdue.colDue'), t.t('insights.overdue.colDays')];
  return html`<table class="cards overdue-list" id="overdue-${r.agency.toLowerCase()}"><caption>${t.t('insights.overdue.listCaption', { agency: t.domain('jurisdiction', r.agency) })}</caption>
    <thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
    <tbody>${r.items.map(
      (i) => html`<tr><th scope="row"><a href="/submissions/${i.submissionId}">${i.title}</a></th>
      <td data-label="${head[1]}">${t.t(i.source === 'deadline' ? 'insights.overdue.deadline' : 'insights.overdue.goal', { name: t.domain(i.source, i.kind) })}</td>
      <td data-label="${head[2]}"><time datetime="${i.dueDate}">${t.date(i.dueDate)}</time></td>
      <td data-label="${head[3]}">${i.daysOverdue}</td></tr>`,
    )}</tbody></table>`;
}
