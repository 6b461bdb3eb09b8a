/**
 * Webhook subscriptions as the API sees them: who may subscribe to what, validation of the
 * filters against the workflow catalog, and the delivery log. Manufacturers subscribe for their
 * own organization (so they never receive another organization's events); admins for every
 * organization or one; other roles have no subscriptions.
 */
import { v7 as uuidv7 } from 'uuid';
import { WORKFLOWS } from '../../workflows/index.js';
import { ForbiddenError, InputError, NotFoundError, fieldError, type FieldError } from '../errors.js';
import type { CreateWebhook, ListWebhooksQuery, WebhookDelivery as WebhookDeliveryEntry } from '../generated/schema-types.js';
import type { Database } from '../store/db.js';
import type { Actor } from '../store/types.js';
import {
  deleteSubscription,
  findSubscription,
  insertSubscription,
  listDeliveries,
  listSubscriptions,
  type WebhookDelivery,
  type WebhookSubscription,
} from '../store/webhooks-store.js';
import { SCHEMA_BASE, invalidDetail, type Validator } from '../validation.js';
import { createAddressPolicy, type AddressPolicy } from './address-policy.js';
import { newWebhookSecret } from './signature.js';

/** History record types every workflow can write besides its machine's events. */
export const RECORD_TYPES = ['CREATED', 'DOCUMENT_ADDED', 'MIGRATED', 'GOAL_MISSED', 'MMD_DUE', 'DEADLINE_PASSED', 'REFERENCE_INVALIDATED'] as const;

/** Event types by workflow id, over every version in the catalog (old submissions still emit theirs). */
const EVENT_TYPES = new Map<string, Set<string>>();
for (const w of WORKFLOWS) {
  const set = EVENT_TYPES.get(w.id) ?? new Set<string>(RECORD_TYPES);
  for (const type of Object.keys(w.events)) set.add(type);
  EVENT_TYPES.set(w.id, set);
}
const ALL_EVENT_TYPES = new Set([...EVENT_TYPES.values()].flatMap((s) => [...s]));

export interface WebhookView {
  id: string;
  url: string;
  eventTypes: string[] | null;
  workflows: string[] | null;
  deadlineWarningDays: number | null;
  organization: { id: string; name: string } | null;
  createdBy: string;
  createdAt: string;
}

/** One entry of the delivery log, as `schemas/webhook-delivery.json` describes it. */
export type DeliveryView = WebhookDeliveryEntry;

function toView(s: WebhookSubscription): WebhookView {
  return {
    id: s.id,
    url: s.url,
    eventTypes: s.eventTypes ? [...s.eventTypes] : null,
    workflows: s.workflows ? [...s.workflows] : null,
    deadlineWarningDays: s.deadlineWarningDays,
    organization: s.organization,
    createdBy: s.ownerId,
    createdAt: s.createdAt,
  };
}

function toDeliveryView(d: WebhookDelivery): DeliveryView {
  return {
    id: d.id,
    eventId: d.eventId,
    type: d.eventType,
    submissionId: d.submissionId,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    deliveredAt: d.deliveredAt,
  };
}

/** Keyset cursors: the base64url of the last id of the page (ids are UUIDv7, so time-ordered). */
function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const after = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(after)) throw new InputError({ code: 'invalid.cursor' }, [fieldError('/cursor', { code: 'invalid.cursor_field' })]);
  return after;
}

const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');

/**
 * The URL problems of a subscription target (the schema already checked its shape). The WHATWG
 * parser has already turned every numeric host form (`2130706433`, `0x7f.1`, `0177.0.0.1`) into
 * its dotted address, so the policy sees the address the connection would use.
 */
async function urlErrors(url: string, policy: AddressPolicy): Promise<FieldError[]> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [fieldError('/url', { code: 'webhook.url_invalid' })];
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return [fieldError('/url', { code: 'webhook.url_scheme' })];
  if (!parsed.hostname) return [fieldError('/url', { code: 'webhook.url_host' })];
  const refusal = await policy.checkUrl(parsed);
  if (refusal === 'self') return [fieldError('/url', { code: 'webhook.url_self' })];
  if (refusal === 'internal') return [fieldError('/url', { code: 'webhook.url_internal' })];
  return [];
}

export interface WebhookSubscriptionsDeps {
  readonly db: Database;
  readonly validator: Validator;
  readonly now?: () => Date;
  /** Where targets may point (issue 8 §5); by default no internal address. */
  readonly addressPolicy?: AddressPolicy;
}

