/**
 * The webhook dispatcher. A pass (1) takes the outbox rows that committed commands left (see
 * migration 004) and turns each into deliveries for the subscriptions that match it, in one
 * transaction; (2) enqueues one deadline warning per subscription, submission, deadline kind and
 * due date; (3) sends the deliveries that are due, signed, each with a timeout, and records the
 * outcome, scheduling a retry with exponential backoff or failing the delivery after the last
 * attempt.
 *
 * Commands never wait for any of this: they only insert the history row (the trigger adds the
 * outbox row in the same transaction); the dispatcher runs on its own timer in `serve` (or once,
 * from `puente webhooks deliver`), holds no transaction while a request is in flight, and several
 * processes can run it against one PostgreSQL database (claims use FOR UPDATE SKIP LOCKED and a
 * lease; the outbox row is removed in the transaction that creates its deliveries).
 */
import { v7 as uuidv7 } from 'uuid';
import { addCalendarDays, dateIn } from '../engine/time.js';
import type { Logger } from '../logger.js';
import type { Database } from '../store/db.js';
import {
  activeSubscriptions,
  announcedTransitions,
  claimDueDeliveries,
  claimOutbox,
  deadlineCandidates,
  deliverableSubscriptions,
  deliveriesDue,
  insertDeliveries,
  markDeadlineWarned,
  outboxPending,
  recordAttempt,
  releaseAttempt,
  type AnnouncedTransition,
  type ClaimedDelivery,
  type DeadlineCandidate,
  type NewDelivery,
  type WebhookSubscription,
} from '../store/webhooks-store.js';
import { createAddressPolicy, type AddressPolicy } from './address-policy.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './signature.js';
import { describeFailure, postWebhook } from './transport.js';

export interface DispatcherOptions {
  /** Milliseconds between passes in `start()`; 0 = never started. */
  readonly intervalMs: number;
  /** How long one attempt may take before it counts as failed. */
  readonly timeoutMs: number;
  /** Attempts before a delivery is `failed`. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubled after each failure, capped at MAX_BACKOFF_MS. */
  readonly backoffMs: number;
}

export interface DispatcherDeps {
  readonly db: Database;
  readonly logger: Logger;
  readonly options: DispatcherOptions;
  /** Injectable clock (tests advance it instead of sleeping). */
  readonly now?: () => Date;
  /**
   * Which addresses deliveries may connect to (checked at connect time, so DNS rebinding cannot
   * reach inside); by default no internal address (WEBHOOK_ALLOW_PRIVATE_NETWORKS off).
   */
  readonly addressPolicy?: AddressPolicy;
}

/** What one pass did. */
export interface PassSummary {
  /** Deliveries created from outbox rows. */
  enqueued: number;
  /** Deadline warnings created. */
  warned: number;
  /** Attempts made. */
  attempted: number;
  delivered: number;
  /** Attempts that failed with attempts left. */
  retrying: number;
  /** Deliveries that failed for good. */
  failed: number;
}

export const DEADLINE_WARNING = 'deadline.warning';
export const MAX_BACKOFF_MS = 3_600_000;
const OUTBOX_BATCH = 500;
const SEND_BATCH = 20;
const MAX_ROUNDS = 20;
/** A claimed attempt is another dispatcher's to retry this long after its timeout, if its claimer vanished. */
const LEASE_MARGIN_MS = 60_000;
/** Deadlines move by days: looking for new warnings once a minute is plenty. */
const WARNING_SCAN_MS = 60_000;

/** The delay after failed attempt number `attempt` (1-based). */
export function backoffDelay(backoffMs: number, attempt: number): number {
  return Math.min(backoffMs * 2 ** Math.min(attempt - 1, 40), MAX_BACKOFF_MS);
}

function matches(s: WebhookSubscription, organizationId: string, workflowId: string, type?: string): boolean {
  if (s.organization && s.organization.id !== organizationId) return false;
  if (s.workflows && !s.workflows.includes(workflowId)) return false;
  if (type !== undefined && s.eventTypes && !s.eventTypes.includes(type)) return false;
  return true;
}

