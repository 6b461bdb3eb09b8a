/**
 * A small RFC 5545 writer: just what a published calendar of all-day events with alarms needs.
 * Lines end in CRLF (§3.1), are folded at 75 octets without splitting a UTF-8 sequence (§3.1),
 * and TEXT values escape backslash, semicolon, comma and newlines (§3.3.11). Tests read the
 * output back with ical.js, a maintained parser (tests/http/calendar-feed.test.ts).
 */

/** An all-day event (`DTSTART;VALUE=DATE`), with an optional display alarm days before it. */
export interface IcsEvent {
  /** Globally unique and stable across publications: a client updates the event it already has (§3.8.4.7). */
  readonly uid: string;
  /** Revision number: higher whenever the event changed (§3.8.7.4). */
  readonly sequence: number;
  /** When the information was last revised (`YYYY-MM-DDTHH:MM:SS...Z`): DTSTAMP of an object without METHOD (§3.8.7.2). */
  readonly revisedAt: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly summary: string;
  readonly description: string;
  readonly url: string;
  readonly categories?: readonly string[];
  /** Days before `date` a display alarm fires (e.g. 7); none when absent. */
  readonly alarmDaysBefore?: number;
  readonly alarmText?: string;
}

export interface IcsCalendar {
  readonly name: string;
  readonly description?: string;
  /** The events, each as {@link renderEvents} wrote it (a calendar is assembled from parts kept per submission). */
  readonly body: readonly string[];
}

/** TEXT escaping (§3.3.11): `\` `;` `,` and newlines; other control characters have no TEXT form and are dropped. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/\p{Cc}/gu, (c) => (c === '\t' ? c : ''));
}

/**
 * One content line folded to at most 75 octets per physical line (§3.1): a continuation starts
 * with one space, which counts toward its 75; a multi-octet UTF-8 character is never split.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > 75) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n');
}

/** `YYYY-MM-DD` -> `YYYYMMDD` (DATE, §3.3.4). */
const icsDate = (date: string) => date.replace(/-/g, '');

/** An ISO instant -> `YYYYMMDDTHHMMSSZ` (DATE-TIME in UTC, §3.3.5). */
function icsDateTime(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** The day after `date` (`YYYY-MM-DD`): DTEND of an all-day event is exclusive (§3.6.1). */
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function eventLines(e: IcsEvent): string[] {
  const lines = [
    'BEGIN:VEVENT',
    `UID:${escapeText(e.uid)}`,
    `SEQUENCE:${e.sequence}`,
    `DTSTAMP:${icsDateTime(e.revisedAt)}`,
    `LAST-MODIFIED:${icsDateTime(e.revisedAt)}`,
    `DTSTART;VALUE=DATE:${icsDate(e.date)}`,
    `DTEND;VALUE=DATE:${icsDate(nextDay(e.date))}`,
    `SUMMARY:${escapeText(e.summary)}`,
    `DESCRIPTION:${escapeText(e.description)}`,
    // URI values are not TEXT: no escaping, and a URL never holds a raw CR or LF.
    `URL:${e.url}`,
    ...(e.categories?.length ? [`CATEGORIES:${e.categories.map(escapeText).join(',')}`] : []),
    // A due date occupies no time: it does not make the reader busy (§3.8.2.7).
    'TRANSP:TRANSPARENT',
  ];
  if (e.alarmDaysBefore !== undefined) {
    lines.push(
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      `TRIGGER;RELATED=START:-P${e.alarmDaysBefore}D`,
      `DESCRIPTION:${escapeText(e.alarmText ?? e.summary)}`,
      'END:VALARM',
    );
  }
  lines.push('END:VEVENT');
  return lines;
}

/** Events as iCalendar text (VEVENT components, each line folded and ended with CRLF), to place in a calendar's body. */
export function renderEvents(events: readonly IcsEvent[]): string {
  return events.map((e) => eventLines(e).map(foldLine).join('\r\n') + '\r\n').join('');
}

/** The calendar as an iCalendar object: CRLF line ends, folded lines. */
export function renderCalendar(cal: IcsCalendar): string {
  const head = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//puente//calendar feed//EN',
    'CALSCALE:GREGORIAN',
    // Names most clients show for a subscription (de-facto extensions, RFC 7986 NAME as well).
    `NAME:${escapeText(cal.name)}`,
    `X-WR-CALNAME:${escapeText(cal.name)}`,
    ...(cal.description ? [`X-WR-CALDESC:${escapeText(cal.description)}`] : []),
  ];
  return `${head.map(foldLine).join('\r\n')}\r\n${cal.body.join('')}END:VCALENDAR\r\n`;
}
