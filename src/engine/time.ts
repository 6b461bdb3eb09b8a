/**
 * Regulatory dates. Letters are dated in the regulator's time zone (America/New_York for FDA,
 * America/Mexico_City for COFEPRIS), so a bare `YYYY-MM-DD` means the start of that day there,
 * and a deadline is a calendar date there too. Mexican business days skip weekends and the
 * non-working days of a versioned calendar file (`reference-data/mx-calendar.json`: the Ley
 * Federal del Trabajo art. 74 holidays of the years it covers and the DOF-published SSA/COFEPRIS
 * non-working periods, issue 9 §5), plus configurable extra non-working days. Outside the years
 * the file covers, the LFT art. 74 rule in code applies. A calendar names itself
 * ({@link CalendarStamp}: the file's version and a SHA-256 of what it counted), and a due date
 * computed under it records that name.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(instant: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

const DAY_MS = 86_400_000;

/** A zone's UTC offset (ms) at an instant, from the wall-clock time Intl reports there. */
function offsetAt(t: number, timeZone: string): number {
  const p = parts(new Date(t), timeZone);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(t / 1000) * 1000;
}

/**
 * Per zone, per UTC day: the zone's offset that whole day, or null on a day when it changes
 * (a DST switch). Intl is slow (clocks read a date off every history row), so each day asks it
 * twice, once; a changing day always asks it.
 */
const dayOffsets = new Map<string, Map<number, number | null>>();
const MAX_CACHED_DAYS = 200_000;

