/**
 * Importing an existing portfolio (DESIGN §10 `npx puente import FILE [--dry-run]`, tracker issue
 * 16 §4; the format is docs/import.md): a CSV or XLSX file with one row per step creates
 * submissions and replays their past steps, with their real dates, through the engine, so every
 * role rule, payload schema, effective-date rule, guard, clock and the hash chain apply as they do
 * to a step sent over the API.
 *
 * All or nothing, in three passes:
 * 1. parse: the header names known columns (line 1), each row is read as text;
 * 2. check every row on its own and against the rows before it: the row's JSON Schema (ajv, the one
 *    validator), the workflow and event names, the dates, the JSON cells, the event's payload schema;
 * 3. replay every submission whose rows passed, in file order, inside ONE database transaction
 *    (each command a savepoint in it): a refusal (a guard, a date before the previous step, ...) is
 *    reported at its line and the submission's later rows are not replayed. The transaction commits
 *    only when the whole file passed and it is not a dry run; otherwise it rolls back, and the
 *    database is as it was.
 *
 * Who acts: one import actor per role and organization, created as disabled-at-the-end users named
 * "Import by <who> (<organization or agency>)" whose creation and disabling are on the security
 * log; their tokens are never shown. Each record's comment says "Imported from FILE line N by
 * WHO" (then the file's own comment); signed steps carry the import actor's manifestation
 * (engine/import-event.ts).
 */
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { latestWorkflow, latestWorkflows, type WorkflowDefinition } from '../../workflows/index.js';
import type { HumanRole } from '../../workflows/types.js';
import { engineContext, type CreateSubmissionBody, type EngineContext, type EngineDeps } from '../engine/context.js';
import { createSubmission } from '../engine/create-submission.js';
import { applyImportedEvent } from '../engine/import-event.js';
import { parseEffectiveAt } from '../engine/time.js';
import { AppError, type FieldError } from '../errors.js';
import { english, type Message, type MessageCode } from '../messages/format.js';
import { cliActor, createSecurityLog } from '../security-log.js';
import type { Database } from '../store/db.js';
import { inOneTransaction, type Stores } from '../store/stores.js';
import type { Actor } from '../store/types.js';
import { createUsers } from '../users.js';
import { SCHEMA_BASE, eventSchemaId, type Validator } from '../validation.js';

