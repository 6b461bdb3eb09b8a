/**
 * The auditor's page: search the history across submissions, run verify (every chain, the
 * signatures and the transparency log; failures located by submission and record), export links,
 * and the latest signed checkpoint of the log.
 */
import { AppError, type FieldError } from '../../errors.js';
import type { Auditor } from '../../audit/auditor.js';
import type { TransparencyLog } from '../../audit/tlog.js';
import type { Transition } from '../../store/types.js';
import { latestWorkflows } from '../../../workflows/index.js';
import { HUMAN_ROLES } from '../../../workflows/types.js';
import { flag, html, type SafeHtml } from '../html.js';
import type { Translator } from '../i18n.js';
import { csrfField, page, type WebContext } from '../layout.js';

/** The search fields the page offers, as the audit API names them. */
export const AUDIT_FIELDS = ['submission', 'workflow', 'role', 'type', 'recordedFrom', 'recordedTo'] as const;

export function auditQueryOf(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of AUDIT_FIELDS) {
    const v = query[k];
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim().slice(0, 200);
  }
  return out;
}

function resultRow(t: Translator, tr: Transition): SafeHtml {
  return html`<tr><td><a href="/submissions/${tr.submissionId}#record-${tr.seq}">${tr.submissionId}</a> #${tr.seq}</td>
    <td>${t.domain('event', tr.type)} <span class="muted">(${tr.type})</span></td>
    <td>${tr.actor.name} (${t.domain('role', tr.actor.role)})</td>
    <td><time datetime="${tr.recordedAt}">${t.dateTime(tr.recordedAt)}</time></td>
    <td class="hash">${tr.hash.slice(0, 16)}…</td></tr>`;
}

export async function renderAudit(
  ctx: WebContext,
  opts: { auditor: Auditor; tlog?: TransparencyLog; query: Record<string, unknown>; verify?: boolean },
): Promise<string> {
  const { t } = ctx;
  const u = ctx.session!.user;
  const actor = { id: u.id, name: u.name, role: u.role, organization: u.organization };
  const q = auditQueryOf(opts.query);
  const searched = Object.keys(q).length > 0 || opts.query.search === '1';
  let results: Transition[] = [];
  let searchError: AppError | undefined;
  let nextCursor: string | null = null;
  if (searched) {
    try {
      const cursor = typeof opts.query.cursor === 'string' ? { cursor: opts.query.cursor.slice(0, 200) } : {};
      ({ items: results, nextCursor } = await opts.auditor.transitions(actor, { ...q, ...cursor, limit: '100' }));
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
  for (const fe of (searchError?.errors ?? []) as FieldError[]) (errs.get(fe.path) ?? errs.set(fe.path, []).get(fe.path)!).push(t.fieldError(fe));
  const input = (name: (typeof AUDIT_FIELDS)[number], label: string, type = 'text') => {
    const e = errs.get(`/${name}`) ?? [];
    return html`<div class="field"><label for="a-${name}">${label}</label>
      ${e.length ? html`<p class="field-error" id="a-${name}-error">${e.join(' ')}</p>` : ''}
      <input id="a-${name}" name="${name}" type="${type}" maxlength="200" value="${q[name] ?? ''}"${e.length ? html` aria-invalid="true" aria-describedby="a-${name}-error"` : ''}></div>`;
  };
  const exportQuery = new URLSearchParams(q).toString();
  const body = html`<h1>${t.t('audit.title')}</h1>
  <section aria-labelledby="search-heading"><h2 id="search-heading">${t.t('audit.search')}</h2>
    <form method="get" action="/audit" class="filters" novalidate>
      <input type="hidden" name="search" value="1">
      ${input('submission', t.t('audit.submission'))}
      <div class="field"><label for="a-workflow">${t.t('portfolio.workflow')}</label><select id="a-workflow" name="workflow"><option value="">${t.t('portfolio.any')}</option>
        ${latestWorkflows().map((w) => html`<option value="${w.id}"${flag('selected', q.workflow === w.id)}>${t.domain('workflow', w.id)}</option>`)}</select></div>
      <div class="field"><label for="a-role">${t.t('users.role')}</label><select id="a-role" name="role"><option value="">${t.t('portfolio.any')}</option>
        ${[...HUMAN_ROLES, 'system'].map((r) => html`<option value="${r}"${flag('selected', q.role === r)}>${t.domain('role', r)}</option>`)}</select></div>
      ${input('type', t.t('audit.event'))}
      ${input('recordedFrom', t.t('audit.from'), 'date')}
      ${input('recordedTo', t.t('audit.to'), 'date')}
      <div class="field"><button type="submit">${t.t('audit.find')}</button></div>
    </form>
    ${searchError ? html`<div class="error-summary" role="alert" tabindex="-1"><h3>${t.errorTitle(searchError.code)}</h3><p>${t.errorDetail(searchError)}</p></div>` : ''}
    ${
      searched && !searchError
        ? results.length
          ? html`<table id="audit-results"><caption>${t.t('audit.results')} (${results.length})</caption>
          <thead><tr><th scope="col">${t.t('audit.openSubmission')}</th><th scope="col">${t.t('submission.event')}</th><th scope="col">${t.t('submission.actor')}</th><th scope="col">${t.t('submission.when')}</th><th scope="col">${t.t('submission.hash')}</th></tr></thead>
          <tbody>${results.map((r) => resultRow(t, r))}</tbody></table>
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
    <ul><li><a href="/audit/export?format=jsonl${exportQuery ? `&${exportQuery}` : ''}">${t.t('audit.exportJsonl')}</a></li>
    <li><a href="/audit/export?format=csv${exportQuery ? `&${exportQuery}` : ''}">${t.t('audit.exportCsv')}</a></li></ul>
  </section>
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