/** The body POSTed for a history record. */
function transitionPayload(a: AnnouncedTransition): string {
  const t = a.transition;
  return JSON.stringify({
    id: t.id,
    type: t.type,
    occurredAt: t.recordedAt,
    submission: { id: t.submissionId, workflow: { id: t.workflow.id, version: t.workflow.version }, organization: a.organization, state: t.to },
    transition: t,
  });
}

/** The body POSTed for a deadline warning. */
function warningPayload(id: string, c: DeadlineCandidate, at: Date, today: string): string {
  const daysLeft = Math.round((Date.parse(`${c.deadline.dueDate}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  return JSON.stringify({
    id,
    type: DEADLINE_WARNING,
    occurredAt: at.toISOString(),
    submission: { id: c.submissionId, workflow: { id: c.workflowId, version: c.workflowVersion }, organization: c.organization, state: c.state },
    deadline: { ...c.deadline, daysLeft },
  });
}

export function createWebhookDispatcher(deps: DispatcherDeps) {
  const { db, logger, options } = deps;
  const now = deps.now ?? (() => new Date());
  const addressPolicy = deps.addressPolicy ?? createAddressPolicy({ allowPrivateNetworks: false });
  let stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<PassSummary> | undefined;
  let started = false;
  let lastWarningScan: number | undefined;

  async function enqueueOutbox(summary: PassSummary): Promise<void> {
    // Looked for on the read pool first: an idle dispatcher never takes the (SQLite) writer.
    if (!(await outboxPending(db.reader))) return;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const claimed = await db.knex.transaction(async (trx) => {
        const entries = await claimOutbox(trx, OUTBOX_BATCH);
        if (!entries.length) return 0;
        const subscriptions = await activeSubscriptions(trx);
        const announced = await announcedTransitions(
          trx,
          entries.map((e) => e.transitionId),
        );
        const iso = now().toISOString();
        const deliveries: NewDelivery[] = [];
        for (const e of entries) {
          const a = announced.get(e.transitionId);
          if (!a) continue;
          let payload: string | undefined;
          for (const s of subscriptions) {
            if (!matches(s, a.organization.id, a.transition.workflow.id, a.transition.type)) continue;
            payload ??= transitionPayload(a);
            deliveries.push({
              id: uuidv7(),
              subscriptionId: s.id,
              eventId: a.transition.id,
              eventType: a.transition.type,
              submissionId: a.transition.submissionId,
              payload,
              now: iso,
            });
          }
        }
        await insertDeliveries(trx, deliveries);
        summary.enqueued += deliveries.length;
        return entries.length;
      });
      if (claimed < OUTBOX_BATCH) return;
    }
  }

  async function enqueueDeadlineWarnings(summary: PassSummary): Promise<void> {
    const at = now();
    if (lastWarningScan !== undefined && at.getTime() - lastWarningScan < WARNING_SCAN_MS) return;
    lastWarningScan = at.getTime();
    const today = dateIn(at, 'UTC');
    const subscriptions = (await activeSubscriptions(db.reader)).filter((s) => s.deadlineWarningDays !== null);
    for (const s of subscriptions) {
      const candidates = await deadlineCandidates(db.reader, s, today, addCalendarDays(today, s.deadlineWarningDays!), OUTBOX_BATCH);
      if (!candidates.length) continue;
      await db.knex.transaction(async (trx) => {
        const iso = at.toISOString();
        const deliveries: NewDelivery[] = [];
        for (const c of candidates) {
          const id = uuidv7();
          const first = await markDeadlineWarned(trx, {
            subscriptionId: s.id,
            submissionId: c.submissionId,
            kind: c.deadline.kind,
            dueDate: c.deadline.dueDate,
            deliveryId: id,
            now: iso,
          });
          if (!first) continue;
          deliveries.push({
            id,
            subscriptionId: s.id,
            eventId: id,
            eventType: DEADLINE_WARNING,
            submissionId: c.submissionId,
            payload: warningPayload(id, c, at, today),
            now: iso,
          });
        }
        await insertDeliveries(trx, deliveries);
        summary.warned += deliveries.length;
      });
    }
  }

  async function attempt(d: ClaimedDelivery, s: WebhookSubscription | undefined, summary: PassSummary): Promise<void> {
    let statusCode: number | null = null;
    let error: string;
    if (!s) {
      error = 'the subscription was deleted or its owner disabled';
    } else {
      const timestamp = Math.floor(now().getTime() / 1000);
      const timeout = AbortSignal.timeout(options.timeoutMs);
      try {
        const status = await postWebhook(
          s.url,
          {
            signal: AbortSignal.any([timeout, stopping.signal]),
            headers: {
              'Content-Type': 'application/json',
              'User-Agent': 'puente-webhooks/1',
              'Puente-Event-Id': d.eventId,
              'Puente-Event-Type': d.eventType,
              'Puente-Delivery-Id': d.id,
              'Puente-Delivery-Attempt': String(d.attempt),
              [TIMESTAMP_HEADER]: String(timestamp),
              [SIGNATURE_HEADER]: signWebhook(s.secret, timestamp, d.payload),
            },
            body: d.payload,
          },
          addressPolicy,
        );
        statusCode = status;
        if (status >= 200 && status < 300) {
          await recordAttempt(db.knex, d.id, d.attempt, { status: 'delivered', statusCode, at: now().toISOString() });
          summary.delivered++;
          return;
        }
        error = `HTTP ${status}`;
      } catch (e) {
        if (stopping.signal.aborted && !timeout.aborted) {
          // Shutting down: the attempt was cut short by us, not by the receiver; give it back.
          await releaseAttempt(db.knex, d.id, d.attempt, now().toISOString());
          return;
        }
        error = timeout.aborted ? `timeout after ${options.timeoutMs} ms` : describeFailure(e);
      }
    }
    const at = now();
    const last = !s || d.attempt >= options.maxAttempts;
    const nextAttemptAt = last ? null : new Date(at.getTime() + backoffDelay(options.backoffMs, d.attempt)).toISOString();
    await recordAttempt(db.knex, d.id, d.attempt, { status: last ? 'failed' : 'pending', statusCode, error, at: at.toISOString(), nextAttemptAt });
    if (last) summary.failed++;
    else summary.retrying++;
    logger.warn(
      { deliveryId: d.id, subscriptionId: d.subscriptionId, eventType: d.eventType, attempt: d.attempt, statusCode, error, final: last },
      'webhook delivery attempt failed',
    );
  }

  async function sendDue(summary: PassSummary): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS && !stopping.signal.aborted; round++) {
      const at = now();
      if (!(await deliveriesDue(db.reader, at.toISOString()))) return;
      const leaseUntil = new Date(at.getTime() + options.timeoutMs + LEASE_MARGIN_MS).toISOString();
      const claimed = await claimDueDeliveries(db.knex, at.toISOString(), leaseUntil, SEND_BATCH);
      if (!claimed.length) return;
      const subscriptions = await deliverableSubscriptions(db.knex, [...new Set(claimed.map((d) => d.subscriptionId))]);
      summary.attempted += claimed.length;
      await Promise.all(claimed.map((d) => attempt(d, subscriptions.get(d.subscriptionId), summary)));
      if (claimed.length < SEND_BATCH) return;
    }
  }

  async function pass(): Promise<PassSummary> {
    const summary: PassSummary = { enqueued: 0, warned: 0, attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    await enqueueOutbox(summary);
    await enqueueDeadlineWarnings(summary);
    await sendDue(summary);
    if (Object.values(summary).some((n) => n > 0)) logger.info({ ...summary }, 'webhook pass');
    return summary;
  }

  /** One pass; passes of one dispatcher never overlap. */
  async function runOnce(): Promise<PassSummary> {
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
        .catch((e: unknown) => logger.error({ err: e }, 'webhook pass failed'))
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
      stopping = new AbortController();
      schedule();
    },
    /** Stops the timer, cuts attempts in flight short (they are given back) and waits for the pass. */
    async stop(): Promise<void> {
      started = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      stopping.abort();
      while (running) await running.catch(() => undefined);
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
