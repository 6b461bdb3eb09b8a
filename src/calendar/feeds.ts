/**
 * Calendar feeds (issue 16 §1; DESIGN §10): every hard deadline and goal due date of the
 * submissions a user may see, as an RFC 5545 calendar that Outlook, Google Calendar and Apple
 * Calendar subscribe to, behind the bearer token (GET /v1/calendar.ics) or a per-user secret URL
 * for clients that cannot send headers (`/calendar/<secret>.ics`).
 *
 * The submissions come from the engine's own listing, so the one visibility policy decides what a
 * calendar holds, and their deadlines and goals are exactly those of the submission's view
 * (`deadlines`, `clocks.goals`): the calendar never computes a date of its own.
 */
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { WORKFLOWS } from '../../workflows/index.js';
import type { RuleSource } from '../../workflows/types.js';
import type { Engine } from '../engine/engine.js';
import { sha256Hex } from '../engine/hash.js';
import { submissionRevision } from '../engine/due-dates.js';
import { createHistoryCache } from '../engine/history-cache.js';
import { visibilityScope } from '../engine/visibility.js';
import { addCalendarDays, dateIn } from '../engine/time.js';
import type { SubmissionView } from '../engine/views.js';
import type { CalendarFeedStore } from '../store/calendar-feed-store.js';
import type { Actor } from '../store/types.js';
import { LruMap } from '../lru.js';
import { createTranslator, type Lang, type Translator } from '../web/i18n.js';
import { renderCalendar, renderEvents, type IcsEvent } from './ics.js';

/** Days after a date passed (or a goal was met) that its event stays in the calendar. */
export const KEEP_PAST_DAYS = 30;
/** Days before a hard deadline its alarm fires. */
export const ALARM_DAYS_BEFORE = 7;
/** Submissions read per page while a calendar is built. */
const PAGE_SIZE = 500;
/** The secret of a feed URL: 256 random bits, base64url (as bearer tokens). */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

const ZONES: ReadonlyMap<string, string> = new Map(WORKFLOWS.map((w) => [w.id, w.timeZone]));

/** What the calendar writes about a view, for one reader. */
export interface EventOptions {
  readonly t: Translator;
  /** The server's origin as the client reached it (`https://puente.example.com`): event URLs point at its pages. */
  readonly baseUrl: string;
  readonly now: Date;
}

/** The UID of a submission's deadline or goal: stable per submission and kind, so a moved date updates the same event. */
export function eventUid(submissionId: string, what: 'deadline' | 'goal', kind: string): string {
  return `${submissionId}-${what}-${kind}@puente`;
}

function sourceLine(t: Translator, s: RuleSource | null | undefined): string | null {
  if (!s) return null;
  const name = [s.title, s.section].filter(Boolean).join(' ');
  const cited = s.citation && !name.includes(s.citation) ? ` (${s.citation})` : '';
  return t.t('calendar.source', { source: `${name}${cited}, ${s.date}${s.url ? ` ${s.url}` : ''}` });
}

/**
 * The events of one submission: its hard deadlines (with an alarm) and its goals, each on its due
 * date. One that passed, or a goal met, more than {@link KEEP_PAST_DAYS} days ago is left out
 * (today in the workflow's time zone).
 *
 * SEQUENCE is the submission's version (one more for every record written on it, which is the
 * only way a deadline or a goal's count can change) plus the hold days counted so far (the one
 * way a date moves without a record: an open FDA-days goal's due date slides while the review is
 * on hold). Both only grow, so every move of a date raises SEQUENCE, from data the view already
 * has: no extra query, no hash, the same number on every server and every request.
 */
