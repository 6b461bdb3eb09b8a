/**
 * Failed authentications per key in a fixed window (issue 8 §4), in the database so that every
 * process on it shares the count. A key is an opaque SHA-256 (of scope, client address and
 * identifier, made by src/rate-limit.ts): neither typed names nor token fragments are stored.
 */
import type { Knex } from 'knex';
import { rawRows } from './sql.js';

/** One atomic upsert: a key's first failure opens its window; a failure after the window opens a new one. */
const COUNT_FAILURE_SQL =
  'insert into auth_failures (key_hash, failures, window_ends_at) values (?, 1, ?) ' +
  'on conflict (key_hash) do update set ' +
  'failures = case when auth_failures.window_ends_at <= ? then 1 else auth_failures.failures + 1 end, ' +
  'window_ends_at = case when auth_failures.window_ends_at <= ? then excluded.window_ends_at else auth_failures.window_ends_at end ' +
  'returning failures, window_ends_at';

export interface AttemptsStore {
  /**
   * Counts one failure of each key at `now` (a window, when one opens, ends at `windowEndsAt`):
   * the failures in each key's current window, this one included, and when that window ends.
   */
  countFailures(keyHashes: readonly string[], now: string, windowEndsAt: string): Promise<Array<{ failures: number; windowEndsAt: string }>>;
  /** Deletes the counts whose window ended at or before `now`. */
  deleteExpired(now: string): Promise<number>;
}

export function createKnexAttemptsStore(writer: Knex): AttemptsStore {
  return {
    async countFailures(keyHashes, now, windowEndsAt) {
      const out: Array<{ failures: number; windowEndsAt: string }> = [];
      // Each key's count is one statement of its own: atomic, and no transaction held across keys.
      for (const key of keyHashes) {
        const [row] = await rawRows<{ failures: number | string; window_ends_at: string }>(writer, COUNT_FAILURE_SQL, [key, windowEndsAt, now, now]);
        out.push({ failures: Number(row!.failures), windowEndsAt: row!.window_ends_at });
      }
      return out;
    },
    async deleteExpired(now) {
      return writer('auth_failures').where('window_ends_at', '<=', now).delete();
    },
  };
}
