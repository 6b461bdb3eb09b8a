/**
 * GET /v1/submissions/:id/report: one submission's history as a printable, self-contained HTML
 * page (EU GMP Annex 11 §8: clear printed copies of electronically stored data, with the audit
 * trail; 21 CFR 11.10(b)). Every record with who (printed name, role, organization), what, when
 * (recorded and effective), the state change, the data, the signature manifestation
 * (21 CFR 11.50: printed name, meaning, date and time) and the chain links, then the result of
 * recomputing the chain. No script, no external resource; every value is HTML-escaped and
 * wrapped in <bdi> so right-to-left overrides in a name or comment cannot reorder the page.
 */
import type { Submission, Transition } from '../store/types.js';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const text = (value: unknown) => `<bdi>${escapeHtml(value)}</bdi>`;

export interface ReportInput {
  readonly submission: Submission;
  readonly records: readonly Transition[];
  /** The definition hash of the submission's workflow version, or null when not in the catalog. */
  readonly definitionHash: string | null;
  /** The chain recomputed: null when it verifies, else its first break. */
  readonly chainBreak: { readonly seq: number; readonly reason: string } | null;
  readonly generatedAt: string;
  readonly generatedBy: { readonly name: string; readonly role: string };
}

/** The manifestation of a signature (21 CFR 11.50), from the record's signature object. */
function manifestation(sig: Record<string, unknown> | null): string {
  if (!sig) return '<span class="muted">not signed</span>';
  const name = sig.name ?? sig.signer;
  const parts = [
    `<div class="sig-name">${name === undefined ? '<span class="muted">(no name)</span>' : text(name)}</div>`,
    `<div>meaning: <b>${sig.meaning === undefined ? '<span class="muted">(none)</span>' : text(sig.meaning)}</b></div>`,
    `<div>signed at: ${sig.signedAt === undefined ? '<span class="muted">(no time)</span>' : `<time>${text(sig.signedAt)}</time>`}</div>`,
  ];
  return `<div class="sig">${parts.join('')}</div>`;
}

function jsonBlock(value: unknown): string {
  if (value === null || (typeof value === 'object' && Object.keys(value).length === 0)) return '<span class="muted">—</span>';
  return `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
}

function recordRow(t: Transition, s: Submission): string {
  const org = t.actor.organization ? `<div>${text(t.actor.organization.name)}</div>` : '';
  const other =
    t.workflow.id !== s.workflowId || t.workflow.version !== s.workflowVersion
      ? `<div class="muted">under ${text(`${t.workflow.id}@${t.workflow.version}`)}<br><code>${text(t.workflow.definitionHash)}</code></div>`
      : '';
  return `<tr>
<td class="num">${escapeHtml(t.seq)}</td>
<td><div>recorded <time>${text(t.recordedAt)}</time></div><div>effective <time>${text(t.effectiveAt)}</time></div></td>
<td><div>${text(t.actor.name)}</div><div class="muted">${text(t.actor.role)}</div>${org}</td>
<td><b>${text(t.type)}</b><div>${t.from === null ? '<span class="muted">(start)</span>' : text(t.from)} → ${text(t.to)}</div>${other}</td>
<td>${t.comment === null ? '<span class="muted">—</span>' : `<div class="comment">${text(t.comment)}</div>`}${jsonBlock(t.data)}</td>
<td>${manifestation(t.signature)}</td>
<td class="hash"><div>hash <code>${text(t.hash)}</code></div><div class="muted">prev <code>${text(t.prevHash)}</code></div></td>
</tr>`;
}

export function renderReport(r: ReportInput): string {
  const s = r.submission;
  const last = r.records[r.records.length - 1];
  const verification = r.chainBreak
    ? `<p class="verdict broken">Chain verification: BROKEN at seq ${escapeHtml(r.chainBreak.seq)}: ${text(r.chainBreak.reason)}.</p>`
    : `<p class="verdict ok">Chain verification: OK. ${escapeHtml(r.records.length)} records recomputed (seq 1–${escapeHtml(r.records.length)}, each prevHash the previous hash, each hash the SHA-256 of the record's RFC 8785 form); head <code>${text(last?.hash ?? '')}</code> matches the submission.</p>`;
  const title = `History of ${s.title}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${text(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:13px/1.45 system-ui,sans-serif;margin:1.5rem;color:#111}
h1{font-size:1.4rem;margin:0 0 .5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0 0 1rem}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3rem .4rem;vertical-align:top;text-align:left}
th{background:#eee}thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
pre{margin:.2rem 0 0;white-space:pre-wrap;word-break:break-word;font-size:.85em}
code,.hash{font-family:ui-monospace,monospace;font-size:.8em;word-break:break-all}
.num{text-align:right}.muted{color:#666}.sig-name{font-weight:600}.comment{white-space:pre-wrap}
.verdict{padding:.5rem;border:2px solid}.ok{border-color:#2a7}.broken{border-color:#c22;font-weight:700}
footer{margin-top:1rem;color:#444;font-size:.85em}
@page{size:A4 landscape;margin:12mm}
@media print{body{margin:0;font-size:9.5pt}a{color:inherit;text-decoration:none}}
</style></head><body>
<h1>${text(title)}</h1>
<dl>
<dt>Submission</dt><dd><code>${text(s.id)}</code></dd>
<dt>Title</dt><dd>${text(s.title)}</dd>
<dt>Device</dt><dd>${text(String((s.device.name as string | undefined) ?? ''))}${s.device.model ? ` (${text(s.device.model)})` : ''}</dd>
<dt>Organization</dt><dd>${text(s.organization.name)}</dd>
<dt>Workflow</dt><dd>${text(s.workflowId)} version ${escapeHtml(s.workflowVersion)}</dd>
<dt>Definition hash</dt><dd><code>${r.definitionHash === null ? "not in this server's catalog" : text(r.definitionHash)}</code></dd>
<dt>State</dt><dd>${text(s.state)} (${text(s.status)})</dd>
<dt>Created</dt><dd><time>${text(s.createdAt)}</time></dd>
<dt>Records</dt><dd>${escapeHtml(r.records.length)}</dd>
</dl>
${verification}
<table>
<thead><tr><th>seq</th><th>time (UTC)</th><th>actor</th><th>event, from → to</th><th>comment, data</th><th>signature</th><th>chain</th></tr></thead>
<tbody>
${r.records.map((t) => recordRow(t, s)).join('\n')}
</tbody>
</table>
${verification}
<footer>Printed from puente at <time>${text(r.generatedAt)}</time> for ${text(r.generatedBy.name)} (${text(r.generatedBy.role)}). Times are UTC (ISO 8601). Each record's hash is the lowercase hex SHA-256 of its RFC 8785 canonical JSON without <code>hash</code>; the machine-readable history is GET /v1/submissions/${text(s.id)}/history.</footer>
</body></html>
`;
}
