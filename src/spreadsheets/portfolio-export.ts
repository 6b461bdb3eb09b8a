/**
 * The portfolio as a spreadsheet (DESIGN §10 `GET /v1/submissions/export?format=csv|xlsx`, the web's
 * `/export`; tracker issue 16 §4): every submission the caller may see under the filters of
 * GET /v1/submissions, one row each, described exactly as that listing describes it. It is read
 * through the engine's own listing (visibility, validation and views included), one keyset page at
 * a time, and each page is written before the next is read: memory is one page (plus, for XLSX,
 * the compact goal rows of the Goals sheet), whatever the size of the portfolio.
 *
 * Formats:
 * - `csv`: RFC 4180 (comma, CRLF, header row, quoted when needed, quotes doubled) in UTF-8 with a
 *   byte order mark, so Excel opens accented titles correctly (without it Excel reads the file in
 *   the local code page). OWASP CSV injection: a cell starting with = + - @ (or tab, CR) is
 *   prefixed with `'` (the audit export's `csvField`). Every goal is in the one `goals` column,
 *   `kind dueDate status` joined by `; `: a CSV has one table only.
 * - `xlsx`: sheet "Portfolio" with the same columns, date-only values as date cells; sheet "Goals"
 *   with one row per goal (submission, kind, unit, start, due date, status, met on), so a quarter's
 *   goals can be filtered and sorted; there are some 30 goal kinds across the workflows, too many
 *   for a column group each. Text is written as text cells, never as formulas, so values stay
 *   exactly as the API gives them (no `'` prefix is needed in a typed cell), except that a line
 *   break is LF, as in any spreadsheet cell.
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { csvField, drained } from '../audit/export.js';
import type { Engine, SubmissionView } from '../engine/engine.js';
import type { ExportSubmissionsQuery } from '../generated/schema-types.js';
import type { Actor } from '../store/types.js';
import { SCHEMA_BASE, type Validator } from '../validation.js';

export type PortfolioFormat = 'csv' | 'xlsx';

export const PORTFOLIO_CONTENT_TYPE: Record<PortfolioFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Submissions per listing page: the listing's maximum. */
export const PORTFOLIO_PAGE_SIZE = 200;

type Cell = string | number | null;

interface Column<T> {
  readonly key: string;
  /** `date`: a `YYYY-MM-DD` value, a date cell in XLSX. */
  readonly kind?: 'date';
  readonly width: number;
  readonly value: (row: T) => Cell;
}

const textOf = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The decision as the listing gives it: an FDA decision `{ number, decision, decisionDate }` or a COFEPRIS grant `{ registrationNumber, grantedOn }`. */
const decision = (s: SubmissionView, fda: string, cofepris: string): string | null => textOf(s.decision?.[fda]) ?? textOf(s.decision?.[cofepris]);

/** The Portfolio columns (and the CSV's), in order; the header row is their keys. */
export const PORTFOLIO_COLUMNS: ReadonlyArray<Column<SubmissionView>> = [
  { key: 'id', width: 38, value: (s) => s.id },
  { key: 'title', width: 40, value: (s) => s.title },
  { key: 'workflow', width: 22, value: (s) => s.workflow.id },
  { key: 'workflowVersion', width: 8, value: (s) => s.workflow.version },
  { key: 'organizationId', width: 38, value: (s) => s.organization.id },
  { key: 'organization', width: 24, value: (s) => s.organization.name },
  { key: 'deviceName', width: 28, value: (s) => textOf(s.device.name) },
  { key: 'productCode', width: 10, value: (s) => textOf(s.device.productCode) },
  { key: 'state', width: 24, value: (s) => s.state },
  { key: 'status', width: 8, value: (s) => s.status },
  { key: 'nextDueKind', width: 24, value: (s) => s.clocks.nextDue?.kind ?? null },
  { key: 'nextDueDate', kind: 'date', width: 12, value: (s) => s.clocks.nextDue?.dueDate ?? null },
  { key: 'nextDueUnit', width: 12, value: (s) => s.clocks.nextDue?.unit ?? null },
  { key: 'nextDueSource', width: 10, value: (s) => s.clocks.nextDue?.source ?? null },
  { key: 'goals', width: 60, value: (s) => s.clocks.goals.map((g) => `${g.kind} ${g.dueDate} ${g.status}`).join('; ') || null },
  { key: 'reference', width: 30, value: (s) => textOf(s.reference?.label) },
  { key: 'referenceSubmissionId', width: 38, value: (s) => textOf(s.reference?.submissionId) },
  { key: 'referenceNumber', width: 14, value: (s) => textOf(s.reference?.number) },
  { key: 'decision', width: 14, value: (s) => textOf(s.decision?.decision) },
  { key: 'decisionNumber', width: 16, value: (s) => decision(s, 'number', 'registrationNumber') },
  { key: 'decisionDate', kind: 'date', width: 12, value: (s) => decision(s, 'decisionDate', 'grantedOn') },
  { key: 'createdAt', width: 26, value: (s) => s.createdAt },
  { key: 'updatedAt', width: 26, value: (s) => s.updatedAt },
];

type GoalRow = readonly [submissionId: string, title: string, goal: SubmissionView['clocks']['goals'][number]];

/** The Goals sheet's columns: one row per goal of every exported submission. */
export const GOAL_COLUMNS: ReadonlyArray<Column<GoalRow>> = [
  { key: 'submissionId', width: 38, value: ([id]) => id },
  { key: 'title', width: 40, value: ([, title]) => title },
  { key: 'kind', width: 30, value: ([, , g]) => g.kind },
  { key: 'unit', width: 12, value: ([, , g]) => g.unit },
  { key: 'startedOn', kind: 'date', width: 12, value: ([, , g]) => g.startedOn },
  { key: 'dueDate', kind: 'date', width: 12, value: ([, , g]) => g.dueDate },
  { key: 'status', width: 10, value: ([, , g]) => g.status },
  { key: 'metOn', kind: 'date', width: 12, value: ([, , g]) => g.metOn },
];

