/** Organizations and users. Tokens exist here only as SHA-256 hashes. */
import type { Knex } from 'knex';
import { rawRows } from './sql.js';
import { v7 as uuidv7 } from 'uuid';
import type { HumanRole } from '../../workflows/types.js';

import type { Organization } from './types.js';

export type { Organization } from './types.js';

export interface User {
  readonly id: string;
  readonly name: string;
  readonly role: HumanRole;
  readonly organization: Organization | null;
  readonly disabled: boolean;
  readonly createdAt: string;
  /** When the current bearer token was issued (TOKEN_MAX_DAYS counts from it); present where the query read it. */
  readonly tokenIssuedAt?: string;
  /** Set by the users service when TOKEN_MAX_DAYS has passed since the token was issued (issue 8). */
  readonly tokenExpired?: boolean;
}

export interface UserRow {
  id: string;
  name: string;
  role: string;
  organization_id: string | null;
  organization_name: string | null;
  disabled: number | boolean;
  created_at: string;
  token_issued_at?: string | null;
}

/** A user as the stores return it, from its row (joined with its organization's name). */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    role: row.role as HumanRole,
    organization: row.organization_id ? { id: row.organization_id, name: row.organization_name! } : null,
    disabled: Boolean(row.disabled),
    createdAt: row.created_at,
    ...(row.token_issued_at !== undefined ? { tokenIssuedAt: row.token_issued_at ?? row.created_at } : {}),
  };
}

const FIND_USER_BY_TOKEN_SQL =
  'select u.id, u.name, u.role, u.organization_id, o.name as organization_name, u.disabled, u.created_at, u.token_issued_at from users u left join organizations o on o.id = u.organization_id where u.token_hash = ?';

/** The user a bearer token's hash belongs to (fixed SQL: this runs on every request). */
export async function findUserByTokenHash(db: Knex, tokenHash: string): Promise<User | undefined> {
  const [row] = await rawRows<UserRow>(db, FIND_USER_BY_TOKEN_SQL, [tokenHash]);
  return row ? toUser(row) : undefined;
}

/** The organization with this name, created on first use. */
export async function ensureOrganization(db: Knex, name: string, now: string): Promise<Organization> {
  const existing = await db('organizations').where({ name }).first<{ id: string; name: string } | undefined>('id', 'name');
  if (existing) return existing;
  const org = { id: uuidv7(), name };
  await db('organizations')
    .insert({ ...org, created_at: now })
    .onConflict('name')
    .ignore();
  return await db('organizations').where({ name }).first<{ id: string; name: string }>('id', 'name');
}

export async function insertUser(
  db: Knex,
  user: { name: string; role: HumanRole; organization: Organization | null; tokenHash: string; now: string; passwordHash?: string; email?: string },
): Promise<User> {
  const id = uuidv7();
  await db('users').insert({
    id,
    name: user.name,
    role: user.role,
    organization_id: user.organization?.id ?? null,
    token_hash: user.tokenHash,
    token_issued_at: user.now,
    disabled: false,
    created_at: user.now,
    ...(user.email ? { email: user.email.toLowerCase() } : {}),
    ...(user.passwordHash ? { password_hash: user.passwordHash, password_changed_at: user.now } : {}),
  });
  return { id, name: user.name, role: user.role, organization: user.organization, disabled: false, createdAt: user.now, tokenIssuedAt: user.now };
}

/**
 * What re-authentication needs of a user (21 CFR 11.200, 11.300): the password hash (a PHC
 * string, never leaves the server), consecutive failed attempts and when signing was locked.
 */
export interface UserCredentials {
  readonly userId: string;
  readonly name: string;
  readonly role: HumanRole;
  readonly disabled: boolean;
  readonly passwordHash: string | null;
  readonly signatureFailures: number;
  readonly signingLockedAt: string | null;
}

