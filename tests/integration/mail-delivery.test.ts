/**
 * E-mail notifications end to end (issue 16 §2) on a real database (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL) and a real SMTP server in this process (smtp-server), every message parsed
 * back with mailparser: the outbox filled in the command's transaction, one mail per reader and
 * step among those who may see the submission, in their language, with a text and an HTML part
 * and the link to the page, no record data, document or secret; a server that refuses for a while
 * then recovers (retried with backoff, delivered once); two dispatchers racing; the daily digest.
 * Passes are driven explicitly and the dispatchers' clock is moved by hand.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMailDispatcher, createConfiguredMailDispatcher, type MailDispatcherOptions } from '../../src/mail/dispatcher.js';
import { createSmtpTransport } from '../../src/mail/transport.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { domainLabel } from '../../src/web/messages/domain.js';
import { Api, addDays, body510k, daysAgo, sha256, type Json, openTestApp } from '../http/helpers.js';
import { TEST_PASSWORD, addUser, type TestContext, type TestUser } from '../support/fixtures.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp.js';

const HOST = 'puente.example.test';
const BASE = `http://${HOST}`;
const FROM = 'puente <puente@example.test>';

let ctx: TestContext, api: Api, app: Express;
let colleague: TestUser;
const sinks: SmtpSink[] = [];
let clockMs = Date.now();
const clock = () => new Date(clockMs);
const advance = (ms: number) => {
  clockMs += ms;
};
const silent = pino({ level: 'silent' });

async function sink(opts: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const s = await startSmtpSink(opts);
  sinks.push(s);
  return s;
}

function dispatcher(smtpUrl: string | undefined, options: Partial<MailDispatcherOptions> = {}, db: Database = ctx.services.db, logger = silent) {
  return createMailDispatcher({
    db,
    engine: ctx.services.engine,
    logger,
    now: clock,
    transport: smtpUrl ? createSmtpTransport({ smtpUrl, from: FROM, timeoutMs: 5000 }) : undefined,
    options: { intervalMs: 0, maxAttempts: 3, backoffMs: 1000, timeoutMs: 5000, digestHour: 0, ...options },
  });
}

async function prefer(user: TestUser, body: Json, lang = 'en'): Promise<Json> {
  const res = await request(app).put('/v1/me/notifications').set(user.auth).set('Host', HOST).set('Accept-Language', lang).send(body);
  expect(res.status, res.text).toBe(200);
  return res.body as Json;
}

const count = async (table: string) => Number((await ctx.services.db.knex(table).count({ n: '*' }))[0]!.n);
const to = (m: ReceivedMail) => m.envelope.to.join(',');
const mailsTo = (s: SmtpSink, address: string) => s.received.filter((m) => to(m) === address);
const linkOf = (id: string) => `${BASE}/submissions/${id}`;

/** What every notification must be: both parts, the page's link in each, nothing that is not to leave the server. */
function expectWellFormed(m: ReceivedMail, lang: 'en' | 'es', link: string, forbidden: readonly string[] = []): void {
  expect(m.parsed.text, 'a text part').toBeTruthy();
  expect(typeof m.parsed.html === 'string' && m.parsed.html.length > 0, 'an HTML part').toBe(true);
  expect(m.raw).toMatch(/Content-Type: multipart\/alternative/i);
  expect(m.parsed.text).toContain(link);
  expect(m.parsed.html as string).toContain(`href="${link}"`);
  expect(m.parsed.html as string).toContain(`<html lang="${lang === 'es' ? 'es-MX' : 'en'}">`);
  expect(m.parsed.from?.value).toEqual([{ name: 'puente', address: 'puente@example.test' }]);
  expect(m.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  expect(m.parsed.messageId).toMatch(/^<[0-9a-f-]{36}@puente>$/);
  expect(m.parsed.attachments).toHaveLength(0);
  for (const secret of [TEST_PASSWORD, ...Object.values(ctx.users).map((u) => u.token), colleague.token, 'pte_', ...forbidden]) {
    expect(m.raw, `the mail carries ${secret}`).not.toContain(secret);
  }
}

beforeAll(async () => {
  // The services say mail is on (GET /v1/me/notifications shows mailEnabled); each test runs its own dispatcher and SMTP server.
  ({ ctx, api, app } = await openTestApp({ config: { smtpUrl: 'smtp://127.0.0.1:25', mailFrom: FROM } }));
  colleague = await addUser(ctx.services, 'manufacturer', 'Carla Colleague', 'Acme Medical');
}, 60_000);

afterEach(async () => {
  const k = ctx.services.db.knex;
  await k('mail_messages').delete();
  await k('notification_preferences').delete();
  await k('mail_outbox').delete();
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

afterAll(async () => ctx?.close());

describe('immediate mail', () => {
  it('mails each step once to each reader who may see it, in their language, as text and HTML with the link, and nothing secret', async () => {
    const { manufacturer: maria, otherManufacturer: beta, fda, cofepris, auditor } = ctx.users;
    const rx = await sink();
    await prefer(maria, { mode: 'immediate', email: 'maria@acme.test' });
    await prefer(colleague, { mode: 'immediate', email: 'carla@acme.test' });
    await prefer(beta, { mode: 'immediate', email: 'bob@beta.test' });
    await prefer(fda, { mode: 'immediate', email: 'reviewer@fda.test' }, 'es-MX');
    await prefer(cofepris, { mode: 'immediate', email: 'revisora@cofepris.test', language: 'es' });
    await prefer(auditor, { mode: 'digest', email: 'quinn@audit.test' });

    const s = await api.create(maria, body510k('Mailed 510(k)'));
    // The trigger queued the record in the command's transaction; nothing is sent by the command.
    expect(await count('mail_outbox')).toBe(1);
    expect(rx.received).toHaveLength(0);
    const d = dispatcher(rx.url);
    // A draft: only Maria's organization may see it, and Maria is not told of her own step.
    expect(await d.runOnce()).toMatchObject({ enqueued: 1, attempted: 1, sent: 1, retrying: 0, failed: 0 });
    expect(rx.received.map(to)).toEqual(['carla@acme.test']);
    expect(await count('mail_outbox')).toBe(0);

    const bytes = Buffer.from('%PDF-1.7\n% CONFIDENTIAL-DESIGN-BYTES-0042\n');
    expect((await api.upload(maria, s.id, 'cover-letter', bytes, 'confidential-design.pdf')).status).toBe(201);
    await api.send(maria, s.id, 'SUBMIT', { effectiveAt: daysAgo(3), comment: 'internal remark 7731' });
    await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(2) });
    const pass = await d.runOnce();
    // Carla: DOCUMENT_ADDED, SUBMIT, FEE_VERIFIED; the FDA reviewer: the filing (the upload was the
    // applicant's draft, recorded before it, and their own FEE_VERIFIED is no news); Maria: FDA's step.
    expect(pass).toMatchObject({ enqueued: 3 + 1 + 1, sent: 5, retrying: 0 });
    expect(mailsTo(rx, 'carla@acme.test')).toHaveLength(4);
    expect(mailsTo(rx, 'reviewer@fda.test')).toHaveLength(1);
    expect(mailsTo(rx, 'maria@acme.test')).toHaveLength(1);
    // Another organization, a regulator of another jurisdiction, a digest reader: nothing.
    expect(rx.received.filter((m) => !['carla@acme.test', 'reviewer@fda.test', 'maria@acme.test'].includes(to(m)))).toEqual([]);

    const history = await api.history(maria, s.id);
    const forbidden = [
      'CONFIDENTIAL-DESIGN-BYTES-0042',
      'confidential-design.pdf',
      sha256(bytes),
      'internal remark 7731',
      ...history.map((h) => h.hash as string),
    ];
    for (const m of rx.received) expectWellFormed(m, to(m) === 'reviewer@fda.test' ? 'es' : 'en', linkOf(s.id), forbidden);

    const [toMaria] = mailsTo(rx, 'maria@acme.test');
    expect(toMaria!.parsed.subject).toBe(`puente: ${domainLabel('en', 'event', 'FEE_VERIFIED')} on Mailed 510(k)`);
    expect(toMaria!.parsed.text).toContain(`By: ${fda.actor.name} (${domainLabel('en', 'role', 'fda')})`);
    const es = mailsTo(rx, 'reviewer@fda.test')
      .map((m) => m.parsed.subject)
      .sort();
    expect(es).toEqual([`puente: ${domainLabel('es', 'event', 'SUBMIT')} en Mailed 510(k)`]);
    for (const m of mailsTo(rx, 'reviewer@fda.test')) {
      expect(m.parsed.text).toContain('Estado actual:');
      expect(m.parsed.text).toContain(`${BASE}/notifications`);
    }
    // Carla's mails are one per record, for exactly the records after CREATED.
    const carla = mailsTo(rx, 'carla@acme.test').map((m) => m.parsed.subject);
    for (const h of history) expect(carla).toContain(`puente: ${domainLabel('en', 'event', h.type as string)} on Mailed 510(k)`);

    // The log: one row per (user, record), all sent at the first attempt.
    const rows = await ctx.services.db.knex('mail_messages').select('user_id', 'transition_id', 'status', 'attempts', 'kind');
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.status === 'sent' && Number(r.attempts) === 1 && r.kind === 'step')).toBe(true);
    expect(new Set(rows.map((r) => `${r.user_id}|${r.transition_id}`)).size).toBe(6);
    // Nothing is sent twice.
    expect(await d.runOnce()).toMatchObject({ enqueued: 0, attempted: 0 });
    expect(rx.received).toHaveLength(6);
  });

  it('retries a server that refuses (451, then 550) with backoff and delivers once when it recovers', async () => {
    const rx = await sink({ refuse: (n) => (n === 0 ? 451 : n === 1 ? 550 : undefined) });
    await prefer(colleague, { mode: 'immediate', email: 'carla@acme.test' });
    const s = await api.create(ctx.users.manufacturer, body510k('Refused 510(k)'));
    const d = dispatcher(rx.url, { backoffMs: 1000, maxAttempts: 5 });

    expect(await d.runOnce()).toMatchObject({ enqueued: 1, attempted: 1, sent: 0, retrying: 1 });
    let [row] = await ctx.services.db.knex('mail_messages').select('*');
    expect(row).toMatchObject({ status: 'pending', last_response_code: 451 });
    expect(Number(row.attempts)).toBe(1);
    expect(Date.parse(row.next_attempt_at) - clock().getTime()).toBe(1000);
    // Not due yet: nothing is offered.
    expect(await d.runOnce()).toMatchObject({ attempted: 0 });
    expect(rx.offered).toBe(1);

    advance(1000);
    expect(await d.runOnce()).toMatchObject({ attempted: 1, retrying: 1 });
    [row] = await ctx.services.db.knex('mail_messages').select('*');
    expect(row).toMatchObject({ status: 'pending', last_response_code: 550 });
    // Exponential: the second retry waits twice as long.
    expect(Date.parse(row.next_attempt_at) - clock().getTime()).toBe(2000);
    advance(1999);
    expect(await d.runOnce()).toMatchObject({ attempted: 0 });
    advance(1);
    expect(await d.runOnce()).toMatchObject({ attempted: 1, sent: 1 });
    expect(rx.offered).toBe(3);
    expect(rx.received).toHaveLength(1);
    expectWellFormed(rx.received[0]!, 'en', linkOf(s.id));
    [row] = await ctx.services.db.knex('mail_messages').select('*');
    expect(row).toMatchObject({ status: 'sent', last_error: null, next_attempt_at: null });
    expect(Number(row.attempts)).toBe(3);
    // The same Message-ID on every attempt (the row's id): a receiver that got a repeat can drop it.
    expect(rx.received[0]!.parsed.messageId).toBe(`<${row.id}@puente>`);
    advance(3_600_000);
    expect(await d.runOnce()).toMatchObject({ attempted: 0 });
    expect(rx.received).toHaveLength(1);
  });

  it('fails a message for good after the last attempt', async () => {
    const rx = await sink({ refuse: () => 554 });
    await prefer(colleague, { mode: 'immediate', email: 'carla@acme.test' });
    await api.create(ctx.users.manufacturer, body510k('Never delivered'));
    const d = dispatcher(rx.url, { maxAttempts: 2, backoffMs: 10 });
    expect(await d.runOnce()).toMatchObject({ attempted: 1, retrying: 1 });
    advance(10);
    expect(await d.runOnce()).toMatchObject({ attempted: 1, failed: 1 });
    const [row] = await ctx.services.db.knex('mail_messages').select('*');
    expect(row).toMatchObject({ status: 'failed', last_response_code: 554, next_attempt_at: null });
    expect(row.last_error).toMatch(/554/);
    advance(86_400_000);
    expect(await d.runOnce()).toMatchObject({ attempted: 0 });
    expect(rx.received).toHaveLength(0);
  });

  it('never blocks a command: with the SMTP server down, steps commit and the mail waits for it', async () => {
    const rx = await sink();
    const port = rx.port;
    await rx.close();
    sinks.splice(sinks.indexOf(rx), 1);
    await prefer(colleague, { mode: 'immediate', email: 'carla@acme.test' });
    const started = Date.now();
    const s = await api.create(ctx.users.manufacturer, body510k('Down server'));
    await api.send(ctx.users.manufacturer, s.id, 'SUBMIT', { effectiveAt: daysAgo(1) });
    expect(Date.now() - started).toBeLessThan(5000);
    const d = dispatcher(`smtp://127.0.0.1:${port}`, { backoffMs: 1000 });
    expect(await d.runOnce()).toMatchObject({ enqueued: 2, attempted: 2, sent: 0, retrying: 2 });
    const rows = await ctx.services.db.knex('mail_messages').select('*');
    expect(rows.every((r) => r.status === 'pending' && r.last_response_code === null && /ECONNECTION|ECONNREFUSED/.test(r.last_error))).toBe(true);
    // A server answering again (here on another port): both go out, once each.
    const back = await startSmtpSink();
    sinks.push(back);
    const again = dispatcher(back.url, { backoffMs: 1000 });
    advance(1000);
    expect(await again.runOnce()).toMatchObject({ attempted: 2, sent: 2 });
    expect(back.received).toHaveLength(2);
  });

  it('two dispatchers on one database send each mail once', async () => {
    const rx = await sink();
    await prefer(colleague, { mode: 'immediate', email: 'carla@acme.test' });
    await prefer(ctx.users.auditor, { mode: 'immediate', email: 'quinn@audit.test' });
    const created: string[] = [];
    for (let i = 0; i < 8; i++) {
      const s = await api.create(ctx.users.manufacturer, body510k(`Raced ${i}`));
      created.push(s.id as string);
      if (i % 2 === 0) await api.send(ctx.users.manufacturer, s.id, 'SUBMIT', { effectiveAt: daysAgo(1) });
    }
    // 12 records, each to Carla and the auditor.
    const second = openDatabase(ctx.database.url);
    try {
      const [d1, d2] = [dispatcher(rx.url), dispatcher(rx.url, {}, second)];
      const passes = [...(await Promise.all([d1.runOnce(), d2.runOnce()])), ...(await Promise.all([d1.runOnce(), d2.runOnce()]))];
      const sum = (k: 'enqueued' | 'attempted' | 'sent') => passes.reduce((n, p) => n + p[k], 0);
      expect(sum('enqueued')).toBe(24);
      expect(sum('attempted')).toBe(24);
      expect(sum('sent')).toBe(24);
    } finally {
      await second.destroy();
    }
    expect(rx.received).toHaveLength(24);
    expect(new Set(rx.received.map((m) => m.parsed.messageId)).size).toBe(24);
    expect(new Set(rx.received.map((m) => `${to(m)} ${m.parsed.subject}`)).size).toBe(24);
    for (const id of created) expect(rx.received.filter((m) => m.parsed.text!.includes(linkOf(id))).length).toBeGreaterThanOrEqual(2);
  });

  it('with mail off the outbox is only emptied: turning mail on later sends no backlog', async () => {
    const rx = await sink();
    await prefer(colleague, { mode: 'immediate', email: 'carla@acme.test' });
    await api.create(ctx.users.manufacturer, body510k('Mail off'));
    expect(await dispatcher(undefined).runOnce()).toMatchObject({ dropped: 1, enqueued: 0, attempted: 0 });
    expect(await count('mail_outbox')).toBe(0);
    expect(await dispatcher(rx.url).runOnce()).toMatchObject({ enqueued: 0, attempted: 0 });
    expect(rx.received).toHaveLength(0);
  });

  it('signs in to the SMTP server with the URL credentials and never writes the password to the log, the database or the mail', async () => {
    const pass = 'S3cret:p@ss/word';
    const rx = await sink({ auth: { user: 'mailer', pass }, refuse: (n) => (n === 0 ? 421 : undefined) });
    expect(rx.url).toContain(encodeURIComponent(pass));
    const lines: string[] = [];
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(c: Buffer | string, _e, cb) {
          lines.push(String(c));
          cb();
        },
      }),
    );
    await prefer(colleague, { mode: 'immediate', email: 'carla@acme.test' });
    await api.create(ctx.users.manufacturer, body510k('Authenticated relay'));
    const d = createConfiguredMailDispatcher({
      db: ctx.services.db,
      engine: ctx.services.engine,
      logger,
      now: clock,
      settings: { smtpUrl: rx.url, mailFrom: FROM, mailDigestHour: 0 },
      options: { intervalMs: 0, backoffMs: 5 },
    });
    expect(await d.runOnce()).toMatchObject({ attempted: 1, retrying: 1 });
    advance(5);
    expect(await d.runOnce()).toMatchObject({ attempted: 1, sent: 1 });
    await d.stop();
    expect(rx.received).toHaveLength(1);
    const log = lines.join('');
    expect(log).toContain('e-mail notifications on');
    expect(log).toContain(`smtp://***@127.0.0.1:${rx.port}`);
    expect(log).toContain('mail attempt failed');
    const rows = JSON.stringify(await ctx.services.db.knex('mail_messages').select('*'));
    for (const secret of [pass, encodeURIComponent(pass), 'S3cret']) {
      expect(log).not.toContain(secret);
      expect(rows).not.toContain(secret);
      expect(rx.received[0]!.raw).not.toContain(secret);
    }
    // Wrong credentials: refused (535), retried, never sent.
    const wrong = dispatcher(rx.url.replace(encodeURIComponent(pass), 'nope'));
    await api.create(ctx.users.manufacturer, body510k('Wrong password'));
    expect(await wrong.runOnce()).toMatchObject({ attempted: 1, retrying: 1 });
  });
});

