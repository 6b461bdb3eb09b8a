/**
 * Regulatory dates (DESIGN §7): Mexican holidays and business days, start of a calendar day in a
 * regulator's time zone (DST), and `effectiveAt` parsing. Expected values are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { MexicanCalendar, addCalendarDays, dateIn, isRealDate, mexicanHolidays, parseEffectiveAt, startOfDayIn } from '../../src/engine/time.js';

const NY = 'America/New_York';
const MX = 'America/Mexico_City';

describe('mexicanHolidays (LFT art. 74)', () => {
  it('2026: Jan 1, first Monday of Feb, third Monday of Mar, May 1, Sep 16, third Monday of Nov, Dec 25', () => {
    expect([...mexicanHolidays(2026)].sort()).toEqual(['2026-01-01', '2026-02-02', '2026-03-16', '2026-05-01', '2026-09-16', '2026-11-16', '2026-12-25']);
  });

  it('2025: the movable Mondays fall on Feb 3, Mar 17 and Nov 17; no Oct 1', () => {
    expect([...mexicanHolidays(2025)].sort()).toEqual(['2025-01-01', '2025-02-03', '2025-03-17', '2025-05-01', '2025-09-16', '2025-11-17', '2025-12-25']);
  });

  it('Oct 1 is a holiday only in federal inauguration years (2024, 2030, ...)', () => {
    expect(mexicanHolidays(2024)).toContain('2024-10-01');
    expect(mexicanHolidays(2030)).toContain('2030-10-01');
    expect(mexicanHolidays(2025)).not.toContain('2025-10-01');
    expect(mexicanHolidays(2026)).not.toContain('2026-10-01');
    expect(mexicanHolidays(2027)).not.toContain('2027-10-01');
  });

  it('2024 has eight holidays, with the movable Mondays on Feb 5, Mar 18 and Nov 18', () => {
    expect([...mexicanHolidays(2024)].sort()).toEqual([
      '2024-01-01',
      '2024-02-05',
      '2024-03-18',
      '2024-05-01',
      '2024-09-16',
      '2024-10-01',
      '2024-11-18',
      '2024-12-25',
    ]);
  });
});

describe('MexicanCalendar', () => {
  const cal = new MexicanCalendar();

  it('weekends and holidays are not business days', () => {
    expect(cal.isBusinessDay('2026-03-13')).toBe(true); // Friday
    expect(cal.isBusinessDay('2026-03-14')).toBe(false); // Saturday
    expect(cal.isBusinessDay('2026-03-15')).toBe(false); // Sunday
    expect(cal.isBusinessDay('2026-03-16')).toBe(false); // Benito Juárez (third Monday of March)
    expect(cal.isBusinessDay('2026-03-17')).toBe(true);
    expect(cal.isBusinessDay('2026-09-16')).toBe(false); // Wednesday, Independence Day
  });

  it('adds business days across a weekend (the start day does not count)', () => {
    expect(cal.addBusinessDays('2026-01-09', 1)).toBe('2026-01-12'); // Fri -> Mon
    expect(cal.addBusinessDays('2026-01-09', 5)).toBe('2026-01-16');
    expect(cal.addBusinessDays('2026-01-10', 1)).toBe('2026-01-12'); // from a Saturday
    expect(cal.addBusinessDays('2026-01-12', 0)).toBe('2026-01-12');
  });

  it('skips a holiday Monday: Fri 2026-03-13 + 1 is Tue 2026-03-17, + 5 is Mon 2026-03-23', () => {
    expect(cal.addBusinessDays('2026-03-13', 1)).toBe('2026-03-17');
    expect(cal.addBusinessDays('2026-03-13', 5)).toBe('2026-03-23');
  });

  it('skips a holiday Friday and crosses the year end', () => {
    expect(cal.addBusinessDays('2026-04-30', 1)).toBe('2026-05-04'); // May 1 is a Friday
    expect(cal.addBusinessDays('2025-12-31', 1)).toBe('2026-01-02'); // Jan 1 is a Thursday
  });

  it('honours extra non-working days, in any year', () => {
    const withClosures = new MexicanCalendar(['2026-03-17', '2026-03-18', '2027-01-04']);
    expect(withClosures.isBusinessDay('2026-03-17')).toBe(false);
    expect(withClosures.addBusinessDays('2026-03-13', 1)).toBe('2026-03-19');
    expect(withClosures.addBusinessDays('2026-12-31', 1)).toBe('2027-01-05'); // Jan 1 holiday, weekend, Jan 4 closed
    // The default calendar is not affected by another instance's extra days.
    expect(cal.addBusinessDays('2026-12-31', 1)).toBe('2027-01-04');
  });
});

describe('startOfDayIn', () => {
  it('is midnight EST before the DST switch and midnight EDT after it (America/New_York)', () => {
    expect(startOfDayIn('2026-03-08', NY).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfDayIn('2026-03-09', NY).toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });

  it('handles the autumn switch (2026-11-01 starts in EDT, 2026-11-02 in EST)', () => {
    expect(startOfDayIn('2026-11-01', NY).toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(startOfDayIn('2026-11-02', NY).toISOString()).toBe('2026-11-02T05:00:00.000Z');
  });

  it('uses UTC-6 all year in Mexico City (no DST since 2022)', () => {
    expect(startOfDayIn('2026-01-15', MX).toISOString()).toBe('2026-01-15T06:00:00.000Z');
    expect(startOfDayIn('2026-06-15', MX).toISOString()).toBe('2026-06-15T06:00:00.000Z');
  });
});

describe('dateIn', () => {
  it('is the calendar date of an instant in the given zone', () => {
    const instant = new Date('2026-01-05T03:00:00Z');
    expect(dateIn(instant, NY)).toBe('2026-01-04');
    expect(dateIn(instant, 'UTC')).toBe('2026-01-05');
    expect(dateIn(new Date('2026-01-05T05:59:59Z'), MX)).toBe('2026-01-04');
    expect(dateIn(new Date('2026-01-05T06:00:00Z'), MX)).toBe('2026-01-05');
  });

  it('round-trips with startOfDayIn, including DST days', () => {
    for (const d of ['2026-03-08', '2026-03-09', '2026-11-01', '2024-02-29', '2026-12-31']) {
      expect(dateIn(startOfDayIn(d, NY), NY)).toBe(d);
      expect(dateIn(startOfDayIn(d, MX), MX)).toBe(d);
    }
  });
});

describe('parseEffectiveAt', () => {
  it('reads a bare date as the start of that day in the zone', () => {
    expect(parseEffectiveAt('2026-01-05', NY)?.toISOString()).toBe('2026-01-05T05:00:00.000Z');
    expect(parseEffectiveAt('2026-01-05', MX)?.toISOString()).toBe('2026-01-05T06:00:00.000Z');
  });

  it('reads an RFC 3339 date-time with an offset as that instant', () => {
    expect(parseEffectiveAt('2026-01-05T10:00:00-05:00', NY)?.toISOString()).toBe('2026-01-05T15:00:00.000Z');
    expect(parseEffectiveAt('2026-01-05T10:00:00-05:00', MX)?.toISOString()).toBe('2026-01-05T15:00:00.000Z');
    expect(parseEffectiveAt('2026-01-05T10:00:00Z', NY)?.toISOString()).toBe('2026-01-05T10:00:00.000Z');
  });

  it.each(['2026-02-30', '2026-13-01', '2026-01-05T10:00:00', '2026-02-30T10:00:00Z', 'yesterday', '', '2026-1-5'])('rejects %j', (value) => {
    expect(parseEffectiveAt(value, NY)).toBeNull();
  });
});

describe('calendar helpers', () => {
  it('isRealDate knows month lengths and leap years', () => {
    expect(isRealDate('2024-02-29')).toBe(true);
    expect(isRealDate('2025-02-29')).toBe(false);
    expect(isRealDate('2026-04-31')).toBe(false);
    expect(isRealDate('2026-04-30')).toBe(true);
  });

  it('addCalendarDays crosses month and year ends', () => {
    expect(addCalendarDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addCalendarDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addCalendarDays('2026-01-05', 180)).toBe('2026-07-04');
    expect(addCalendarDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('dateIn (cached per-day offsets) agrees with Intl everywhere', () => {
  it('every 7 hours from 2000 to 2031, in zones with DST, half-hour and 45-minute offsets', () => {
    const zones = [
      'America/New_York',
      'America/Mexico_City',
      'UTC',
      'Europe/London',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
      'America/St_Johns',
      'Asia/Kathmandu',
    ];
    const bad: string[] = [];
    for (const zone of zones) {
      // An independent formatter (US order, reassembled) as the reference.
      const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
      for (let t = Date.UTC(2000, 0, 1); t < Date.UTC(2031, 0, 1); t += 7 * 3_600_000 + 61_000) {
        const [m, d, y] = f.format(new Date(t)).split('/');
        const got = dateIn(new Date(t), zone);
        if (got !== `${y}-${m}-${d}`) bad.push(`${zone} ${new Date(t).toISOString()}: ${got}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the hour around a DST switch: 2026-03-08 and 2026-11-01 in New York', () => {
    expect(dateIn(new Date('2026-03-08T04:59:59Z'), 'America/New_York')).toBe('2026-03-07');
    expect(dateIn(new Date('2026-03-08T05:00:00Z'), 'America/New_York')).toBe('2026-03-08');
    expect(dateIn(new Date('2026-11-01T03:59:59Z'), 'America/New_York')).toBe('2026-10-31');
    expect(dateIn(new Date('2026-11-01T04:00:00Z'), 'America/New_York')).toBe('2026-11-01');
    expect(dateIn(new Date('2026-11-02T04:59:59Z'), 'America/New_York')).toBe('2026-11-01');
    expect(dateIn(new Date('2026-11-02T05:00:00Z'), 'America/New_York')).toBe('2026-11-02');
  });
});
