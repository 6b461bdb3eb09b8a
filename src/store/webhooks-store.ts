/**
 * Webhook subscriptions, the outbox, deliveries and deadline-warning de-duplication
 * (migration 004). Raw rows become domain objects here and nowhere else.
 *
 * The queue statements claim rows in ONE statement (`DELETE ... RETURNING`, `UPDATE ... RETURNING`)
 * whose inner select takes `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several processes sharing a
 * database never take the same row; SQLite has one writer, which serializes them anyway.
 */
import type { Knex } from 'knex';
import { isPostgres, rawRows } from './sql.js';
import { recordOf, type TransitionRow } from './rows.js';
import type { Organization, Transition } from './types.js';

export interface WebhookSubscription {
  readonly id: string;
  readonly ownerId: string;
  /** null: every organization (admins only). */
  readonly organization: Organization | null;
  readonly url: string;
  /** null: every type. */
  readonly eventTypes: readonly string[] | null;
  /** null: every workflow. */
  readonly workflows: readonly string[] | null;
  readonly deadlineWarningDays: number | null;
  readonly secret: string;
  readonly createdAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly submissionId: string;
  readonly payload: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deliveredAt: string | null;
}

interface SubscriptionRow {
  id: string;
  owner_id: string;
  organization_id: string | null;
  organization_name: string | null;
  url: string;
  event_types: string | null;
  workflows: string | null;
  deadline_warning_days: number | null;
  secret: string;
  created_at: string;
}

function toSubscription(row: SubscriptionRow): WebhookSubscription {
  return {
    id: row.id,
    ownerId: row.owner_id,
    organization: row.organization_id ? { id: row.organization_id, name: row.organization_name! } : null,
    url: row.url,
    eventTypes: row.event_types === null ? null : (JSON.parse(row.event_types) as WebhookSubscription['eventTypes']),
    workflows: row.workflows === null ? null : (JSON.parse(row.workflows) as WebhookSubscription['workflows']),
    deadlineWarningDays: row.deadline_warning_days === null ? null : Number(row.deadline_warning_days),
    secret: row.secret,
    createdAt: row.created_at,
  };
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  submission_id: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    eventId: row.event_id,
    eventType: row.event_type,
    submissionId: row.submission_id,
    payload: row.payload,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}

function subscriptionsQuery(db: Knex) {
  return db('webhook_subscriptions as w').leftJoin('organizations as o', 'o.id', 'w.organization_id').select('w.*', 'o.name as organization_name');
}

// ---------------------------------------------------------------- subscriptions

export async function insertSubscription(db: Knex, s: WebhookSubscription): Promise<void> {
  await db('webhook_subscriptions').insert({
    id: s.id,
    owner_id: s.ownerId,
    organization_id: s.organization?.id ?? null,
    url: s.url,
    event_types: s.eventTypes === null ? null : JSON.stringify(s.eventTypes),
    workflows: s.workflows === null ? null : JSON.stringify(s.workflows),
    deadline_warning_days: s.deadlineWarningDays,
    secret: s.secret,
    created_at: s.createdAt,
  });
}

export async function findSubscription(db: Knex, id: string): Promise<WebhookSubscription | undefined> {
  const row = (await subscriptionsQuery(db).where('w.id', id).first()) as SubscriptionRow | undefined;
  return row ? toSubscription(row) : undefined;
}

/** A page of subscriptions, newest first (ids are UUIDv7); `ownerId` limits them to one user's. */
export async function listSubscriptions(db: Knex, opts: { ownerId?: string; before?: string; limit: number }): Promise<WebhookSubscription[]> {
  let q = subscriptionsQuery(db);
  if (opts.ownerId !== undefined) q = q.where('w.owner_id', opts.ownerId);
  if (opts.before !== undefined) q = q.where('w.id', '<', opts.before);
  return ((await q.orderBy('w.id', 'desc').limit(opts.limit)) as SubscriptionRow[]).map(toSubscription);
}

/** Subscriptions whose owner is still enabled: a disabled user's subscriptions fall silent. */
export async function activeSubscriptions(db: Knex): Promise<WebhookSubscription[]> {
  const rows = (await subscriptionsQuery(db).join('users as u', 'u.id', 'w.owner_id').where('u.disabled', false).orderBy('w.id')) as SubscriptionRow[];
  return rows.map(toSubscription);
}

/** Deletes a subscription with its delivery log and warning marks (ON DELETE CASCADE). */
export async function deleteSubscription(db: Knex, id: string): Promise<boolean> {
  return (await db('webhook_subscriptions').where({ id }).delete()) === 1;
}

