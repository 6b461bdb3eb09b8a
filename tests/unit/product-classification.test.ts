/**
 * FDA product classification reference data (`src/reference/product-classification.ts`), read
 * from the real `reference-data/foiclass.txt` and from variants of it written to a temp dir:
 * reordered and extra columns, UTF-8 with BOM, CRLF/LF, dropped trailing fields, broken files.
 * Expected values are read off the file by hand or counted independently from its raw bytes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  DEFAULT_PRODUCT_CLASSIFICATION_FILE,
  PRODUCT_CODE_POINTER,
  assessPathway,
  checkProductCode,
  loadProductClassification,
  type PathwayAssessment,
  type ProductClassification,
  type ProductClassificationEntry,
} from '../../src/reference/product-classification.js';

const SHIPPED = fileURLToPath(new URL('../../reference-data/foiclass.txt', import.meta.url));

// The raw file, read independently of the loader. `latin1` maps each byte to one char and back,
// so rows can be rearranged and written again byte for byte; every delimiter is ASCII.
const RAW_BYTES = fs.readFileSync(SHIPPED);
const RAW_LINES = RAW_BYTES.toString('latin1')
  .split('\n')
  .map((l) => l.replace(/\r$/, ''))
  .filter((l) => l !== '');
const RAW_HEADER = RAW_LINES[0]!.split('|');
const RAW_ROWS = RAW_LINES.slice(1).map((l) => l.split('|'));
const rawCol = (name: string): number => {
  const i = RAW_HEADER.indexOf(name);
  if (i === -1) throw new Error(`shipped file has no ${name} column`);
  return i;
};
const RAW_CODES = RAW_ROWS.map((r) => r[rawCol('PRODUCTCODE')]!);

const WORKFLOWS = ['fda-510k', 'fda-de-novo', 'fda-pma', 'fda-hde', 'fda-presub', 'fda-breakthrough', 'cofepris-registration'] as const;

let table: ProductClassification;
let tmp: string;

beforeAll(() => {
  table = loadProductClassification();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-foiclass-'));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function write(name: string, content: string | Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof content === 'string' ? Buffer.from(content, 'latin1') : content);
  return file;
}

function entry(code: string): ProductClassificationEntry {
  const e = table.lookup(code);
  if (!e) throw new Error(`${code} missing from the shipped file`);
  return e;
}

/** Every entry of `other` equals the shipped one, code by code. */
function expectSameEntries(other: ProductClassification): void {
  expect(other.size).toBe(table.size);
  for (const code of RAW_CODES) expect(other.lookup(code), code).toEqual(table.lookup(code));
}

/** The shipped file without some columns. */
function withoutColumns(...names: string[]): string {
  const drop = new Set(names.map(rawCol));
  return (
    RAW_LINES.map((l) =>
      l
        .split('|')
        .filter((_, i) => !drop.has(i))
        .join('|'),
    ).join('\r\n') + '\r\n'
  );
}

const warningsOf = (r: PathwayAssessment): string[] => {
  if (!r.ok) throw new Error(`refused: ${r.message}`);
  return r.warnings;
};
const refusalOf = (r: PathwayAssessment): string => {
  if (r.ok) throw new Error(`allowed with warnings ${JSON.stringify(r.warnings)}`);
  return r.message;
};

