/**
 * GET /v1/submissions/:id/report: one submission's history as a printable, self-contained HTML
 * document (EU GMP Annex 11 §8: clear printed copies of electronically stored data, with the audit
 * trail; 21 CFR 11.10(b)), in the reader's language (the web page's, the API's Accept-Language).
 * It reads as a document: the title, device, decision number and pathway in words; every record
 * with who (printed name, role, organization), what (the event and the state change in words),
 * when (in the jurisdiction's time zone, the zone shown), the data as labelled fields and the
 * signature manifestation (21 CFR 11.50: printed name, meaning, date and time) under the law of
 * the authority (21 CFR Part 11 for the FDA; Mexican law for COFEPRIS); then the result of
 * recomputing the chain. The codes, hashes and data as stored follow in a details toggle. No
 * script, no external resource; every value is HTML-escaped and wrapped in <bdi> so
 * right-to-left overrides in a name or comment cannot reorder the page.
 */
import { workflowVersion } from '../../workflows/index.js';
import type { Submission, Transition } from '../store/types.js';
import { createTranslator, type Lang, type MessageKey, type Translator } from '../web/i18n.js';
import { hasDomainLabel } from '../web/messages/domain.js';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const text = (value: unknown) => `<bdi>${escapeHtml(value)}</bdi>`;
const MUTED_DASH = '<span class="muted">—</span>';

export interface ReportInput {
  readonly submission: Submission;
  readonly records: readonly Transition[];
  /** The definition hash of the submission's workflow version, or null when not in the catalog. */
  readonly definitionHash: string | null;
  /** The chain recomputed: null when it verifies, else its first break. */
  readonly chainBreak: { readonly seq: number; readonly reason: string } | null;
  readonly generatedAt: string;
  readonly generatedBy: { readonly name: string; readonly role: string };
  /** The reader's language (English by default). */
  readonly lang?: Lang;
}

/**
 * The number people know a submission by, where known: its own decision number (K, DEN, P, H,
 * Q number, COFEPRIS registration number), else the decision it relies on (a registration's
 * reference), marked as such.
 */
export function decisionNumberOf(s: Submission): { readonly number: string; readonly own: boolean } | null {
  const context = (s.snapshot?.context ?? {}) as Record<string, unknown>;
  const w = workflowVersion(s.workflowId, s.workflowVersion);
  let own: unknown = null;
  try {
    own = w?.decisionOf?.(s.state, s.snapshot.context).number ?? null;
  } catch {
    own = null; // A context an older version wrote differently: no number rather than no page.
  }
  own ??= context.registrationNumber ?? null;
  if (typeof own === 'string' && own !== '') return { number: own, own: true };
  const reference = s.input?.reference as Record<string, unknown> | undefined;
  return typeof reference?.number === 'string' && reference.number !== '' ? { number: reference.number, own: false } : null;
}

/** A catalog text, escaped, with `{name}` filled by HTML the caller has already escaped. */
function tt(t: Translator, key: MessageKey, vars: Readonly<Record<string, string>> = {}): string {
  return escapeHtml(t.t(key)).replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
}

/** Report-local formatting: dates and times in the jurisdiction's time zone, with the zone named. */
interface Printer {
  readonly t: Translator;
  readonly jurisdiction: string;
  time(iso: string): string;
}

function printer(lang: Lang, s: Submission): Printer {
  const t = createTranslator(lang);
  const zone = workflowVersion(s.workflowId, s.workflowVersion)?.timeZone ?? (s.jurisdiction === 'COFEPRIS' ? 'America/Mexico_City' : 'America/New_York');
  const fmt = new Intl.DateTimeFormat(lang === 'es' ? 'es-MX' : 'en-US', { dateStyle: 'medium', timeStyle: 'long', timeZone: zone });
  return {
    t,
    jurisdiction: s.jurisdiction,
    time(iso) {
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? text(iso) : `<time datetime="${escapeHtml(iso)}">${escapeHtml(fmt.format(d))}</time>`;
    },
  };
}

/** The law a signature of this jurisdiction is made under (catalog text). */
function lawOf(p: Printer): string {
  return tt(p.t, p.jurisdiction === 'COFEPRIS' ? 'report.signatureLaw.COFEPRIS' : 'report.signatureLaw.FDA');
}