// ---------------------------------------------------------------- outbox

export interface OutboxEntry {
  readonly id: string;
  readonly transitionId: string;
}

/** Takes (deletes) up to `limit` outbox rows, oldest first; rolled back with the caller's transaction. */
export async function claimOutbox(trx: Knex, limit: number): Promise<OutboxEntry[]> {
  const lock = isPostgres(trx) ? ' for update skip locked' : '';
  const rows = await rawRows<{ id: string | number; transition_id: string }>(
    trx,
    `delete from outbox where id in (select id from outbox order by id limit ?${lock}) returning id, transition_id`,
    [limit],
  );
  return rows.map((r) => ({ id: String(r.id), transitionId: r.transition_id })).sort((a, b) => Number(a.id) - Number(b.id));
}

export interface AnnouncedTransition {
  readonly transition: Transition;
  readonly organization: Organization;
}

/** History records by id, with their submission's organization. */
export async function announcedTransitions(db: Knex, ids: readonly string[]): Promise<Map<string, AnnouncedTransition>> {
  const out = new Map<string, AnnouncedTransition>();
  if (!ids.length) return out;
  const rows = await db('transitions as t')
    .join('submissions as s', 's.id', 't.submission_id')
    .join('organizations as o', 'o.id', 's.organization_id')
    .whereIn('t.id', [...ids])
    .select<Array<TransitionRow & { submission_organization_id: string; submission_organization_name: string }>>(
      't.*',
      's.organization_id as submission_organization_id',
      'o.name as submission_organization_name',
    );
  for (const r of rows) {
    out.set(r.id, { transition: recordOf(r), organization: { id: r.submission_organization_id, name: r.submission_organization_name } });
  }
  return out;
}

// ---------------------------------------------------------------- deliveries

/** A delivery to enqueue: the identifying fields of WebhookDelivery, and when. */
export type NewDelivery = Pick<WebhookDelivery, 'id' | 'subscriptionId' | 'eventId' | 'eventType' | 'submissionId' | 'payload'> & { readonly now: string };

/** Enqueues deliveries; one per (subscription, event) however often it is tried. */
export async function insertDeliveries(trx: Knex, deliveries: readonly NewDelivery[]): Promise<void> {
  for (let i = 0; i < deliveries.length; i += 100) {
    const chunk = deliveries.slice(i, i + 100).map((d) => ({
      id: d.id,
      subscription_id: d.subscriptionId,
      event_id: d.eventId,
      event_type: d.eventType,
      submission_id: d.submissionId,
      payload: d.payload,
      status: 'pending',
      attempts: 0,
      next_attempt_at: d.now,
      created_at: d.now,
      updated_at: d.now,
    }));
    await trx('webhook_deliveries').insert(chunk).onConflict(['subscription_id', 'event_id']).ignore();
  }
}

export interface ClaimedDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly payload: string;
  /** This attempt's number (1 for the first). */
  readonly attempt: number;
}

/**
 * Claims up to `limit` due pending deliveries for one attempt each: the attempt is counted and
 * the next attempt moved to `leaseUntil`, so no other dispatcher takes them meanwhile, and a
 * dispatcher that dies mid-attempt leaves them to be retried when the lease ends.
 */
export async function claimDueDeliveries(db: Knex, now: string, leaseUntil: string, limit: number): Promise<ClaimedDelivery[]> {
  const lock = isPostgres(db) ? ' for update skip locked' : '';
  const rows = await rawRows<{ id: string; subscription_id: string; event_id: string; event_type: string; payload: string; attempts: number }>(
    db,
    'update webhook_deliveries set attempts = attempts + 1, next_attempt_at = ?, updated_at = ? ' +
      "where id in (select id from webhook_deliveries where status = 'pending' and next_attempt_at <= ? order by next_attempt_at, id limit ?" +
      lock +
      ') ' +
      "and status = 'pending' and next_attempt_at <= ? " +
      'returning id, subscription_id, event_id, event_type, payload, attempts',
    [leaseUntil, now, now, limit, now],
  );
  return rows.map((r) => ({
    id: r.id,
    subscriptionId: r.subscription_id,
    eventId: r.event_id,
    eventType: r.event_type,
    payload: r.payload,
    attempt: Number(r.attempts),
  }));
}

export type AttemptOutcome =
  | { readonly status: 'delivered'; readonly statusCode: number; readonly at: string }
  | {
      readonly status: 'pending' | 'failed';
      readonly statusCode: number | null;
      readonly error: string;
      readonly at: string;
      readonly nextAttemptAt: string | null;
    };

