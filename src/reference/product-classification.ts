/**
 * FDA product classification reference data: the `foiclass.txt` file FDA publishes at
 * https://www.fda.gov/medical-devices/classify-your-medical-device/download-product-code-classification-files
 * (one row per three-letter product code: device class, classification regulation, submission
 * type, flags), the premarket pathway each row implies, and a pure check of a workflow against it.
 *
 * Nothing is read at import time: `loadProductClassification()` reads and parses the file once
 * and returns an immutable table; the caller keeps it (no module-level singleton) and passes it
 * down, like `Config`.
 *
 * What the codes mean, and how sure we are (see also `reference-data/README.md`):
 *
 * - DEVICECLASS: 1, 2, 3 = class I, II, III; U = unclassified; N = not classified; F = HDE.
 *   These meanings come from openFDA's field documentation (secondary copy: devsdocs/open_fda
 *   `lib/src/fields/device_classification.dart`). FDA's file spells the HDE class as lowercase
 *   `f`; we normalise it to `F`.
 * - SUBMISSION_TYPE_ID: 1 = 510(k), 2 = PMA, 3 = Contact ODE, 4 = 510(k) exempt are openFDA's
 *   documented values. 6, 7 and 8 are not in any legend we could reach and are INFERRED from the
 *   rows (see SUBMISSION_TYPES). 5 does not occur in the shipped file. An empty value occurs
 *   only on the `R..` codes (radiation-emitting electronic products such as ultrasonic cleaners
 *   and laser light shows, review panel empty, class N).
 * - THIRDPARTYFLAG: Y = eligible for 510(k) third-party review, N = not eligible (openFDA).
 *   `P` also occurs (960 codes, nearly all class II); its meaning is UNCONFIRMED, so the
 *   flag is passed through as written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, fieldError } from '../errors.js';
import { english, type Message } from '../messages/format.js';

/** The file shipped with puente, resolved from this module's location (not the cwd). */
export const DEFAULT_PRODUCT_CLASSIFICATION_FILE = fileURLToPath(new URL('../../reference-data/foiclass.txt', import.meta.url));

/** JSON pointer of the product code in a create-submission body. */
export const PRODUCT_CODE_POINTER = '/device/productCode';

/** 1, 2, 3 = class I, II, III; U = unclassified; N = not classified; F = HDE (the file writes `f`). */
export type DeviceClass = '1' | '2' | '3' | 'U' | 'N' | 'F';

/** Y = eligible for third-party (Accredited Person) 510(k) review, N = not; P = UNCONFIRMED. */
export type ThirdPartyFlag = 'Y' | 'N' | 'P';

/**
 * The premarket route FDA's file implies for a product code. Never `De Novo`: the file lists
 * device types that are already classified, and a De Novo grant creates a new product code.
 * Never `unclassified` either: that is a class (U), and unclassified codes still carry a
 * submission type (most say 510(k)).
 */
export type ExpectedPathway = '510(k)' | '510(k) exempt' | 'PMA' | 'HDE' | 'enforcement discretion' | 'contact FDA';

export interface SubmissionType {
  /** SUBMISSION_TYPE_ID as written in the file. */
  readonly id: string;
  readonly label: string;
  /** False when the meaning is inferred from the rows, not taken from an FDA/openFDA legend. */
  readonly confirmed: boolean;
}

/**
 * SUBMISSION_TYPE_ID meanings. 1-4 are openFDA's documented values. The others are inferred:
 * - 6: 45 of the 46 class `f` (HDE) codes carry it, plus a few class 3 / N humanitarian devices.
 * - 7: 245 of its 300 rows are convenience kits whose DEFINITION says the kit "is under
 *   enforcement discretion, and does not require a premarket notification (510(k))"; the rest
 *   include research/investigational-use-only codes, foreign dental-lab products and wellness
 *   products; 33 of its 55 class N / U codes carry UNCLASSIFIED_REASON 6, which openFDA
 *   documents as "Enforcement Discretion".
 * - 8: only five codes, all outbreak diagnostics (2009 H1N1, Zika, Ebola, MERS-CoV), one of them
 *   named "(Emergency Use)"; read as emergency use authorization.
 */