export function submissionEvents(view: SubmissionView, opts: EventOptions): IcsEvent[] {
  const { t } = opts;
  const today = dateIn(opts.now, ZONES.get(view.workflow.id) ?? 'UTC');
  const cutoff = addCalendarDays(today, -KEEP_PAST_DAYS);
  const url = `${opts.baseUrl}/submissions/${encodeURIComponent(view.id)}`;
  const sequence = view.version + (view.clocks.holdDays ?? 0);
  const open = t.t('calendar.open', { url });
  const common = { sequence, revisedAt: view.updatedAt, url };
  const events: IcsEvent[] = [];
  for (const d of view.deadlines) {
    if (d.dueDate < cutoff) continue;
    const name = t.domain('deadline', d.kind);
    const summary = t.t('calendar.deadline.summary', { title: view.title, deadline: name });
    const consequence =
      d.consequence === 'decision' ? t.t('calendar.consequence.decision') : t.t('calendar.consequence.automatic', { event: t.domain('event', d.event) });
    events.push({
      ...common,
      uid: eventUid(view.id, 'deadline', d.kind),
      date: d.dueDate,
      summary,
      description: [
        consequence,
        t.lang === 'en' ? d.description : null,
        d.passed || d.dueDate < today ? t.t('calendar.passed') : null,
        d.unconfirmed ? t.t('calendar.unconfirmed') : null,
        sourceLine(t, d.source),
        open,
      ]
        .filter((x): x is string => !!x)
        .join('\n'),
      categories: [t.t('calendar.category.deadline')],
      alarmDaysBefore: ALARM_DAYS_BEFORE,
      alarmText: t.t('calendar.alarm', { summary, days: ALARM_DAYS_BEFORE }),
    });
  }
  for (const g of view.clocks.goals) {
    // A goal is over when it was met (or ended late), else once its due date passed.
    const over = g.metOn ?? g.dueDate;
    if (over < cutoff) continue;
    events.push({
      ...common,
      uid: eventUid(view.id, 'goal', g.kind),
      date: g.dueDate,
      summary: t.t('calendar.goal.summary', { title: view.title, goal: t.domain('goal', g.kind) }),
      description: [
        t.t('calendar.goal.status', { status: t.domain('goalStatus', g.status) }),
        t.lang === 'en' ? g.description : null,
        g.unconfirmed ? t.t('calendar.unconfirmed') : null,
        sourceLine(t, g.source),
        open,
      ]
        .filter((x): x is string => !!x)
        .join('\n'),
      categories: [t.t('calendar.category.goal')],
    });
  }
  return events;
}

export interface CalendarFeeds {
  /** The calendar of everything `actor` may see, in `lang`, its links on `baseUrl`. */
  calendar(actor: Actor, lang: Lang, baseUrl: string): Promise<string>;
  /** Creates the caller's secret feed URL, or rotates it (the old URL stops working at once). */
  createFeed(actor: Actor, lang: Lang, baseUrl: string): Promise<{ url: string }>;
  /** When the caller's secret feed URL was made, or undefined without one (the URL itself is not kept). */
  feedCreatedAt(actor: Actor): Promise<string | undefined>;
  /** Ends the caller's secret feed URL; answers whether there was one. */
  revokeFeed(actor: Actor): Promise<boolean>;
  /** The calendar a secret feed URL names (its user's, in the language chosen with it), or undefined: unknown, revoked, or its user disabled. */
  feed(secret: string, baseUrl: string): Promise<string | undefined>;
  /** {@link calendar} as the bytes to send: encoded once per build, however many readers poll it. */
  calendarDocument(actor: Actor, lang: Lang, baseUrl: string): Promise<CalendarDocument>;
  /** {@link feed} as the bytes to send. */
  feedDocument(secret: string, baseUrl: string): Promise<CalendarDocument | undefined>;
}

/** A built calendar: its text, its UTF-8 bytes, those bytes gzipped and its entity tag (each made on first use, then kept). */
export interface CalendarDocument {
  readonly text: string;
  readonly bytes: Buffer;
  gzipped(): Buffer;
  /** A strong entity tag of the bytes (RFC 9110 §8.8.3): a client polling with If-None-Match gets 304 while nothing changed. */
  etag(): string;
}

/**
 * A built calendar kept as its UTF-8 bytes only (the text is decoded when asked for): a feed of
 * every submission an auditor sees runs to megabytes, and a cached copy should not be held twice.
 */
function calendarDocument(text: string): CalendarDocument {
  const bytes = Buffer.from(text, 'utf8');
  let gz: Buffer | undefined;
  let tag: string | undefined;
  return {
    get text() {
      return bytes.toString('utf8');
    },
    bytes,
    gzipped: () => (gz ??= gzipSync(bytes)),
    etag: () => (tag ??= `"${createHash('sha256').update(bytes).digest('base64url')}"`),
  };
}

/**
 * Calendars kept at once (least recently used first out). An auditor's calendar of 10,000
 * submissions is about 13 MB (plus its gzip): 16 bound the cache to a few hundred MB at worst,
 * while the many small calendars of manufacturers' organizations fit easily.
 */
const CALENDAR_CACHE_ENTRIES = 16;

/**
 * Each submission's events as written, kept per language and origin so that a calendar rebuilt
 * after a change writes again only the submissions that changed (least recently used first out).
 * A part is reused only while the submission has the version, chain head, workflow version and
 * stored deadline it was written at, on the same day in its workflow's time zone: everything its
 * events are made of (title, dates, goals and their status, hold days, the passed mark).
 * 25,000 parts hold an auditor's calendar of 10,000 submissions in both languages (some 30 MB).
 */