/** Records one attempt's outcome, unless the delivery has moved on since it was claimed. */
export async function recordAttempt(db: Knex, id: string, attempt: number, o: AttemptOutcome): Promise<boolean> {
  const change =
    o.status === 'delivered'
      ? { status: 'delivered', last_status_code: o.statusCode, last_error: null, next_attempt_at: null, delivered_at: o.at, updated_at: o.at }
      : { status: o.status, last_status_code: o.statusCode, last_error: o.error.slice(0, 500), next_attempt_at: o.nextAttemptAt, updated_at: o.at };
  const n = await db('webhook_deliveries').where({ id, attempts: attempt, status: 'pending' }).update(change);
  return n === 1;
}

/** Gives an attempt back (the dispatcher stopped before it finished): due again now. */
export async function releaseAttempt(db: Knex, id: string, attempt: number, now: string): Promise<void> {
  await db('webhook_deliveries')
    .where({ id, attempts: attempt, status: 'pending' })
    .update({ attempts: attempt - 1, next_attempt_at: now, updated_at: now });
}

/** A page of a subscription's delivery log, newest first. */
export async function listDeliveries(db: Knex, subscriptionId: string, opts: { before?: string; limit: number }): Promise<WebhookDelivery[]> {
  let q = db('webhook_deliveries').where('subscription_id', subscriptionId);
  if (opts.before !== undefined) q = q.where('id', '<', opts.before);
  return ((await q.orderBy('id', 'desc').limit(opts.limit).select('*')) as DeliveryRow[]).map(toDelivery);
}

// ---------------------------------------------------------------- deadline warnings

export interface DeadlineCandidate {
  readonly submissionId: string;
  readonly workflowId: string;
  readonly workflowVersion: number;
  readonly state: string;
  readonly organization: Organization;
  readonly deadline: { readonly kind: string; readonly dueDate: string; readonly event: string };
}

/**
 * Active submissions a subscription may see whose hard deadline falls in [from, to] and that
 * it has not been warned about for that deadline and due date (index on status, deadline_due_date).
 */
export async function deadlineCandidates(db: Knex, s: WebhookSubscription, from: string, to: string, limit: number): Promise<DeadlineCandidate[]> {
  let q = db('submissions as s')
    .join('organizations as o', 'o.id', 's.organization_id')
    .where('s.status', 'active')
    .whereNotNull('s.deadline_kind')
    .whereBetween('s.deadline_due_date', [from, to])
    .whereNotExists(function () {
      this.select(1)
        .from('webhook_deadline_warnings as w')
        .where('w.subscription_id', s.id)
        .whereRaw('w.submission_id = s.id and w.deadline_kind = s.deadline_kind and w.due_date = s.deadline_due_date');
    });
  if (s.organization) q = q.where('s.organization_id', s.organization.id);
  if (s.workflows) q = q.whereIn('s.workflow_id', [...s.workflows]);
  const rows = await q.orderBy('s.deadline_due_date').orderBy('s.id').limit(limit).select<
    Array<{
      id: string;
      workflow_id: string;
      workflow_version: number;
      state: string;
      organization_id: string;
      organization_name: string;
      deadline_kind: string;
      deadline_due_date: string;
      deadline_event: string;
    }>
  >('s.id', 's.workflow_id', 's.workflow_version', 's.state', 's.organization_id', 'o.name as organization_name', 's.deadline_kind', 's.deadline_due_date', 's.deadline_event');
  return rows.map((r) => ({
    submissionId: r.id,
    workflowId: r.workflow_id,
    workflowVersion: Number(r.workflow_version),
    state: r.state,
    organization: { id: r.organization_id, name: r.organization_name },
    deadline: { kind: r.deadline_kind, dueDate: r.deadline_due_date, event: r.deadline_event },
  }));
}

/**
 * Marks (subscription, submission, deadline kind, due date) as warned. False when it already was
 * (by this or another process): the primary key makes the warning happen once.
 */
export async function markDeadlineWarned(
  trx: Knex,
  w: { subscriptionId: string; submissionId: string; kind: string; dueDate: string; deliveryId: string; now: string },
): Promise<boolean> {
  const rows = await rawRows(
    trx,
    'insert into webhook_deadline_warnings (subscription_id, submission_id, deadline_kind, due_date, delivery_id, created_at) values (?, ?, ?, ?, ?, ?) ' +
      'on conflict do nothing returning subscription_id',
    [w.subscriptionId, w.submissionId, w.kind, w.dueDate, w.deliveryId, w.now],
  );
  return rows.length === 1;
}