/** The columns of an import file, in the order of docs/import.md and the example. */
export const IMPORT_COLUMNS = [
  'submission',
  'event',
  'effectiveAt',
  'workflow',
  'title',
  'organization',
  'deviceName',
  'deviceModel',
  'productCode',
  'udiDi',
  'input',
  'referenceSubmission',
  'data',
  'comment',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** The columns a CREATED row describes the submission with; later rows leave them empty (or repeat them). */
const CREATION_COLUMNS: readonly ImportColumn[] = [
  'workflow',
  'title',
  'organization',
  'deviceName',
  'deviceModel',
  'productCode',
  'udiDi',
  'input',
  'referenceSubmission',
];

/** The JSON Schema of one row (non-empty cells only), checked with the one validator. */
export const IMPORT_ROW_SCHEMA_ID = `${SCHEMA_BASE}import-row.json`;
const ROW_SCHEMA = {
  $id: IMPORT_ROW_SCHEMA_ID,
  title: 'ImportRow',
  description: 'One row of an import file (docs/import.md): its non-empty cells, as text.',
  type: 'object',
  additionalProperties: false,
  required: ['submission', 'event'],
  properties: {
    submission: { type: 'string', minLength: 1, maxLength: 100 },
    event: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$' },
    effectiveAt: { type: 'string', maxLength: 40 },
    workflow: { type: 'string', maxLength: 64 },
    title: { type: 'string', maxLength: 500 },
    organization: { type: 'string', maxLength: 200 },
    deviceName: { type: 'string', maxLength: 200 },
    deviceModel: { type: 'string', maxLength: 200 },
    productCode: { type: 'string', maxLength: 10 },
    udiDi: { type: 'string', maxLength: 100 },
    input: { type: 'string', maxLength: 20000 },
    referenceSubmission: { type: 'string', maxLength: 100 },
    data: { type: 'string', maxLength: 20000 },
    comment: { type: 'string', maxLength: 3000 },
  },
} as const;

/** One error of the file: where (line 1 is the header; column by its header name) and why. */
export interface ImportError {
  readonly line: number;
  readonly column: string | null;
  /** Stable: an `import.*` catalog code, or the engine's error code (`event_not_allowed`, `validation_failed`, ...). */
  readonly code: string;
  /** In English. */
  readonly message: string;
}

export interface ImportedSubmission {
  /** The file's key (`submission` column). */
  readonly submission: string;
  /** Line of its CREATED row. */
  readonly line: number;
  /** Its id in puente (after a dry run, an id that was not kept). */
  readonly id: string | null;
  readonly workflow: string;
  readonly title: string;
  /** Rows replayed (CREATED included). */
  readonly steps: number;
  /** The state after its last replayed row. */
  readonly state: string | null;
}

export interface ImportReport {
  readonly file: string;
  readonly format: 'csv' | 'xlsx';
  readonly dryRun: boolean;
  /** True when the file was written to the database (no error, not a dry run). */
  readonly imported: boolean;
  /** Rows under the header. */
  readonly rows: number;
  readonly submissions: ImportedSubmission[];
  /** Every error, by line; empty when the file imports cleanly. */
  readonly errors: ImportError[];
  /** Who the records say imported them. */
  readonly by: string;
}

export interface ImportDeps {
  readonly db: Database;
  readonly validator: Validator;
  /** The engine's settings (calendar, classification, reference authorities, ...): the stores are the import's own. */
  readonly engine: Omit<EngineDeps, 'stores' | 'signatures' | 'validator'>;
  readonly now?: () => Date;
}

export interface ImportOptions {
  /** The file's name as records and messages name it (its base name by default). */
  readonly name?: string;
  readonly dryRun: boolean;
  /** Who imports (the records and the import actors' names say so). */
  readonly by: string;
}

/** A row under the header: its line in the file and its non-empty cells. */
interface Row {
  readonly line: number;
  readonly cells: Partial<Record<ImportColumn, string>>;
}

class FileError extends Error {
  constructor(readonly error: ImportError) {
    super(error.message);
  }
}

function error(line: number, column: string | null, message: Message, code: string = message.code): ImportError {
  return { line, column, code, message: english(message) };
}

const m = (code: MessageCode, params?: Record<string, unknown>): Message => (params ? { code, params } : { code });

// ---------------------------------------------------------------------------------------------
// 1. Parsing

/** `csv` or `xlsx` from the file name, or null. */
export function formatOf(file: string): 'csv' | 'xlsx' | null {
  const ext = path.extname(file).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.xlsx' ? 'xlsx' : null;
}

/** A CSV (RFC 4180, UTF-8 with or without a byte order mark) as rows of text with their first line. */
function csvTable(bytes: Buffer): Array<{ line: number; cells: string[] }> {
  let records: Array<{ record: string[]; info: { lines: number; empty_lines: number } }>;
  try {
    records = parseCsv(bytes, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true }) as unknown as typeof records;
  } catch (e) {
    const lines = (e as { lines?: number }).lines;
    throw new FileError(error(lines ?? 1, null, m('import.file_unreadable', { format: 'CSV', reason: (e as Error).message })));
  }
  // csv-parse gives the line a record ends on; it starts after the previous one and the empty lines between.
  let end = 0;
  let empty = 0;
  return records.map(({ record, info }) => {
    const line = end + 1 + (info.empty_lines - empty);
    end = info.lines;
    empty = info.empty_lines;
    return { line, cells: record };
  });
}

/** An XLSX cell as text (see docs/import.md: date cells are dates, a date-time cell needs its zone written as text). */
function xlsxText(value: ExcelJS.CellValue, at: { line: number; column: string }): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) {
    // Spreadsheets keep a wall-clock date without a zone; exceljs reads it as UTC.
    const iso = value.toISOString();
    if (!iso.endsWith('T00:00:00.000Z')) throw new FileError(error(at.line, at.column, m('import.date_time_without_zone')));
    return iso.slice(0, 10);
  }
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('formula' in value || 'sharedFormula' in value) return xlsxText((value as { result?: ExcelJS.CellValue }).result ?? null, at);
  if ('text' in value) return String((value as { text: unknown }).text);
  if ('error' in value) return String((value as { error: unknown }).error);
  return '';
}