export const SUBMISSION_TYPES: Readonly<Record<string, SubmissionType>> = Object.freeze({
  '1': Object.freeze({ id: '1', label: '510(k)', confirmed: true }),
  '2': Object.freeze({ id: '2', label: 'PMA', confirmed: true }),
  '3': Object.freeze({ id: '3', label: 'Contact ODE', confirmed: true }),
  '4': Object.freeze({ id: '4', label: '510(k) exempt', confirmed: true }),
  '6': Object.freeze({ id: '6', label: 'HDE', confirmed: false }),
  '7': Object.freeze({ id: '7', label: 'enforcement discretion', confirmed: false }),
  '8': Object.freeze({ id: '8', label: 'emergency use', confirmed: false }),
});

export interface ProductClassificationEntry {
  /** Three uppercase letters, e.g. `LOX`. */
  readonly productCode: string;
  readonly deviceName: string;
  readonly deviceClass: DeviceClass;
  /** 21 CFR section of the classification regulation (`870.5100`); null when there is none. */
  readonly regulationNumber: string | null;
  /** Two-letter medical specialty (regulation panel); null when empty (many class III codes). */
  readonly medicalSpecialty: string | null;
  /** Two-letter 510(k) review panel; null when empty. */
  readonly reviewPanel: string | null;
  /** Null when the file leaves SUBMISSION_TYPE_ID empty. */
  readonly submissionType: SubmissionType | null;
  readonly thirdPartyReviewEligible: ThirdPartyFlag;
  /** Exempt from the quality system (GMP) requirements of 21 CFR 820, with exceptions. */
  readonly gmpExempt: boolean;
  readonly implant: boolean;
  readonly lifeSustainSupport: boolean;
  /** Eligible for voluntary malfunction summary reporting; null when the file has no such column. */
  readonly summaryMalfunctionReporting: boolean | null;
  readonly expectedPathway: ExpectedPathway;
  /** 510(k) exempt (SUBMISSION_TYPE_ID 4). Enforcement discretion is not an exemption. */
  readonly exempt: boolean;
}

export interface ProductClassification {
  /** Number of product codes. */
  readonly size: number;
  /** Absolute path of the file that was read. */
  readonly source: string;
  /**
   * The entry for a product code, or undefined. Case-sensitive: FDA product codes are three
   * uppercase letters and the API schema only accepts that form, so `lox` is not `LOX`.
   */
  lookup(productCode: string): ProductClassificationEntry | undefined;
}

/** Header names by field. Matching ignores case and non-alphanumerics (`Implant_Flag` = `IMPLANTFLAG`). */
const COLUMNS = {
  reviewPanel: 'REVIEW_PANEL',
  medicalSpecialty: 'MEDICALSPECIALTY',
  productCode: 'PRODUCTCODE',
  deviceName: 'DEVICENAME',
  deviceClass: 'DEVICECLASS',
  gmpExempt: 'GMPEXEMPTFLAG',
  thirdParty: 'THIRDPARTYFLAG',
  regulationNumber: 'REGULATIONNUMBER',
  submissionTypeId: 'SUBMISSION_TYPE_ID',
  implant: 'Implant_Flag',
  lifeSustain: 'Life_Sustain_support_flag',
  summaryMalfunction: 'SummaryMalfunctionReporting',
} as const;
type Column = keyof typeof COLUMNS;
/** Older FDA files (17 fields) predate the summary malfunction reporting column. */
const OPTIONAL_COLUMNS: ReadonlySet<Column> = new Set(['summaryMalfunction']);

const DEVICE_CLASSES: ReadonlySet<string> = new Set(['1', '2', '3', 'U', 'N', 'F']);
const THIRD_PARTY_FLAGS: ReadonlySet<string> = new Set(['Y', 'N', 'P']);
const PRODUCT_CODE = /^[A-Z]{3}$/;

const normaliseHeader = (name: string): string => name.replace(/[^A-Za-z0-9]/g, '').toUpperCase();

/**
 * Windows-1252 characters for bytes 0x80-0x9F (the rest of the code page is Latin-1). Spelled out
 * because Node 20's `TextDecoder('windows-1252')` decodes as plain Latin-1 (0x93 -> U+0093, not
 * a curly quote). The five bytes Windows-1252 leaves undefined keep their C1 code point, as in
 * the WHATWG Encoding Standard.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * FDA publishes the file in Windows-1252 (curly quotes are bytes 0x93/0x94). A file that decodes
 * as strict UTF-8 is taken as UTF-8 (a re-saved or future file); anything else as Windows-1252.
 * Real Windows-1252 prose is practically never valid UTF-8, so the guess is safe. A UTF-8 BOM is
 * dropped.
 */