/** A value of a record's data, in words: labelled fields, translated enum values, dates. */
function dataValue(p: Printer, value: unknown, key: string | null, depth: number): string {
  const { t } = p;
  if (value === null || value === undefined || value === '') return MUTED_DASH;
  if (typeof value === 'string') {
    if (key === 'kind' && hasDomainLabel('dossier', value)) return escapeHtml(t.domain('dossier', value));
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `<time datetime="${value}">${escapeHtml(t.date(value))}</time>`;
    if (hasDomainLabel('input', value)) return escapeHtml(t.domain('input', value));
    return `<span class="value">${text(value)}</span>`;
  }
  if (typeof value === 'boolean') return escapeHtml(t.t(value ? 'common.yes' : 'common.no'));
  if (typeof value === 'number') return escapeHtml(value);
  if (typeof value !== 'object' || depth > 4) return text(JSON.stringify(value) ?? '');
  if (Array.isArray(value)) {
    return value.length ? `<ul>${value.map((v) => `<li>${dataValue(p, v, key, depth + 1)}</li>`).join('')}</ul>` : MUTED_DASH;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.length) return MUTED_DASH;
  return `<dl class="data">${entries.map(([k, v]) => `<dt>${escapeHtml(t.domain('field', k))}</dt><dd>${dataValue(p, v, k, depth + 1)}</dd>`).join('')}</dl>`;
}

/** The manifestation of a signature (21 CFR 11.50), in words. */
function manifestation(p: Printer, sig: Record<string, unknown> | null): string {
  const { t } = p;
  if (!sig) return `<span class="muted">${tt(t, 'report.notSigned')}</span>`;
  const name = sig.name ?? sig.signer;
  const none = `<span class="muted">${tt(t, 'common.none')}</span>`;
  return `<div class="sig">
<div class="sig-name">${name === undefined ? none : text(name)}</div>
<div>${tt(t, 'report.sigMeaning')} <b>${typeof sig.meaning === 'string' ? escapeHtml(t.domain('meaning', sig.meaning)) : none}</b></div>
<div>${tt(t, 'report.sigAt')} ${typeof sig.signedAt === 'string' ? p.time(sig.signedAt) : none}</div>
</div>`;
}

function stateWords(t: Translator, state: string | null): string {
  return state === null ? `<span class="muted">${tt(t, 'report.start')}</span>` : text(t.domain('state', state));
}

/** One record as a row of the document. */
function recordRow(p: Printer, r: Transition, s: Submission): string {
  const { t } = p;
  const org = r.actor.organization ? `<div>${text(r.actor.organization.name)}</div>` : '';
  const other =
    r.workflow.id !== s.workflowId || r.workflow.version !== s.workflowVersion
      ? `<div class="muted">${tt(t, 'report.underVersion', { pathway: text(t.domain('workflow', r.workflow.id)), version: escapeHtml(r.workflow.version) })}</div>`
      : '';
  const effective = r.effectiveAt !== r.recordedAt ? `<div class="muted">${tt(t, 'report.effective', { at: p.time(r.effectiveAt) })}</div>` : '';
  const data = r.data && Object.keys(r.data).length ? dataValue(p, r.data, null, 0) : '';
  // Each cell names its column (shown when the rows become cards on a narrow screen).
  const label = (key: MessageKey) => `data-label="${tt(t, key)}"`;
  return `<tr>
<td class="num" ${label('report.col.seq')}>${escapeHtml(r.seq)}</td>
<td ${label('report.col.when')}>${p.time(r.recordedAt)}${effective}</td>
<td ${label('report.col.who')}><div>${text(r.actor.name)}</div><div class="muted">${text(t.domain('role', r.actor.role))}</div>${org}</td>
<td ${label('report.col.what')}><b>${text(t.domain('event', r.type))}</b><div>${stateWords(t, r.from)} → ${stateWords(t, r.to)}</div>${other}</td>
<td ${label('report.col.details')}>${r.comment === null ? '' : `<div class="comment">${text(r.comment)}</div>`}${data || (r.comment === null ? MUTED_DASH : '')}</td>
<td ${label('report.col.signature')}>${manifestation(p, r.signature)}</td>
</tr>`;
}