describe('loadProductClassification: the shipped file', () => {
  it('holds one entry per data line (lines minus header, counted from the raw bytes)', () => {
    expect(RAW_LINES.length - 1).toBeGreaterThan(5000);
    expect(table.size).toBe(RAW_LINES.length - 1);
    expect(new Set(RAW_CODES).size).toBe(RAW_CODES.length);
    for (const code of RAW_CODES) expect(table.lookup(code), code).toBeDefined();
    expect(table.source).toBe(SHIPPED);
  });

  // How fast it loads is the bench's business (a wall-clock bound here fails on a busy machine, not on a regression).
  it('loads again to the same table', () => {
    const again = loadProductClassification();
    expect(again.size).toBe(table.size);
    expect(again.source).toBe(table.source);
    for (const code of RAW_CODES.slice(0, 50)) expect(again.lookup(code)).toEqual(table.lookup(code));
  });

  it('finds the default file from the project root whatever the cwd', () => {
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      const t = loadProductClassification();
      expect(t.source).toBe(SHIPPED);
      expect(t.size).toBe(table.size);
    } finally {
      process.chdir(cwd);
    }
    expect(DEFAULT_PRODUCT_CLASSIFICATION_FILE).toBe(SHIPPED);
  });

  it('class II 510(k): LOX (PTCA catheter)', () => {
    expect(entry('LOX')).toEqual({
      productCode: 'LOX',
      deviceName: 'Catheters, Transluminal Coronary Angioplasty, Percutaneous',
      deviceClass: '2',
      regulationNumber: '870.5100',
      medicalSpecialty: 'CV',
      reviewPanel: 'CV',
      submissionType: { id: '1', label: '510(k)', confirmed: true },
      thirdPartyReviewEligible: 'N',
      gmpExempt: false,
      implant: false,
      lifeSustainSupport: false,
      summaryMalfunctionReporting: true,
      expectedPathway: '510(k)',
      exempt: false,
    });
  });

  it('class III PMA: LWS (implantable cardioverter defibrillator), no regulation number or specialty', () => {
    expect(entry('LWS')).toEqual({
      productCode: 'LWS',
      deviceName: 'Implantable Cardioverter Defibrillator (Non-Crt)',
      deviceClass: '3',
      regulationNumber: null,
      medicalSpecialty: null,
      reviewPanel: 'CV',
      submissionType: { id: '2', label: 'PMA', confirmed: true },
      thirdPartyReviewEligible: 'N',
      gmpExempt: false,
      implant: true,
      lifeSustainSupport: true,
      summaryMalfunctionReporting: false,
      expectedPathway: 'PMA',
      exempt: false,
    });
  });

  it('class I 510(k) exempt: BRW (dental protector); GMP-exempt is a separate flag (BTB)', () => {
    expect(entry('BRW')).toEqual({
      productCode: 'BRW',
      deviceName: 'Protector, Dental',
      deviceClass: '1',
      regulationNumber: '868.5820',
      medicalSpecialty: 'AN',
      reviewPanel: 'AN',
      submissionType: { id: '4', label: '510(k) exempt', confirmed: true },
      thirdPartyReviewEligible: 'N',
      gmpExempt: false,
      implant: false,
      lifeSustainSupport: false,
      summaryMalfunctionReporting: true,
      expectedPathway: '510(k) exempt',
      exempt: true,
    });
    expect(entry('BTB')).toMatchObject({ deviceName: 'Hook, Ether', gmpExempt: true, exempt: true });
  });

  it('third-party flags Y and P pass through (DXN is Y, BSE is P)', () => {
    expect(entry('DXN').thirdPartyReviewEligible).toBe('Y');
    expect(entry('BSE').thirdPartyReviewEligible).toBe('P');
  });

  it('HDE: the file writes class `f`, the entry says F; OAZ carries submission type 6', () => {
    expect(RAW_ROWS.find((r) => r[rawCol('PRODUCTCODE')] === 'OAZ')![rawCol('DEVICECLASS')]).toBe('f');
    expect(entry('OAZ')).toMatchObject({
      deviceClass: 'F',
      submissionType: { id: '6', label: 'HDE', confirmed: false },
      expectedPathway: 'HDE',
      exempt: false,
    });
  });

  it('inferred and missing submission types: CBT kit (7), PYS (8), PNC Contact ODE (3), RAH (none)', () => {
    expect(entry('CBT')).toMatchObject({
      submissionType: { id: '7', label: 'enforcement discretion', confirmed: false },
      expectedPathway: 'enforcement discretion',
      exempt: false,
    });
    expect(entry('PYS')).toMatchObject({ submissionType: { id: '8', label: 'emergency use', confirmed: false }, expectedPathway: 'contact FDA' });
    expect(entry('PNC')).toMatchObject({
      deviceClass: 'N',
      submissionType: { id: '3', label: 'Contact ODE', confirmed: true },
      expectedPathway: 'contact FDA',
    });
    expect(entry('RAH')).toMatchObject({ deviceClass: 'N', submissionType: null, reviewPanel: null, expectedPathway: 'contact FDA' });
  });

  it('class III still on 510(k) (DTE) and unclassified on 510(k) (FRO) follow the submission type', () => {
    expect(entry('DTE')).toMatchObject({ deviceClass: '3', expectedPathway: '510(k)' });
    expect(entry('FRO')).toMatchObject({ deviceClass: 'U', regulationNumber: null, expectedPathway: '510(k)' });
  });

  it('every row: pathway and exempt follow SUBMISSION_TYPE_ID (counted from the raw rows)', () => {
    const byType: Record<string, string> = { '1': '510(k)', '2': 'PMA', '4': '510(k) exempt', '6': 'HDE', '7': 'enforcement discretion' };
    const wrong: string[] = [];
    for (const r of RAW_ROWS) {
      const e = entry(r[rawCol('PRODUCTCODE')]!);
      const type = r[rawCol('SUBMISSION_TYPE_ID')]!;
      const cls = r[rawCol('DEVICECLASS')]!;
      const pathway = byType[type] ?? (cls === 'f' ? 'HDE' : 'contact FDA');
      if (e.expectedPathway !== pathway || e.exempt !== (type === '4') || e.deviceClass !== cls.toUpperCase()) wrong.push(e.productCode);
    }
    expect(wrong).toEqual([]);
  });

  it('decodes FDA’s Latin-1 / Windows-1252 text (ß, ü)', () => {
    expect(entry('PQV').deviceName).toBe('ß-Glucocerebrosidase (Gba) Newborn Screening Test System');
    expect(entry('PQO').deviceName).toBe('Anti-Müllerian Hormone Test System');
  });

  it('unknown, lowercase and malformed codes give undefined (lookup is case-sensitive)', () => {
    expect(RAW_CODES).not.toContain('ZZZ');
    expect(table.lookup('ZZZ')).toBeUndefined();
    expect(table.lookup('lox')).toBeUndefined();
    expect(table.lookup('Lox')).toBeUndefined();
    expect(table.lookup('LOXX')).toBeUndefined();
    expect(table.lookup('')).toBeUndefined();
  });

  it('entries are frozen: one caller cannot change what another reads', () => {
    const e = entry('LOX') as { deviceClass: string };
    expect(() => {
      e.deviceClass = '3';
    }).toThrow(TypeError);
    expect(entry('LOX').deviceClass).toBe('2');
  });
});

