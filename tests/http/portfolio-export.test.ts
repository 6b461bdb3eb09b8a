/**
 * GET /v1/submissions/export and the web's /export (tracker issue 16 §4): the CSV read back with
 * csv-parse and the XLSX with exceljs, every row compared with GET /v1/submissions for the same
 * caller and filter; visibility, the formula-injection guard, paging and refused queries.
 */
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolioExport } from '../../src/spreadsheets/portfolio-export.js';
import type { TestContext, TestUser } from '../support/fixtures.js';
import { browse } from '../support/web-agent.js';
import { Api, binary, body510k, bodyRegistration, daysAgo, expectProblem, new510kInReview, openTestApp, type Json } from './helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;
const ids: Record<string, string> = {};
const INJECTION = '=HYPERLINK("http://evil.example","x")';

beforeAll(async () => {
  ({ ctx, app, api } = await openTestApp());
  const { manufacturer: m, otherManufacturer: beta, fda } = ctx.users;
  ids.cleared = await api.cleared510k(m, fda, { kNumber: 'K260042', title: 'Cleared pump 510(k)' });
  ids.review = await new510kInReview(api, ctx.users, 'Catéter "Gamma", línea\r\n2');
  ids.injection = (await api.create(m, { ...body510k(INJECTION), device: { name: '+SUM(A1:A9)', productCode: 'FRN' } })).id;
  ids.registration = (await api.create(m, bodyRegistration({ submissionId: ids.cleared }, 'equivalence', '@Registro bomba'))).id;
  ids.external = (
    await api.create(m, bodyRegistration({ agency: 'FDA', number: 'K251234', decisionDate: daysAgo(300), decision: 'SE' }, 'abbreviated', '-Registro externo'))
  ).id;
  ids.beta = (await api.create(beta, body510k('Beta 510(k)'))).id;
});
afterAll(async () => ctx?.close());

/** Every item GET /v1/submissions lists for `user` under `qs`, across its pages. */
async function listAll(user: TestUser, qs: string): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | null = null;
  do {
    const res = await api.get(user, `/v1/submissions?${qs}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, res.text).toBe(200);
    items.push(...(res.body.items as Json[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return items;
}

const download = (path: string, user?: TestUser) =>
  api
    .get(user, path)
    .buffer(true)
    .parse(binary as never);

/** The row the export must hold for a listing item, as text (null: an empty cell). */
function expectedRow(s: Json): Record<string, string | number | null> {
  const next = s.clocks.nextDue as Json | null;
  const d = s.decision as Json | null;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    id: s.id,
    title: s.title,
    workflow: s.workflow.id,
    workflowVersion: s.workflow.version,
    organizationId: s.organization.id,
    organization: s.organization.name,
    deviceName: str(s.device.name),
    productCode: str(s.device.productCode),
    state: s.state,
    status: s.status,
    nextDueKind: next?.kind ?? null,
    nextDueDate: next?.dueDate ?? null,
    nextDueUnit: next?.unit ?? null,
    nextDueSource: next?.source ?? null,
    goals: (s.clocks.goals as Json[]).map((g) => `${g.kind} ${g.dueDate} ${g.status}`).join('; ') || null,
    reference: str(s.reference?.label),
    referenceSubmissionId: str(s.reference?.submissionId),
    referenceNumber: str(s.reference?.number),
    decision: str(d?.decision),
    decisionNumber: str(d?.number) ?? str(d?.registrationNumber),
    decisionDate: str(d?.decisionDate) ?? str(d?.grantedOn),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** As a CSV cell: empty for null, `'` before a formula-like start (OWASP). */
const csvCell = (v: string | number | null) => (v === null ? '' : /^[=+\-@\t\r]/.test(String(v)) ? `'${v}` : String(v));

function csvRecords(bytes: Buffer): { header: string[]; rows: Record<string, string>[] } {
  const rows = parse(bytes, { bom: true, columns: true, relax_quotes: false }) as Record<string, string>[];
  const header = (parse(bytes, { bom: true, to_line: 1 }) as string[][])[0]!;
  return { header, rows };
}

/** A sheet's rows as objects by header; date cells as `YYYY-MM-DD`. */
async function xlsxSheets(bytes: Buffer): Promise<Record<string, { header: string[]; rows: Record<string, unknown>[]; cells: ExcelJS.Cell[] }>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  const out: Record<string, { header: string[]; rows: Record<string, unknown>[]; cells: ExcelJS.Cell[] }> = {};
  wb.eachSheet((sheet) => {
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    const rows: Record<string, unknown>[] = [];
    const cells: ExcelJS.Cell[] = [];
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      const r: Record<string, unknown> = {};
      header.forEach((h, i) => {
        const cell = row.getCell(i + 1);
        cells.push(cell);
        const v = cell.value;
        r[h] = v instanceof Date ? v.toISOString().slice(0, 10) : (v ?? null);
      });
      rows.push(r);
    });
    out[sheet.name] = { header, rows, cells };
  });
  return out;
}

