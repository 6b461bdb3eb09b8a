/** Idempotency keys: the first response to a (user, key) pair, replayed for retries. */
import type { Knex } from 'knex';

/** What the first request's command did (src/engine/run-command.ts `CommandOutcome`). */
export type StoredOutcome = 'created' | 'applied';

/**
 * The `status_code` column predates outcomes and holds the HTTP status the first answer had:
 * each outcome is kept as that number, so rows written before read back the same.
 */
const OUTCOME_COLUMN: Record<StoredOutcome, number> = { created: 201, applied: 200 };

function outcomeOf(column: number | string): StoredOutcome {
  return Number(column) === OUTCOME_COLUMN.created ? 'created' : 'applied';
}

export interface StoredResponse {
  readonly requestHash: string;
  readonly outcome: StoredOutcome;
  readonly body: unknown;
}

/** A new entry: the first response to (user, key). */
export interface NewIdempotentResponse {
  readonly userId: string;
  readonly key: string;
  readonly requestHash: string;
  readonly outcome: StoredOutcome;
  readonly body: unknown;
  readonly now: string;
}

export interface IdempotencyStore {
  find(userId: string, key: string): Promise<StoredResponse | undefined>;
  /** Written in the command's transaction, so the response and its effects commit together. */
  insert(entry: NewIdempotentResponse): Promise<void>;
}

/** The {@link IdempotencyStore} on one Knex connection, pool or transaction: reads on `db`, writes on `writer`. */
export function createKnexIdempotencyStore(db: Knex, writer: Knex = db): IdempotencyStore {
  return { find: (userId, key) => findIdempotentResponse(db, userId, key), insert: (entry) => insertIdempotentResponse(writer, entry) };
}

export async function findIdempotentResponse(db: Knex, userId: string, key: string): Promise<StoredResponse | undefined> {
  const row = await db('idempotency_keys')
    .where({ user_id: userId, key })
    .first<{ request_hash: string; status_code: number; response: string } | undefined>('request_hash', 'status_code', 'response');
  return row ? { requestHash: row.request_hash, outcome: outcomeOf(row.status_code), body: JSON.parse(row.response) } : undefined;
}

export async function insertIdempotentResponse(db: Knex, entry: NewIdempotentResponse): Promise<void> {
  await db('idempotency_keys').insert({
    user_id: entry.userId,
    key: entry.key,
    request_hash: entry.requestHash,
    status_code: OUTCOME_COLUMN[entry.outcome],
    response: JSON.stringify(entry.body),
    created_at: entry.now,
  });
}
