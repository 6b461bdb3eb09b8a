/**
 * E-mail notifications (migration 019): preferences, the mail outbox and the messages. Raw rows
 * become domain objects here and nowhere else.
 *
 * As in the webhook store, the queue statements claim rows in ONE statement (`DELETE ... RETURNING`,
 * `UPDATE ... RETURNING`) whose inner select takes `FOR UPDATE SKIP LOCKED` on PostgreSQL, so
 * several processes sharing a database never take the same row; SQLite has one writer, which
 * serializes them anyway.
 */
import type { Knex } from 'knex';
import type { HumanRole } from '../../workflows/types.js';
import { isPostgres, rawRows } from './sql.js';
import type { Organization } from './types.js';

export type NotificationMode = 'immediate' | 'digest' | 'off';

/** What a user stored (or nothing yet), with the account's own address. */
export interface StoredPreferences {
  readonly userId: string;
  readonly mode: NotificationMode;
  readonly digestDaysAhead: number;
  /** The address chosen for notifications; null: the account's own. */
  readonly email: string | null;
  readonly lang: string;
  readonly baseUrl: string;
  readonly updatedAt: string;
}

/** A user who is to receive mail, with what the message needs to know about them. */
export interface MailRecipient {
  readonly id: string;
  readonly name: string;
  readonly role: HumanRole;
  readonly organization: Organization | null;
  /** The notification address, or the account's own. */
  readonly email: string;
  readonly lang: string;
  readonly baseUrl: string;
  readonly digestDaysAhead: number;
}

export type MailStatus = 'pending' | 'sent' | 'failed';

/** A message to enqueue: one per (user, history record) or (user, digest day). */
export interface NewMailMessage {
  readonly id: string;
  readonly userId: string;
  readonly kind: 'step' | 'digest';
  readonly transitionId: string | null;
  readonly digestOn: string | null;
  readonly submissionId: string | null;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly now: string;
}

export interface ClaimedMail {
  readonly id: string;
  readonly userId: string;
  readonly kind: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** This attempt's number (1 for the first). */
  readonly attempt: number;
}

export type MailOutcome =
  | { readonly status: 'sent'; readonly at: string }
  | {
      readonly status: 'pending' | 'failed';
      readonly responseCode: number | null;
      readonly error: string;
      readonly at: string;
      readonly nextAttemptAt: string | null;
    };

interface PreferencesRow {
  user_id: string;
  mode: string;
  digest_days_ahead: number | string;
  email: string | null;
  lang: string;
  base_url: string;
  updated_at: string;
}

const toPreferences = (r: PreferencesRow): StoredPreferences => ({
  userId: r.user_id,
  mode: r.mode as NotificationMode,
  digestDaysAhead: Number(r.digest_days_ahead),
  email: r.email,
  lang: r.lang,
  baseUrl: r.base_url,
  updatedAt: r.updated_at,
});

interface RecipientRow {
  id: string;
  name: string;
  role: string;
  organization_id: string | null;
  organization_name: string | null;
  email: string;
  lang: string;
  base_url: string;
  digest_days_ahead: number | string;
}

const toRecipient = (r: RecipientRow): MailRecipient => ({
  id: r.id,
  name: r.name,
  role: r.role as HumanRole,
  organization: r.organization_id ? { id: r.organization_id, name: r.organization_name! } : null,
  email: r.email,
  lang: r.lang,
  baseUrl: r.base_url,
  digestDaysAhead: Number(r.digest_days_ahead),
});

/** Enabled users with `mode` and an address to write to (their own choice, else the account's). */
function recipientsQuery(db: Knex, mode: NotificationMode) {
  return db('notification_preferences as p')
    .join('users as u', 'u.id', 'p.user_id')
    .leftJoin('organizations as o', 'o.id', 'u.organization_id')
    .where('p.mode', mode)
    .where('u.disabled', false)
    .whereRaw('coalesce(p.email, u.email) is not null')
    .select<RecipientRow[]>(
      'u.id',
      'u.name',
      'u.role',
      'u.organization_id',
      'o.name as organization_name',
      db.raw('coalesce(p.email, u.email) as email'),
      'p.lang',
      'p.base_url',
      'p.digest_days_ahead',
    )
    .orderBy('u.id');
}

export interface MailStore {
  /** The user's stored preferences, or undefined when they never saved any. */
  preferences(userId: string): Promise<StoredPreferences | undefined>;
  /** The account's own address (users.email), or null. */
  accountEmail(userId: string): Promise<string | null>;
  /** Creates or replaces the user's preferences (the day of the last digest is kept). */
  putPreferences(p: Omit<StoredPreferences, 'updatedAt'> & { readonly now: string }): Promise<void>;
  /** Whether the mail outbox holds anything (read pool: an idle dispatcher never takes the writer). */
  outboxPending(): Promise<boolean>;
  /** In a transaction: takes (deletes) up to `limit` outbox rows, oldest first. */
  claimOutbox(limit: number): Promise<Array<{ transitionId: string; submissionId: string }>>;
  /** Users who want a mail per step. */
  immediateRecipients(): Promise<MailRecipient[]>;
  /** Users who want a digest and have not had the one of `today` (UTC) made yet. */
  digestRecipients(today: string): Promise<MailRecipient[]>;
  /** In a transaction: marks `today`'s digest of the user as made; false when it already was (by any process). */
  claimDigestDay(userId: string, today: string): Promise<boolean>;
  /** Enqueues messages; one per (user, record) and per (user, digest day), however often it is tried. */
  insertMessages(messages: readonly NewMailMessage[]): Promise<void>;
  /** Whether some message is due at `now`. */
  messagesDue(now: string): Promise<boolean>;
  /**
   * Claims up to `limit` due messages for one attempt each: the attempt is counted and the next
   * moved to `leaseUntil`, so no other dispatcher takes them meanwhile.
   */
  claimDueMessages(now: string, leaseUntil: string, limit: number): Promise<ClaimedMail[]>;
  /** Records one attempt's outcome, unless the message has moved on since it was claimed. */
  recordAttempt(id: string, attempt: number, o: MailOutcome): Promise<boolean>;
}