const CALENDAR_PART_ENTRIES = 25_000;

/** The URL of a feed secret on `baseUrl`. */
export const feedUrl = (baseUrl: string, secret: string) => `${baseUrl}/calendar/${secret}.ics`;

export function createCalendarFeeds(deps: {
  readonly engine: Pick<Engine, 'visibleRevisions' | 'describeSubmissions'>;
  readonly store: CalendarFeedStore;
  readonly now?: () => Date;
  /**
   * The count of committed history records (`stores.generation`): with it, a calendar is built
   * once per change of the database (or of the date) and served again until then, to every
   * reader with the same visibility, name, language and origin (calendar clients poll).
   */
  readonly generation?: () => Promise<number>;
}): CalendarFeeds {
  const clock = deps.now ?? (() => new Date());
  const cache = deps.generation ? createHistoryCache<CalendarDocument>(deps.generation, { maxEntries: CALENDAR_CACHE_ENTRIES }) : null;
  async function document(actor: Actor, lang: Lang, baseUrl: string): Promise<CalendarDocument> {
    const now = clock();
    if (!cache) return calendarDocument(await build(actor, lang, baseUrl, now));
    // Everything the calendar depends on besides the history: whose submissions, the words, the links, and today.
    const key = JSON.stringify([visibilityScope(actor), actor.name, lang, baseUrl, [...new Set(ZONES.values())].map((z) => dateIn(now, z))]);
    return cache.get(key, async () => calendarDocument(await build(actor, lang, baseUrl, now)));
  }
  const calendar = async (actor: Actor, lang: Lang, baseUrl: string): Promise<string> => (await document(actor, lang, baseUrl)).text;
  async function feedDocument(secret: string, baseUrl: string): Promise<CalendarDocument | undefined> {
    if (!SECRET.test(secret)) return undefined;
    const found = await deps.store.findBySecretHash(sha256Hex(secret));
    if (!found || found.user.disabled) return undefined;
    const { id, name, role, organization } = found.user;
    return document({ id, name, role, organization }, found.lang === 'es' ? 'es' : 'en', baseUrl);
  }
  const parts = new LruMap<string, { validity: string; text: string }>(CALENDAR_PART_ENTRIES);
  async function build(actor: Actor, lang: Lang, baseUrl: string, now: Date): Promise<string> {
    const opts: EventOptions = { t: createTranslator(lang), baseUrl, now };
    const body: string[] = [];
    const todayIn = new Map([...new Set(ZONES.values())].map((zone) => [zone, dateIn(now, zone)]));
    // Where each submission the actor may see is (the one visibility policy), newest first; only
    // those whose part is missing or outdated are read and described, a page at a time.
    const revisions = await deps.engine.visibleRevisions(actor);
    const page = revisions.map((r) => {
      const id = `${lang}|${baseUrl}|${r.id}`;
      const validity = `${submissionRevision(r)}|${todayIn.get(ZONES.get(r.workflowId) ?? 'UTC') ?? dateIn(now, 'UTC')}`;
      const kept = parts.get(id);
      return { id, validity, text: kept?.validity === validity ? kept.text : undefined };
    });
    const stale = revisions.filter((_, i) => page[i]!.text === undefined).map((r) => r.id);
    const written = new Map<string, string>();
    for (let i = 0; i < stale.length; i += PAGE_SIZE) {
      for (const view of await deps.engine.describeSubmissions(actor, stale.slice(i, i + PAGE_SIZE)))
        written.set(view.id, renderEvents(submissionEvents(view, opts)));
    }
    revisions.forEach((r, i) => {
      const part = page[i]!;
      // Described a moment after its revision was read: a step in between is kept under the older
      // revision, so the next build writes it again (the database generation has moved on too).
      const text = part.text ?? written.get(r.id) ?? '';
      parts.set(part.id, { validity: part.validity, text });
      body.push(text);
    });
    const t = opts.t;
    return renderCalendar({ name: t.t('calendar.name', { name: actor.name }), description: t.t('calendar.description'), body });
  }
  return {
    calendar,
    async createFeed(actor, lang, baseUrl) {
      const secret = randomBytes(32).toString('base64url');
      await deps.store.put({ userId: actor.id, secretHash: sha256Hex(secret), lang, now: clock().toISOString() });
      return { url: feedUrl(baseUrl, secret) };
    },
    feedCreatedAt: (actor) => deps.store.createdAt(actor.id),
    revokeFeed: (actor) => deps.store.delete(actor.id),
    async feed(secret, baseUrl) {
      return (await feedDocument(secret, baseUrl))?.text;
    },
    calendarDocument: document,
    feedDocument,
  };
}
