/**
 * `npx puente import FILE [--dry-run]` (DESIGN §10, tracker issue 16 §4) on a real database
 * (SQLite file; PostgreSQL with TEST_DATABASE_URL): the example file of docs/import.md imports
 * cleanly as CSV and as XLSX (written with exceljs), replayed with the file's dates through the
 * engine (history effectiveAt, clocks equal to a twin driven step by step, `audit verify`); a file
 * with a bad row imports nothing and says where and why; a dry run writes nothing; and the CLI as a
 * child process.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvToXlsx, EXAMPLE_CSV, EXAMPLE_XLSX } from '../../scripts/import-example-xlsx.js';
import { loadMexicanCalendar, parseEffectiveAt } from '../../src/engine/time.js';
import { verifyDatabase } from '../../src/engine/verify.js';
import { importPortfolio, type ImportReport } from '../../src/spreadsheets/portfolio-import.js';
import { Api, type Json } from '../http/helpers.js';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { ROOT } from '../support/server.js';

let ctx: TestContext;
let api: Api;
/** The server clock: null is the real time; a twin submission is driven on its own dates. */
let clock: Date | null = null;
let dir: string;

beforeAll(async () => {
  ctx = await createTestContext({ now: () => clock ?? new Date() });
  api = new Api(testApp(ctx));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-import-'));
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await ctx?.close();
});

const EXAMPLE = fs.readFileSync(EXAMPLE_CSV, 'utf8');

function run(file: string, bytes: Buffer | string, opts: { dryRun?: boolean; name?: string } = {}): Promise<ImportReport> {
  return importPortfolio(
    {
      db: ctx.services.db,
      validator: ctx.services.validator,
      engine: { calendar: loadMexicanCalendar(undefined, []), productClassification: ctx.services.classification },
    },
    file,
    Buffer.from(bytes),
    { dryRun: opts.dryRun === true, by: 'Test Importer', name: opts.name },
  );
}

/** Row counts of every table an import writes to. */
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['submissions', 'transitions', 'users', 'organizations', 'security_log']) {
    const [row] = await ctx.services.db.knex(t).count({ n: '*' });
    out[t] = Number(row!.n);
  }
  return out;
}

/** The example's rows of one submission (the file's key), as [event, effectiveAt, data]. */
function exampleRows(key: string): Array<{ event: string; effectiveAt: string; data: string }> {
  return (parse(EXAMPLE, { columns: true, bom: true }) as Array<Record<string, string>>)
    .filter((r) => r.submission === key)
    .map((r) => ({ event: r.event!, effectiveAt: r.effectiveAt!, data: r.data! }));
}

/** `text` with line `n` (1 = header) replaced by `line`, or a line added after it. */
function withLine(text: string, n: number, line: string, mode: 'replace' | 'after' = 'replace'): string {
  const lines = text.split('\n');
  lines.splice(mode === 'replace' ? n - 1 : n, mode === 'replace' ? 1 : 0, line);
  return lines.join('\n');
}