/** The {@link MailStore} on one Knex connection, pool or transaction: reads on `db`, writes on `writer`. */
export function createKnexMailStore(db: Knex, writer: Knex = db): MailStore {
  return {
    async preferences(userId) {
      const row = await db('notification_preferences').where({ user_id: userId }).first<PreferencesRow | undefined>();
      return row ? toPreferences(row) : undefined;
    },
    async accountEmail(userId) {
      const row = await db('users').where({ id: userId }).first<{ email: string | null } | undefined>('email');
      return row?.email ?? null;
    },
    async putPreferences(p) {
      await writer('notification_preferences')
        .insert({
          user_id: p.userId,
          mode: p.mode,
          digest_days_ahead: p.digestDaysAhead,
          email: p.email,
          lang: p.lang,
          base_url: p.baseUrl,
          last_digest_on: null,
          updated_at: p.now,
        })
        .onConflict('user_id')
        .merge(['mode', 'digest_days_ahead', 'email', 'lang', 'base_url', 'updated_at']);
    },
    async outboxPending() {
      return (await db('mail_outbox').first('id')) !== undefined;
    },
    async claimOutbox(limit) {
      const lock = isPostgres(writer) ? ' for update skip locked' : '';
      const rows = await rawRows<{ id: string | number; transition_id: string; submission_id: string }>(
        writer,
        `delete from mail_outbox where id in (select id from mail_outbox order by id limit ?${lock}) returning id, transition_id, submission_id`,
        [limit],
      );
      return rows.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => ({ transitionId: r.transition_id, submissionId: r.submission_id }));
    },
    async immediateRecipients() {
      return (await recipientsQuery(db, 'immediate')).map(toRecipient);
    },
    async digestRecipients(today) {
      const rows = await recipientsQuery(db, 'digest').where((q) => {
        void q.whereNull('p.last_digest_on').orWhere('p.last_digest_on', '<', today);
      });
      return rows.map(toRecipient);
    },
    async claimDigestDay(userId, today) {
      const n = await writer('notification_preferences')
        .where({ user_id: userId, mode: 'digest' })
        .where((q) => {
          void q.whereNull('last_digest_on').orWhere('last_digest_on', '<', today);
        })
        .update({ last_digest_on: today });
      return n === 1;
    },
    async insertMessages(messages) {
      for (const kind of ['step', 'digest'] as const) {
        const rows = messages
          .filter((m) => m.kind === kind)
          .map((m) => ({
            id: m.id,
            user_id: m.userId,
            kind: m.kind,
            transition_id: m.transitionId,
            digest_on: m.digestOn,
            submission_id: m.submissionId,
            to_address: m.to,
            subject: m.subject,
            text_body: m.text,
            html_body: m.html,
            status: 'pending',
            attempts: 0,
            next_attempt_at: m.now,
            created_at: m.now,
            updated_at: m.now,
          }));
        const key = kind === 'step' ? ['user_id', 'transition_id'] : ['user_id', 'digest_on'];
        for (let i = 0; i < rows.length; i += 50) {
          await writer('mail_messages')
            .insert(rows.slice(i, i + 50))
            .onConflict(key)
            .ignore();
        }
      }
    },
    async messagesDue(now) {
      return (await db('mail_messages').where('status', 'pending').where('next_attempt_at', '<=', now).first('id')) !== undefined;
    },
    async claimDueMessages(now, leaseUntil, limit) {
      const lock = isPostgres(writer) ? ' for update skip locked' : '';
      const rows = await rawRows<{
        id: string;
        user_id: string;
        kind: string;
        to_address: string;
        subject: string;
        text_body: string;
        html_body: string;
        attempts: number | string;
      }>(
        writer,
        'update mail_messages set attempts = attempts + 1, next_attempt_at = ?, updated_at = ? ' +
          "where id in (select id from mail_messages where status = 'pending' and next_attempt_at <= ? order by next_attempt_at, id limit ?" +
          lock +
          ') ' +
          "and status = 'pending' and next_attempt_at <= ? " +
          'returning id, user_id, kind, to_address, subject, text_body, html_body, attempts',
        [leaseUntil, now, now, limit, now],
      );
      return rows.map((r) => ({
        id: r.id,
        userId: r.user_id,
        kind: r.kind,
        to: r.to_address,
        subject: r.subject,
        text: r.text_body,
        html: r.html_body,
        attempt: Number(r.attempts),
      }));
    },
    async recordAttempt(id, attempt, o) {
      const change =
        o.status === 'sent'
          ? { status: 'sent', last_response_code: null, last_error: null, next_attempt_at: null, sent_at: o.at, updated_at: o.at }
          : { status: o.status, last_response_code: o.responseCode, last_error: o.error.slice(0, 500), next_attempt_at: o.nextAttemptAt, updated_at: o.at };
      return (await writer('mail_messages').where({ id, attempts: attempt, status: 'pending' }).update(change)) === 1;
    },
  };
}