export async function findUserCredentials(db: Knex, userId: string): Promise<UserCredentials | undefined> {
  const row = await db('users').where({ id: userId }).first<
    | {
        id: string;
        name: string;
        role: string;
        disabled: number | boolean;
        password_hash: string | null;
        signature_failures: number | string;
        signing_locked_at: string | null;
      }
    | undefined
  >('id', 'name', 'role', 'disabled', 'password_hash', 'signature_failures', 'signing_locked_at');
  if (!row) return undefined;
  return {
    userId: row.id,
    name: row.name,
    role: row.role as HumanRole,
    disabled: Boolean(row.disabled),
    passwordHash: row.password_hash,
    signatureFailures: Number(row.signature_failures),
    signingLockedAt: row.signing_locked_at,
  };
}

// ---------------------------------------------------------------------------------------------
// Password checks, the failure count and the lock (issue 8 §4; 21 CFR 11.300(d)). Signing and web
// sign-in share them: one count and one lock per user, held in the database for every process.

/** Pending checks, or 0 when the last reservation is older than `?` (its checks died with their process). */
const LIVE_PENDING = '(case when signature_checks_since is null or signature_checks_since < ? then 0 else signature_checks_pending end)';

const RESERVE_CHECK_SQL =
  `update users set signature_checks_pending = ${LIVE_PENDING} + 1, signature_checks_since = ? ` +
  `where id = ? and signing_locked_at is null and signature_failures + ${LIVE_PENDING} < ? returning id`;

/**
 * Reserves one password check before scrypt runs: one guarded UPDATE takes a slot while the user
 * is unlocked and confirmed failures plus checks under way are below `maxFailures`, so however
 * many checks arrive at once, on however many processes, at most `maxFailures` wrong passwords
 * are checked. False when refused (locked, or every slot is taken: the caller waits for one).
 */
export async function reservePasswordCheck(db: Knex, userId: string, maxFailures: number, now: string, staleBefore: string): Promise<boolean> {
  return (await rawRows(db, RESERVE_CHECK_SQL, [staleBefore, now, userId, staleBefore, maxFailures])).length === 1;
}

/**
 * Ends a reserved check: its slot is freed; a right password ends the run of failures, a wrong
 * one adds to it, and a run that reaches `maxFailures` locks the user at `now`. Returns the run
 * and whether this call set the lock.
 */
export async function finishPasswordCheck(
  db: Knex,
  userId: string,
  right: boolean,
  maxFailures: number,
  now: string,
): Promise<{ failures: number; lockedNow: boolean }> {
  const freed = 'case when signature_checks_pending > 0 then signature_checks_pending - 1 else 0 end';
  const [row] = await rawRows<{ signature_failures: number | string }>(
    db,
    `update users set signature_checks_pending = ${freed}, signature_failures = ${right ? '0' : 'signature_failures + 1'} where id = ? returning signature_failures`,
    [userId],
  );
  const failures = Number(row?.signature_failures ?? 0);
  if (right || failures < maxFailures) return { failures, lockedNow: false };
  const n = await db('users')
    .where({ id: userId })
    .whereNull('signing_locked_at')
    .where('signature_failures', '>=', maxFailures)
    .update({ signing_locked_at: now });
  return { failures, lockedNow: n > 0 };
}

/** When the user was locked (null: not locked, or only the last allowed checks are under way). */
export async function findLockedAt(db: Knex, userId: string): Promise<string | null> {
  const row = await db('users').where({ id: userId }).first<{ signing_locked_at: string | null } | undefined>('signing_locked_at');
  return row?.signing_locked_at ?? null;
}

/** Sets a user's password hash; `unlock` also clears the failure count and the signing lock. */
export async function setPasswordHash(db: Knex, userId: string, passwordHash: string, now: string, opts: { unlock: boolean }): Promise<boolean> {
  const n = await db('users')
    .where({ id: userId })
    .update({ password_hash: passwordHash, password_changed_at: now, ...(opts.unlock ? { signature_failures: 0, signing_locked_at: null } : {}) });
  return n > 0;
}