describe('import of the example file (docs/import-example.csv)', () => {
  let report: ImportReport;
  beforeAll(async () => {
    report = await run(EXAMPLE_CSV, EXAMPLE);
  });

  it('imports cleanly: three submissions, every step replayed', () => {
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({ imported: true, dryRun: false, rows: 13, format: 'csv' });
    expect(report.submissions.map((s) => [s.submission, s.workflow, s.steps, s.state])).toEqual([
      ['ACME-K-001', 'fda-510k', 7, 'cleared'],
      ['ACME-MX-002', 'cofepris-registration', 1, 'preparing'],
      ['ACME-DN-003', 'fda-de-novo', 5, 'aiHold'],
    ]);
  });

  it("records the file's dates as effectiveAt, says each record was imported and by whom, and signs as the import actor", async () => {
    const k = report.submissions[0]!;
    const history = await api.history(ctx.users.auditor, k.id!);
    const rows = exampleRows('ACME-K-001');
    expect(history.map((t) => t.type)).toEqual(rows.map((r) => r.event));
    // A date is the start of that day in the regulator's zone (New York for FDA).
    const expected = [
      '2025-02-03T05:00:00.000Z',
      '2025-02-04T05:00:00.000Z',
      '2025-02-14T05:00:00.000Z',
      '2025-04-10T04:00:00.000Z',
      '2025-06-20T04:00:00.000Z',
      '2025-08-01T04:00:00.000Z',
    ];
    expect(history.slice(1).map((t) => t.effectiveAt)).toEqual(expected);
    history.forEach((t, i) => expect(t.comment).toMatch(new RegExp(`^Imported from import-example\\.csv line ${i + 2} by Test Importer`)));
    expect(history[0]!.comment).toBe('Imported from import-example.csv line 2 by Test Importer: From the 2025 regulatory tracker');
    expect(history[0]!.actor).toMatchObject({ name: 'Import by Test Importer (Acme Medical)', role: 'manufacturer', organization: { name: 'Acme Medical' } });
    expect(history.find((t) => t.type === 'FEE_VERIFIED')!.actor).toMatchObject({ name: 'Import by Test Importer (FDA)', role: 'fda' });
    expect(history.find((t) => t.type === 'DECIDE_SE')!).toMatchObject({
      data: { kNumber: 'K251234', decisionDate: '2025-08-01' },
      signature: { name: 'Import by Test Importer (FDA)', meaning: 'authorship' },
    });
    // The date-time with its offset is kept as written.
    const dn = await api.history(ctx.users.auditor, report.submissions[2]!.id!);
    expect(dn.find((t) => t.type === 'SCREEN_PASS')!.effectiveAt).toBe('2026-09-16T18:00:00.000Z');
    // The COFEPRIS registration relies on the 510(k) of the same file.
    const mx = await api.submission(ctx.users.manufacturer, report.submissions[1]!.id!);
    expect(mx.reference).toMatchObject({ submissionId: k.id });
  });

  it('the import actors are disabled users created on the security log by the importer', async () => {
    const users = await ctx.services.db.knex('users').where('name', 'like', 'Import by Test Importer%').select('name', 'role', 'disabled');
    expect(users.map((u) => [u.name, u.role, Boolean(u.disabled)]).sort()).toEqual([
      ['Import by Test Importer (Acme Medical)', 'manufacturer', true],
      ['Import by Test Importer (FDA)', 'fda', true],
    ]);
    const created = await ctx.services.db.knex('security_log').where({ type: 'user.created', actor_name: 'Test Importer' }).select('data');
    expect(created).toHaveLength(2);
  });

  it('the clocks are those of the same steps sent one by one on their dates (a twin driven through the API)', async () => {
    const rows = exampleRows('ACME-K-001');
    // Each step at the instant the file's date stands for: the start of that day in New York.
    const startOf = (date: string) => parseEffectiveAt(date, 'America/New_York')!;
    clock = startOf('2025-02-03');
    try {
      const twin = await api.create(ctx.users.manufacturer, {
        workflow: 'fda-510k',
        title: 'twin',
        device: { name: 'Acme Infusion Pump', model: 'AIP-200', productCode: 'FRN' },
        input: { format: 'eSTAR', variant: 'traditional' },
      });
      for (const r of rows.slice(1)) {
        clock = startOf(r.effectiveAt);
        const user = ['SUBMIT', 'AI_RESPONSE'].includes(r.event) ? ctx.users.manufacturer : ctx.users.fda;
        await api.send(user, twin.id, r.event, r.data ? { data: JSON.parse(r.data) as Json } : {});
      }
      clock = null;
      const a = await api.submission(ctx.users.manufacturer, report.submissions[0]!.id!);
      const b = await api.submission(ctx.users.manufacturer, twin.id);
      expect(a.state).toBe('cleared');
      expect(a.clocks.goals.length).toBeGreaterThan(0);
      expect(a.clocks).toEqual(b.clocks);
      expect(a.decision).toEqual(b.decision);
    } finally {
      clock = null;
    }
  });

  it('audit verify passes over the imported chains', async () => {
    expect((await verifyDatabase(ctx.services.db.reader)).ok).toBe(true);
    expect((await ctx.services.tlog.verify()).ok).toBe(true);
    expect((await ctx.services.securityLog.verify()).ok).toBe(true);
  });
});