/** The first worksheet of an XLSX file as rows of text with their row numbers. */
async function xlsxTable(bytes: Buffer): Promise<Array<{ line: number; cells: string[] }>> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw new FileError(error(1, null, m('import.file_unreadable', { format: 'XLSX', reason: (e as Error).message })));
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw new FileError(error(1, null, m('import.file_unreadable', { format: 'XLSX', reason: 'no worksheet' })));
  const header: string[] = [];
  const out: Array<{ line: number; cells: string[] }> = [];
  const errors: ImportError[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, n) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) {
      try {
        cells.push(xlsxText(row.getCell(c).value, { line: n, column: header[c - 1] ?? `column ${c}` }));
      } catch (e) {
        if (!(e instanceof FileError)) throw e;
        errors.push(e.error);
        cells.push('');
      }
    }
    if (n === 1) header.push(...cells);
    if (cells.some((x) => x.trim() !== '')) out.push({ line: n, cells });
  });
  if (errors.length) throw new FileErrors(errors);
  return out;
}

class FileErrors extends Error {
  constructor(readonly errors: ImportError[]) {
    super(errors[0]?.message);
  }
}

/** The header (line 1) and the rows under it, or every header error. */
function rowsOf(table: Array<{ line: number; cells: string[] }>): Row[] {
  const [head, ...body] = table;
  if (!head) throw new FileError(error(1, null, m('import.file_empty')));
  const errors: ImportError[] = [];
  const columns: Array<ImportColumn | null> = [];
  head.cells.forEach((raw, i) => {
    const name = raw.trim();
    if (name === '') {
      // An empty header cell over an empty column is no column (spreadsheets pad rows).
      if (body.some((r) => (r.cells[i] ?? '').trim() !== ''))
        errors.push(error(head.line, `column ${i + 1}`, m('import.column_unknown', { column: '(empty)', columns: IMPORT_COLUMNS })));
      columns.push(null);
    } else if (!(IMPORT_COLUMNS as readonly string[]).includes(name)) {
      errors.push(error(head.line, name, m('import.column_unknown', { column: name, columns: IMPORT_COLUMNS })));
      columns.push(null);
    } else if (columns.includes(name as ImportColumn)) {
      errors.push(error(head.line, name, m('import.column_duplicate', { column: name })));
      columns.push(null);
    } else columns.push(name as ImportColumn);
  });
  for (const required of ['submission', 'event'] as const)
    if (!columns.includes(required)) errors.push(error(head.line, required, m('import.column_missing', { column: required })));
  if (errors.length) throw new FileErrors(errors);
  if (body.length === 0) throw new FileError(error(head.line, null, m('import.file_empty')));
  return body.map(({ line, cells }) => {
    const row: Partial<Record<ImportColumn, string>> = {};
    cells.forEach((v, i) => {
      const c = columns[i];
      // Every cell is text, trimmed; a long text (comment, data) keeps its inner line breaks.
      if (c && v.trim() !== '') row[c] = v.trim();
    });
    return { line, cells: row };
  });
}

// ---------------------------------------------------------------------------------------------
// 2. Checking

/** A row that passed its checks: what its replay needs. */
interface CheckedRow {
  readonly line: number;
  readonly key: string;
  readonly event: string;
  readonly w: WorkflowDefinition;
  /** CREATED: the creation body (its `input.reference` filled at replay from `referenceSubmission`). */
  readonly create?: { body: CreateSubmissionBody; organization: string; referenceSubmission?: string };
  /** Other events: the role that sends it, its data, effective date and the file's comment. */
  readonly step?: { role: HumanRole; data: Record<string, unknown>; effectiveAt: string };
  readonly comment?: string;
}