/** One record as stored: codes, UTC instants, the data as JSON, the signature object, the chain links. */
function technicalRow(t: Translator, r: Transition, s: Submission): string {
  const org = r.actor.organization ? `<div>${text(r.actor.organization.name)}</div>` : '';
  const other =
    r.workflow.id !== s.workflowId || r.workflow.version !== s.workflowVersion
      ? `<div class="muted">${text(`${r.workflow.id}@${r.workflow.version}`)}<br><code>${text(r.workflow.definitionHash)}</code></div>`
      : '';
  const sig = r.signature;
  const field = (key: MessageKey, value: unknown, wrap: (v: string) => string) =>
    `<div>${tt(t, key)}: ${value === undefined ? `<span class="muted">${tt(t, 'common.none')}</span>` : wrap(text(value))}</div>`;
  const signature = sig
    ? `<div>${text(sig.name ?? sig.signer ?? '')}</div>${field('report.raw.meaning', sig.meaning, (v) => `<b>${v}</b>`)}${field('report.raw.signedAt', sig.signedAt, (v) => `<time>${v}</time>`)}`
    : MUTED_DASH;
  const json = r.data === null || Object.keys(r.data).length === 0 ? MUTED_DASH : `<pre>${escapeHtml(JSON.stringify(r.data, null, 2))}</pre>`;
  return `<tr>
<td class="num">${escapeHtml(r.seq)}</td>
<td><div><time>${text(r.recordedAt)}</time></div><div><time>${text(r.effectiveAt)}</time></div></td>
<td><div>${text(r.actor.id)}</div><div class="muted">${text(r.actor.role)}</div>${org}</td>
<td><b>${text(r.type)}</b><div>${r.from === null ? '—' : text(r.from)} → ${text(r.to)}</div>${other}</td>
<td>${json}</td>
<td>${signature}</td>
<td class="hash"><div>hash <code>${text(r.hash)}</code></div><div class="muted">prev <code>${text(r.prevHash)}</code></div></td>
</tr>`;
}