describe('XLSX', () => {
  it('the example as a workbook (date cells for dates) imports the same submissions', async () => {
    const xlsx = await csvToXlsx(EXAMPLE);
    const report = await run(path.join(dir, 'portfolio.xlsx'), xlsx, { dryRun: true });
    expect(report.errors).toEqual([]);
    expect(report.format).toBe('xlsx');
    expect(report.submissions.map((s) => [s.submission, s.steps, s.state])).toEqual([
      ['ACME-K-001', 7, 'cleared'],
      ['ACME-MX-002', 1, 'preparing'],
      ['ACME-DN-003', 5, 'aiHold'],
    ]);
    // The committed docs/import-example.xlsx too.
    const committed = await run(EXAMPLE_XLSX, fs.readFileSync(EXAMPLE_XLSX), { dryRun: true });
    expect(committed.errors).toEqual([]);
    expect(committed.submissions.map((s) => s.state)).toEqual(['cleared', 'preparing', 'aiHold']);
  });

  it('a workbook written by hand: bad cells are reported by row and column, and nothing is written', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Tracker');
    sheet.addRow(['submission', 'event', 'effectiveAt', 'workflow', 'title', 'organization', 'deviceName', 'input', 'data']);
    sheet.addRow(['X-1', 'CREATED', null, 'fda-510k', 'Pump', 'Acme Medical', 'Pump', '{"format":"eCopy","variant":"traditional"}', null]);
    sheet.addRow(['X-1', 'SUBMIT', new Date('2025-03-03T00:00:00Z'), null, null, null, null, null, null]);
    // A date and time in a date cell has no zone: refused, written as text with its offset it is fine.
    sheet.addRow(['X-1', 'FEE_VERIFIED', new Date('2025-03-04T15:30:00Z'), null, null, null, null, null, null]);
    sheet.addRow(['X-1', 'ACCEPT', '2025-03-10T10:00:00-04:00', null, null, null, null, null, null]);
    const before = await counts();
    const report = await run(path.join(dir, 'tracker.xlsx'), Buffer.from(await wb.xlsx.writeBuffer()));
    expect(report.imported).toBe(false);
    expect(report.errors).toEqual([expect.objectContaining({ line: 4, column: 'effectiveAt', code: 'import.date_time_without_zone' })]);
    expect(await counts()).toEqual(before);
  });
});

describe('a file with bad rows imports nothing', () => {
  it('reports each error by line, column and reason: a bad date, an unknown event, a guard refusal', async () => {
    let text = EXAMPLE;
    text = withLine(text, 5, 'ACME-K-001,SCREEN_PASS,2025-02-30,,,,,,,,,,,'); // no 30 February
    text = withLine(text, 11, 'ACME-DN-003,APPROVE_IT,2026-09-02,,,,,,,,,,,'); // not an event of fda-de-novo
    // The registration filed without its dossier: the workflow's guard refuses it at replay.
    text = withLine(text, 9, 'ACME-MX-002,SUBMIT,2025-09-01,,,,,,,,,,,', 'after');
    const before = await counts();
    const report = await run('/somewhere/bad.csv', text);
    expect(report.imported).toBe(false);
    expect(report.errors.map((e) => [e.line, e.column, e.code])).toEqual([
      [5, 'effectiveAt', 'import.date_invalid'],
      [10, 'event', 'event_not_allowed'],
      [12, 'event', 'import.unknown_event'],
    ]);
    expect(report.errors[0]!.message).toMatch(/2025-02-30 is not a date/);
    expect(report.errors[1]!.message).toMatch(/SUBMIT.*dossier/i);
    expect(report.errors[2]!.message).toMatch(/APPROVE_IT is not an event of fda-de-novo/);
    expect(await counts()).toEqual(before);
  });

  it('a date before the previous step, a future date, a system event and a missing CREATED row are errors too', async () => {
    const header = EXAMPLE.split('\n')[0]!;
    const text = [
      header,
      'A,CREATED,,fda-510k,T,Acme Medical,Pump,,,,"{""format"":""eSTAR"",""variant"":""traditional""}",,,',
      'A,SUBMIT,2025-05-01,,,,,,,,,,,',
      'A,FEE_VERIFIED,2025-04-01,,,,,,,,,,,',
      'B,SUBMIT,2025-05-01,,,,,,,,,,,',
      'C,CREATED,,fda-510k,T,Acme Medical,Pump,,,,"{""format"":""eSTAR"",""variant"":""traditional""}",,,',
      'C,SUBMIT,2999-01-01,,,,,,,,,,,',
      'D,CREATED,,fda-510k,T,Acme Medical,Pump,,,,"{""format"":""eSTAR"",""variant"":""traditional""}",,,',
      'D,AI_TIMEOUT,2025-01-01,,,,,,,,,,,',
      'E,CREATED,,fda-510k,T,Acme Medical,Pump,,,,{not json},,,',
    ].join('\n');
    const report = await run('x.csv', text);
    expect(report.errors.map((e) => [e.line, e.column, e.code])).toEqual([
      [4, 'effectiveAt', 'validation_failed'],
      [5, 'event', 'import.first_row_not_created'],
      [7, 'effectiveAt', 'import.date_future'],
      [9, 'event', 'import.system_event'],
      [10, 'input', 'import.json_invalid'],
    ]);
    expect(report.errors[0]!.message).toMatch(/before the previous regulatory event/);
  });

  it('an unknown column is reported on the header line', async () => {
    const report = await run('x.csv', 'submission,event,colour\nA,CREATED,red\n');
    expect(report.errors).toEqual([expect.objectContaining({ line: 1, column: 'colour', code: 'import.column_unknown' })]);
  });
});

