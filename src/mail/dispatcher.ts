/**
 * The mail dispatcher (issue 16 §2), on the webhook dispatcher's pattern. A pass (1) takes the
 * mail outbox rows that committed commands left (migration 019's trigger) and turns each into one
 * message per person who asked for immediate mail and may see the submission (the one visibility
 * policy, src/engine/visibility.ts), in one transaction; (2) once a day, from `digestHour` UTC,
 * makes each digest reader's list of the deadlines and goals due within their window; (3) sends
 * the messages that are due over SMTP and records the outcome, scheduling a retry with
 * exponential backoff or failing the message after the last attempt.
 *
 * Commands never wait for any of this: they only insert the history row (the trigger adds the
 * outbox row in the same transaction). No transaction is held while the SMTP server is talked to,
 * and several processes can run it against one database: the outbox is claimed with FOR UPDATE
 * SKIP LOCKED (removed in the transaction that creates its messages), a message exists once per
 * (user, record) and per (user, digest day) by unique keys, and an attempt holds a lease.
 *
 * Without SMTP_URL and MAIL_FROM (no transport) a pass only empties the outbox: mail turned on
 * later does not send a backlog of old steps.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Engine } from '../engine/engine.js';
import { addCalendarDays, dateIn } from '../engine/time.js';
import type { SubmissionView } from '../engine/views.js';
import { admits, referenceFactNeeded, visibilityScope } from '../engine/visibility.js';
import type { Logger } from '../logger.js';
import type { Database } from '../store/db.js';
import { createKnexMailStore, type ClaimedMail, type MailRecipient, type NewMailMessage } from '../store/mail-store.js';
import { createKnexSubmissionStore } from '../store/submission-store.js';
import type { Actor, Submission } from '../store/types.js';
import { announcedTransitions } from '../store/webhooks-store.js';
import { backoffDelay } from '../webhooks/dispatcher.js';
import { renderDigestMail, renderStepMail, type DigestItem } from './messages.js';
import { MailSendError, createSmtpTransport, describeSmtp, type MailTransport } from './transport.js';

export interface MailDispatcherOptions {
  /** Milliseconds between passes in `start()`; 0 = never started. */
  readonly intervalMs: number;
  /** Attempts before a message is `failed`. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubled after each failure, capped at an hour. */
  readonly backoffMs: number;
  /** How long one attempt may take (the transport's timeouts); the lease on a claimed message is longer. */
  readonly timeoutMs: number;
  /** The UTC hour from which the day's digests are made (0-23). */
  readonly digestHour: number;
}

/** Defaults: a pass every 5 s, 10 attempts from 30 s apart doubling (about 4.5 h in all), digests from 12:00 UTC (early morning in the Americas). */
export const MAIL_DEFAULTS: MailDispatcherOptions = { intervalMs: 5000, maxAttempts: 10, backoffMs: 30_000, timeoutMs: 30_000, digestHour: 12 };

/** The window a digest looks ahead when the user chose none. */
export const DEFAULT_DIGEST_DAYS_AHEAD = 14;

export interface MailDispatcherDeps {
  readonly db: Database;
  /** The listing a digest is made from (the same visibility and dates as the pages and the calendar). */
  readonly engine: Pick<Engine, 'listSubmissions'>;
  readonly logger: Logger;
  /** The SMTP transport; absent when mail is off (the outbox is then only emptied). */
  readonly transport?: MailTransport;
  readonly options?: Partial<MailDispatcherOptions>;
  /** Injectable clock (tests advance it instead of sleeping). */
  readonly now?: () => Date;
}

/** What one pass did. */
export interface MailPassSummary {
  /** Messages made from outbox rows (one per reader and step). */
  enqueued: number;
  /** Digests made. */
  digests: number;
  /** Outbox rows dropped because mail is off. */
  dropped: number;
  attempted: number;
  sent: number;
  /** Attempts that failed with attempts left. */
  retrying: number;
  /** Messages that failed for good. */
  failed: number;
}

const OUTBOX_BATCH = 200;
const SEND_BATCH = 10;
const MAX_ROUNDS = 20;
const LEASE_MARGIN_MS = 60_000;
/** Digest readers are looked for at most once a minute (each gets one a day). */
const DIGEST_SCAN_MS = 60_000;
const LISTING_PAGE = '200';

const actorOf = (r: MailRecipient): Actor => ({ id: r.id, name: r.name, role: r.role, organization: r.organization });

/** Days from `from` to `to` (both `YYYY-MM-DD`). */
const daysFrom = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** The deadlines not yet passed and the goals not yet met of `view` due in [from, to]. */
export function digestItemsOf(view: SubmissionView, from: string, to: string): DigestItem[] {
  const items: DigestItem[] = [];
  const within = (d: string) => d >= from && d <= to;
  for (const d of view.deadlines) {
    if (d.passed || !within(d.dueDate)) continue;
    items.push({ submissionId: view.id, title: view.title, what: 'deadline', kind: d.kind, dueDate: d.dueDate, daysLeft: daysFrom(from, d.dueDate) });
  }
  for (const g of view.clocks.goals) {
    if (g.metOn !== null || g.status === 'met' || !within(g.dueDate)) continue;
    items.push({ submissionId: view.id, title: view.title, what: 'goal', kind: g.kind, dueDate: g.dueDate, daysLeft: daysFrom(from, g.dueDate) });
  }
  return items;
}

