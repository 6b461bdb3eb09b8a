/**
 * Sign-in sessions (issue 7), the service under the web's cookies: name or e-mail plus password
 * opens a session named by 256 random bits (only their SHA-256 is stored), with sliding idle
 * expiry capped by an absolute lifetime. The web layer (web/sessions.ts) carries the token in a
 * cookie and derives the CSRF token; only this module reads and writes the sessions store.
 *
 * A sign-in's password is checked under the user's lock, shared with signing (issue 8 §4): five
 * consecutive wrong passwords, at signing or sign-in, lock the user until an administrator
 * unlocks, and each check is reserved in the database before scrypt runs. A name that resolves to
 * no user who could sign in is counted per client address and typed name (and per address) in
 * the database; a right password is never throttled. An unknown name costs the same scrypt work
 * as a wrong password, so timing does not tell which names exist.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from './errors.js';
import { sha256Hex } from './engine/hash.js';
import type { PasswordChecks } from './engine/attempts.js';
import { hashPassword, verifyPassword } from './engine/passwords.js';
import type { AuthFailureLimiter } from './rate-limit.js';
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
  /** Password checks under the per-user lock that signing shares (src/engine/attempts.ts). */
  readonly passwordChecks: PasswordChecks;
  /** Failed sign-ins with a name that resolves to no user who could sign in, per address and typed name. */
  readonly limiter: AuthFailureLimiter;
}

/** A live session: its user, the hash that names it, and when it ends unless used. */
export interface Session {
  readonly user: User;
  readonly tokenHash: string;
  readonly expiresAt: string;
}

/** The refusal of a sign-in: wrong credentials (401), a locked user (423) or too many failures (429). */
export class SignInError extends AppError {}

export function createSessions(opts: SessionsOptions) {
  const { store } = opts;
  const now = opts.now ?? (() => new Date());
  const idleMs = opts.idleMinutes * 60_000;
  const maxMs = opts.maxHours * 3_600_000;
  const { passwordChecks, limiter } = opts;
  // Compared against when no user matches, so an unknown name costs a real scrypt run (made on
  // first need, not at start-up).
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('hex')));

  return {
    /** The absolute lifetime of a session, in seconds (the cookie's Max-Age). */
    maxAgeSeconds: Math.floor(maxMs / 1000),

    /** Checks the credentials and opens a session; throws SignInError (never says which part was wrong; a locked user is told to ask an administrator). */
    async signIn(identifier: string, password: string, address: string): Promise<{ token: string; user: User }> {
      const typed = identifier.trim();
      const candidates = typed === '' || identifier.length > 254 ? [] : await store.signInCandidates(typed);
      // A name two users share cannot sign in (use the e-mail).
      const user = candidates.length === 1 ? candidates[0]! : undefined;
      if (!user || user.disabled || !user.passwordHash) {
        // No user to check against: counted first (a throttled client costs no scrypt run), then the
        // scrypt run that makes an unknown name take as long as a wrong password.
        const wait = await limiter.fail(address, typed.toLowerCase());
        if (wait > 0) throw new SignInError('too_many_requests', { code: 'web.too_many_sign_ins' }, [], wait);
        await verifyPassword(password.slice(0, 1024), await dummyHash());
        throw new SignInError('unauthenticated', { code: 'web.wrong_sign_in' });
      }
      const check = await passwordChecks.check(user.id, password.slice(0, 1024), user.passwordHash, 'sign-in');
      if (check.outcome === 'locked') throw new SignInError('signature_locked', { code: 'web.sign_in_locked' });
      if (check.outcome === 'wrong') throw new SignInError('unauthenticated', { code: 'web.wrong_sign_in' });
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
