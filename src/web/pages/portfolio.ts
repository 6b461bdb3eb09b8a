/**
 * The portfolio: the submissions the user may see (the engine's own visibility), filtered by
 * pathway, state, organization, overdue and due soon, next date first, each with a countdown bar.
 */
import type { Engine, SubmissionView } from '../../engine/engine.js';
import type { Users } from '../../users.js';
import { latestWorkflows } from '../../../workflows/index.js';
import { countdownOf, type Countdown } from '../countdown.js';
import { flag, html, type SafeHtml } from '../html.js';
import type { Translator } from '../i18n.js';
import { page, type WebContext } from '../layout.js';

const str = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 200) : '');

function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The days left (or overdue) in words, in the date's own unit: Mexican business days with the
 * calendar days beside them, FDA days, calendar days (tracker issue 18 §1, §5).
 */
export function countdownWords(t: Translator, c: Countdown): string {
  if (c.state !== 'overdue' && c.daysLeft === 0) return t.t('countdown.today');
  const over = c.state === 'overdue';
  const count = Math.abs(over ? Math.min(0, c.unitsLeft) : Math.max(0, c.unitsLeft));
  if (c.unit === 'mx-business') return t.t(over ? 'countdown.overBusiness' : 'countdown.leftBusiness', { count, days: Math.abs(c.daysLeft) });
  return t.t(over ? 'countdown.overIn' : 'countdown.leftIn', { count, unit: t.t(`unit.${c.unit}`) });
}

/** The bar: a labelled progress element the screen reader announces, and the days in words. */
export function countdownCell(t: Translator, c: Countdown | null): SafeHtml {
  if (!c) return html`<span class="muted">${t.t('next.none')}</span>`;
  const pct = Math.min(100, Math.round((c.used / c.total) * 100));
  const label = t.t('countdown.labelIn', { used: Math.min(c.used, c.total), total: c.total, unit: t.t(`unit.${c.source === 'goal' ? c.unit : 'calendar'}`) });
  return html`<div class="countdown"><div class="bar ${c.state}" role="progressbar" aria-valuemin="0" aria-valuemax="${c.total}" aria-valuenow="${Math.min(c.used, c.total)}" aria-label="${label}"><span style="width:${pct}%"></span></div>
    <span class="status ${c.state}">${countdownWords(t, c)}</span></div>`;
}

/** The date and what falls due then; a missed goal or a passed deadline says so, in the warning style. */
export function nextDateText(t: Translator, c: Countdown | null): SafeHtml {
  if (!c) return html`<span class="muted">${t.t('next.none')}</span>`;
  const what = c.source === 'deadline' ? t.t('next.deadline', { what: t.domain('deadline', c.kind) }) : t.t('next.goal', { what: t.domain('goal', c.kind) });
  const late =
    c.state !== 'overdue' ? '' : c.source === 'goal' ? t.domain('goalStatus', 'missed') : c.passed ? t.t('countdown.decisionPending') : t.t('countdown.passed');
  return html`<time datetime="${c.dueDate}">${t.date(c.dueDate)}</time><br><span class="muted">${what}</span>${late ? html` <strong class="status overdue">${late}</strong>` : ''}`;
}

/** The page's filters, as the query string says them (anything else is ignored). */
function filtersOf(q: Record<string, unknown>) {
  return {
    workflow: str(q.workflow),
    state: str(q.state),
    organization: str(q.organization),
    q: str(q.q),
    overdue: q.overdue === 'true',
    dueSoon: q.dueSoon === 'true',
    cursor: str(q.cursor),
  };
}

/**
 * The page's filters as the listing's query (GET /v1/submissions), next date first: what the page
 * lists, and what its "Export" links download (the web's /export, without the page's cursor).
 */
export function portfolioListingQuery(q: Record<string, unknown>, now: Date, dueSoonDays: number): Record<string, string> {
  const filters = filtersOf(q);
  const query: Record<string, string> = { sort: 'nextDue' };
  if (filters.workflow) query.workflow = filters.workflow;
  if (filters.state) query.state = filters.state;
  if (filters.organization) query.organization = filters.organization;
  if (filters.q) query.q = filters.q;
  if (filters.overdue) query.overdue = 'true';
  // "Due soon": the next date falls within the due-soon window (dueBefore is exclusive).
  if (filters.dueSoon) query.dueBefore = addDays(now.toISOString().slice(0, 10), dueSoonDays + 1);
  return query;
}

