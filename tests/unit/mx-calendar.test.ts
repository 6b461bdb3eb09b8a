/**
 * The shipped Mexican calendar (issue 9 §5, DESIGN §7): reference-data/mx-calendar.json parses,
 * every entry has a legal basis and an `added` date, the covered years list exactly the LFT art.
 * 74 holidays the rule in code gives (plus DOF periods), the DOF of 9 Dec 2024 period is
 * non-working, and a calendar's stamp names its content (a changed file is another calendar).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  DEFAULT_MX_CALENDAR_FILE,
  LFT_RULE_VERSION,
  MexicanCalendar,
  entryDates,
  loadMexicanCalendar,
  mexicanHolidays,
  parseCalendarFile,
} from '../../src/engine/time.js';

const text = fs.readFileSync(DEFAULT_MX_CALENDAR_FILE, 'utf8');
const file = parseCalendarFile(text);

describe('reference-data/mx-calendar.json', () => {
  it('parses, has a version and covers 2020-2035', () => {
    expect(file.version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(file.coverage).toEqual({ from: 2020, to: 2035 });
  });

  it('every entry has a legal basis (LFT art. 74 or a DOF acuerdo) and the date it was added', () => {
    for (const e of file.days) {
      expect(e.basis).toMatch(/^(LFT art\. 74 fr\. [IVX]+|DOF \d{2}\/\d{2}\/\d{4}, )/);
      expect(e.added).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('lists, for each covered year, exactly the LFT art. 74 holidays of the rule', () => {
    for (let y = file.coverage.from; y <= file.coverage.to; y++) {
      const lft = file.days.filter((e) => e.basis.startsWith('LFT') && e.date!.startsWith(`${y}-`)).map((e) => e.date);
      expect(lft.sort(), String(y)).toEqual([...mexicanHolidays(y)].sort());
    }
  });

  it('holds the DOF of 9 December 2024 period (19 Dec 2024 - 3 Jan 2025) with its citation', () => {
    const e = file.days.find((d) => d.from === '2024-12-19');
    expect(e).toMatchObject({ to: '2025-01-03' });
    expect(e!.basis).toContain('DOF 09/12/2024');
    expect(entryDates(e!)).toHaveLength(16);
  });

  it('keeps what it could not confirm out of the counted days, saying what is unknown', () => {
    const notes = (JSON.parse(text) as { unconfirmed: Array<{ what: string; unknown: string }> }).unconfirmed;
    expect(notes.length).toBeGreaterThan(0);
    for (const n of notes) expect(n.unknown.length).toBeGreaterThan(0);
  });
});

describe('the shipped calendar', () => {
  const cal = loadMexicanCalendar();

  it('19 Dec 2024 - 3 Jan 2025 is non-working; the days around it are not', () => {
    for (let d = '2024-12-19'; d <= '2025-01-03'; d = new Date(Date.parse(d) + 86_400_000).toISOString().slice(0, 10)) {
      expect(cal.isBusinessDay(d), d).toBe(false);
    }
    expect(cal.isBusinessDay('2024-12-18')).toBe(true); // Wednesday
    expect(cal.isBusinessDay('2025-01-06')).toBe(true); // Monday
    // Wed 18 Dec 2024 + 1 business day: Mon 6 Jan 2025 (the rule alone says Thu 19 Dec).
    expect(cal.addBusinessDays('2024-12-18', 1)).toBe('2025-01-06');
    expect(new MexicanCalendar().addBusinessDays('2024-12-18', 1)).toBe('2024-12-19');
  });

  it('LFT art. 74 holidays: 2024 (Feb 5, Mar 18, Oct 1, Nov 18), 2027 and 2030 (Oct 1), outside coverage by the rule', () => {
    for (const d of ['2024-02-05', '2024-03-18', '2024-10-01', '2024-11-18', '2027-02-01', '2027-03-15', '2027-11-15', '2030-10-01']) {
      expect(cal.isBusinessDay(d), d).toBe(false);
    }
    expect(cal.isBusinessDay('2025-10-01')).toBe(true);
    // 2040 is outside the file's years: the rule in code (Feb 6 2040 is the first Monday).
    expect(cal.isBusinessDay('2040-02-06')).toBe(false);
    // The 2017 DOF period lies before the covered years and still counts.
    expect(cal.isBusinessDay('2017-09-20')).toBe(false);
  });

  it('is stamped with the file version and the SHA-256 of its bytes; extra days make another stamp', () => {
    expect(cal.stamp.version).toBe(file.version);
    expect(cal.stamp.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loadMexicanCalendar().sameAs(cal.stamp)).toBe(true);
    const local = loadMexicanCalendar(DEFAULT_MX_CALENDAR_FILE, ['2026-03-17']);
    expect(local.stamp.version).toBe(`${file.version}+local`);
    expect(local.sameAs(cal.stamp)).toBe(false);
    expect(new MexicanCalendar().stamp.version).toBe(LFT_RULE_VERSION);
  });

  it('a file with one more non-working day is another calendar; a malformed file is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mx-cal-'));
    const b = { ...file, days: [...file.days, { date: '2026-03-17', basis: 'DOF 01/03/2026, test acuerdo', added: '2026-12-07' }] };
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify(b));
    const calB = loadMexicanCalendar(path.join(dir, 'b.json'));
    expect(calB.sameAs(cal.stamp)).toBe(false);
    expect(calB.isBusinessDay('2026-03-17')).toBe(false);
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ ...file, days: [{ date: '2026-03-17', added: '2026-12-07' }] }));
    expect(() => loadMexicanCalendar(path.join(dir, 'c.json'))).toThrow(/\/days\/0\/basis/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('MX_CALENDAR_FILE', () => {
  it("names an operator's calendar file; one that is not a calendar stops the start", () => {
    expect(loadConfig({}).mxCalendarFile).toBeUndefined();
    expect(loadConfig({ MX_CALENDAR_FILE: DEFAULT_MX_CALENDAR_FILE }).mxCalendarFile).toBe(DEFAULT_MX_CALENDAR_FILE);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mx-cal-'));
    fs.writeFileSync(
      path.join(dir, 'bad.json'),
      JSON.stringify({ version: 'x', coverage: { from: 2020, to: 2020 }, days: [{ from: '2026-01-05', to: '2026-01-02', basis: 'b', added: '2026-12-07' }] }),
    );
    expect(() => loadConfig({ MX_CALENDAR_FILE: path.join(dir, 'bad.json') })).toThrow(/MX_CALENDAR_FILE: .*\/days\/0/);
    expect(() => loadConfig({ MX_CALENDAR_FILE: path.join(dir, 'missing.json') })).toThrow(/MX_CALENDAR_FILE/);
    fs.rmSync(dir, { recursive: true });
  });
});