describe('daily digest', () => {
  /** The dates the digest must list for `user`: the views' own deadlines and open goals due in [today, today + days]. */
  interface Item {
    id: string;
    title: string;
    date: string;
    label: string;
  }
  /** Every active submission `user` may see, and the dates the digest must list: its deadlines not passed and goals not met due in [today, today + days]. */
  async function expectedItems(user: TestUser, today: string, days: number, lang: 'en' | 'es' = 'en'): Promise<{ items: Item[]; visible: string[] }> {
    const res = await api.get(user, '/v1/submissions?status=active&limit=200');
    expect(res.status, res.text).toBe(200);
    const end = addDays(today, days);
    const items: Item[] = [];
    for (const v of res.body.items as Json[]) {
      for (const d of v.deadlines as Json[])
        if (!d.passed && d.dueDate >= today && d.dueDate <= end)
          items.push({ id: v.id, title: v.title, date: d.dueDate, label: domainLabel(lang, 'deadline', d.kind) });
      for (const g of v.clocks.goals as Json[])
        if (g.metOn === null && g.status !== 'met' && g.dueDate >= today && g.dueDate <= end)
          items.push({ id: v.id, title: v.title, date: g.dueDate, label: domainLabel(lang, 'goal', g.kind) });
    }
    return { items, visible: (res.body.items as Json[]).map((v) => v.id as string) };
  }

  /** The digest lists exactly `items`: each with its link and its deadline's or goal's name, and no other visible submission. */
  function expectListed(m: ReceivedMail, want: { items: Item[]; visible: string[] }): void {
    const text = m.parsed.text!;
    for (const w of want.items) {
      expect(m.parsed.html as string).toContain(`href="${linkOf(w.id)}"`);
      expect(text).toContain(`${w.title}: ${w.label}`);
    }
    const lines = text.split('\n').filter((l) => l.startsWith('- '));
    expect(lines).toHaveLength(want.items.length);
    for (const id of want.visible) if (!want.items.some((w) => w.id === id)) expect(text).not.toContain(linkOf(id));
  }

  it('sends each digest reader, once a day, the deadlines and goals due within their window, in their language', async () => {
    const rx = await sink();
    const { manufacturer: maria, otherManufacturer: beta, fda } = ctx.users;
    // Filed 80 days ago: the 510(k)'s 90 FDA-day goal falls due in about 10 days; filed 10 days ago: in about 80.
    const soon = await api.create(maria, body510k('Due soon 510(k)'));
    await api.send(maria, soon.id, 'SUBMIT', { effectiveAt: daysAgo(80) });
    const later = await api.create(maria, body510k('Due later 510(k)'));
    await api.send(maria, later.id, 'SUBMIT', { effectiveAt: daysAgo(10) });
    await prefer(colleague, { mode: 'digest', digestDaysAhead: 20, email: 'carla@acme.test' });
    await prefer(fda, { mode: 'digest', email: 'reviewer@fda.test', language: 'es' });
    await prefer(beta, { mode: 'digest', digestDaysAhead: 90, email: 'bob@beta.test' });
    const today = clock().toISOString().slice(0, 10);

    const d = dispatcher(rx.url);
    const first = await d.runOnce();
    // Beta's manufacturer may see none of these: no mail, but the day is taken.
    expect(first).toMatchObject({ digests: 2, sent: 2 });
    expect(rx.received.map(to).sort()).toEqual(['carla@acme.test', 'reviewer@fda.test']);

    const [carla] = mailsTo(rx, 'carla@acme.test');
    const want = await expectedItems(colleague, today, 20);
    expect(want.items.map((w) => w.id)).toContain(soon.id);
    expect(want.items.every((w) => w.date <= addDays(today, 20))).toBe(true);
    expect(want.visible).toContain(later.id);
    expect(carla!.parsed.subject).toBe(`puente: dates due in the next 20 days (${want.items.length})`);
    expectListed(carla!, want);
    expectWellFormed(carla!, 'en', linkOf(soon.id));

    const [reviewer] = mailsTo(rx, 'reviewer@fda.test');
    const wantEs = await expectedItems(fda, today, 14, 'es');
    expect(wantEs.items.map((w) => w.id)).toContain(soon.id);
    expect(reviewer!.parsed.subject).toBe(`puente: fechas que vencen en los próximos 14 días (${wantEs.items.length})`);
    expect(reviewer!.parsed.text).toContain('Plazos y metas que vencen en los próximos 14 días');
    expectListed(reviewer!, wantEs);
    expectWellFormed(reviewer!, 'es', linkOf(soon.id));

    // Once a day, however many dispatchers: later passes today, and a second process, make none.
    advance(60_000);
    const second = openDatabase(ctx.database.url);
    try {
      const again = await Promise.all([d.runOnce(), dispatcher(rx.url, {}, second).runOnce()]);
      expect(again.reduce((n, p) => n + p.digests, 0)).toBe(0);
    } finally {
      await second.destroy();
    }
    expect(rx.received).toHaveLength(2);
    const rows = await ctx.services.db.knex('mail_messages').where('kind', 'digest').select('user_id', 'digest_on');
    expect(rows.map((r) => r.digest_on)).toEqual([today, today]);

    // The next day (from the digest hour on), the next digest.
    advance(86_400_000);
    const late = dispatcher(rx.url, { digestHour: 23 });
    if (clock().getUTCHours() < 23) expect(await late.runOnce()).toMatchObject({ digests: 0 });
    expect(await dispatcher(rx.url).runOnce()).toMatchObject({ digests: 2 });
    expect(rx.received).toHaveLength(4);
  });
});
