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

export async function findIdempotentResponse(db: Knex, userId: string, key: string): Promise<StoredResponse | undefined> {
  const row = await db('idempotency_keys')
    .where({ user_id: userId, key })
    .first<{ request_hash: string; status_code: number; response: string } | undefined>('request_hash', 'status_code', 'response');
  return row ? { requestHash: row.request_hash, outcome: outcomeOf(row.status_code), body: JSON.parse(row.response) } : undefined;
}

export async function insertIdempotentResponse(
  db: Knex,
  entry: { userId: string; key: string; requestHash: string; outcome: StoredOutcome; body: unknown; now: string },
): Promise<void> {
  await db('idempotency_keys').insert({
    user_id: entry.userId,
    key: entry.key,
    request_hash: entry.requestHash,
    status_code: OUTCOME_COLUMN[entry.outcome],
    response: JSON.stringify(entry.body),
    created_at: entry.now,
  });
}