function decode(bytes: Buffer, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new Error(`${file}: UTF-16 text is not supported; save the file as UTF-8 or keep FDA's original encoding`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      throw new Error(`${file}: starts with a UTF-8 byte-order mark but is not valid UTF-8`);
    }
    return bytes.toString('latin1').replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
  }
}

/** The expected pathway is read from the submission type; the class only fills a gap (F = HDE). */
function derivePathway(deviceClass: DeviceClass, type: SubmissionType | null): ExpectedPathway {
  switch (type?.id) {
    case '1':
      return '510(k)';
    case '2':
      return 'PMA';
    case '4':
      return '510(k) exempt';
    case '6':
      return 'HDE';
    case '7':
      return 'enforcement discretion';
    default:
      // 3 (Contact ODE), 8 (emergency use, inferred), empty and undocumented ids: FDA decides.
      return deviceClass === 'F' ? 'HDE' : 'contact FDA';
  }
}

/** A row being parsed: its fields, where each column is, and where the row is for errors. */
interface Row {
  readonly fields: readonly string[];
  readonly at: Readonly<Record<Column, number>>;
  readonly where: string;
}

function field(row: Row, column: Column): string {
  const i = row.at[column];
  return i === -1 ? '' : (row.fields[i] ?? '').trim();
}

function badValue(row: Row, column: Column, expected: string): never {
  throw new Error(`${row.where}: ${COLUMNS[column]} is ${JSON.stringify(field(row, column))}, expected ${expected}`);
}

/** Y/N flags; empty (a dropped trailing field) counts as N. */
function yesNo(row: Row, column: Column): boolean {
  const v = field(row, column).toUpperCase();
  if (v === 'Y') return true;
  if (v === 'N' || v === '') return false;
  return badValue(row, column, 'Y or N');
}

function parseRow(row: Row): ProductClassificationEntry {
  const productCode = field(row, 'productCode');
  if (!PRODUCT_CODE.test(productCode)) badValue(row, 'productCode', 'three uppercase letters');
  const deviceClass = field(row, 'deviceClass').toUpperCase() as DeviceClass;
  if (!DEVICE_CLASSES.has(deviceClass)) badValue(row, 'deviceClass', 'one of 1, 2, 3, U, N, F');
  const thirdParty = (field(row, 'thirdParty').toUpperCase() || 'N') as ThirdPartyFlag;
  if (!THIRD_PARTY_FLAGS.has(thirdParty)) badValue(row, 'thirdParty', 'Y, N or P');

  const typeId = field(row, 'submissionTypeId');
  const submissionType =
    typeId === '' ? null : (SUBMISSION_TYPES[typeId] ?? Object.freeze({ id: typeId, label: `submission type ${typeId}`, confirmed: false }));

  let summaryMalfunctionReporting: boolean | null = null;
  if (row.at.summaryMalfunction !== -1) {
    const v = field(row, 'summaryMalfunction').toLowerCase();
    if (v === 'eligible') summaryMalfunctionReporting = true;
    else if (v === 'ineligible') summaryMalfunctionReporting = false;
    else if (v !== '') badValue(row, 'summaryMalfunction', 'Eligible or Ineligible');
  }

  return Object.freeze({
    productCode,
    deviceName: field(row, 'deviceName'),
    deviceClass,
    regulationNumber: field(row, 'regulationNumber') || null,
    medicalSpecialty: field(row, 'medicalSpecialty') || null,
    reviewPanel: field(row, 'reviewPanel') || null,
    submissionType,
    thirdPartyReviewEligible: thirdParty,
    gmpExempt: yesNo(row, 'gmpExempt'),
    implant: yesNo(row, 'implant'),
    lifeSustainSupport: yesNo(row, 'lifeSustain'),
    summaryMalfunctionReporting,
    expectedPathway: derivePathway(deviceClass, submissionType),
    exempt: submissionType?.id === '4',
  });
}