const COLUMNS = Object.keys(expectedRow({ id: '', workflow: {}, organization: {}, device: {}, clocks: { goals: [] } }));

describe('the export holds exactly what GET /v1/submissions lists, for every caller and filter', () => {
  const acme = () => ctx.users.manufacturer;
  const cases: Array<[string, () => TestUser, string]> = [
    ['manufacturer, everything', acme, ''],
    ['manufacturer, active, next date first', acme, 'status=active&sort=nextDue'],
    ['manufacturer, registrations only', acme, 'workflow=cofepris-registration'],
    ['manufacturer, text search', acme, 'q=gamma'],
    ['fda, filed submissions', () => ctx.users.fda, ''],
    ['auditor, closed', () => ctx.users.auditor, 'state=cleared'],
    ['auditor, everything', () => ctx.users.auditor, ''],
    ['other organization', () => ctx.users.otherManufacturer, ''],
    ['admin sees none', () => ctx.users.admin, ''],
  ];

  it.each(cases)('%s (CSV and XLSX)', async (_name, user, qs) => {
    const items = await listAll(user(), qs);
    const expected = items.map(expectedRow);
    const csv = await download(`/v1/submissions/export?format=csv${qs ? `&${qs}` : ''}`, user());
    expect(csv.status, String(csv.body)).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="puente-portfolio-${new Date().toISOString().slice(0, 10)}.csv"`);
    const body = csv.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM
    const { header, rows } = csvRecords(body);
    expect(header).toEqual(COLUMNS);
    expect(rows).toEqual(expected.map((e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, csvCell(v)]))));

    const xlsx = await download(`/v1/submissions/export?format=xlsx${qs ? `&${qs}` : ''}`, user());
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers['content-disposition']).toMatch(/^attachment; filename="puente-portfolio-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    const sheets = await xlsxSheets(xlsx.body as Buffer);
    expect(Object.keys(sheets)).toEqual(['Portfolio', 'Goals']);
    expect(sheets.Portfolio!.header).toEqual(COLUMNS);
    // In a cell a line break is LF (the one title with CR LF shows it).
    const lf = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n?/g, '\n') : v);
    expect(sheets.Portfolio!.rows).toEqual(expected.map((e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, lf(v)]))));
    // Goals: one row per goal, in the listing's order.
    expect(sheets.Goals!.rows).toEqual(
      items.flatMap((s) =>
        (s.clocks.goals as Json[]).map((g) => ({
          submissionId: s.id,
          title: lf(s.title),
          kind: g.kind,
          unit: g.unit,
          startedOn: g.startedOn,
          dueDate: g.dueDate,
          status: g.status,
          metOn: g.metOn,
        })),
      ),
    );
  });

  it('the fixture exercises every column group: goals, next date, reference by id and by number, a decision', async () => {
    const rows = csvRecords((await download('/v1/submissions/export', acme())).body as Buffer).rows;
    const by = new Map(rows.map((r) => [r.id, r]));
    expect(by.get(ids.cleared!)).toMatchObject({ decision: 'SE', decisionNumber: 'K260042', state: 'cleared' });
    expect(by.get(ids.review!)!.goals).toMatch(/^(\w+ \d{4}-\d{2}-\d{2} (on_track|due_soon|met|missed)(; )?)+$/);
    expect(by.get(ids.review!)!.nextDueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(by.get(ids.registration!)!.referenceSubmissionId).toBe(ids.cleared);
    expect(by.get(ids.external!)!.referenceNumber).toBe('K251234');
    expect(by.get(ids.review!)!.title).toBe('Catéter "Gamma", línea\r\n2');
  });

  it('another organization’s manufacturer finds none of Acme’s submissions in either format, whatever the filter', async () => {
    const acmeIds = Object.entries(ids)
      .filter(([k]) => k !== 'beta')
      .map(([, v]) => v);
    for (const qs of ['', 'workflow=cofepris-registration', 'q=gamma', 'status=closed']) {
      const csv = (await download(`/v1/submissions/export?format=csv&${qs}`, ctx.users.otherManufacturer)).body as Buffer;
      const xlsx = (await download(`/v1/submissions/export?format=xlsx&${qs}`, ctx.users.otherManufacturer)).body as Buffer;
      for (const id of acmeIds) {
        expect(csv.toString('utf8'), qs).not.toContain(id);
        expect(JSON.stringify((await xlsxSheets(xlsx)).Portfolio!.rows), qs).not.toContain(id);
      }
    }
  });
});

describe('formula injection (OWASP CSV injection)', () => {
  it('CSV cells starting with = + - @ are prefixed with an apostrophe; XLSX keeps the exact text as a text cell, never a formula', async () => {
    const user = ctx.users.manufacturer;
    const text = ((await download('/v1/submissions/export?format=csv', user)).body as Buffer).toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(text).toContain(`'+SUM(A1:A9)`);
    expect(text).toContain(`'@Registro bomba`);
    expect(text).toContain(`'-Registro externo`);
    expect(text).not.toMatch(/(^|,)[=+@]/m);
    const sheets = await xlsxSheets((await download('/v1/submissions/export?format=xlsx', user)).body as Buffer);
    const row = sheets.Portfolio!.rows.find((r) => r.id === ids.injection)!;
    expect(row).toMatchObject({ title: INJECTION, deviceName: '+SUM(A1:A9)' });
    for (const cell of sheets.Portfolio!.cells) {
      expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
      if (typeof cell.value === 'string') expect(cell.type).toBe(ExcelJS.ValueType.String);
    }
  });
});