/** The column of an engine field error's pointer. */
function columnOfPointer(pointer: string, created: boolean): string | null {
  const top = pointer.split('/')[1] ?? '';
  const device: Record<string, ImportColumn> = { name: 'deviceName', model: 'deviceModel', productCode: 'productCode', udiDi: 'udiDi' };
  if (top === 'device') return device[pointer.split('/')[2] ?? ''] ?? 'deviceName';
  if (top === 'type' || top === 'signature') return 'event';
  if (top === 'workflow' || top === 'title' || top === 'input' || top === 'data' || top === 'effectiveAt' || top === 'comment') return top;
  return created ? null : 'event';
}

/** An engine error at a row: its code and English detail, with its field errors. */
function engineError(line: number, e: AppError, created: boolean): ImportError {
  const fields = e.errors.map((f: FieldError) => `${f.path || '/'} ${f.message}`).join('; ');
  const detail = fields && !e.message.includes(fields) ? `${e.message} (${fields})` : e.message;
  const column = e.errors[0] ? columnOfPointer(e.errors[0].path, created) : 'event';
  return error(line, column, m('import.refused', { detail }), e.code);
}

function jsonObject(text: string | undefined, line: number, column: ImportColumn, example: string, errors: ImportError[]): Record<string, unknown> | null {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    errors.push(error(line, column, m('import.json_invalid', { column, example, reason: (e as Error).message })));
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push(error(line, column, m('import.json_invalid', { column, example, reason: 'not an object' })));
    return null;
  }
  return value as Record<string, unknown>;
}

/**
 * Checks every row; answers every error, and the rows to replay: each submission's rows up to its
 * first bad one (so the replay still finds the guard refusals before it, and a submission that
 * names it as its reference finds it).
 */
