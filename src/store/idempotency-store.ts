/** Idempotency keys: the first response to a (user, key) pair, replayed for retries. */
import type { Knex } from 'knex';

export interface StoredResponse {
  readonly requestHash: string;
  readonly statusCode: number;
  readonly body: unknown;
}

export async function findIdempotentResponse(db: Knex, userId: string, key: string): Promise<StoredResponse | undefined> {
  const row = await db('idempotency_keys')
    .where({ user_id: userId, key })
    .first<{ request_hash: string; status_code: number; response: string } | undefined>('request_hash', 'status_code', 'response');
  return row ? { requestHash: row.request_hash, statusCode: row.status_code, body: JSON.parse(row.response) } : undefined;
}

export async function insertIdempotentResponse(
  db: Knex,
  entry: { userId: string; key: string; requestHash: string; statusCode: number; body: unknown; now: string },
): Promise<void> {
  await db('idempotency_keys').insert({
    user_id: entry.userId,
    key: entry.key,
    request_hash: entry.requestHash,
    status_code: entry.statusCode,
    response: JSON.stringify(entry.body),
    created_at: entry.now,
  });
}
