/**
 * Calendar feeds (issue 16 §1; DESIGN §10) on a real server (supertest, SQLite file): the calendar
 * is read back with ical.js, a maintained RFC 5545 parser, and every event is compared with the
 * submission's own `deadlines` and `clocks.goals` as GET /v1/submissions/:id shows them.
 */
import ICAL from 'ical.js';
import pino from 'pino';
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createCalendarFeeds } from '../../src/calendar/feeds.js';
import { createKnexCalendarFeedStore } from '../../src/store/calendar-feed-store.js';
import { domainLabel } from '../../src/web/messages/domain.js';
import { FailedAuthLimiter } from '../../src/http/auth.js';
import { Api, addDays, body510k, daysAgo, expectProblem, logInto, new510kInReview, openTestApp, type Json } from './helpers.js';
import { browse } from '../support/web-agent.js';
import type { TestContext, TestUser } from '../support/fixtures.js';

let ctx: TestContext;
let app: Express;
let api: Api;
const logLines: string[] = [];
/** The path of a feed URL (supertest serves each request on a port of its own). */
const path = (url: string) => new URL(url).pathname;

/** Commas, semicolons, a backslash and non-ASCII letters, far over 75 octets: folding and escaping. */
const LONG_TITLE = 'Bomba de infusión «Ñandú», modelo AIP-200; revisión 510(k) — señal, válvula; año 2026 \\ diseño “único”, versión ñ';
const ids: Record<'held' | 'beta' | 'draft' | 'oldCleared' | 'recentCleared', string> = {} as never;

interface Parsed {
  uid: string;
  date: string;
  isDate: boolean;
  summary: string;
  description: string;
  url: string;
  sequence: number;
  alarms: string[];
}

/** The calendar's events as ical.js reads them. */
function parse(text: string): Parsed[] {
  const cal = new ICAL.Component(ICAL.parse(text) as unknown[]);
  expect(cal.name).toBe('vcalendar');
  expect(cal.getFirstPropertyValue('version')).toBe('2.0');
  return cal.getAllSubcomponents('vevent').map((v) => {
    const start = v.getFirstPropertyValue('dtstart') as ICAL.Time;
    return {
      uid: String(v.getFirstPropertyValue('uid')),
      date: start.toString(),
      isDate: start.isDate,
      summary: String(v.getFirstPropertyValue('summary')),
      description: String(v.getFirstPropertyValue('description')),
      url: String(v.getFirstPropertyValue('url')),
      sequence: Number(v.getFirstPropertyValue('sequence')),
      alarms: v.getAllSubcomponents('valarm').map((a) => `${String(a.getFirstPropertyValue('action'))} ${String(a.getFirstPropertyValue('trigger'))}`),
    };
  });
}

async function calendarOf(user: TestUser, lang = 'en'): Promise<{ text: string; events: Parsed[] }> {
  const res = await request(app).get('/v1/calendar.ics').set(user.auth).set('Accept-Language', lang);
  expect(res.status, res.text).toBe(200);
  expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
  return { text: res.text, events: parse(res.text) };
}

/** What the calendar must hold for one submission, from its own view: deadlines and goals not over for 30 days. */
function expectedOf(view: Json, origin: string): Array<Omit<Parsed, 'description' | 'summary'> & { words: string[] }> {
  const cutoff = addDays(new Date().toISOString().slice(0, 10), -30);
  const common = { url: `${origin}/submissions/${view.id}`, sequence: view.version + (view.clocks.holdDays ?? 0), isDate: true };
  return [
    ...(view.deadlines as Json[])
      .filter((d) => d.dueDate >= cutoff)
      .map((d) => ({
        ...common,
        uid: `${view.id}-deadline-${d.kind}@puente`,
        date: d.dueDate,
        alarms: ['DISPLAY -P7D'],
        words: [d.consequence === 'decision' ? 'needs a decision' : 'closes automatically', ...(d.source ? [d.source.title] : [])],
      })),
    ...(view.clocks.goals as Json[])
      .filter((g) => (g.metOn ?? g.dueDate) >= cutoff)
      .map((g) => ({ ...common, uid: `${view.id}-goal-${g.kind}@puente`, date: g.dueDate, alarms: [], words: g.source ? [g.source.title] : [] })),
  ];
}