function checkRows(validator: Validator, rows: readonly Row[], now: Date): { checked: CheckedRow[]; errors: ImportError[] } {
  if (!validator.ajv.getSchema(IMPORT_ROW_SCHEMA_ID)) validator.ajv.addSchema(ROW_SCHEMA);
  const errors: ImportError[] = [];
  const checked: CheckedRow[] = [];
  /** Submissions whose replay stops (a bad row), and those whose CREATED row itself is bad. */
  const failed = new Set<string>();
  const uncreated = new Set<string>();
  const created = new Map<string, { line: number; w: WorkflowDefinition | null; cells: Row['cells'] }>();
  const workflows = latestWorkflows().map((w) => w.id);
  for (const { line, cells } of rows) {
    const before = errors.length;
    try {
      validator.check(IMPORT_ROW_SCHEMA_ID, cells);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      for (const f of e.errors) {
        const column = f.path.split('/')[1] || (f.params?.missingProperty as string | undefined) || null;
        errors.push(error(line, column, m('import.cell_invalid', { column: column ?? 'the row', message: f.message })));
      }
    }
    const key = cells.submission;
    const event = cells.event;
    if (!key || !event || errors.length > before) {
      if (key) failed.add(key);
      // A bad CREATED row still opens its submission: its later rows are not "without a CREATED row".
      if (key && event === 'CREATED' && !created.has(key)) {
        created.set(key, { line, w: null, cells });
        uncreated.add(key);
      }
      continue;
    }
    const first = created.get(key);
    if (event === 'CREATED') {
      if (first) {
        errors.push(error(line, 'event', m('import.created_twice', { submission: key, line: first.line })));
        failed.add(key);
        continue;
      }
      const w = cells.workflow ? (latestWorkflow(cells.workflow) ?? null) : null;
      created.set(key, { line, w, cells });
      for (const c of ['workflow', 'title', 'organization', 'deviceName'] as const)
        if (!cells[c]) errors.push(error(line, c, m('import.required', { column: c, event })));
      if (cells.workflow && !w) errors.push(error(line, 'workflow', m('import.unknown_workflow', { value: cells.workflow, workflows })));
      if (cells.effectiveAt) errors.push(error(line, 'effectiveAt', m('import.date_on_created')));
      if (cells.data)
        errors.push(
          error(line, 'data', m('import.cell_invalid', { column: 'data', message: 'is not read on a CREATED row: the pathway input goes in input' })),
        );
      const input = jsonObject(cells.input, line, 'input', '{"format":"eSTAR","variant":"traditional"}', errors);
      const ref = cells.referenceSubmission;
      if (ref && (!created.get(ref)?.w || ref === key || uncreated.has(ref)))
        errors.push(error(line, 'referenceSubmission', m('import.reference_unknown', { value: ref })));
      if (errors.length > before || !w || !input) {
        failed.add(key);
        uncreated.add(key);
        continue;
      }
      const device = {
        name: cells.deviceName!,
        ...(cells.deviceModel ? { model: cells.deviceModel } : {}),
        ...(cells.productCode ? { productCode: cells.productCode } : {}),
        ...(cells.udiDi ? { udiDi: cells.udiDi } : {}),
      };
      checked.push({
        line,
        key,
        event,
        w,
        create: {
          body: { workflow: w.id, title: cells.title!, device, input },
          organization: cells.organization!,
          ...(ref ? { referenceSubmission: ref } : {}),
        },
        ...(cells.comment ? { comment: cells.comment } : {}),
      });
      continue;
    }
    if (!first) {
      errors.push(error(line, 'event', m('import.first_row_not_created', { submission: key, event })));
      failed.add(key);
      continue;
    }
    // The submission's own columns: empty, or the CREATED row's value.
    for (const c of CREATION_COLUMNS)
      if (cells[c] !== undefined && cells[c] !== first.cells[c])
        errors.push(error(line, c, m('import.differs_from_created', { column: c, submission: key, line: first.line })));
    const w = first.w;
    if (!w) {
      failed.add(key);
      continue;
    }
    const spec = w.events[event];
    const role = spec?.roles.find((r): r is HumanRole => r !== 'system');
    if (!spec)
      errors.push(
        error(
          line,
          'event',
          m('import.unknown_event', {
            value: event,
            workflow: `${w.id}@${w.version}`,
            events: Object.keys(w.events).filter((t) => w.events[t]!.roles.some((r) => r !== 'system')),
          }),
        ),
      );
    else if (!role) errors.push(error(line, 'event', m('import.system_event', { value: event })));
    if (!cells.effectiveAt) errors.push(error(line, 'effectiveAt', m('import.required', { column: 'effectiveAt', event })));
    else {
      const at = parseEffectiveAt(cells.effectiveAt, w.timeZone);
      if (!at) errors.push(error(line, 'effectiveAt', m('import.date_invalid', { value: cells.effectiveAt })));
      else if (at.getTime() > now.getTime()) errors.push(error(line, 'effectiveAt', m('import.date_future', { value: cells.effectiveAt })));
    }
    const data = jsonObject(cells.data, line, 'data', '{"deficiencies":["Biocompatibility data"]}', errors);
    if (spec && data) {
      try {
        validator.check(eventSchemaId(w, event), data, '/data', { code: 'invalid.event_data', params: { event } });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        errors.push(engineError(line, e, false));
      }
    }
    if (errors.length > before || failed.has(key) || !role || !data) {
      failed.add(key);
      continue;
    }
    checked.push({ line, key, event, w, step: { role, data, effectiveAt: cells.effectiveAt! }, ...(cells.comment ? { comment: cells.comment } : {}) });
  }
  return { checked, errors };
}

// ---------------------------------------------------------------------------------------------
// 3. Replaying

/** The import actors, one per role and organization, created on first use in the import's transaction. */
function importActors(stores: Stores, validator: Validator, by: string, now: () => Date) {
  const securityLog = createSecurityLog({ stores, validator, now });
  const users = createUsers({ users: stores.users, stores, securityLog, now });
  const actors = new Map<string, Actor>();
  return {
    async actor(role: HumanRole, organization: string | null): Promise<Actor> {
      const label = organization ?? (role === 'fda' ? 'FDA' : role === 'cofepris' ? 'COFEPRIS' : role);
      const key = `${role}\u0000${label}`;
      let a = actors.get(key);
      if (!a) {
        const { user } = await users.create({
          name: `Import by ${by.slice(0, 80)} (${label.slice(0, 100)})`,
          role,
          ...(organization ? { organization } : {}),
          by: cliActor(by),
        });
        a = { id: user.id, name: user.name, role: user.role, organization: user.organization };
        actors.set(key, a);
      }
      return a;
    },
    /** Disables every import actor: they acted once, for this import; nobody signs in as them. */
    async retire(): Promise<void> {
      for (const a of actors.values()) await users.disable(null, a.id);
    },
  };
}