export function createWebhookSubscriptions(deps: WebhookSubscriptionsDeps) {
  const { db, validator } = deps;
  const now = deps.now ?? (() => new Date());
  const addressPolicy = deps.addressPolicy ?? createAddressPolicy({ allowPrivateNetworks: false });

  function requireSubscriber(actor: Actor): void {
    if (actor.role === 'admin') return;
    if (actor.role === 'manufacturer' && actor.organization) return;
    throw new ForbiddenError({ code: 'webhook.roles_only', params: { role: actor.role } });
  }

  /** The subscription if this caller may see it (its owner, or any admin); else 404. */
  async function loadVisible(actor: Actor, id: string): Promise<WebhookSubscription> {
    requireSubscriber(actor);
    const s = await findSubscription(db.reader, id);
    if (!s || (actor.role !== 'admin' && s.ownerId !== actor.id)) throw new NotFoundError({ code: 'webhook.not_found', params: { id } });
    return s;
  }

  function pageOf(query: unknown): { limit: number; before?: string } {
    validator.check(`${SCHEMA_BASE}list-webhooks-query.json`, query, '', { code: 'invalid.query' });
    const q = query as ListWebhooksQuery;
    return { limit: q.limit ? Number(q.limit) : 50, before: decodeCursor(q.cursor) };
  }

  return {
    /** POST /v1/webhooks: the new subscription with its signing secret (shown this once). */
    async create(actor: Actor, body: unknown): Promise<WebhookView & { secret: string }> {
      requireSubscriber(actor);
      validator.check(`${SCHEMA_BASE}create-webhook.json`, body, '', { code: 'invalid.webhook_subscription' });
      const b = body as CreateWebhook;
      const errors: FieldError[] = [...(await urlErrors(b.url, addressPolicy))];
      b.workflows?.forEach((w, i) => {
        if (!EVENT_TYPES.has(w)) errors.push(fieldError(`/workflows/${i}`, { code: 'webhook.not_a_workflow_id' }));
      });
      const named = b.workflows?.filter((w) => EVENT_TYPES.has(w));
      b.eventTypes?.forEach((type, i) => {
        const known = named?.length ? named.some((w) => EVENT_TYPES.get(w)!.has(type)) : ALL_EVENT_TYPES.has(type);
        if (!known)
          errors.push(
            fieldError(
              `/eventTypes/${i}`,
              named?.length ? { code: 'webhook.not_an_event_of', params: { workflows: named } } : { code: 'webhook.not_an_event' },
            ),
          );
      });
      if (b.eventTypes?.length === 0 && b.deadlineWarningDays === undefined) {
        errors.push(fieldError('/eventTypes', { code: 'webhook.empty_event_types' }));
      }
      if (errors.length) throw new InputError(invalidDetail({ code: 'invalid.webhook_subscription' }, errors), errors);

      let organization: WebhookSubscription['organization'];
      if (actor.role === 'manufacturer') {
        if (b.organization !== undefined && b.organization !== actor.organization!.id) {
          throw new ForbiddenError({ code: 'webhook.own_organization_only' });
        }
        organization = actor.organization;
      } else {
        organization = null;
        if (b.organization !== undefined) {
          const org = await db.reader('organizations').where({ id: b.organization }).first<{ id: string; name: string } | undefined>('id', 'name');
          if (!org)
            throw new InputError({ code: 'webhook.no_organization', params: { id: b.organization } }, [
              fieldError('/organization', { code: 'webhook.unknown_organization_field' }),
            ]);
          organization = org;
        }
      }
      const subscription: WebhookSubscription = {
        id: uuidv7(),
        ownerId: actor.id,
        organization,
        url: b.url,
        eventTypes: b.eventTypes ?? null,
        workflows: b.workflows ?? null,
        deadlineWarningDays: b.deadlineWarningDays ?? null,
        secret: newWebhookSecret(),
        createdAt: now().toISOString(),
      };
      await insertSubscription(db.knex, subscription);
      return { ...toView(subscription), secret: subscription.secret };
    },

    /** GET /v1/webhooks: the caller's subscriptions (admins: every one), newest first. */
    async list(actor: Actor, query: unknown): Promise<{ items: WebhookView[]; nextCursor: string | null }> {
      requireSubscriber(actor);
      const page = pageOf(query);
      const rows = await listSubscriptions(db.reader, { ownerId: actor.role === 'admin' ? undefined : actor.id, before: page.before, limit: page.limit + 1 });
      const items = rows.slice(0, page.limit);
      return { items: items.map(toView), nextCursor: rows.length > page.limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },

    /** GET /v1/webhooks/:id */
    async get(actor: Actor, id: string): Promise<WebhookView> {
      return toView(await loadVisible(actor, id));
    },

    /** DELETE /v1/webhooks/:id: the subscription, its delivery log and pending deliveries. */
    async remove(actor: Actor, id: string): Promise<void> {
      const s = await loadVisible(actor, id);
      if (!(await deleteSubscription(db.knex, s.id))) throw new NotFoundError({ code: 'webhook.not_found', params: { id } });
    },

    /** GET /v1/webhooks/:id/deliveries: the delivery log, newest first. */
    async deliveries(actor: Actor, id: string, query: unknown): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
      const page = pageOf(query);
      const s = await loadVisible(actor, id);
      const rows = await listDeliveries(db.reader, s.id, { before: page.before, limit: page.limit + 1 });
      const items = rows.slice(0, page.limit);
      return { items: items.map(toDeliveryView), nextCursor: rows.length > page.limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },
  };
}

export type WebhookSubscriptions = ReturnType<typeof createWebhookSubscriptions>;
