/** Web sign-in sessions (migration 009). Rows are keyed by the SHA-256 of the cookie token. */
import type { Knex } from 'knex';
import { rawRows } from './sql.js';
import { toUser, type User } from './users-store.js';

export interface SessionRow {
  readonly tokenHash: string;
  readonly user: User;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  readonly expiresAt: string;
}

interface Row {
  token_hash: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  user_id: string;
  name: string;
  role: string;
  organization_id: string | null;
  organization_name: string | null;
  disabled: number | boolean;
  user_created_at: string;
}

// Fixed SQL: this runs on every page request.
const FIND_SESSION_SQL =
  'select ws.token_hash, ws.created_at, ws.last_seen_at, ws.expires_at, u.id as user_id, u.name, u.role, u.organization_id, o.name as organization_name, u.disabled, u.created_at as user_created_at ' +
  'from web_sessions ws join users u on u.id = ws.user_id left join organizations o on o.id = u.organization_id where ws.token_hash = ?';

export async function findSession(db: Knex, tokenHash: string): Promise<SessionRow | undefined> {
  const [row] = await rawRows<Row>(db, FIND_SESSION_SQL, [tokenHash]);
  if (!row) return undefined;
  return {
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    user: toUser({ ...row, id: row.user_id, created_at: row.user_created_at }),
  };
}

export async function insertSession(db: Knex, s: { tokenHash: string; userId: string; now: string; expiresAt: string }): Promise<void> {
  await db('web_sessions').insert({ token_hash: s.tokenHash, user_id: s.userId, created_at: s.now, last_seen_at: s.now, expires_at: s.expiresAt });
}

/** Slides the idle expiry forward (the caller caps it at the absolute limit). */
export async function touchSession(db: Knex, tokenHash: string, now: string, expiresAt: string): Promise<void> {
  await db('web_sessions').where({ token_hash: tokenHash }).update({ last_seen_at: now, expires_at: expiresAt });
}

export async function deleteSession(db: Knex, tokenHash: string): Promise<void> {
  await db('web_sessions').where({ token_hash: tokenHash }).delete();
}

/** Ends every session of a user (a password reset or change, a disabled user: issue 8); answers how many. */
export async function deleteSessionsOfUser(db: Knex, userId: string): Promise<number> {
  return db('web_sessions').where({ user_id: userId }).delete();
}

/** Removes sessions that have expired (run at sign-in, so the table does not grow without bound). */
export async function deleteExpiredSessions(db: Knex, now: string): Promise<number> {
  return db('web_sessions').where('expires_at', '<=', now).delete();
}

/** Who may sign in with this name or e-mail: the user's id, password hash and state. */
export interface SignInCandidate {
  readonly id: string;
  readonly name: string;
  readonly disabled: boolean;
  readonly passwordHash: string | null;
}

/**
 * Users an identifier names: the one with that e-mail (case-insensitive), else every user of
 * that exact name (names are not unique; the caller refuses an ambiguous one).
 */
export async function findSignInCandidates(db: Knex, identifier: string): Promise<SignInCandidate[]> {
  const cols = ['id', 'name', 'disabled', 'password_hash'] as const;
  type R = { id: string; name: string; disabled: number | boolean; password_hash: string | null };
  let rows: R[] = [];
  if (identifier.includes('@'))
    rows = await db('users')
      .where({ email: identifier.toLowerCase() })
      .select<R[]>(...cols);
  if (rows.length === 0)
    rows = await db('users')
      .where({ name: identifier })
      .limit(2)
      .select<R[]>(...cols);
  return rows.map((r) => ({ id: r.id, name: r.name, disabled: Boolean(r.disabled), passwordHash: r.password_hash }));
}

export interface SessionStore {
  find(tokenHash: string): Promise<SessionRow | undefined>;
  insert(s: { tokenHash: string; userId: string; now: string; expiresAt: string }): Promise<void>;
  touch(tokenHash: string, now: string, expiresAt: string): Promise<void>;
  delete(tokenHash: string): Promise<void>;
  /** Ends every session of `userId`; answers how many. */
  deleteForUser(userId: string): Promise<number>;
  /** Deletes every session expired at `now`; answers how many. */
  deleteExpired(now: string): Promise<number>;
  /** The users a sign-in identifier (name or e-mail) may name. */
  signInCandidates(identifier: string): Promise<SignInCandidate[]>;
}

/** The {@link SessionStore} on one Knex connection, pool or transaction: reads on `db`, writes on `writer`. */
export function createKnexSessionStore(db: Knex, writer: Knex = db): SessionStore {
  return {
    find: (tokenHash) => findSession(db, tokenHash),
    insert: (s) => insertSession(writer, s),
    touch: (tokenHash, now, expiresAt) => touchSession(writer, tokenHash, now, expiresAt),
    delete: (tokenHash) => deleteSession(writer, tokenHash),
    deleteForUser: (userId) => deleteSessionsOfUser(writer, userId),
    deleteExpired: (now) => deleteExpiredSessions(writer, now),
    signInCandidates: (identifier) => findSignInCandidates(db, identifier),
  };
}