/** An administrator clears a user's failed-signature count and signing lock. */
export async function unlockSigning(db: Knex, userId: string): Promise<boolean> {
  const n = await db('users').where({ id: userId }).update({ signature_failures: 0, signing_locked_at: null });
  return n > 0;
}

// ---------------------------------------------------------------------------------------------
// Offboarding and password resets (issue 8)

/** Disables or re-enables a user (a disabled user's token and sessions stop working). */
export async function setUserDisabled(db: Knex, userId: string, disabled: boolean): Promise<boolean> {
  return (await db('users').where({ id: userId }).update({ disabled })) > 0;
}

/** Replaces a user's bearer token (only its SHA-256 is stored); the old one stops working at once. */
export async function replaceToken(db: Knex, userId: string, tokenHash: string, now: string): Promise<boolean> {
  return (await db('users').where({ id: userId }).update({ token_hash: tokenHash, token_issued_at: now })) > 0;
}

/**
 * An administrator's password reset: the password is cleared (nobody can sign as the user until
 * the user sets one), and a one-time credential's SHA-256 is kept until `expiresAt`.
 */
export async function startPasswordReset(db: Knex, userId: string, resetHash: string, expiresAt: string, now: string): Promise<boolean> {
  const n = await db('users')
    .where({ id: userId })
    .update({ password_hash: null, password_changed_at: now, password_reset_hash: resetHash, password_reset_expires_at: expiresAt });
  return n > 0;
}

/** The user a reset credential's hash names, with the credential's expiry. */
export async function findByResetHash(
  db: Knex,
  resetHash: string,
): Promise<{ id: string; name: string; disabled: boolean; resetExpiresAt: string } | undefined> {
  const row = await db('users')
    .where({ password_reset_hash: resetHash })
    .first<{ id: string; name: string; disabled: number | boolean; password_reset_expires_at: string | null } | undefined>(
      'id',
      'name',
      'disabled',
      'password_reset_expires_at',
    );
  if (!row || !row.password_reset_expires_at) return undefined;
  return { id: row.id, name: row.name, disabled: Boolean(row.disabled), resetExpiresAt: row.password_reset_expires_at };
}

/**
 * The user sets a new password with the reset credential: guarded on the credential's hash, so
 * it is used once (0 rows: someone used it first). Clears the failure count and the signing lock.
 */
export async function completePasswordReset(db: Knex, userId: string, resetHash: string, passwordHash: string, now: string): Promise<boolean> {
  const n = await db('users').where({ id: userId, password_reset_hash: resetHash }).update({
    password_hash: passwordHash,
    password_changed_at: now,
    password_reset_hash: null,
    password_reset_expires_at: null,
    signature_failures: 0,
    signing_locked_at: null,
  });
  return n > 0;
}

/** Whether a password was ever set (or reset) and whether a reset is pending: who may set a first password. */
export async function findPasswordState(db: Knex, userId: string): Promise<{ passwordChangedAt: string | null; resetPending: boolean } | undefined> {
  const row = await db('users')
    .where({ id: userId })
    .first<{ password_changed_at: string | null; password_reset_hash: string | null } | undefined>('password_changed_at', 'password_reset_hash');
  return row ? { passwordChangedAt: row.password_changed_at, resetPending: row.password_reset_hash !== null } : undefined;
}

/** Every organization, by name (portfolio filters of regulators and auditors). */
export async function listOrganizations(db: Knex): Promise<Organization[]> {
  return db('organizations').orderBy('name').limit(1000).select<Organization[]>('id', 'name');
}

/** Users as an administrator sees them: no hashes, only whether signing is locked. */
export async function listUsers(db: Knex): Promise<Array<User & { email: string | null; signingLocked: boolean; hasPassword: boolean }>> {
  const rows = await db('users as u')
    .leftJoin('organizations as o', 'o.id', 'u.organization_id')
    .orderBy('u.name')
    .limit(1000)
    .select<Array<UserRow & { email: string | null; signing_locked_at: string | null; password_hash: string | null }>>(
      'u.id',
      'u.name',
      'u.role',
      'u.organization_id',
      'o.name as organization_name',
      'u.disabled',
      'u.created_at',
      'u.email',
      'u.signing_locked_at',
      'u.password_hash',
    );
  return rows.map((r) => ({ ...toUser(r), email: r.email, signingLocked: r.signing_locked_at !== null, hasPassword: r.password_hash !== null }));
}