export function createMailDispatcher(deps: MailDispatcherDeps) {
  const { db, logger, transport } = deps;
  const options: MailDispatcherOptions = { ...MAIL_DEFAULTS, ...deps.options };
  const now = deps.now ?? (() => new Date());
  const reader = createKnexMailStore(db.reader, db.knex);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<MailPassSummary> | undefined;
  let started = false;
  let lastDigestScan: number | undefined;

  async function enqueueOutbox(summary: MailPassSummary): Promise<void> {
    if (!(await reader.outboxPending())) return;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const claimed = await db.knex.transaction(async (trx) => {
        const store = createKnexMailStore(trx);
        const entries = await store.claimOutbox(OUTBOX_BATCH);
        if (!entries.length) return 0;
        if (!transport) {
          summary.dropped += entries.length;
          return entries.length;
        }
        const recipients = await store.immediateRecipients();
        if (!recipients.length) return entries.length;
        const announced = await announcedTransitions(
          trx,
          entries.map((e) => e.transitionId),
        );
        const submissions = createKnexSubmissionStore(trx);
        const loaded = new Map<string, Submission | undefined>();
        const referenced = new Map<string, boolean>();
        const iso = now().toISOString();
        const messages: NewMailMessage[] = [];
        for (const e of entries) {
          const a = announced.get(e.transitionId);
          if (!a) continue;
          if (!loaded.has(e.submissionId)) loaded.set(e.submissionId, await submissions.find(e.submissionId));
          const s = loaded.get(e.submissionId);
          if (!s) continue;
          for (const r of recipients) {
            // Nobody is told by mail of the step they took themselves.
            if (a.transition.actor.id === r.id) continue;
            const scope = visibilityScope(actorOf(r));
            const from = referenceFactNeeded(scope, s);
            let isReferenced = false;
            if (from !== null) {
              const filed = scope.kind === 'jurisdiction' && scope.filedOnly;
              const key = `${s.id}|${from}|${filed}`;
              if (!referenced.has(key)) referenced.set(key, await submissions.isRelyingTarget(s.id, from, { filed }));
              isReferenced = referenced.get(key)!;
            }
            if (!admits(scope, s, isReferenced)) continue;
            // A reviewer follows a submission from its filing: a step recorded while it was the
            // applicant's draft (sent in the same pass as the filing) is no news to mail them.
            if (scope.kind === 'jurisdiction' && scope.filedOnly && s.filedAt && a.transition.recordedAt < s.filedAt) continue;
            const mail = renderStepMail({ lang: r.lang, baseUrl: r.baseUrl, submission: s, transition: a.transition });
            messages.push({
              id: uuidv7(),
              userId: r.id,
              kind: 'step',
              transitionId: a.transition.id,
              digestOn: null,
              submissionId: s.id,
              to: r.email,
              ...mail,
              now: iso,
            });
          }
        }
        await store.insertMessages(messages);
        summary.enqueued += messages.length;
        return entries.length;
      });
      if (claimed < OUTBOX_BATCH) return;
    }
  }

  /** The dates due in [today, today + days ahead] of what `r` may see, from the engine's listing. */
  async function digestItems(r: MailRecipient, today: string): Promise<DigestItem[]> {
    const to = addCalendarDays(today, r.digestDaysAhead);
    const items: DigestItem[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: SubmissionView[]; nextCursor: string | null } = await deps.engine.listSubmissions(actorOf(r), {
        status: 'active',
        limit: LISTING_PAGE,
        ...(cursor ? { cursor } : {}),
      });
      for (const view of page.items) items.push(...digestItemsOf(view, today, to));
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  async function enqueueDigests(summary: MailPassSummary): Promise<void> {
    const at = now();
    if (at.getUTCHours() < options.digestHour) return;
    if (lastDigestScan !== undefined && at.getTime() - lastDigestScan < DIGEST_SCAN_MS) return;
    lastDigestScan = at.getTime();
    const today = dateIn(at, 'UTC');
    for (const r of await reader.digestRecipients(today)) {
      // Read before taking the writer; the day is claimed, and the digest stored, in one transaction.
      const items = await digestItems(r, today);
      await db.knex.transaction(async (trx) => {
        const store = createKnexMailStore(trx);
        if (!(await store.claimDigestDay(r.id, today))) return;
        // Nothing due: no mail today (the day is taken all the same).
        if (!items.length) return;
        const mail = renderDigestMail({ lang: r.lang, baseUrl: r.baseUrl, daysAhead: r.digestDaysAhead, items });
        await store.insertMessages([
          { id: uuidv7(), userId: r.id, kind: 'digest', transitionId: null, digestOn: today, submissionId: null, to: r.email, ...mail, now: at.toISOString() },
        ]);
        summary.digests++;
      });
    }
  }

  async function attempt(m: ClaimedMail, summary: MailPassSummary): Promise<void> {
    let responseCode: number | null = null;
    let error: string;
    try {
      await transport!.send({ id: m.id, to: m.to, subject: m.subject, text: m.text, html: m.html });
      await reader.recordAttempt(m.id, m.attempt, { status: 'sent', at: now().toISOString() });
      summary.sent++;
      return;
    } catch (e) {
      if (e instanceof MailSendError) {
        responseCode = e.responseCode;
        error = e.message;
      } else {
        error = (e as Error).message ?? String(e);
      }
    }
    const at = now();
    const last = m.attempt >= options.maxAttempts;
    const nextAttemptAt = last ? null : new Date(at.getTime() + backoffDelay(options.backoffMs, m.attempt)).toISOString();
    await reader.recordAttempt(m.id, m.attempt, { status: last ? 'failed' : 'pending', responseCode, error, at: at.toISOString(), nextAttemptAt });
    if (last) summary.failed++;
    else summary.retrying++;
    // The user id, never the address or the SMTP URL.
    logger.warn({ mailId: m.id, userId: m.userId, kind: m.kind, attempt: m.attempt, responseCode, error, final: last }, 'mail attempt failed');
  }

  async function sendDue(summary: MailPassSummary): Promise<void> {
    if (!transport) return;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const at = now();
      if (!(await reader.messagesDue(at.toISOString()))) return;
      const leaseUntil = new Date(at.getTime() + options.timeoutMs * 3 + LEASE_MARGIN_MS).toISOString();
      const claimed = await reader.claimDueMessages(at.toISOString(), leaseUntil, SEND_BATCH);
      if (!claimed.length) return;
      summary.attempted += claimed.length;
      await Promise.all(claimed.map((m) => attempt(m, summary)));
      if (claimed.length < SEND_BATCH) return;
    }
  }

  async function pass(): Promise<MailPassSummary> {
    const summary: MailPassSummary = { enqueued: 0, digests: 0, dropped: 0, attempted: 0, sent: 0, retrying: 0, failed: 0 };
    await enqueueOutbox(summary);
    if (transport) await enqueueDigests(summary);
    await sendDue(summary);
    if (Object.values(summary).some((n) => n > 0)) logger.info({ ...summary }, 'mail pass');
    return summary;
  }

  /** One pass; passes of one dispatcher never overlap. */
  async function runOnce(): Promise<MailPassSummary> {
    while (running) await running.catch(() => undefined);
    const p = pass();
    running = p;
    try {
      return await p;
    } finally {
      if (running === p) running = undefined;
    }
  }

  function schedule(): void {
    timer = setTimeout(() => {
      timer = undefined;
      runOnce()
        .catch((e: unknown) => logger.error({ err: e }, 'mail pass failed'))
        .finally(() => {
          if (started) schedule();
        });
    }, options.intervalMs);
    timer.unref();
  }

  return {
    runOnce,
    /** Runs a pass every `intervalMs` (nothing when it is 0) until stop(). */
    start(): void {
      if (started || options.intervalMs <= 0) return;
      started = true;
      schedule();
    },
    /** Stops the timer and waits for the pass in flight (an SMTP attempt ends within its timeouts). */
    async stop(): Promise<void> {
      started = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      while (running) await running.catch(() => undefined);
      transport?.close();
    },
  };
}