/**
 * Reads and parses an FDA product classification file (`foiclass.txt`), by default the copy
 * shipped in `reference-data/`. Columns are found by header name, so added or reordered columns
 * are fine; a missing required column, a malformed row, an unknown device class or flag value,
 * or a duplicate product code throws an Error naming the file and line. A relative `file` is
 * resolved against the current directory. Synchronous: meant to run once at start-up (about
 * 7,000 rows, a few tens of milliseconds).
 */
export function loadProductClassification(file: string = DEFAULT_PRODUCT_CLASSIFICATION_FILE): ProductClassification {
  const source = path.resolve(file);
  const lines = decode(fs.readFileSync(source), source).split('\n');
  const headerLine = lines[0]?.replace(/\r$/, '') ?? '';
  if (!headerLine.trim()) throw new Error(`${source}: empty file, expected a pipe-delimited header row`);

  const header = headerLine.split('|').map((h) => normaliseHeader(h.trim()));
  const at = {} as Record<Column, number>;
  const missing: string[] = [];
  for (const [column, name] of Object.entries(COLUMNS) as [Column, string][]) {
    const key = normaliseHeader(name);
    const first = header.indexOf(key);
    if (first !== header.lastIndexOf(key)) throw new Error(`${source}: column ${name} appears twice in the header`);
    if (first === -1 && !OPTIONAL_COLUMNS.has(column)) missing.push(name);
    at[column] = first;
  }
  if (missing.length) {
    throw new Error(`${source}: not an FDA product classification file: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }

  const entries = new Map<string, ProductClassificationEntry>();
  for (let i = 1; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (!line.trim()) continue;
    const where = `${source} line ${i + 1}`;
    const fields = line.split('|');
    // Rows may drop trailing empty fields, or carry extra empty ones; a non-empty extra field
    // means a stray pipe shifted the columns.
    if (fields.length > header.length && fields.slice(header.length).some((f) => f.trim() !== '')) {
      throw new Error(`${where}: ${fields.length} fields but the header has ${header.length}`);
    }
    const entry = parseRow({ fields, at, where });
    if (entries.has(entry.productCode)) throw new Error(`${where}: product code ${entry.productCode} appears twice`);
    entries.set(entry.productCode, entry);
  }
  if (entries.size === 0) throw new Error(`${source}: the header has no rows under it`);

  return Object.freeze({
    size: entries.size,
    source,
    lookup: (productCode: string) => entries.get(productCode),
  });
}

// ---------------------------------------------------------------------------------------------
// Pathway check

export type PathwayAssessment = { readonly ok: true; readonly warnings: string[] } | { readonly ok: false; readonly message: string; readonly detail: Message };

/** A refused pathway: the catalog message, and its English. */
function refused(detail: Message): PathwayAssessment {
  return { ok: false, message: english(detail), detail };
}

/** The workflows the check knows; any other id gets `{ ok: true, warnings: [] }`. */
export type PathwayWorkflowId = 'fda-510k' | 'fda-de-novo' | 'fda-pma' | 'fda-hde' | 'fda-presub' | 'fda-breakthrough' | 'cofepris-registration';

const CLASS_WORDS: Readonly<Record<DeviceClass, string>> = {
  '1': 'class I',
  '2': 'class II',
  '3': 'class III',
  U: 'unclassified',
  N: 'not classified',
  F: 'a humanitarian use device (HDE)',
};

/** `LOX (Catheters, Transluminal Coronary Angioplasty, Percutaneous)` */
const named = (e: ProductClassificationEntry): string => `${e.productCode} (${e.deviceName})`;

/** `class II (21 CFR 870.5100)` */
function classification(e: ProductClassificationEntry): string {
  return e.regulationNumber ? `${CLASS_WORDS[e.deviceClass]} (21 CFR ${e.regulationNumber})` : CLASS_WORDS[e.deviceClass];
}

/** How a sentence names the route FDA's file gives. */
const ROUTE: Readonly<Record<ExpectedPathway, string>> = {
  '510(k)': 'a 510(k)',
  '510(k) exempt': 'no premarket submission (510(k) exempt, within the limitations of the exemption)',
  PMA: 'a PMA',
  HDE: 'an HDE',
  'enforcement discretion': 'no premarket submission (FDA enforcement discretion)',
  'contact FDA': 'to be confirmed with FDA',
};

/** `FDA lists product code LOX (...) as class II (21 CFR 870.5100), with 510(k) as its premarket pathway` */
function listing(e: ProductClassificationEntry): string {
  const what = `FDA lists product code ${named(e)} as ${classification(e)}`;
  switch (e.expectedPathway) {
    case '510(k) exempt':
      return `${what}, 510(k) exempt`;
    case 'enforcement discretion':
      return `${what}, under enforcement discretion`;
    case 'contact FDA':
      return `${what}, with no fixed premarket pathway`;
    default:
      return `${what}, with ${e.expectedPathway} as its premarket pathway`;
  }
}

/**
 * 21 CFR 8xx.9 ("Limitations of exemptions from section 510(k)") of the regulation's part, for
 * the device classification parts 862-892.
 */
function exemptionLimits(e: ProductClassificationEntry): string {
  const part = e.regulationNumber ? Number(e.regulationNumber.split('.')[0]) : NaN;
  return part >= 862 && part <= 892 ? `21 CFR ${part}.9` : 'the classification regulation';
}

/** Why FDA's file gives no fixed pathway, for a `contact FDA` entry. */
function unsettled(e: ProductClassificationEntry): string {
  if (e.submissionType === null) {
    return `FDA's product classification lists product code ${named(e)} as ${classification(e)}, with no premarket submission type; it may not be regulated as a medical device. Confirm with FDA before submitting`;
  }
  if (e.submissionType.id === '3') {
    return `FDA's product classification lists product code ${named(e)} as ${classification(e)}, with no fixed premarket pathway, and says to contact FDA's Office of Device Evaluation. Confirm the pathway with FDA, for example in a Pre-Submission`;
  }
  return `FDA's product classification lists product code ${named(e)} as ${classification(e)}, with submission type "${e.submissionType.label}", which does not settle the premarket pathway. Confirm the pathway with FDA`;
}

function assess510k(e: ProductClassificationEntry): PathwayAssessment {
  // A 510(k) shows substantial equivalence to a predicate; it cannot clear a device type FDA
  // has put on PMA (FD&C Act 513(a)(1)(C), 515) or that exists only as a humanitarian use device.
  if (e.expectedPathway === 'PMA') {
    return refused({ code: 'classification.pma_only', params: { product: named(e), classification: classification(e) } });
  }
  if (e.deviceClass === 'F') {
    return refused({ code: 'classification.hde_only', params: { product: named(e) } });
  }
  const warnings: string[] = [];
  switch (e.expectedPathway) {
    case '510(k) exempt':
      warnings.push(
        `Product code ${named(e)} is ${classification(e)} and 510(k) exempt: a 510(k) is only needed if the device exceeds the limitations of the exemption in ${exemptionLimits(e)}.`,
      );
      break;
    case 'enforcement discretion':
      warnings.push(
        `${listing(e)}: a 510(k) is generally not expected when the device meets the conditions FDA set for this product code. Confirm before submitting.`,
      );
      break;
    case 'HDE':
      warnings.push(`${listing(e)}: a 510(k) is unlikely to be the right submission. Confirm the pathway with FDA.`);
      break;
    case 'contact FDA':
      warnings.push(`${unsettled(e)}.`);
      break;
    case '510(k)':
      if (e.deviceClass === '3') {
        warnings.push(
          `Product code ${named(e)} is ${classification(e)} but FDA still lists 510(k) as its pathway: class III types cleared by 510(k) are usually pre-amendment types for which FDA has not yet required a PMA. Check the classification regulation for a PMA requirement.`,
        );
      }
      break;
  }
  return { ok: true, warnings };
}

function assessDeNovo(e: ProductClassificationEntry): PathwayAssessment {
  // FD&C Act 513(f)(2): De Novo is for a low- to moderate-risk device type that has not been
  // classified yet; an existing product code with a pathway means the type is already placed.
  switch (e.expectedPathway) {
    case 'contact FDA':
      return { ok: true, warnings: [] };
    case 'PMA':
    case 'HDE':
      return {
        ok: true,
        warnings: [
          `${listing(e)}. A De Novo request is for a low- to moderate-risk device type that has not been classified yet; if the device fits this product code, the expected route is ${ROUTE[e.expectedPathway]}.`,
        ],
      };
    default:
      return {
        ok: true,
        warnings: [
          `${listing(e)}. A De Novo request is for a new device type with no legally marketed predicate; if the device fits this product code, the expected route is ${ROUTE[e.expectedPathway]}.`,
        ],
      };
  }
}

function assessPma(e: ProductClassificationEntry): PathwayAssessment {
  if (e.expectedPathway === '510(k)' || e.expectedPathway === '510(k) exempt' || e.expectedPathway === 'enforcement discretion') {
    return {
      ok: true,
      warnings: [
        `${listing(e)}: a PMA is not normally required for this device type. Check the product code; a new intended use or technology may belong to a different one.`,
      ],
    };
  }
  return { ok: true, warnings: [] };
}

function assessHde(e: ProductClassificationEntry): PathwayAssessment {
  // An HDE is only for a humanitarian use device with no comparable legally marketed device.
  if (e.expectedPathway === '510(k)' || e.expectedPathway === '510(k) exempt' || e.expectedPathway === 'enforcement discretion') {
    return {
      ok: true,
      warnings: [
        `${listing(e)}: an HDE requires that no comparable device is legally marketed, and devices of this type reach the market without one. Check the product code.`,
      ],
    };
  }
  return { ok: true, warnings: [] };
}

function assessBreakthrough(e: ProductClassificationEntry): PathwayAssessment {
  // The Breakthrough Devices Program covers devices reviewed through PMA, 510(k) or De Novo.
  if (e.expectedPathway === '510(k) exempt' || e.expectedPathway === 'enforcement discretion') {
    return {
      ok: true,
      warnings: [
        `${listing(e)}: the Breakthrough Devices Program is for devices that go through PMA, 510(k) or De Novo review, so a designation may not apply.`,
      ],
    };
  }
  return { ok: true, warnings: [] };
}

/**
 * Whether a submission of `workflowId` fits a device of this product code, per FDA's product
 * classification. Pure. Refuses only where FDA's file rules the workflow out (a 510(k) for a PMA
 * or HDE product code); everything else that looks unusual is a warning for a regulatory
 * affairs reader. Pre-Sub and COFEPRIS registration never get warnings from the product code.
 */
export function assessPathway(workflowId: PathwayWorkflowId | (string & {}), entry: ProductClassificationEntry): PathwayAssessment {
  switch (workflowId) {
    case 'fda-510k':
      return assess510k(entry);
    case 'fda-de-novo':
      return assessDeNovo(entry);
    case 'fda-pma':
      return assessPma(entry);
    case 'fda-hde':
      return assessHde(entry);
    case 'fda-breakthrough':
      return assessBreakthrough(entry);
    default:
      // fda-presub: a Pre-Sub is how a sponsor asks FDA about the pathway. cofepris-registration:
      // COFEPRIS classes are its own; FDA's product code says nothing about them.
      return { ok: true, warnings: [] };
  }
}

/**
 * `assessPathway` for a create-submission body: looks the code up, and turns a code missing
 * from the table into a warning (FDA adds codes every week, and a De Novo grant creates one, so
 * a snapshot can lag). Returns the warnings; throws an `InputError` pointing at
 * `/device/productCode` when the workflow is refused. No product code: no check.
 */
export function checkProductCode(
  table: ProductClassification,
  workflowId: string,
  productCode: string | undefined,
  input: Readonly<Record<string, unknown>> = {},
): string[] {
  if (productCode === undefined) return [];
  const entry = table.lookup(productCode);
  // Issue 9 §3: the 510(k) Third Party Review program takes only the product codes FDA's file
  // flags eligible (THIRDPARTYFLAG Y); the file cannot say for a code it does not list.
  if (workflowId === 'fda-510k' && input.thirdPartyReview === true && entry && entry.thirdPartyReviewEligible !== 'Y') {
    const detail = { code: 'classification.third_party_ineligible', params: { product: named(entry) } } as const;
    throw new InputError(detail, [fieldError('/input/thirdPartyReview', detail)]);
  }
  if (!entry) {
    return [
      `Product code ${productCode} is not in the FDA product classification file this server uses (${table.size} codes). Check the code; a code FDA created after the file was downloaded is also missing until the file is updated.`,
    ];
  }
  const result = assessPathway(workflowId, entry);
  if (!result.ok) throw new InputError(result.detail, [fieldError(PRODUCT_CODE_POINTER, result.detail)]);
  return result.warnings;
}
