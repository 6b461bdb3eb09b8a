/**
 * Sign-in sessions (issue 7), the service under the web's cookies: name or e-mail plus password
 * opens a session named by 256 random bits (only their SHA-256 is stored), with sliding idle
 * expiry capped by an absolute lifetime. The web layer (web/sessions.ts) carries the token in a
 * cookie and derives the CSRF token; only this module reads and writes the sessions store.
 *
 * Failed sign-ins are rate-limited per client address and per identifier; an unknown user costs
 * the same scrypt work as a wrong password, so timing does not tell which names exist.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from './errors.js';
import { sha256Hex } from './engine/hash.js';
import { hashPassword, verifyPassword } from './engine/passwords.js';
import { FailedAuthLimiter } from './rate-limit.js';
import type { SessionStore } from './store/sessions-store.js';
import type { User } from './store/users-store.js';

/** A session's `last_seen_at` is written at most this often (a page view need not always write). */
const TOUCH_EVERY_MS = 60_000;

/** A session token as issued: 32 random bytes, base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface SessionsOptions {
  /** The sessions store (reads on the read pool, writes on the writer). */
  readonly store: SessionStore;
  readonly idleMinutes: number;
  readonly maxHours: number;
  readonly now?: () => Date;
  /** Failed sign-ins per address (default 20 a minute) and per identifier (default 10 in 15 minutes). */
  readonly addressLimiter?: FailedAuthLimiter;
  readonly identifierLimiter?: FailedAuthLimiter;
}

/** A live session: its user, the hash that names it, and when it ends unless used. */
export interface Session {
  readonly user: User;
  readonly tokenHash: string;
  readonly expiresAt: string;
}

/** The refusal of a sign-in: wrong credentials (401) or too many failures (429). */
export class SignInError extends AppError {}

export function createSessions(opts: SessionsOptions) {
  const { store } = opts;
  const now = opts.now ?? (() => new Date());
  const idleMs = opts.idleMinutes * 60_000;
  const maxMs = opts.maxHours * 3_600_000;
  const byAddress = opts.addressLimiter ?? new FailedAuthLimiter(20, 60_000);
  const byIdentifier = opts.identifierLimiter ?? new FailedAuthLimiter(10, 15 * 60_000);
  // Compared against when no user matches, so an unknown name costs a real scrypt run (made on
  // first need, not at start-up).
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('hex')));

  return {
    /** The absolute lifetime of a session, in seconds (the cookie's Max-Age). */
    maxAgeSeconds: Math.floor(maxMs / 1000),

    /** Checks the credentials and opens a session; throws SignInError (never says which part was wrong). */
    async signIn(identifier: string, password: string, address: string): Promise<{ token: string; user: User }> {
      const key = `id:${identifier.trim().toLowerCase()}`;
      const wait = Math.max(byAddress.blockedFor(address), byIdentifier.blockedFor(key));
      if (wait > 0) throw new SignInError('too_many_requests', { code: 'web.too_many_sign_ins' }, [], wait);
      const candidates = identifier.trim() === '' || identifier.length > 254 ? [] : await store.signInCandidates(identifier.trim());
      // A name two users share cannot sign in (use the e-mail); it still costs the scrypt run.
      const user = candidates.length === 1 ? candidates[0]! : undefined;
      const ok = await verifyPassword(password.slice(0, 1024), user?.passwordHash ?? (await dummyHash()));
      if (!user || !ok || user.disabled || !user.passwordHash) {
        byAddress.fail(address);
        byIdentifier.fail(key);
        throw new SignInError('unauthenticated', { code: 'web.wrong_sign_in' });
      }
      const t = now();
      await store.deleteExpired(t.toISOString());
      const token = randomBytes(32).toString('base64url');
      await store.insert({
        tokenHash: sha256Hex(token),
        userId: user.id,
        now: t.toISOString(),
        expiresAt: new Date(t.getTime() + Math.min(idleMs, maxMs)).toISOString(),
      });
      const session = await store.find(sha256Hex(token));
      return { token, user: session!.user };
    },

    /** The live session a token names, sliding its idle expiry; undefined when none or expired. */
    async load(token: string | undefined): Promise<Session | undefined> {
      if (!token || !TOKEN.test(token)) return undefined;
      const tokenHash = sha256Hex(token);
      const row = await store.find(tokenHash);
      if (!row) return undefined;
      const t = now();
      if (row.user.disabled || Date.parse(row.expiresAt) <= t.getTime()) {
        await store.delete(tokenHash);
        return undefined;
      }
      let expiresAt = row.expiresAt;
      if (t.getTime() - Date.parse(row.lastSeenAt) >= TOUCH_EVERY_MS) {
        expiresAt = new Date(Math.min(t.getTime() + idleMs, Date.parse(row.createdAt) + maxMs)).toISOString();
        await store.touch(tokenHash, t.toISOString(), expiresAt);
      }
      return { user: row.user, tokenHash, expiresAt };
    },

    async signOut(token: string | undefined): Promise<void> {
      if (token && TOKEN.test(token)) await store.delete(sha256Hex(token));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