export type MailDispatcher = ReturnType<typeof createMailDispatcher>;

/** What turns mail on (SMTP_URL, MAIL_FROM) and when digests go out (MAIL_DIGEST_HOUR). */
export interface MailSettings {
  readonly smtpUrl?: string;
  readonly mailFrom?: string;
  readonly mailDigestHour?: number;
}

export const mailEnabled = (s: MailSettings): boolean => s.smtpUrl !== undefined && s.mailFrom !== undefined;

/**
 * The dispatcher `serve` runs (a pass every `intervalMs`) and `puente mail send` runs once: over
 * SMTP when the settings turn mail on, else only emptying the outbox. Says once, on `logger`,
 * whether mail is on (the server's host and port, never the credentials) or off.
 */
export function createConfiguredMailDispatcher(deps: {
  readonly db: Database;
  readonly engine: Pick<Engine, 'listSubmissions'>;
  readonly logger: Logger;
  readonly settings: MailSettings;
  readonly options?: Partial<MailDispatcherOptions>;
  readonly now?: () => Date;
}): MailDispatcher {
  const { settings, logger } = deps;
  const options = { ...deps.options, ...(settings.mailDigestHour !== undefined ? { digestHour: settings.mailDigestHour } : {}) };
  let transport: MailTransport | undefined;
  if (mailEnabled(settings)) {
    transport = createSmtpTransport({ smtpUrl: settings.smtpUrl!, from: settings.mailFrom!, timeoutMs: options.timeoutMs ?? MAIL_DEFAULTS.timeoutMs });
    logger.info({ smtp: describeSmtp(settings.smtpUrl!), from: settings.mailFrom }, 'e-mail notifications on');
  } else {
    logger.info('e-mail notifications off: set SMTP_URL and MAIL_FROM to send them');
  }
  return createMailDispatcher({ db: deps.db, engine: deps.engine, logger, transport, options, now: deps.now });
}