export async function renderPortfolio(
  ctx: WebContext,
  opts: { engine: Engine; users: Pick<Users, 'listOrganizations'>; query: Record<string, unknown>; now: Date; dueSoonDays: number },
): Promise<string> {
  const { t } = ctx;
  const actor = ctx.session!.user;
  const q = opts.query;
  const filters = filtersOf(q);
  const query: Record<string, string> = { ...portfolioListingQuery(q, opts.now, opts.dueSoonDays), limit: '50' };
  if (filters.cursor) query.cursor = filters.cursor;
  const { items, nextCursor } = await opts.engine.listSubmissions(
    { id: actor.id, name: actor.name, role: actor.role, organization: actor.organization },
    query,
  );
  const workflows = latestWorkflows();
  const organizations = actor.role === 'manufacturer' ? [] : await opts.users.listOrganizations();
  const states = [...new Set(workflows.flatMap((w) => Object.keys((w.machine.config.states ?? {}) as object)))].sort();

  const row = (s: SubmissionView) => {
    const c = countdownOf(s, opts.now, opts.dueSoonDays);
    // data-label: the column's name, shown beside each value when a narrow screen turns the row into a card.
    return html`<tr${c?.state === 'overdue' ? html` class="overdue"` : ''}>
      <th scope="row"><a href="/submissions/${s.id}">${s.title}</a><br><span class="muted">${typeof s.device.name === 'string' ? s.device.name : ''}</span></th>
      <td data-label="${t.t('portfolio.colPathway')}">${t.domain('workflow', s.workflow.id)} <span class="muted">v${s.workflow.version}</span></td>
      <td data-label="${t.t('portfolio.colState')}">${t.domain('state', s.state)}</td>
      ${actor.role === 'manufacturer' ? '' : html`<td data-label="${t.t('portfolio.colOrganization')}">${s.organization.name}</td>`}
      <td data-label="${t.t('portfolio.colNext')}">${nextDateText(t, c)}</td>
      <td data-label="${t.t('portfolio.colCountdown')}">${countdownCell(t, c)}</td>
    </tr>`;
  };

  // The page's own filters (not its cursor), for the next page and the export links.
  const kept = Object.fromEntries(
    Object.entries(filters)
      .filter(([k, v]) => v && k !== 'cursor')
      .map(([k, v]) => [k, String(v)]),
  );
  const nextLink = nextCursor ? `/?${new URLSearchParams({ ...kept, cursor: nextCursor })}` : null;
  const exportLink = (format: 'csv' | 'xlsx') => `/export?${new URLSearchParams({ format, ...kept })}`;
  const body = html`<h1>${t.t('portfolio.title')}</h1>
  <form method="get" action="/" class="filters" aria-labelledby="filters-heading">
    <h2 id="filters-heading" class="visually-hidden">${t.t('portfolio.filters')}</h2>
    <div class="field"><label for="f-workflow">${t.t('portfolio.workflow')}</label>
      <select id="f-workflow" name="workflow"><option value="">${t.t('portfolio.any')}</option>
      ${workflows.map((w) => html`<option value="${w.id}"${flag('selected', filters.workflow === w.id)}>${t.domain('workflow', w.id)}</option>`)}</select></div>
    <div class="field"><label for="f-state">${t.t('portfolio.state')}</label>
      <select id="f-state" name="state"><option value="">${t.t('portfolio.any')}</option>
      ${states.map((s) => html`<option value="${s}"${flag('selected', filters.state === s)}>${t.domain('state', s)}</option>`)}</select></div>
    ${
      organizations.length
        ? html`<div class="field"><label for="f-org">${t.t('portfolio.organization')}</label>
      <select id="f-org" name="organization"><option value="">${t.t('portfolio.any')}</option>
      ${organizations.map((o) => html`<option value="${o.id}"${flag('selected', filters.organization === o.id)}>${o.name}</option>`)}</select></div>`
        : ''
    }
    <div class="field"><label for="f-q">${t.t('portfolio.search')}</label><input id="f-q" name="q" type="search" maxlength="200" value="${filters.q}"></div>
    <div class="field"><input id="f-overdue" name="overdue" type="checkbox" value="true"${flag('checked', filters.overdue)}> <label for="f-overdue" style="display:inline">${t.t('portfolio.overdue')}</label></div>
    <div class="field"><input id="f-due" name="dueSoon" type="checkbox" value="true"${flag('checked', filters.dueSoon)}> <label for="f-due" style="display:inline">${t.t('portfolio.dueSoon', { days: opts.dueSoonDays })}</label></div>
    <div class="field"><button type="submit">${t.t('portfolio.apply')}</button> <a href="/">${t.t('portfolio.reset')}</a></div>
  </form>
  ${
    items.length === 0
      ? html`<p>${t.t('portfolio.empty')}</p>`
      : html`<table id="portfolio" class="cards">
    <caption>${t.t('portfolio.caption')} · ${t.t('portfolio.count', { count: items.length })}</caption>
    <thead><tr><th scope="col">${t.t('portfolio.colTitle')}</th><th scope="col">${t.t('portfolio.colPathway')}</th><th scope="col">${t.t('portfolio.colState')}</th>
    ${actor.role === 'manufacturer' ? '' : html`<th scope="col">${t.t('portfolio.colOrganization')}</th>`}
    <th scope="col">${t.t('portfolio.colNext')}</th><th scope="col">${t.t('portfolio.colCountdown')}</th></tr></thead>
    <tbody>${items.map(row)}</tbody></table>`
  }
  ${nextLink ? html`<p><a href="${nextLink}" rel="next">${t.t('portfolio.more')}</a></p>` : ''}
  <p class="export-links"><a href="${exportLink('csv')}" download>${t.t('portfolio.exportCsv')}</a> · <a href="${exportLink('xlsx')}" download>${t.t('portfolio.exportXlsx')}</a></p>`;
  return page(ctx, { title: t.t('portfolio.title'), body });
}
