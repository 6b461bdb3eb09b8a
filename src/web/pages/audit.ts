/**
 * The auditor's page: search the history across submissions, run verify (every chain, the
 * signatures and the transparency log; failures located by submission and record), export links,
 * and the latest signed checkpoint of the log.
 */
import { AppError, type FieldError } from '../../errors.js';
import type { Auditor } from '../../audit/auditor.js';
import type { TransparencyLog } from '../../audit/tlog.js';
import { decisionNumberOf } from '../../audit/report.js';
import { BOOKKEEPING_EVENTS } from '../../engine/clocks.js';
import type { Submission, Transition } from '../../store/types.js';
import { latestWorkflows, WORKFLOWS } from '../../../workflows/index.js';
import { HUMAN_ROLES } from '../../../workflows/types.js';
import { flag, html, type SafeHtml } from '../html.js';
import type { Translator } from '../i18n.js';
import { csrfField, page, type WebContext } from '../layout.js';

/** The search fields the page offers. `submission` is free text: the audit API's `q` (title, device, number or id). */
export const AUDIT_FIELDS = ['submission', 'workflow', 'role', 'type', 'recordedFrom', 'recordedTo'] as const;
type AuditField = (typeof AUDIT_FIELDS)[number];

/** The page's fields as typed: trimmed, capped, empty ones left out. */
function formValues(query: Record<string, unknown>): Partial<Record<AuditField, string>> {
  const out: Partial<Record<AuditField, string>> = {};
  for (const k of AUDIT_FIELDS) {
    const v = query[k];
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim().slice(0, 200);
  }
  return out;
}

/** The audit API's query for the page's fields (the search, the exports): `submission` becomes `q`. */
export function auditQueryOf(query: Record<string, unknown>): Record<string, string> {
  const { submission, ...rest } = formValues(query);
  return submission === undefined ? rest : { q: submission, ...rest };
}

/** The page field an API pointer names (`/q` is the Submission field). */
const fieldOf = (pointer: string) => (pointer === '/q' ? '/submission' : pointer);

/** Every record type the history holds: each pathway's events and the bookkeeping records, by label. */
function eventTypes(t: Translator): { events: string[]; records: string[] } {
  const byLabel = (a: string, b: string) => t.domain('event', a).localeCompare(t.domain('event', b), t.lang);
  const events = new Set<string>();
  for (const w of WORKFLOWS) for (const type of Object.keys(w.events)) if (!BOOKKEEPING_EVENTS.has(type)) events.add(type);
  return { events: [...events].sort(byLabel), records: [...BOOKKEEPING_EVENTS].sort(byLabel) };
}

/** The filters in words, for the exports' description. */
function filterWords(t: Translator, v: Partial<Record<AuditField, string>>): string {
  const parts: string[] = [];
  if (v.submission) parts.push(t.t('audit.filterQ', { value: v.submission }));
  if (v.workflow) parts.push(t.t('audit.filterWorkflow', { value: t.domain('workflow', v.workflow) }));
  if (v.role) parts.push(t.t('audit.filterRole', { value: t.domain('role', v.role) }));
  if (v.type) parts.push(t.t('audit.filterType', { value: t.domain('event', v.type) }));
  if (v.recordedFrom) parts.push(t.t('audit.filterFrom', { value: t.date(v.recordedFrom) }));
  if (v.recordedTo) parts.push(t.t('audit.filterTo', { value: t.date(v.recordedTo) }));
  return parts.join('; ');
}

/** A submission as people know it: title linked to the record, device and number; its id in a toggle. */
function submissionCell(t: Translator, tr: Transition, s: Submission | undefined): SafeHtml {
  const number = s ? decisionNumberOf(s) : null;
  const device = s && typeof s.device.name === 'string' && s.device.name !== '' ? t.t('audit.device', { device: s.device.name }) : '';
  const numbered = number ? t.t(number.own ? 'audit.number' : 'audit.reliesOn', { number: number.number }) : '';
  const facts = [device, numbered].filter((x) => x !== '');
  return html`<a href="/submissions/${tr.submissionId}#record-${tr.seq}">${s?.title ?? tr.submissionId}</a>
    ${facts.length ? html`<div class="audit-facts">${facts.join(' · ')}</div>` : ''}
    <details class="codes"><summary>${t.t('audit.codes')}</summary><span class="audit-code">${t.t('audit.submissionId')}: <code>${tr.submissionId}</code></span></details>`;
}

function resultRow(t: Translator, tr: Transition, s: Submission | undefined): SafeHtml {
  return html`<tr><td>${submissionCell(t, tr, s)}</td>
    <td>${t.domain('event', tr.type)}
      <details class="codes"><summary>${t.t('audit.codes')}</summary><span class="audit-code">${t.t('audit.eventCode')}: <span class="muted">(${tr.type})</span></span>
        <span class="audit-code">${t.t('audit.record', { seq: tr.seq })}</span>
        <span class="audit-code">${t.t('submission.hash')}: <code>${tr.hash.slice(0, 16)}…</code></span></details></td>
    <td>${tr.actor.name} (${t.domain('role', tr.actor.role)})</td>
    <td><time datetime="${tr.recordedAt}">${t.dateTime(tr.recordedAt)}</time></td></tr>`;
}