describe('loadProductClassification: other layouts and encodings', () => {
  it('reordered columns, an added column and a differently-cased header load the same entries', () => {
    const order = RAW_HEADER.map((_, i) => i).reverse();
    const lines = RAW_LINES.map((l, n) => {
      const f = l.split('|');
      const out = order.map((i) => f[i]!);
      out.splice(5, 0, n === 0 ? 'NEW_FDA_COLUMN' : `extra ${n}`);
      return out.join('|');
    });
    lines[0] = lines[0]!.replace('Implant_Flag', 'IMPLANT_FLAG');
    expect(lines[0].split('|')[0]).toBe('SummaryMalfunctionReporting');
    expectSameEntries(loadProductClassification(write('reordered.txt', lines.join('\r\n') + '\r\n')));
  });

  // Re-encoding as UTF-8 through Latin-1 is exact for the fields the entries expose: no device
  // name holds a byte in 0x80-0x9F, where Windows-1252 and Latin-1 differ (checked here). Those
  // bytes have their own test below.
  const utf8Text = (): string => {
    const names = RAW_ROWS.map((r) => r[rawCol('DEVICENAME')]!);
    expect(names.filter((n) => /[\x80-\x9f]/.test(n))).toEqual([]);
    return RAW_BYTES.toString('latin1');
  };

  it('UTF-8 with a BOM and CRLF loads the same entries', () => {
    const text = utf8Text();
    expect(text).toContain('\r\n');
    const file = write('utf8-bom-crlf.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    const t = loadProductClassification(file);
    expectSameEntries(t);
    expect(t.lookup('PQV')!.deviceName.startsWith('ß-')).toBe(true);
  });

  it('UTF-8 with a BOM and LF line ends loads the same entries', () => {
    const text = utf8Text().replace(/\r\n/g, '\n');
    expectSameEntries(loadProductClassification(write('utf8-bom-lf.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]))));
  });

  it('Windows-1252 bytes decode as Windows-1252, not Latin-1: 0x93/0x94 are “ and ”, 0x80 is €', () => {
    const file = write(
      'cp1252.txt',
      Buffer.concat([
        Buffer.from(`${RAW_LINES[0]}\r\nAN|AN|XQA|`, 'latin1'),
        Buffer.from([0x93]),
        Buffer.from('Smart', 'latin1'),
        Buffer.from([0x94]),
        Buffer.from(' Valve ', 'latin1'),
        Buffer.from([0x80, 0xdf]),
        Buffer.from('|2||N|N||868.5820|1|||||N|N|Eligible\r\n', 'latin1'),
      ]),
    );
    expect(loadProductClassification(file).lookup('XQA')!.deviceName).toBe('“Smart” Valve €ß');
  });

  it('rows with trailing empty fields dropped, or extra empty ones added, still load', () => {
    const file = write(
      'trailing.txt',
      [RAW_LINES[0], 'AN|AN|BRW|Protector, Dental|1||N|N||868.5820|4', `${RAW_LINES.find((l) => l.split('|')[2] === 'LOX')}|||`, ''].join('\r\n'),
    );
    const t = loadProductClassification(file);
    expect(t.size).toBe(2);
    expect(t.lookup('BRW')).toMatchObject({ exempt: true, implant: false, lifeSustainSupport: false, summaryMalfunctionReporting: null });
    expect(t.lookup('LOX')).toEqual(entry('LOX'));
  });

  it('an older file without SummaryMalfunctionReporting loads, with that field null', () => {
    const t = loadProductClassification(write('older.txt', withoutColumns('SummaryMalfunctionReporting')));
    expect(t.size).toBe(table.size);
    expect(t.lookup('LOX')).toEqual({ ...entry('LOX'), summaryMalfunctionReporting: null });
  });

  it('an undocumented submission type id is kept, unconfirmed, and leaves the pathway to FDA', () => {
    const f = RAW_LINES.find((l) => l.split('|')[2] === 'LOX')!.split('|');
    f[rawCol('SUBMISSION_TYPE_ID')] = '9';
    const e = loadProductClassification(write('type-9.txt', [RAW_LINES[0], f.join('|')].join('\r\n'))).lookup('LOX')!;
    expect(e).toMatchObject({ submissionType: { id: '9', label: 'submission type 9', confirmed: false }, expectedPathway: 'contact FDA', exempt: false });
    expect(warningsOf(assessPathway('fda-510k', e))).toEqual([
      expect.stringContaining('with submission type "submission type 9", which does not settle the premarket pathway'),
    ]);
  });

  it('UTF-16 is refused with a clear message', () => {
    expect(() => loadProductClassification(write('utf16.txt', Buffer.from([0xff, 0xfe, 0x52, 0x00])))).toThrow(/UTF-16 text is not supported/);
  });

  it('a missing required column fails, naming it', () => {
    expect(() => loadProductClassification(write('no-class.txt', withoutColumns('DEVICECLASS')))).toThrow(/missing required column DEVICECLASS$/);
  });

  it('several missing required columns are all named', () => {
    expect(() => loadProductClassification(write('no-class-type.txt', withoutColumns('DEVICECLASS', 'SUBMISSION_TYPE_ID')))).toThrow(
      /missing required columns DEVICECLASS, SUBMISSION_TYPE_ID$/,
    );
  });

  it('a stray pipe (a non-empty field beyond the header) fails, naming the line', () => {
    const lines = [...RAW_LINES.slice(0, 4)];
    lines[2] = `${lines[2]}|surprise`;
    expect(() => loadProductClassification(write('stray.txt', lines.join('\r\n')))).toThrow(/line 3: 19 fields but the header has 18/);
  });

  it('an unknown device class fails, naming the column and line', () => {
    const f = RAW_LINES[1]!.split('|');
    f[rawCol('DEVICECLASS')] = '4';
    expect(() => loadProductClassification(write('bad-class.txt', [RAW_LINES[0], f.join('|')].join('\n')))).toThrow(
      /line 2: DEVICECLASS is "4", expected one of 1, 2, 3, U, N, F/,
    );
  });

  it('a duplicate product code fails', () => {
    expect(() => loadProductClassification(write('dup.txt', [RAW_LINES[0], RAW_LINES[1], RAW_LINES[1]].join('\n')))).toThrow(
      /line 3: product code BRW appears twice/,
    );
  });

  it('an empty file, a header without rows, or a missing file fail', () => {
    expect(() => loadProductClassification(write('empty.txt', ''))).toThrow(/empty file/);
    expect(() => loadProductClassification(write('header-only.txt', `${RAW_LINES[0]}\r\n`))).toThrow(/no rows/);
    expect(() => loadProductClassification(path.join(tmp, 'nope.txt'))).toThrow(/ENOENT/);
  });
});

describe('assessPathway', () => {
  it('fda-510k on a class III PMA code is refused, naming code, class and pathway', () => {
    const message = refusalOf(assessPathway('fda-510k', entry('LWS')));
    expect(message).toBe(
      'A 510(k) cannot be used for product code LWS (Implantable Cardioverter Defibrillator (Non-Crt)): FDA classifies it as class III and its premarket pathway is PMA. Use the PMA workflow (fda-pma) instead, or check the product code.',
    );
  });

  it('the refusal cites the classification regulation when there is one (BWL, 21 CFR 868.5400)', () => {
    expect(refusalOf(assessPathway('fda-510k', entry('BWL')))).toContain('class III (21 CFR 868.5400) and its premarket pathway is PMA');
  });

  it('fda-510k on an HDE (class F) code is refused', () => {
    expect(refusalOf(assessPathway('fda-510k', entry('OAZ')))).toMatch(/^A 510\(k\) cannot be used for product code OAZ .*HDE.*fda-hde/);
  });

  it('fda-510k on a class II 510(k) code passes without warnings', () => {
    expect(assessPathway('fda-510k', entry('LOX'))).toEqual({ ok: true, warnings: [] });
  });

  it('fda-510k on an exempt code passes with a "510(k) exempt" warning citing the limitations', () => {
    expect(warningsOf(assessPathway('fda-510k', entry('BRW')))).toEqual([
      'Product code BRW (Protector, Dental) is class I (21 CFR 868.5820) and 510(k) exempt: a 510(k) is only needed if the device exceeds the limitations of the exemption in 21 CFR 868.9.',
    ]);
  });

  it('fda-510k warns on enforcement discretion, Contact ODE, no submission type, HDE type and class III on 510(k)', () => {
    expect(warningsOf(assessPathway('fda-510k', entry('CBT')))).toEqual([
      expect.stringMatching(/CBT .*under enforcement discretion: a 510\(k\) is generally not expected/),
    ]);
    expect(warningsOf(assessPathway('fda-510k', entry('PNC')))).toEqual([expect.stringMatching(/PNC .*contact FDA's Office of Device Evaluation/)]);
    expect(warningsOf(assessPathway('fda-510k', entry('RAH')))).toEqual([
      expect.stringMatching(/RAH .*no premarket submission type; it may not be regulated as a medical device/),
    ]);
    expect(warningsOf(assessPathway('fda-510k', entry('QGZ')))).toEqual([
      expect.stringMatching(/QGZ .*class III, with HDE as its premarket pathway: a 510\(k\) is unlikely/),
    ]);
    expect(warningsOf(assessPathway('fda-510k', entry('DTE')))).toEqual([
      expect.stringMatching(/DTE .*is class III \(21 CFR 870\.3600\) but FDA still lists 510\(k\)/),
    ]);
  });

  it('fda-de-novo on an already classified code warns (not refuses) and names the expected route', () => {
    expect(warningsOf(assessPathway('fda-de-novo', entry('LOX')))).toEqual([
      'FDA lists product code LOX (Catheters, Transluminal Coronary Angioplasty, Percutaneous) as class II (21 CFR 870.5100), with 510(k) as its premarket pathway. A De Novo request is for a new device type with no legally marketed predicate; if the device fits this product code, the expected route is a 510(k).',
    ]);
    expect(warningsOf(assessPathway('fda-de-novo', entry('LWS')))).toEqual([expect.stringMatching(/LWS .*low- to moderate-risk .*expected route is a PMA\.$/)]);
    expect(warningsOf(assessPathway('fda-de-novo', entry('BRW')))).toEqual([expect.stringMatching(/BRW .*510\(k\) exempt\. A De Novo request/)]);
  });

  it('fda-de-novo on a code without a fixed pathway (Contact ODE) has no warning', () => {
    expect(assessPathway('fda-de-novo', entry('PNC'))).toEqual({ ok: true, warnings: [] });
  });

  it('fda-pma warns on 510(k), exempt and enforcement-discretion codes only', () => {
    expect(warningsOf(assessPathway('fda-pma', entry('LOX')))).toEqual([expect.stringMatching(/LOX .*a PMA is not normally required/)]);
    expect(warningsOf(assessPathway('fda-pma', entry('BRW')))).toHaveLength(1);
    expect(warningsOf(assessPathway('fda-pma', entry('CBT')))).toHaveLength(1);
    expect(assessPathway('fda-pma', entry('LWS'))).toEqual({ ok: true, warnings: [] });
    expect(assessPathway('fda-pma', entry('OAZ'))).toEqual({ ok: true, warnings: [] });
    expect(assessPathway('fda-pma', entry('PNC'))).toEqual({ ok: true, warnings: [] });
  });

  it('fda-hde warns when devices of the type are marketed without one', () => {
    expect(warningsOf(assessPathway('fda-hde', entry('LOX')))).toEqual([expect.stringMatching(/LOX .*no comparable device is legally marketed/)]);
    expect(assessPathway('fda-hde', entry('OAZ'))).toEqual({ ok: true, warnings: [] });
    expect(assessPathway('fda-hde', entry('LWS'))).toEqual({ ok: true, warnings: [] });
  });

  it('fda-breakthrough warns only on exempt / enforcement-discretion codes', () => {
    expect(warningsOf(assessPathway('fda-breakthrough', entry('BRW')))).toEqual([
      expect.stringMatching(/BRW .*Breakthrough Devices Program is for devices that go through PMA, 510\(k\) or De Novo/),
    ]);
    expect(warningsOf(assessPathway('fda-breakthrough', entry('CBT')))).toHaveLength(1);
    expect(assessPathway('fda-breakthrough', entry('LWS'))).toEqual({ ok: true, warnings: [] });
    expect(assessPathway('fda-breakthrough', entry('LOX'))).toEqual({ ok: true, warnings: [] });
  });

  it('fda-presub and cofepris-registration never refuse or warn; an unknown workflow id neither', () => {
    for (const code of ['LWS', 'OAZ', 'BRW', 'CBT', 'RAH', 'LOX']) {
      expect(assessPathway('fda-presub', entry(code))).toEqual({ ok: true, warnings: [] });
      expect(assessPathway('cofepris-registration', entry(code))).toEqual({ ok: true, warnings: [] });
      expect(assessPathway('fda-something-new', entry(code))).toEqual({ ok: true, warnings: [] });
    }
  });

  it('over the whole file, only fda-510k refuses, and exactly on PMA (type 2) or HDE (class f) codes', () => {
    const expected = RAW_ROWS.filter((r) => r[rawCol('SUBMISSION_TYPE_ID')] === '2' || r[rawCol('DEVICECLASS')] === 'f').map((r) => r[rawCol('PRODUCTCODE')]!);
    expect(expected.length).toBeGreaterThan(400);
    const refused: Record<string, string[]> = {};
    const unnamed: string[] = [];
    for (const code of RAW_CODES) {
      for (const w of WORKFLOWS) {
        const r = assessPathway(w, entry(code));
        if (!r.ok) (refused[w] ??= []).push(code);
        else if (r.warnings.some((warning) => !warning.includes(code))) unnamed.push(`${w} ${code}`);
      }
    }
    expect(unnamed, 'every warning names the product code').toEqual([]);
    expect(Object.keys(refused)).toEqual(['fda-510k']);
    expect(refused['fda-510k']!.sort()).toEqual(expected.sort());
  });
});

describe('checkProductCode (what the engine calls on create)', () => {
  it('a refusal is an InputError pointing at /device/productCode', () => {
    let error: unknown;
    try {
      checkProductCode(table, 'fda-510k', 'LWS');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const e = error as InputError;
    expect(e.code).toBe('validation_failed');
    expect(e.message).toMatch(/^A 510\(k\) cannot be used for product code LWS/);
    expect(e.errors).toMatchObject([{ path: PRODUCT_CODE_POINTER, message: e.message, code: 'classification.pma_only' }]);
    expect(e.errors).toHaveLength(1);
    expect(PRODUCT_CODE_POINTER).toBe('/device/productCode');
  });

  it('warnings are returned', () => {
    expect(checkProductCode(table, 'fda-510k', 'BRW')).toEqual([expect.stringContaining('510(k) exempt')]);
    expect(checkProductCode(table, 'fda-510k', 'LOX')).toEqual([]);
  });

  it('a code missing from the file is a warning, not a refusal; no code, no check', () => {
    expect(checkProductCode(table, 'fda-510k', 'ZZZ')).toEqual([
      expect.stringMatching(/^Product code ZZZ is not in the FDA product classification file .*\(\d+ codes\)/),
    ]);
    expect(checkProductCode(table, 'fda-510k', undefined)).toEqual([]);
  });
});