describe('refused queries: application/problem+json with the pointer, before any byte of a file', () => {
  it.each([
    ['format=pdf', '/format'],
    ['format=csv&status=open', '/status'],
    ['format=xlsx&limit=5', '/limit'],
    ['cursor=abc', '/cursor'],
    ['dueBefore=2026-13-01', '/dueBefore'],
    ['dueBefore=2025-02-30', '/dueBefore'],
    ['sort=title', '/sort'],
  ])('%s → 422 at %s', async (qs, pointer) => {
    const res = await api.get(ctx.users.manufacturer, `/v1/submissions/export?${qs}`);
    const body = expectProblem(res, 422, 'validation_failed');
    expect(body.errors.map((e: Json) => e.path)).toContain(pointer);
  });

  it('needs a bearer token, and is no submission id (the route is matched before /submissions/:id)', async () => {
    expectProblem(await api.get(undefined, '/v1/submissions/export'), 401, 'unauthenticated');
    const res = await download('/v1/submissions/export', ctx.users.manufacturer);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8'); // csv is the default
  });
});

describe('paging', () => {
  it('an export read two submissions at a time is the same file as one read in one page', async () => {
    const pages: number[] = [];
    const exporter = createPortfolioExport({
      engine: ctx.services.engine,
      validator: ctx.services.validator,
      pageSize: 2,
      onPage: (n) => pages.push(n),
    });
    const opened = await exporter.open(ctx.users.auditor.actor, { format: 'csv' });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    expect(await opened.write(out)).toBe(true);
    expect(pages).toEqual([2, 2, 2]); // six submissions: three pages of two, the last one saying no more
    const whole = (await download('/v1/submissions/export?format=csv', ctx.users.auditor)).body as Buffer;
    expect(Buffer.concat(chunks).equals(whole)).toBe(true);
  });
});

describe('the web portfolio', () => {
  it('offers Export CSV / XLSX links that keep the filters, and /export serves the API’s bytes for the signed-in user', async () => {
    const { agent } = await browse(app, ctx.users.manufacturer);
    const page = await agent.get('/?workflow=fda-510k&q=cleared').set('Accept', 'text/html');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/export?format=csv&amp;workflow=fda-510k&amp;q=cleared"');
    expect(page.text).toContain('href="/export?format=xlsx&amp;workflow=fda-510k&amp;q=cleared"');
    expect(page.text).toContain('>Export CSV<');
    const web = await agent
      .get('/export?format=csv&workflow=fda-510k&q=cleared')
      .buffer(true)
      .parse(binary as never);
    expect(web.status).toBe(200);
    expect(web.headers['content-type']).toBe('text/csv; charset=utf-8');
    const viaApi = await download('/v1/submissions/export?format=csv&workflow=fda-510k&q=cleared&sort=nextDue', ctx.users.manufacturer);
    expect((web.body as Buffer).equals(viaApi.body as Buffer)).toBe(true);
    expect(csvRecords(web.body as Buffer).rows.map((r) => r.id)).toEqual([ids.cleared]);
    const xlsx = await agent
      .get('/export?format=xlsx')
      .buffer(true)
      .parse(binary as never);
    expect((await xlsxSheets(xlsx.body as Buffer)).Portfolio!.rows).toHaveLength(5);
  });

  it('is behind the sign-in', async () => {
    const res = await api.get(undefined, '/export?format=csv').set('Accept', 'text/html');
    expect(res.status).toBe(303);
  });
});