/** The calendar date (`YYYY-MM-DD`) of an instant in a time zone. */
export function dateIn(instant: Date, timeZone: string): string {
  const t = instant.getTime();
  const day = Math.floor(t / DAY_MS);
  let days = dayOffsets.get(timeZone);
  if (!days) dayOffsets.set(timeZone, (days = new Map<number, number | null>()));
  let offset = days.get(day);
  if (offset === undefined) {
    const first = offsetAt(day * DAY_MS, timeZone);
    offset = first === offsetAt(day * DAY_MS + DAY_MS - 1000, timeZone) ? first : null;
    if (days.size >= MAX_CACHED_DAYS) days.clear();
    days.set(day, offset);
  }
  if (offset !== null) {
    const local = new Date(t + offset).toISOString();
    if (local.length === 24) return local.slice(0, 10); // years 0000-9999
  }
  const p = parts(instant, timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The instant a calendar day starts in a time zone (handles DST and historical offsets). */
export function startOfDayIn(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  let guess = Date.UTC(y, m - 1, d);
  // Two rounds converge for every real zone: correct by the offset observed at the guess.
  for (let i = 0; i < 2; i++) {
    const p = parts(new Date(guess), timeZone);
    const asUtc = Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second);
    guess -= asUtc - Date.UTC(y, m - 1, d);
  }
  return new Date(guess);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Normalises an `effectiveAt` value (RFC 3339 date-time with offset, or a bare date meaning the
 * start of that day in `timeZone`) to an ISO UTC instant; null when it is not a real date.
 */
export function parseEffectiveAt(value: string, timeZone: string): Date | null {
  if (DATE_ONLY.test(value)) {
    if (!isRealDate(value)) return null;
    return startOfDayIn(value, timeZone);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) return null;
  if (!isRealDate(value.slice(0, 10))) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function isRealDate(date: string): boolean {
  if (!DATE_ONLY.test(date)) return false;
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export function addCalendarDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** The n-th Monday of a month, as `YYYY-MM-DD`. */
function nthMonday(year: number, month: number, n: number): string {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const day = 1 + ((8 - first) % 7) + (n - 1) * 7;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Ley Federal del Trabajo art. 74 holidays of a year: Jan 1; first Monday of February; third
 * Monday of March; May 1; Sep 16; third Monday of November; Dec 25; Oct 1 of federal
 * inauguration years (every six years from 2024).
 */
export function mexicanHolidays(year: number): string[] {
  const days = [`${year}-01-01`, nthMonday(year, 2, 1), nthMonday(year, 3, 3), `${year}-05-01`, `${year}-09-16`, nthMonday(year, 11, 3), `${year}-12-25`];
  if (year >= 2024 && (year - 2024) % 6 === 0) days.push(`${year}-10-01`);
  return days;
}

/** Which calendar a Mexican business-day count was made under: the file's version and a SHA-256 of what it counted. */
export interface CalendarStamp {
  readonly version: string;
  readonly sha256: string;
}

/** One entry of the calendar file: a day or a range of days, with its legal basis and when it was added. */
export interface CalendarFileEntry {
  readonly date?: string;
  readonly from?: string;
  readonly to?: string;
  /** The legal basis: `LFT art. 74 ...`, or the DOF date and title of the acuerdo. */
  readonly basis: string;
  /** When the entry was added to the file (`YYYY-MM-DD`). */
  readonly added: string;
  /** What is not confirmed about the entry (it still counts as non-working). */
  readonly unconfirmed?: string;
}

/** The calendar file (`reference-data/mx-calendar.json`, or `MX_CALENDAR_FILE`). */
export interface CalendarFile {
  readonly version: string;
  /** The years whose non-working days the file lists in full (inclusive); other years use the LFT rule in code. */
  readonly coverage: { readonly from: number; readonly to: number };
  readonly days: readonly CalendarFileEntry[];
}

/** The calendar shipped with puente. */
export const DEFAULT_MX_CALENDAR_FILE = fileURLToPath(new URL('../../reference-data/mx-calendar.json', import.meta.url));

/** The built-in rule's version name (no file: LFT art. 74 in code, plus any extra days). */
export const LFT_RULE_VERSION = 'lft-art-74';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Parses and checks a calendar file's text: a version, the covered years, and entries that each
 * have a real date (or a `from` <= `to` range), a basis and an `added` date. Throws an Error
 * saying what is wrong.
 */
export function parseCalendarFile(text: string): CalendarFile {
  const data = JSON.parse(text) as Partial<CalendarFile> | null;
  if (!data || typeof data !== 'object') throw new Error('not a JSON object');
  if (typeof data.version !== 'string' || !/^[\w.-]{1,48}$/.test(data.version)) throw new Error('/version: 1-48 letters, digits, dots, dashes');
  const cov = data.coverage;
  if (!cov || !Number.isInteger(cov.from) || !Number.isInteger(cov.to) || cov.from > cov.to) throw new Error('/coverage: { from, to } years are required');
  if (!Array.isArray(data.days)) throw new Error('/days: an array is required');
  data.days.forEach((e: Partial<CalendarFileEntry>, i) => {
    const at = `/days/${i}`;
    if (typeof e !== 'object' || e === null) throw new Error(`${at}: an object is required`);
    if (typeof e.basis !== 'string' || !e.basis.trim()) throw new Error(`${at}/basis: a legal basis is required`);
    if (typeof e.added !== 'string' || !isRealDate(e.added)) throw new Error(`${at}/added: a date is required`);
    if (e.date !== undefined) {
      if (typeof e.date !== 'string' || !isRealDate(e.date) || e.from !== undefined || e.to !== undefined)
        throw new Error(`${at}/date: one real date, or from/to`);
    } else if (typeof e.from !== 'string' || typeof e.to !== 'string' || !isRealDate(e.from) || !isRealDate(e.to) || e.from > e.to) {
      throw new Error(`${at}: a date, or a from/to range of real dates`);
    }
  });
  return data as CalendarFile;
}

/** Every date of an entry. */
export function entryDates(e: CalendarFileEntry): string[] {
  if (e.date) return [e.date];
  const out: string[] = [];
  for (let d = e.from!; d <= e.to!; d = addCalendarDays(d, 1)) out.push(d);
  return out;
}

/**
 * The calendar of a file (`file`, the shipped one by default) plus extra non-working days
 * (`MX_NON_WORKING_DAYS_FILE`). Throws when the file cannot be read or is not a calendar.
 */
export function loadMexicanCalendar(file: string = DEFAULT_MX_CALENDAR_FILE, extraNonWorkingDays: readonly string[] = []): MexicanCalendar {
  const text = fs.readFileSync(file, 'utf8');
  let parsed: CalendarFile;
  try {
    parsed = parseCalendarFile(text);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
  }
  return new MexicanCalendar(extraNonWorkingDays, { file: parsed, sha256: sha256(text) });
}

/**
 * A Mexican business-day calendar: weekends, the non-working days of a calendar file for the
 * years it covers (LFT art. 74 in code for other years, or for every year without a file), and
 * extra non-working days.
 */
export class MexicanCalendar {
  private readonly cache = new Map<number, Set<string>>();
  private readonly listed = new Map<number, string[]>();
  /** What due dates computed under this calendar record. */
  readonly stamp: CalendarStamp;
  private readonly coverage: { from: number; to: number } | null;

  constructor(
    private readonly extraNonWorkingDays: readonly string[] = [],
    source?: { readonly file: CalendarFile; readonly sha256: string },
  ) {
    const extra = [...new Set(extraNonWorkingDays)].sort();
    if (source) {
      this.coverage = { from: source.file.coverage.from, to: source.file.coverage.to };
      for (const e of source.file.days) {
        for (const d of entryDates(e)) {
          const y = Number(d.slice(0, 4));
          let list = this.listed.get(y);
          if (!list) this.listed.set(y, (list = []));
          list.push(d);
        }
      }
      this.stamp = extra.length
        ? { version: `${source.file.version}+local`, sha256: sha256(`${source.sha256}\n${JSON.stringify(extra)}`) }
        : { version: source.file.version, sha256: source.sha256 };
    } else {
      this.coverage = null;
      this.stamp = {
        version: extra.length ? `${LFT_RULE_VERSION}+local` : LFT_RULE_VERSION,
        sha256: sha256(JSON.stringify({ rule: LFT_RULE_VERSION, extra })),
      };
    }
  }

  /** True when `other` is the same calendar (same version and content). */
  sameAs(other: CalendarStamp | null | undefined): boolean {
    return !!other && other.version === this.stamp.version && other.sha256 === this.stamp.sha256;
  }

  isBusinessDay(date: string): boolean {
    const wd = weekday(date);
    if (wd === 0 || wd === 6) return false;
    const year = Number(date.slice(0, 4));
    let set = this.cache.get(year);
    if (!set) {
      const covered = this.coverage !== null && year >= this.coverage.from && year <= this.coverage.to;
      const base = covered ? (this.listed.get(year) ?? []) : mexicanHolidays(year);
      // A range listed in a covered year may run into the next one (19 Dec - 3 Jan).
      const spill = covered ? [] : (this.listed.get(year) ?? []);
      set = new Set([...base, ...spill, ...this.extraNonWorkingDays.filter((d) => d.startsWith(`${year}-`))]);
      this.cache.set(year, set);
    }
    return !set.has(date);
  }

  /**
   * The date `n` business days after `date` (the start date itself does not count); a negative
   * `n` counts back the same way.
   */
  addBusinessDays(date: string, n: number): string {
    const step = n < 0 ? -1 : 1;
    let d = date;
    let left = Math.abs(n);
    while (left > 0) {
      d = addCalendarDays(d, step);
      if (this.isBusinessDay(d)) left--;
    }
    return d;
  }
}