export async function renderAudit(
  ctx: WebContext,
  opts: { auditor: Auditor; tlog?: TransparencyLog; query: Record<string, unknown>; verify?: boolean },
): Promise<string> {
  const { t } = ctx;
  const u = ctx.session!.user;
  const actor = { id: u.id, name: u.name, role: u.role, organization: u.organization };
  const v = formValues(opts.query);
  const q = auditQueryOf(opts.query);
  const searched = Object.keys(q).length > 0 || opts.query.search === '1';
  let results: Transition[] = [];
  let named = new Map<string, Submission>();
  let searchError: AppError | undefined;
  let nextCursor: string | null = null;
  if (searched) {
    try {
      const cursor = typeof opts.query.cursor === 'string' ? { cursor: opts.query.cursor.slice(0, 200) } : {};
      ({ items: results, nextCursor } = await opts.auditor.transitions(actor, { ...q, ...cursor, limit: '100' }));
      named = await opts.auditor.submissionsOf(
        actor,
        results.map((r) => r.submissionId),
      );
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'validation_failed') throw e;
      searchError = e;
    }
  } else {
    // Without a search the page still proves the role may audit (403 for others).
    await opts.auditor.transitions(actor, { limit: '1' });
  }
  let verify: { ok: boolean; count: number; failures: Array<{ submissionId: string | null; seq: number | null; reason: string }> } | undefined;
  if (opts.verify) {
    const chains = await opts.auditor.verify(actor, {});
    const log = opts.tlog ? await opts.tlog.verify() : { ok: true, failures: [] };
    verify = { ok: chains.ok && log.ok, count: chains.transitions, failures: [...chains.failures, ...log.failures] };
  }
  const checkpoint = opts.tlog ? await opts.tlog.latestCheckpoint() : null;
  const errs = new Map<string, string[]>();
  for (const fe of (searchError?.errors ?? []) as FieldError[]) {
    const path = fieldOf(fe.path);
    (errs.get(path) ?? errs.set(path, []).get(path)!).push(t.fieldError(fe));
  }
  const errorOf = (name: AuditField) => errs.get(`/${name}`) ?? [];
  const described = (name: AuditField, hint: boolean) => {
    const ids = [...(hint ? [`a-${name}-hint`] : []), ...(errorOf(name).length ? [`a-${name}-error`] : [])];
    return html`${errorOf(name).length ? html` aria-invalid="true"` : ''}${ids.length ? html` aria-describedby="${ids.join(' ')}"` : ''}`;
  };
  const errorLine = (name: AuditField) => (errorOf(name).length ? html`<p class="field-error" id="a-${name}-error">${errorOf(name).join(' ')}</p>` : '');
  const input = (name: AuditField, label: string, type = 'text', hint?: string) =>
    html`<div class="field"><label for="a-${name}">${label}</label>
      ${hint ? html`<p class="hint" id="a-${name}-hint">${hint}</p>` : ''}${errorLine(name)}
      <input id="a-${name}" name="${name}" type="${type}" maxlength="200" value="${v[name] ?? ''}"${described(name, hint !== undefined)}></div>`;
  const types = eventTypes(t);
  const known = new Set([...types.events, ...types.records]);
  const typeOption = (type: string) => html`<option value="${type}"${flag('selected', v.type === type)}>${t.domain('event', type)}</option>`;
  const typeSelect = html`<div class="field"><label for="a-type">${t.t('audit.event')}</label>${errorLine('type')}
    <select id="a-type" name="type"${described('type', false)}><option value="">${t.t('audit.anyEvent')}</option>
      ${v.type !== undefined && !known.has(v.type) ? typeOption(v.type) : ''}
      <optgroup label="${t.t('audit.event')}">${types.events.map(typeOption)}</optgroup>
      <optgroup label="${t.t('audit.recordTypes')}">${types.records.map(typeOption)}</optgroup></select></div>`;
  const exportQuery = new URLSearchParams(q).toString();
  const filtered = exportQuery !== '';
  const found = [...new Set(results.map((r) => r.submissionId))];
  const body = html`<h1>${t.t('audit.title')}</h1>
  <section aria-labelledby="search-heading"><h2 id="search-heading">${t.t('audit.search')}</h2>
    <form method="get" action="/audit" class="filters" novalidate>
      <input type="hidden" name="search" value="1">
      ${input('submission', t.t('audit.q'), 'search', t.t('audit.qHint'))}
      <div class="field"><label for="a-workflow">${t.t('portfolio.workflow')}</label><select id="a-workflow" name="workflow"><option value="">${t.t('portfolio.any')}</option>
        ${latestWorkflows().map((w) => html`<option value="${w.id}"${flag('selected', q.workflow === w.id)}>${t.domain('workflow', w.id)}</option>`)}</select></div>
      <div class="field"><label for="a-role">${t.t('users.role')}</label><select id="a-role" name="role"><option value="">${t.t('portfolio.any')}</option>
        ${[...HUMAN_ROLES, 'system'].map((r) => html`<option value="${r}"${flag('selected', q.role === r)}>${t.domain('role', r)}</option>`)}</select></div>
      ${typeSelect}
      ${input('recordedFrom', t.t('audit.from'), 'date')}
      ${input('recordedTo', t.t('audit.to'), 'date')}
      <div class="field"><button type="submit">${t.t('audit.find')}</button></div>
    </form>
    ${searchError ? html`<div class="error-summary" role="alert" tabindex="-1"><h3>${t.errorTitle(searchError.code)}</h3><p>${t.errorDetail(searchError)}</p></div>` : ''}
    ${
      searched && !searchError
        ? results.length
          ? html`<table id="audit-results"><caption>${t.t('audit.results')} (${results.length})</caption>
          <thead><tr><th scope="col">${t.t('audit.q')}</th><th scope="col">${t.t('submission.event')}</th><th scope="col">${t.t('submission.actor')}</th><th scope="col">${t.t('submission.when')}</th></tr></thead>
          <tbody>${results.map((r) => resultRow(t, r, named.get(r.submissionId)))}</tbody></table>
          ${nextCursor ? html`<p><a rel="next" href="/audit?${new URLSearchParams({ ...q, search: '1', cursor: nextCursor }).toString()}">${t.t('portfolio.more')}</a></p>` : ''}`
          : html`<p>${t.t('audit.noResults')}</p>`
        : ''
    }
  </section>
  <section aria-labelledby="verify-heading" id="verify"><h2 id="verify-heading">${t.t('audit.verify')}</h2>
    <p>${t.t('audit.verifyHelp')}</p>
    <form method="post" action="/audit/verify">${csrfField(ctx)}<button type="submit">${t.t('audit.verifyRun')}</button></form>
    ${
      verify
        ? html`<div id="verify-result" role="status">${
            verify.ok
              ? html`<p class="ok">${t.t('audit.verifyOk', { count: verify.count })}</p>`
              : html`<p class="bad">${t.t('audit.verifyFailed', { count: verify.failures.length })}</p>
            <ul>${verify.failures.map((f) => html`<li>${f.submissionId ? html`<a href="/submissions/${f.submissionId}${f.seq !== null ? `#record-${f.seq}` : ''}">${t.t('audit.failureAt', { submission: f.submissionId, seq: f.seq ?? '—', problem: t.errorDetail(f.reason) })}</a>` : t.errorDetail(f.reason)}</li>`)}</ul>`
          }</div>`
        : ''
    }
  </section>
  <section aria-labelledby="export-heading"><h2 id="export-heading">${t.t('audit.export')}</h2>
    <p id="export-scope">${filtered ? t.t('audit.exportFiltered', { filter: filterWords(t, v) }) : t.t('audit.exportEverything')}</p>
    <ul aria-describedby="export-scope"><li><a href="/audit/export?format=jsonl${filtered ? `&${exportQuery}` : ''}">${t.t(filtered ? 'audit.exportFilteredJsonl' : 'audit.exportJsonl')}</a></li>
    <li><a href="/audit/export?format=csv${filtered ? `&${exportQuery}` : ''}">${t.t(filtered ? 'audit.exportFilteredCsv' : 'audit.exportCsv')}</a></li></ul>
  </section>
  ${
    found.length
      ? html`<section aria-labelledby="reports-heading" id="reports"><h2 id="reports-heading">${t.t('audit.reports')}</h2>
    <p>${t.t('audit.reportsHelp')}</p>
    <ul>${found.map((id) => html`<li><a href="/submissions/${id}/report">${t.t('audit.reportOf', { title: named.get(id)?.title ?? id })}</a></li>`)}</ul></section>`
      : ''
  }
  <section aria-labelledby="checkpoint-heading"><h2 id="checkpoint-heading">${t.t('audit.checkpoint')}</h2>
    ${
      checkpoint
        ? html`<dl class="facts"><dt>${t.t('audit.treeSize')}</dt><dd>${checkpoint.treeSize}</dd><dt>${t.t('audit.rootHash')}</dt><dd class="hash">${checkpoint.rootHash}</dd>
          <dt>${t.t('audit.signedAt')}</dt><dd>${t.dateTime(checkpoint.timestamp)}</dd></dl>
          <pre class="hash" aria-label="${t.t('audit.checkpoint')}">${checkpoint.note}</pre>`
        : html`<p>${t.t('audit.noCheckpoint')}</p>`
    }
  </section>`;
  return page(ctx, { title: t.t('audit.title'), body });
}
