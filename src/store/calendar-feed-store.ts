/** Calendar feed secrets (migration 018): one row per user, keyed by the SHA-256 of the URL's secret. */
import type { Knex } from 'knex';
import { rawRows } from './sql.js';
import { toUser, type User, type UserRow } from './users-store.js';

export interface CalendarFeedStore {
  /** Creates the user's feed, or replaces its secret (the old one stops naming anything). */
  put(feed: { userId: string; secretHash: string; lang: string; now: string }): Promise<void>;
  /** Deletes the user's feed; answers whether there was one. */
  delete(userId: string): Promise<boolean>;
  /** When the user's current feed was made, or undefined without one. */
  createdAt(userId: string): Promise<string | undefined>;
  /** The user a secret's hash names, with the feed's language; undefined for an unknown hash. */
  findBySecretHash(secretHash: string): Promise<{ user: User; lang: string } | undefined>;
}

// Fixed SQL: every calendar client polls with it.
const FIND_FEED_SQL =
  'select u.id, u.name, u.role, u.organization_id, o.name as organization_name, u.disabled, u.created_at, cf.lang ' +
  'from calendar_feeds cf join users u on u.id = cf.user_id left join organizations o on o.id = u.organization_id where cf.secret_hash = ?';

export function createKnexCalendarFeedStore(read: Knex, write: Knex): CalendarFeedStore {
  return {
    async put({ userId, secretHash, lang, now }) {
      await write('calendar_feeds')
        .insert({ user_id: userId, secret_hash: secretHash, lang, created_at: now })
        .onConflict('user_id')
        .merge(['secret_hash', 'lang', 'created_at']);
    },
    async delete(userId) {
      return (await write('calendar_feeds').where({ user_id: userId }).delete()) > 0;
    },
    async createdAt(userId) {
      const row = await read('calendar_feeds').where({ user_id: userId }).first<{ created_at: string } | undefined>('created_at');
      return row?.created_at;
    },
    async findBySecretHash(secretHash) {
      const [row] = await rawRows<UserRow & { lang: string }>(read, FIND_FEED_SQL, [secretHash]);
      return row ? { user: toUser(row), lang: row.lang } : undefined;
    },
  };
}