export function renderReport(r: ReportInput): string {
  const s = r.submission;
  const p = printer(r.lang ?? 'en', s);
  const { t } = p;
  const last = r.records[r.records.length - 1];
  const verification = r.chainBreak
    ? `<p class="verdict broken">${tt(t, 'report.verifyBroken', { seq: escapeHtml(r.chainBreak.seq), reason: text(r.chainBreak.reason) })}</p>`
    : `<p class="verdict ok">${tt(t, 'report.verifyOk', { count: escapeHtml(r.records.length) })}</p>`;
  const title = t.t('report.heading', { title: s.title });
  const number = decisionNumberOf(s);
  const device = `${text(String((s.device.name as string | undefined) ?? ''))}${s.device.model ? ` (${text(s.device.model)})` : ''}`;
  const zone = tt(t, s.jurisdiction === 'COFEPRIS' ? 'report.zone.COFEPRIS' : 'report.zone.FDA');
  const fact = (key: MessageKey, value: string) => `<dt>${tt(t, key)}</dt><dd>${value}</dd>`;
  const head = [
    fact('report.titleLabel', text(s.title)),
    fact('report.device', device),
    number ? fact(number.own ? 'report.number' : 'report.reliesOn', text(number.number)) : '',
    fact('report.organization', text(s.organization.name)),
    fact('report.pathway', `${text(t.domain('workflow', s.workflowId))} · ${text(t.domain('jurisdiction', s.jurisdiction))}`),
    fact('report.state', `${text(t.domain('state', s.state))} (${text(t.domain('status', s.status))})`),
    fact('report.created', p.time(s.createdAt)),
    fact('report.records', escapeHtml(r.records.length)),
    fact('report.times', zone),
    fact('report.signatures', lawOf(p)),
  ].join('\n');
  const technical = [
    fact('report.raw.submission', `<code>${text(s.id)}</code>`),
    fact('report.raw.workflow', `${text(s.workflowId)} ${tt(t, 'report.raw.version')} ${escapeHtml(s.workflowVersion)}`),
    fact('report.raw.definitionHash', r.definitionHash === null ? tt(t, 'report.raw.notInCatalog') : `<code>${text(r.definitionHash)}</code>`),
    fact('report.raw.state', `<code>${text(s.state)}</code> (<code>${text(s.status)}</code>)`),
    fact('report.raw.head', `<code>${text(last?.hash ?? '')}</code>`),
  ].join('\n');
  const th = (keys: MessageKey[]) => `<thead><tr>${keys.map((k) => `<th scope="col">${tt(t, k)}</th>`).join('')}</tr></thead>`;
  return `<!doctype html>
<html lang="${t.lang === 'es' ? 'es-MX' : 'en'}"><head><meta charset="utf-8"><title>${text(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:13px/1.45 system-ui,sans-serif;margin:1.5rem;color:#111}
h1{font-size:1.4rem;margin:0 0 .5rem}h2{font-size:1.1rem;margin:1rem 0 .4rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0 0 1rem}dt{font-weight:600}dd{margin:0}
dl.data{margin:.2rem 0;gap:0 .6rem}dl.data dt{font-weight:500;color:#444}ul{margin:.1rem 0;padding-left:1.1rem}
.scroll{overflow-x:auto}.scroll:focus{outline:3px solid #1d4ed8;outline-offset:2px}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3rem .4rem;vertical-align:top;text-align:left;overflow-wrap:anywhere}
th{background:#eee}thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
pre{margin:.2rem 0 0;white-space:pre-wrap;word-break:break-word;font-size:.85em}
code,.hash{font-family:ui-monospace,monospace;font-size:.8em;word-break:break-all}
.num{text-align:right}.muted{color:#555}.sig-name{font-weight:600}.comment{white-space:pre-wrap}
.verdict{padding:.5rem;border:2px solid}.ok{border-color:#2a7}.broken{border-color:#c22;font-weight:700}
details{margin:1rem 0}summary{cursor:pointer;font-weight:600}
footer{margin-top:1rem;color:#444;font-size:.85em}
@media (max-width:700px){body{margin:.75rem}dl{grid-template-columns:1fr}dd{margin-bottom:.3rem}
table.records,table.records tbody,table.records tr,table.records td{display:block;width:auto}
table.records thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.records tr{border:1px solid #bbb;margin:.5rem 0;padding:.3rem .5rem}table.records td{border:0;padding:.15rem 0;text-align:left}
table.records td::before{content:attr(data-label);display:block;font-weight:600;color:#444}table.technical{min-width:56rem}}
@page{size:A4 landscape;margin:12mm}
@media print{body{margin:0;font-size:9.5pt}a{color:inherit;text-decoration:none}}
</style></head><body>
<main>
<h1>${text(title)}</h1>
<dl>
${head}
</dl>
${verification}
<h2 id="records">${tt(t, 'report.history')}</h2>
<div class="scroll" role="region" aria-labelledby="records" tabindex="0">
<table class="records">
${th(['report.col.seq', 'report.col.when', 'report.col.who', 'report.col.what', 'report.col.details', 'report.col.signature'])}
<tbody>
${r.records.map((x) => recordRow(p, x, s)).join('\n')}
</tbody>
</table>
</div>
${verification}
<details id="technical"><summary>${tt(t, 'report.technical')}</summary>
<p>${tt(t, 'report.technicalHelp')}</p>
<dl>
${technical}
</dl>
<div class="scroll" role="region" aria-label="${tt(t, 'report.technical')}" tabindex="0">
<table class="technical">
${th(['report.col.seq', 'report.raw.times', 'report.raw.actor', 'report.raw.type', 'report.raw.data', 'report.col.signature', 'report.raw.chain'])}
<tbody>
${r.records.map((x) => technicalRow(t, x, s)).join('\n')}
</tbody>
</table>
</div>
</details>
</main>
<footer>${tt(t, 'report.footer', {
    at: p.time(r.generatedAt),
    name: text(r.generatedBy.name),
    role: text(t.domain('role', r.generatedBy.role)),
    zone,
    history: `<code>GET /v1/submissions/${text(s.id)}/history</code>`,
  })}</footer>
</body></html>
`;
}