describe('--dry-run', () => {
  it('replays everything and reports what would be created, writing nothing', async () => {
    const before = await counts();
    const report = await run(EXAMPLE_CSV, EXAMPLE, { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, imported: false, errors: [] });
    expect(report.submissions).toHaveLength(3);
    expect(await counts()).toEqual(before);
  });
});

describe('npx puente import (child process)', () => {
  const puente = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'npx',
        ['--no-install', 'puente', ...args],
        { cwd: ROOT, env: { ...process.env, DATABASE_URL: ctx.database.url, LOG_LEVEL: 'silent', USER: 'ana' }, timeout: 120_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('--dry-run on the example prints what would be imported and exits 0, writing nothing', async () => {
    const before = await counts();
    const r = await puente(['import', 'docs/import-example.csv', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/would import +ACME-K-001 \(line 2\) fda-510k "AIP-200 infusion pump 510\(k\)": 7 step\(s\), now cleared/);
    expect(r.stdout).toMatch(/dry run: 3 submission\(s\) from 13 row\(s\) would be imported; nothing written/);
    expect(await counts()).toEqual(before);
  }, 180_000);

  it('a bad file: each error as FILE:LINE COLUMN: reason [code], exit 1, nothing written', async () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, withLine(EXAMPLE, 3, 'ACME-K-001,SUBMIT,03/02/2025,,,,,,,,,,,'));
    const before = await counts();
    const r = await puente(['import', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^bad\.csv:3 effectiveAt: 03\/02\/2025 is not a date: write YYYY-MM-DD .* \[import\.date_invalid\]$/m);
    expect(r.stdout).toMatch(/1 error\(s\) in 13 row\(s\): nothing imported/);
    expect(await counts()).toEqual(before);
  }, 180_000);

  it('imports the XLSX example as $USER, then audit verify passes', async () => {
    const r = await puente(['import', 'docs/import-example.xlsx', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as ImportReport;
    expect(report).toMatchObject({ imported: true, by: 'ana', format: 'xlsx' });
    const history = await api.history(ctx.users.auditor, report.submissions[0]!.id!);
    expect(history[1]).toMatchObject({
      effectiveAt: '2025-02-03T05:00:00.000Z',
      comment: 'Imported from import-example.xlsx line 3 by ana: eSTAR sent through the CDRH Portal',
    });
    const verify = await puente(['audit', 'verify']);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/OK: every chain verifies/);
  }, 180_000);
});