/** A user as the admin pages list them. */
export type ListedUser = User & { email: string | null; signingLocked: boolean; hasPassword: boolean };

export interface UserStore {
  findByTokenHash(tokenHash: string): Promise<User | undefined>;
  /** The organization named `name`, created when absent. */
  ensureOrganization(name: string, now: string): Promise<Organization>;
  insertUser(user: Parameters<typeof insertUser>[1]): Promise<User>;
  findCredentials(userId: string): Promise<UserCredentials | undefined>;
  reservePasswordCheck(userId: string, maxFailures: number, now: string, staleBefore: string): Promise<boolean>;
  finishPasswordCheck(userId: string, right: boolean, maxFailures: number, now: string): Promise<{ failures: number; lockedNow: boolean }>;
  findLockedAt(userId: string): Promise<string | null>;
  setPasswordHash(userId: string, passwordHash: string, now: string, opts: { unlock: boolean }): Promise<boolean>;
  unlockSigning(userId: string): Promise<boolean>;
  listOrganizations(): Promise<Organization[]>;
  listUsers(): Promise<ListedUser[]>;
  setDisabled(userId: string, disabled: boolean): Promise<boolean>;
  replaceToken(userId: string, tokenHash: string, now: string): Promise<boolean>;
  startPasswordReset(userId: string, resetHash: string, expiresAt: string, now: string): Promise<boolean>;
  findByResetHash(resetHash: string): Promise<{ id: string; name: string; disabled: boolean; resetExpiresAt: string } | undefined>;
  completePasswordReset(userId: string, resetHash: string, passwordHash: string, now: string): Promise<boolean>;
  findPasswordState(userId: string): Promise<{ passwordChangedAt: string | null; resetPending: boolean } | undefined>;
}

/** The {@link UserStore} on one Knex connection, pool or transaction: reads on `db`, writes on `writer`. */
export function createKnexUserStore(db: Knex, writer: Knex = db): UserStore {
  return {
    findByTokenHash: (tokenHash) => findUserByTokenHash(db, tokenHash),
    ensureOrganization: (name, now) => ensureOrganization(writer, name, now),
    insertUser: (user) => insertUser(writer, user),
    findCredentials: (userId) => findUserCredentials(db, userId),
    reservePasswordCheck: (userId, maxFailures, now, staleBefore) => reservePasswordCheck(writer, userId, maxFailures, now, staleBefore),
    finishPasswordCheck: (userId, right, maxFailures, now) => finishPasswordCheck(writer, userId, right, maxFailures, now),
    // On the writer: a refused reservation is followed at once by this read, which must see the lock.
    findLockedAt: (userId) => findLockedAt(writer, userId),
    setPasswordHash: (userId, passwordHash, now, opts) => setPasswordHash(writer, userId, passwordHash, now, opts),
    unlockSigning: (userId) => unlockSigning(writer, userId),
    listOrganizations: () => listOrganizations(db),
    listUsers: () => listUsers(db),
    setDisabled: (userId, disabled) => setUserDisabled(writer, userId, disabled),
    replaceToken: (userId, tokenHash, now) => replaceToken(writer, userId, tokenHash, now),
    startPasswordReset: (userId, resetHash, expiresAt, now) => startPasswordReset(writer, userId, resetHash, expiresAt, now),
    findByResetHash: (resetHash) => findByResetHash(db, resetHash),
    completePasswordReset: (userId, resetHash, passwordHash, now) => completePasswordReset(writer, userId, resetHash, passwordHash, now),
    findPasswordState: (userId) => findPasswordState(db, userId),
  };
}