/** Parses, checks and replays `bytes` (see the module comment); writes only when the whole file passes and it is not a dry run. */
export async function importPortfolio(deps: ImportDeps, file: string, bytes: Buffer, opts: ImportOptions): Promise<ImportReport> {
  const name = opts.name ?? path.basename(file);
  const format = formatOf(file);
  const base = { file: name, format: format ?? 'csv', dryRun: opts.dryRun, by: opts.by } as const;
  if (!format) return { ...base, imported: false, rows: 0, submissions: [], errors: [error(1, null, m('import.format_unknown'))] };
  let rows: Row[];
  try {
    rows = rowsOf(format === 'csv' ? csvTable(bytes) : await xlsxTable(bytes));
  } catch (e) {
    if (e instanceof FileError) return { ...base, imported: false, rows: 0, submissions: [], errors: [e.error] };
    if (e instanceof FileErrors) return { ...base, imported: false, rows: 0, submissions: [], errors: e.errors };
    throw e;
  }
  const now = deps.now ?? (() => new Date());
  const { checked, errors } = checkRows(deps.validator, rows, now());

  const result = await inOneTransaction(deps.db, async (stores) => {
    const ctx: EngineContext = engineContext({ ...deps.engine, stores, validator: deps.validator, now });
    const actors = importActors(stores, deps.validator, opts.by, now);
    const subs = new Map<
      string,
      { line: number; id: string | null; workflow: string; title: string; steps: number; state: string | null; org: string; failed: boolean }
    >();
    for (const row of checked) {
      const comment = `Imported from ${name} line ${row.line} by ${opts.by}${row.comment ? `: ${row.comment}` : ''}`.slice(0, 4000);
      try {
        if (row.create) {
          const organization = row.create.organization;
          const sub = {
            line: row.line,
            id: null as string | null,
            workflow: row.w.id,
            title: row.create.body.title,
            steps: 0,
            state: null as string | null,
            org: organization,
            failed: false,
          };
          subs.set(row.key, sub);
          const ref = row.create.referenceSubmission ? subs.get(row.create.referenceSubmission) : undefined;
          const body =
            ref?.id && row.create.body.input.reference === undefined
              ? { ...row.create.body, input: { ...row.create.body.input, reference: { submissionId: ref.id } } }
              : row.create.body;
          const created = await createSubmission(ctx, await actors.actor('manufacturer', organization), body, { comment });
          sub.id = created.body.id;
          sub.state = created.body.state;
          sub.steps = 1;
        } else {
          const sub = subs.get(row.key)!;
          if (sub.failed || !sub.id) continue;
          const actor = await actors.actor(row.step!.role, row.step!.role === 'manufacturer' ? sub.org : null);
          const t = await applyImportedEvent(ctx, actor, sub.id, { type: row.event, data: row.step!.data, effectiveAt: row.step!.effectiveAt, comment });
          sub.state = t.to;
          sub.steps++;
        }
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        errors.push(engineError(row.line, e, row.create !== undefined));
        const sub = subs.get(row.key);
        if (sub) sub.failed = true;
      }
    }
    const commit = errors.length === 0 && !opts.dryRun;
    if (commit) await actors.retire();
    const submissions = [...subs.entries()].map(([key, s]) => ({
      submission: key,
      line: s.line,
      id: s.id,
      workflow: s.workflow,
      title: s.title,
      steps: s.steps,
      state: s.state,
    }));
    return { commit, value: { commit, submissions } };
  });
  errors.sort((a, b) => a.line - b.line);
  return { ...base, imported: result.commit, rows: rows.length, submissions: result.submissions, errors };
}