/** Writes `chunk`, waiting for the reader when the stream's buffer is full; false once the stream is gone. */
async function put(out: Writable, chunk: string): Promise<boolean> {
  if (out.destroyed) return false;
  return out.write(chunk) || drained(out);
}

const BOM = '\uFEFF';
const csvLine = <T>(columns: ReadonlyArray<Column<T>>, row: T): string => `${columns.map((c) => csvField(c.value(row))).join(',')}\r\n`;

async function writeCsv(pages: AsyncIterable<SubmissionView[]>, out: Writable): Promise<boolean> {
  if (!(await put(out, `${BOM}${PORTFOLIO_COLUMNS.map((c) => c.key).join(',')}\r\n`))) return false;
  for await (const items of pages) {
    let chunk = '';
    for (const s of items) chunk += csvLine(PORTFOLIO_COLUMNS, s);
    if (!(await put(out, chunk))) return false;
  }
  out.end();
  return true;
}

/**
 * A cell's XLSX value: a date-only value as the UTC midnight Excel shows as that date; line breaks
 * as LF, the one line break a cell holds (XML would turn a raw CR LF into LF on reading anyway).
 */
function xlsxCell(kind: Column<unknown>['kind'], v: Cell): ExcelJS.CellValue {
  if (typeof v !== 'string') return v;
  return kind === 'date' ? new Date(`${v}T00:00:00Z`) : v.replace(/\r\n?/g, '\n');
}

function addSheet<T>(wb: ExcelJS.stream.xlsx.WorkbookWriter, name: string, columns: ReadonlyArray<Column<T>>) {
  const sheet = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.key, key: c.key, width: c.width, ...(c.kind === 'date' ? { style: { numFmt: 'yyyy-mm-dd' } } : {}) }));
  return (row: T) => sheet.addRow(columns.map((c) => xlsxCell(c.kind, c.value(row)))).commit();
}

/** Resolves once `out` closes (the client went away before the workbook was complete). */
const closed = (out: Writable): Promise<false> => new Promise((resolve) => out.once('close', () => resolve(false)));

async function writeXlsx(pages: AsyncIterable<SubmissionView[]>, out: Writable): Promise<boolean> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'puente';
  const portfolio = addSheet(wb, 'Portfolio', PORTFOLIO_COLUMNS);
  // A zip's entries follow one another: the Goals sheet can only start once Portfolio is complete.
  const goals: GoalRow[] = [];
  for await (const items of pages) {
    for (const s of items) {
      portfolio(s);
      for (const g of s.clocks.goals) goals.push([s.id, s.title, g]);
    }
    if (out.destroyed || (out.writableNeedDrain && !(await drained(out)))) return false;
  }
  wb.getWorksheet('Portfolio')?.commit();
  const goal = addSheet(wb, 'Goals', GOAL_COLUMNS);
  for (const g of goals) goal(g);
  return Promise.race([wb.commit().then(() => true), closed(out)]);
}

/** An export whose query was checked and whose first page was read: nothing was written yet. */
export interface OpenedPortfolioExport {
  readonly format: PortfolioFormat;
  readonly contentType: string;
  /** `puente-portfolio-YYYY-MM-DD.csv` (the UTC date of the request). */
  readonly filename: string;
  /** Writes every page and ends `out`; false when `out` closed first. */
  write(out: Writable): Promise<boolean>;
}

export interface PortfolioExport {
  /**
   * Checks `query` (ExportSubmissionsQuery: 422 with each field's pointer) and reads the first
   * page as `actor` sees it, so a bad filter is refused before any byte is sent.
   */
  open(actor: Actor, query: Record<string, unknown>): Promise<OpenedPortfolioExport>;
}

export interface PortfolioExportDeps {
  readonly engine: Pick<Engine, 'listSubmissions'>;
  readonly validator: Validator;
  readonly now?: () => Date;
  /** Submissions per listing page (1 to 200). */
  readonly pageSize?: number;
  /** Called with each page's length as it is read (tests watch the paging with it). */
  readonly onPage?: (rows: number) => void;
}

export function createPortfolioExport(deps: PortfolioExportDeps): PortfolioExport {
  const { engine, validator } = deps;
  const now = deps.now ?? (() => new Date());
  const pageSize = String(deps.pageSize ?? PORTFOLIO_PAGE_SIZE);
  return {
    async open(actor, query) {
      validator.check(`${SCHEMA_BASE}export-submissions-query.json`, query, '', { code: 'invalid.query' });
      const { format = 'csv', ...filters } = query as ExportSubmissionsQuery;
      // The listing's keyset pages, the first read now (its refusals come before any byte).
      const read = async (cursor?: string) => {
        const page = await engine.listSubmissions(actor, { ...filters, limit: pageSize, ...(cursor ? { cursor } : {}) });
        deps.onPage?.(page.items.length);
        return page;
      };
      const first = await read();
      async function* pages(): AsyncGenerator<SubmissionView[]> {
        let page = first;
        yield page.items;
        while (page.nextCursor) {
          page = await read(page.nextCursor);
          yield page.items;
        }
      }
      return {
        format,
        contentType: PORTFOLIO_CONTENT_TYPE[format],
        filename: `puente-portfolio-${now().toISOString().slice(0, 10)}.${format}`,
        write: (out) => (format === 'csv' ? writeCsv(pages(), out) : writeXlsx(pages(), out)),
      };
    },
  };
}