/** Compares every event of `user`'s calendar with the submissions `user` sees, one by one. */
async function expectCalendarMatchesViews(user: TestUser): Promise<Parsed[]> {
  const { events } = await calendarOf(user);
  const list = await api.get(user, '/v1/submissions?limit=200');
  expect(list.status).toBe(200);
  const expected = (list.body.items as Json[]).flatMap((v) => expectedOf(v, '').map((e) => ({ ...e, title: v.title as string })));
  expect(events.map((e) => e.uid).sort()).toEqual(expected.map((e) => e.uid).sort());
  for (const want of expected) {
    const got = events.find((e) => e.uid === want.uid)!;
    expect(got.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1(:\\d+)?${want.url.replace(/[()]/g, '\\$&')}$`));
    expect({ date: got.date, isDate: got.isDate, sequence: got.sequence, alarms: got.alarms }).toEqual({
      date: want.date,
      isDate: true,
      sequence: want.sequence,
      alarms: want.alarms,
    });
    expect(got.summary.startsWith(`${want.title}: `), got.summary).toBe(true);
    for (const w of want.words) expect(got.description).toContain(w);
    expect(got.description).toContain(`/submissions/${want.uid.slice(0, 36)}`);
  }
  return events;
}

beforeAll(async () => {
  ({ ctx, app, api } = await openTestApp({ logger: pino({ level: 'info' }, logInto(logLines)) }));
  const { manufacturer: m, otherManufacturer: beta, fda } = ctx.users;
  ids.held = await new510kInReview(api, { manufacturer: m, fda }, LONG_TITLE);
  ids.beta = await new510kInReview(api, { manufacturer: beta, fda }, 'Beta pump 510(k)');
  ids.draft = (await api.create(m, body510k('Unfiled draft'))).id;
  ids.oldCleared = await api.cleared510k(m, fda, { decisionDaysAgo: 200, title: 'Cleared long ago' });
  ids.recentCleared = await api.cleared510k(m, fda, { decisionDaysAgo: 10, title: 'Cleared last week', kNumber: 'K260002' });
}, 60_000);
afterAll(() => ctx?.close());

describe('GET /v1/calendar.ics', () => {
  it('holds every visible deadline and goal exactly as the submissions show them, and moves an event when its date moves', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const before = await expectCalendarMatchesViews(m);
    const goalsBefore = before.filter((e) => e.uid.startsWith(`${ids.held}-goal-`));
    expect(goalsBefore.length).toBeGreaterThan(0);
    // Additional Information: a hard deadline appears and the FDA-days goal pauses (its date moves).
    await api.send(fda, ids.held, 'REQUEST_AI', { data: { deficiencies: ['Biocompatibility, ISO 10993-5; cytotoxicity'] }, effectiveAt: daysAgo(5) });
    const after = await expectCalendarMatchesViews(m);
    const deadline = after.find((e) => e.uid === `${ids.held}-deadline-aiResponse@puente`)!;
    expect(deadline.alarms).toEqual(['DISPLAY -P7D']);
    expect(deadline.summary).toBe(`${LONG_TITLE}: ${domainLabel('en', 'deadline', 'aiResponse')} (deadline)`);
    // Same UIDs, a higher SEQUENCE on each, and the paused FDA-days goal on a later date.
    const goalsAfter = goalsBefore.map((g) => after.find((e) => e.uid === g.uid)!);
    expect(goalsAfter.every((g, i) => g.sequence > goalsBefore[i]!.sequence)).toBe(true);
    expect(goalsAfter.some((g, i) => g.date > goalsBefore[i]!.date)).toBe(true);
    // Met long ago: gone; met 10 days ago: still there (30 days).
    expect(after.some((e) => e.uid.startsWith(ids.oldCleared))).toBe(false);
    expect(after.some((e) => e.uid.startsWith(ids.recentCleared))).toBe(true);
  });

  it('never shows a submission the caller may not see', async () => {
    const { manufacturer: m, otherManufacturer: beta, fda, cofepris, auditor, admin } = ctx.users;
    const has = (events: Parsed[], id: string) => events.some((e) => e.uid.startsWith(`${id}-`));
    const [mine, betas, fdas, cofeprisCal, all, none] = await Promise.all([m, beta, fda, cofepris, auditor, admin].map((u) => expectCalendarMatchesViews(u)));
    expect([has(mine!, ids.held), has(mine!, ids.beta)]).toEqual([true, false]);
    expect([has(betas!, ids.beta), has(betas!, ids.held)]).toEqual([true, false]);
    // A draft is the applicant's own until filed (it has no dates yet either); FDA sees both filed 510(k)s.
    expect([has(fdas!, ids.held), has(fdas!, ids.beta), has(fdas!, ids.draft)]).toEqual([true, true, false]);
    expect(cofeprisCal).toEqual([]);
    expect([has(all!, ids.held), has(all!, ids.beta)]).toEqual([true, true]);
    expect(none).toEqual([]);
  });

  it('folds at 75 octets with CRLF and escapes , ; \\ and newlines in a long non-ASCII title', async () => {
    const { text, events } = await calendarOf(ctx.users.manufacturer);
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.split('\r\n').slice(0, -1);
    expect(lines.every((l) => !l.includes('\n') && !l.includes('\r'))).toBe(true);
    expect(Math.max(...lines.map((l) => Buffer.byteLength(l, 'utf8')))).toBeLessThanOrEqual(75);
    expect(lines.some((l) => l.startsWith(' '))).toBe(true);
    // Unfolded, the SUMMARY carries the escapes RFC 5545 §3.3.11 asks for.
    const unfolded = text.replace(/\r\n /g, '');
    expect(unfolded).toContain('SUMMARY:Bomba de infusión «Ñandú»\\, modelo AIP-200\\; revisión 510(k) — señal\\, válvula\\; año 2026 \\\\ diseño');
    expect(unfolded).toMatch(/DESCRIPTION:[^\r]*\\n/);
    // ... and the parser gives back the exact title, letter for letter.
    const held = events.filter((e) => e.uid.startsWith(ids.held));
    expect(held.length).toBeGreaterThan(0);
    for (const e of held) expect(e.summary.startsWith(`${LONG_TITLE}: `)).toBe(true);
  });

  it('writes its words in the language asked for', async () => {
    const es = await calendarOf(ctx.users.manufacturer, 'es-MX');
    const deadline = es.events.find((e) => e.uid === `${ids.held}-deadline-aiResponse@puente`)!;
    expect(deadline.summary.endsWith('(plazo)')).toBe(true);
    expect(deadline.description).toContain('se cierra automáticamente');
    expect(es.events.filter((e) => e.uid.includes('-goal-')).every((e) => e.summary.endsWith('(meta)'))).toBe(true);
  });

  it('answers a client polling with the entity tag it holds with 304 until something changes, per content coding', async () => {
    const m = ctx.users.manufacturer;
    // One origin for every request (supertest listens on a port of its own each time, and the
    // calendar's links name the origin), and the plain representation unless gzip is asked for.
    const get = () => request(app).get('/v1/calendar.ics').set(m.auth).set('Host', 'puente.test');
    const plain = () => get().set('Accept-Encoding', 'identity');
    const first = await plain();
    expect(first.status).toBe(200);
    const tag = first.headers.etag as string;
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const again = await plain().set('If-None-Match', tag);
    expect([again.status, again.text ?? '']).toEqual([304, '']);
    // The gzipped bytes are another representation: another tag, and the plain one does not match it.
    const gz = await get().set('Accept-Encoding', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.etag).toBe(`${tag.slice(0, -1)}-gzip"`);
    expect((await get().set('Accept-Encoding', 'gzip').set('If-None-Match', tag)).status).toBe(200);
    expect(
      (
        await get()
          .set('Accept-Encoding', 'gzip')
          .set('If-None-Match', gz.headers.etag as string)
      ).status,
    ).toBe(304);
    // A step on one submission: the same tag is now stale, and the new calendar is what a cold build writes.
    await api.send(m, ids.held, 'AI_RESPONSE', { data: { summary: 'Cytotoxicity report attached' } });
    const changed = await plain().set('If-None-Match', tag);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(tag);
    const cold = createCalendarFeeds({ engine: ctx.services.engine, store: createKnexCalendarFeedStore(ctx.services.db.reader, ctx.services.db.knex) });
    expect(changed.text).toBe(await cold.calendar(m.actor, 'en', 'http://puente.test'));
  });

  it('refuses bad input with a JSON pointer, and asks for the token', async () => {
    const m = ctx.users.manufacturer;
    expect(expectProblem(await api.get(m, '/v1/calendar.ics?from=2026-01-01'), 422, 'validation_failed').errors[0].path).toBe('/from');
    expectProblem(await request(app).get('/v1/calendar.ics'), 401, 'unauthenticated');
    expect(expectProblem(await api.post(m, '/v1/me/calendar-feed', { lang: 'es' }), 422, 'validation_failed').errors[0].path).toBe('/lang');
    expectProblem(await request(app).post('/v1/me/calendar-feed').set(m.auth).set('Content-Type', 'text/plain').send('x'), 415, 'unsupported_media_type');
    expectProblem(await request(app).post('/v1/me/calendar-feed').set(m.auth).set('Content-Type', 'application/json').send('{"'), 400, 'malformed_json');
    expectProblem(await request(app).put('/v1/me/calendar-feed').set(m.auth), 405, 'method_not_allowed');
  });
});

