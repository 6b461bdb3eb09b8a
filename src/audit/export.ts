/**
 * The auditor's export: every history record matching the filters, read in keyset pages and
 * written to a stream as each page is read, so memory stays that of one page however many
 * records there are. A write that the stream cannot take at once (it returns false) waits for
 * `drain` before the next page is read: a slow reader slows the export down instead of filling
 * this process's memory.
 *
 * Formats:
 * - `jsonl`: one record per line, `JSON.stringify` of the record exactly as
 *   GET /v1/submissions/:id/history serves it (so its hash recomputes from the line).
 * - `csv`: RFC 4180 (comma separated, CRLF line ends, a header row, fields quoted when they hold
 *   a quote, comma, CR or LF, quotes doubled). One column per record field in the record's order;
 *   `data`, `actor`, `signature`, `facts` and `workflow` hold RFC 8785 canonical JSON text; null
 *   (and a `facts` the record does not have) is an empty cell. CSV injection (OWASP): a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
 *   return is prefixed with `'`, so a spreadsheet shows it as text instead of running it as a
 *   formula. Such a cell is then not byte-for-byte the record's value: the JSONL export is the
 *   exact form to recompute hashes from.
 */
import { canonicalJson } from '../canonical-json.js';
import type { AuditStore, PageKey, TransitionFilters } from '../store/audit-store.js';
import type { Transition } from '../store/types.js';

export type ExportFormat = 'jsonl' | 'csv';

export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
};

/** Records per page read: ~0.5 MB of text for typical records. */
export const EXPORT_PAGE_SIZE = 500;

/** The CSV columns: the fields of a history record, in the order the API serves them. */
export const CSV_COLUMNS = [
  'id',
  'submissionId',
  'seq',
  'type',
  'data',
  'from',
  'to',
  'actor',
  'comment',
  'effectiveAt',
  'recordedAt',
  'signature',
  // The facts a guard decided on (issue 8): empty on records that carry none.
  'facts',
  'workflow',
  'prevHash',
  'hash',
] as const satisfies ReadonlyArray<keyof Transition>;

/** First characters a spreadsheet may take as the start of a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: JSON text for objects, empty for null, `'`-prefixed if formula-like, quoted if needed. */
export function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'object' ? canonicalJson(value) : `${value as string | number | boolean}`;
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

export function csvLine(t: Transition): string {
  return `${CSV_COLUMNS.map((c) => csvField(t[c])).join(',')}\r\n`;
}

export function jsonLine(t: Transition): string {
  return `${JSON.stringify(t)}\n`;
}

/** What the export writes to: a Node writable stream (an HTTP response, a file, stdout). */
export interface ExportSink {
  write(chunk: string): boolean;
  readonly destroyed: boolean;
  readonly writableLength: number;
  on(event: 'drain' | 'close' | 'error', listener: (...args: unknown[]) => void): unknown;
  off(event: 'drain' | 'close' | 'error', listener: (...args: unknown[]) => void): unknown;
}

/** Resolves true on `drain`, false when the stream is closed already or closes or fails first. */
export function drained(out: Pick<ExportSink, 'destroyed' | 'on' | 'off'>): Promise<boolean> {
  if (out.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (ok: boolean) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onClose);
      resolve(ok);
    };
    const onDrain = () => finish(true);
    const onClose = () => finish(false);
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onClose);
  });
}

export interface ExportResult {
  readonly records: number;
  /** False when the stream closed (the client went away) before the last record was written. */
  readonly complete: boolean;
}

export interface ExportOptions {
  readonly pageSize?: number;
  /** Called after each page is read, before it is written (tests watch memory with it). */
  readonly onPage?: (info: { readonly rows: number; readonly buffered: number }) => void;
}

/**
 * Writes every record matching `filters` to `out` (the caller ends the stream). Holds one page at
 * a time: the next page is read only once the stream has taken the previous one.
 */
export async function writeExport(
  store: Pick<AuditStore, 'transitionsPage'>,
  filters: TransitionFilters,
  format: ExportFormat,
  out: ExportSink,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const pageSize = opts.pageSize ?? EXPORT_PAGE_SIZE;
  const line = format === 'csv' ? csvLine : jsonLine;
  let records = 0;
  if (format === 'csv' && !out.write(CSV_HEADER) && !(await drained(out))) return { records, complete: false };
  let after: PageKey | null = null;
  for (;;) {
    if (out.destroyed) return { records, complete: false };
    const page = await store.transitionsPage(filters, after, pageSize);
    opts.onPage?.({ rows: page.length, buffered: out.writableLength });
    if (page.length === 0) break;
    if (out.destroyed) return { records, complete: false };
    let chunk = '';
    for (const t of page) chunk += line(t);
    records += page.length;
    if (!out.write(chunk) && !(await drained(out))) return { records, complete: false };
    if (page.length < pageSize) break;
    const last = page[page.length - 1]!;
    after = { recordedAt: last.recordedAt, id: last.id };
  }
  return { records, complete: true };
}