/** Subscriptions by id that may still receive deliveries (their owner is enabled). */
export async function deliverableSubscriptions(db: Knex, ids: readonly string[]): Promise<Map<string, WebhookSubscription>> {
  if (!ids.length) return new Map();
  const rows = (await subscriptionsQuery(db)
    .join('users as u', 'u.id', 'w.owner_id')
    .where('u.disabled', false)
    .whereIn('w.id', [...ids])) as SubscriptionRow[];
  return new Map(rows.map((r) => [r.id, toSubscription(r)]));
}

/** Whether the outbox holds anything: a cheap look on the read pool before taking the writer. */
export async function outboxPending(db: Knex): Promise<boolean> {
  return (await db('outbox').first('id')) !== undefined;
}

/** Whether some delivery is due at `now` (index on status, next_attempt_at). */
export async function deliveriesDue(db: Knex, now: string): Promise<boolean> {
  return (await db('webhook_deliveries').where('status', 'pending').where('next_attempt_at', '<=', now).first('id')) !== undefined;
}

/**
 * Webhook subscriptions, the outbox and deliveries. Methods marked "in a transaction" take rows
 * (claimOutbox) or warn once (markDeadlineWarned) and belong to the store of one transaction.
 */
export interface WebhookStore {
  insertSubscription(s: WebhookSubscription): Promise<void>;
  findSubscription(id: string): Promise<WebhookSubscription | undefined>;
  listSubscriptions(opts: { ownerId?: string; before?: string; limit: number }): Promise<WebhookSubscription[]>;
  activeSubscriptions(): Promise<WebhookSubscription[]>;
  deleteSubscription(id: string): Promise<boolean>;
  /** In a transaction: takes up to `limit` outbox rows, oldest first. */
  claimOutbox(limit: number): Promise<OutboxEntry[]>;
  announcedTransitions(ids: readonly string[]): Promise<Map<string, AnnouncedTransition>>;
  insertDeliveries(deliveries: readonly NewDelivery[]): Promise<void>;
  claimDueDeliveries(now: string, leaseUntil: string, limit: number): Promise<ClaimedDelivery[]>;
  recordAttempt(id: string, attempt: number, o: AttemptOutcome): Promise<boolean>;
  releaseAttempt(id: string, attempt: number, now: string): Promise<void>;
  listDeliveries(subscriptionId: string, opts: { before?: string; limit: number }): Promise<WebhookDelivery[]>;
  deadlineCandidates(s: WebhookSubscription, from: string, to: string, limit: number): Promise<DeadlineCandidate[]>;
  /** In a transaction: marks a deadline warned; false when it already was. */
  markDeadlineWarned(w: Parameters<typeof markDeadlineWarned>[1]): Promise<boolean>;
  deliverableSubscriptions(ids: readonly string[]): Promise<Map<string, WebhookSubscription>>;
  outboxPending(): Promise<boolean>;
  deliveriesDue(now: string): Promise<boolean>;
}

/** The {@link WebhookStore} on one Knex connection, pool or transaction: reads on `db`, writes on `writer`. */
export function createKnexWebhookStore(db: Knex, writer: Knex = db): WebhookStore {
  return {
    insertSubscription: (s) => insertSubscription(writer, s),
    findSubscription: (id) => findSubscription(db, id),
    listSubscriptions: (opts) => listSubscriptions(db, opts),
    activeSubscriptions: () => activeSubscriptions(db),
    deleteSubscription: (id) => deleteSubscription(writer, id),
    claimOutbox: (limit) => claimOutbox(writer, limit),
    announcedTransitions: (ids) => announcedTransitions(db, ids),
    insertDeliveries: (deliveries) => insertDeliveries(writer, deliveries),
    claimDueDeliveries: (now, leaseUntil, limit) => claimDueDeliveries(writer, now, leaseUntil, limit),
    recordAttempt: (id, attempt, o) => recordAttempt(writer, id, attempt, o),
    releaseAttempt: (id, attempt, now) => releaseAttempt(writer, id, attempt, now),
    listDeliveries: (subscriptionId, opts) => listDeliveries(db, subscriptionId, opts),
    deadlineCandidates: (s, from, to, limit) => deadlineCandidates(db, s, from, to, limit),
    markDeadlineWarned: (w) => markDeadlineWarned(writer, w),
    deliverableSubscriptions: (ids) => deliverableSubscriptions(db, ids),
    outboxPending: () => outboxPending(db),
    deliveriesDue: (now) => deliveriesDue(db, now),
  };
}