describe('the secret feed URL', () => {
  it('is created, serves the same calendar without a token, rotates, and is revoked', async () => {
    const m = ctx.users.manufacturer;
    const created = await api.post(m, '/v1/me/calendar-feed', {}, { 'Accept-Language': 'es' });
    expect(created.status, created.text).toBe(200);
    expect(created.body.url).toMatch(/^http:\/\/127\.0\.0\.1(:\d+)?\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    const feed = await request(app).get(path(created.body.url));
    expect(feed.status).toBe(200);
    expect(feed.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const viaToken = await calendarOf(m, 'es');
    // The same events, in the language chosen with the URL (Spanish); supertest serves each request on its own port.
    const noPort = (events: Parsed[]) => events.map((e) => ({ ...e, url: path(e.url), description: e.description.replace(/127\.0\.0\.1:\d+/g, '') }));
    expect(noPort(parse(feed.text))).toEqual(noPort(viaToken.events));
    // Only a hash is stored, and the request log never names the secret.
    const secret = path(created.body.url).slice('/calendar/'.length, -4);
    const stored = await ctx.services.db.knex('calendar_feeds').where({ user_id: m.actor.id }).first();
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(logLines.join('')).not.toContain(secret);

    const rotated = await api.post(m, '/v1/me/calendar-feed', {});
    expect(rotated.body.url).not.toBe(created.body.url);
    expect((await request(app).get(path(created.body.url))).status).toBe(404);
    expect((await request(app).get(path(rotated.body.url))).status).toBe(200);

    expect((await request(app).delete('/v1/me/calendar-feed').set(m.auth)).status).toBe(204);
    expectProblem(await request(app).get(path(rotated.body.url)), 404, 'not_found');
    expect((await request(app).delete('/v1/me/calendar-feed').set(m.auth)).status).toBe(204);
  });

  it('answers 404 for a wrong secret, and 429 once a client keeps guessing', async () => {
    const limited = createApp({ ...ctx.services, authLimiter: new FailedAuthLimiter(2) }, { logger: pino({ level: 'silent' }) });
    for (const g of [`/calendar/${'A'.repeat(43)}.ics`, '/calendar/short.ics', `/calendar/${'B'.repeat(43)}`]) {
      expectProblem(await request(limited).get(g), 404, 'not_found');
    }
    // One client presenting the same wrong URL again and again (as a bad bearer token).
    const guess = `/calendar/${'C'.repeat(43)}.ics`;
    for (let i = 0; i < 2; i++) expectProblem(await request(limited).get(guess), 404, 'not_found');
    const res = await request(limited).get(guess);
    expectProblem(res, 429, 'too_many_requests');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('stops working when its user is disabled', async () => {
    const { otherManufacturer: beta, admin } = ctx.users;
    const { body } = await api.post(beta, '/v1/me/calendar-feed', {});
    expect((await request(app).get(path(body.url))).status).toBe(200);
    expect((await api.post(admin, `/v1/users/${beta.actor.id}/disable`, {})).status).toBe(200);
    expect((await request(app).get(path(body.url))).status).toBe(404);
    expect((await api.post(admin, `/v1/users/${beta.actor.id}/enable`, {})).status).toBe(200);
  });
});

describe('the Calendar page', () => {
  it.each(['en', 'es'] as const)('creates, shows once, replaces and revokes the URL with CSRF (%s)', async (lang) => {
    const b = await browse(app, ctx.users.fda);
    const html = (p: request.Test) => p.set('Accept', 'text/html').set('Cookie', `puente_lang=${lang}`);
    const pageRes = await html(b.agent.get('/calendar'));
    expect(pageRes.status).toBe(200);
    expect(pageRes.text).toContain('href="/calendar"');
    expect(pageRes.text).toContain(lang === 'es' ? 'No tiene URL de suscripción.' : 'You have no subscription URL.');
    expect((await html(b.agent.post('/calendar/feed').type('form').send({ _csrf: 'wrong' }))).status).toBe(403);
    const made = await html(b.agent.post('/calendar/feed').type('form').send({ _csrf: b.csrf }));
    expect(made.status).toBe(200);
    const url = /<code id="feed-url">([^<]+)<\/code>/.exec(made.text)![1]!;
    const feed = await request(app).get(path(url));
    expect(feed.status).toBe(200);
    expect(parse(feed.text).some((e) => e.summary.endsWith(lang === 'es' ? '(meta)' : '(goal)'))).toBe(true);
    expect((await html(b.agent.get('/calendar'))).text).not.toContain(url);
    const download = await b.agent.get('/calendar.ics');
    expect(download.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(parse(download.text).map((e) => e.uid)).toEqual(parse(feed.text).map((e) => e.uid));
    const revoked = await html(b.agent.post('/calendar/feed/revoke').type('form').send({ _csrf: b.csrf }));
    expect(revoked.status).toBe(303);
    expect((await request(app).get(path(url))).status).toBe(404);
  });
});
