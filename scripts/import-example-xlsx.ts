/**
 * docs/import-example.xlsx from docs/import-example.csv (`npx tsx scripts/import-example-xlsx.ts`):
 * the same rows in a workbook as a regulatory team would keep it, a date-only `effectiveAt` as a
 * date cell (yyyy-mm-dd), everything else as text. tests/integration/import.test.ts imports
 * both files and expects the same submissions from each.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

export const EXAMPLE_CSV = path.resolve(import.meta.dirname, '../docs/import-example.csv');
export const EXAMPLE_XLSX = path.resolve(import.meta.dirname, '../docs/import-example.xlsx');

/** The rows of `csv` (header first) as an XLSX workbook: sheet "Import", date-only effectiveAt as date cells. */
export async function csvToXlsx(csv: Buffer | string): Promise<Buffer> {
  const table: string[][] = parse(csv, { bom: true, skip_empty_lines: true });
  const [header, ...rows] = table;
  const wb = new ExcelJS.Workbook();
  // Fixed, so the same CSV always makes the same workbook.
  wb.created = wb.modified = new Date('2026-01-01T00:00:00Z');
  const sheet = wb.addWorksheet('Import');
  sheet.columns = header!.map((h) => ({ header: h, key: h, width: h === 'data' || h === 'input' ? 60 : 18 }));
  const at = header!.indexOf('effectiveAt');
  for (const r of rows) {
    const row = sheet.addRow(r.map((v, i) => (i === at && /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : v === '' ? null : v)));
    if (at >= 0) row.getCell(at + 1).numFmt = 'yyyy-mm-dd';
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  fs.writeFileSync(EXAMPLE_XLSX, await csvToXlsx(fs.readFileSync(EXAMPLE_CSV)));
  console.log(`wrote ${path.relative(process.cwd(), EXAMPLE_XLSX)}`);
}
