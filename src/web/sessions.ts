/**
 * Web sign-in: name or e-mail plus password, an HttpOnly SameSite=Strict session cookie holding
 * 256 random bits (only its SHA-256 is stored), sliding idle expiry capped by an absolute
 * lifetime, and a CSRF token per session derived from the session secret.
 *
 * Failed sign-ins are rate-limited per client address and per identifier; an unknown user costs
 * the same scrypt work as a wrong password, so timing does not tell which names exist.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import type { Request, Response } from 'express';
import { AppError } from '../errors.js';
import { sha256Hex } from '../engine/hash.js';
import { hashPassword, verifyPassword } from '../engine/passwords.js';
import { FailedAuthLimiter } from '../http/auth.js';
import type { Database } from '../store/db.js';
import { deleteExpiredSessions, deleteSession, findSession, findSignInCandidates, insertSession, touchSession } from '../store/sessions-store.js';
import type { User } from '../store/users-store.js';

export const SESSION_COOKIE = 'puente_session';
export const LANG_COOKIE = 'puente_lang';
/** Before sign-in there is no session: the sign-in form is protected by a double-submit cookie. */
export const SIGN_IN_CSRF_COOKIE = 'puente_signin';

/** A session's `last_seen_at` is written at most this often (a page view need not always write). */
const TOUCH_EVERY_MS = 60_000;

export interface WebSessionsOptions {
  readonly db: Database;
  readonly idleMinutes: number;
  readonly maxHours: number;
  readonly cookieSecure: boolean;
  readonly now?: () => Date;
  /** Failed sign-ins per address (default 20 a minute) and per identifier (default 10 in 15 minutes). */
  readonly addressLimiter?: FailedAuthLimiter;
  readonly identifierLimiter?: FailedAuthLimiter;
}

export interface WebSession {
  readonly user: User;
  readonly tokenHash: string;
  readonly csrf: string;
  readonly expiresAt: string;
}

/** The refusal of a sign-in: wrong credentials (401) or too many failures (429). */
export class SignInError extends AppError {}

/** Cookie names of ours and the bounds a cookie must keep to be read at all. */
const COOKIE_NAME = /^[\w.-]{1,64}$/;
const MAX_COOKIE_HEADER = 8192;
const MAX_COOKIE_VALUE = 512;

/**
 * A cookie value as the `cookie` package hands it over, percent-decoded; undefined (no cookie of
 * ours, and a later one of the same name may still count) when it is too long or malformed.
 */
function decodeCookieValue(value: string): string | undefined {
  if (value.length > MAX_COOKIE_VALUE) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Cookies of a request (`cookie` parses RFC 6265 `name=value; ...`; the first of a name wins). */
export function readCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const header = req.headers.cookie;
  if (!header || header.length > MAX_COOKIE_HEADER) return out;
  for (const [name, value] of Object.entries(parseCookie(header, { decode: decodeCookieValue }))) {
    if (value !== undefined && COOKIE_NAME.test(name)) out[name] = value;
  }
  return out;
}

/** The CSRF token of a session: derived from its secret, so nothing more is stored. */
export function csrfTokenOf(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('puente csrf v1').digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createWebSessions(opts: WebSessionsOptions) {
  const { db } = opts;
  const now = opts.now ?? (() => new Date());
  const idleMs = opts.idleMinutes * 60_000;
  const maxMs = opts.maxHours * 3_600_000;
  const byAddress = opts.addressLimiter ?? new FailedAuthLimiter(20, 60_000);
  const byIdentifier = opts.identifierLimiter ?? new FailedAuthLimiter(10, 15 * 60_000);
  // Compared against when no user matches, so an unknown name costs a real scrypt run (made on
  // first need, not at start-up).
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('hex')));

  const cookie = (name: string, value: string, maxAgeSeconds: number) =>
    serializeCookie(name, value, { path: '/', httpOnly: true, sameSite: 'strict', secure: opts.cookieSecure, maxAge: maxAgeSeconds });

  return {
    /** Checks the credentials and opens a session; throws SignInError (never says which part was wrong). */
    async signIn(identifier: string, password: string, address: string): Promise<{ token: string; user: User }> {
      const key = `id:${identifier.trim().toLowerCase()}`;
      const wait = Math.max(byAddress.blockedFor(address), byIdentifier.blockedFor(key));
      if (wait > 0) throw new SignInError('too_many_requests', { code: 'web.too_many_sign_ins' }, [], wait);
      const candidates = identifier.trim() === '' || identifier.length > 254 ? [] : await findSignInCandidates(db.reader, identifier.trim());
      // A name two users share cannot sign in (use the e-mail); it still costs the scrypt run.
      const user = candidates.length === 1 ? candidates[0]! : undefined;
      const ok = await verifyPassword(password.slice(0, 1024), user?.passwordHash ?? (await dummyHash()));
      if (!user || !ok || user.disabled || !user.passwordHash) {
        byAddress.fail(address);
        byIdentifier.fail(key);
        throw new SignInError('unauthenticated', { code: 'web.wrong_sign_in' });
      }
      const t = now();
      await deleteExpiredSessions(db.knex, t.toISOString());
      const token = randomBytes(32).toString('base64url');
      await insertSession(db.knex, { tokenHash: sha256Hex(token), userId: user.id, now: t.toISOString(), expiresAt: new Date(t.getTime() + Math.min(idleMs, maxMs)).toISOString() });
      const session = await findSession(db.knex, sha256Hex(token));
      return { token, user: session!.user };
    },

    /** The live session a cookie token names, sliding its idle expiry; undefined when none or expired. */
    async load(token: string | undefined): Promise<WebSession | undefined> {
      if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
      const tokenHash = sha256Hex(token);
      const row = await findSession(db.reader, tokenHash);
      if (!row) return undefined;
      const t = now();
      if (row.user.disabled || Date.parse(row.expiresAt) <= t.getTime()) {
        await deleteSession(db.knex, tokenHash);
        return undefined;
      }
      let expiresAt = row.expiresAt;
      if (t.getTime() - Date.parse(row.lastSeenAt) >= TOUCH_EVERY_MS) {
        expiresAt = new Date(Math.min(t.getTime() + idleMs, Date.parse(row.createdAt) + maxMs)).toISOString();
        await touchSession(db.knex, tokenHash, t.toISOString(), expiresAt);
      }
      return { user: row.user, tokenHash, csrf: csrfTokenOf(token), expiresAt };
    },

    async signOut(token: string | undefined): Promise<void> {
      if (token && /^[A-Za-z0-9_-]{43}$/.test(token)) await deleteSession(db.knex, sha256Hex(token));
    },

    /** True when the form's token is the session's CSRF token. */
    checkCsrf(session: WebSession, given: unknown): boolean {
      return typeof given === 'string' && safeEqual(given, session.csrf);
    },

    setSessionCookie(res: Response, token: string): void {
      res.append('Set-Cookie', cookie(SESSION_COOKIE, token, Math.floor(maxMs / 1000)));
    },
    clearSessionCookie(res: Response): void {
      res.append('Set-Cookie', cookie(SESSION_COOKIE, '', 0));
    },
    /** A fresh double-submit token for the sign-in form. */
    issueSignInCsrf(res: Response): string {
      const value = randomBytes(24).toString('base64url');
      res.append('Set-Cookie', cookie(SIGN_IN_CSRF_COOKIE, value, 3600));
      return value;
    },
    checkSignInCsrf(req: Request, given: unknown): boolean {
      const expected = readCookies(req)[SIGN_IN_CSRF_COOKIE];
      return typeof given === 'string' && expected !== undefined && expected.length > 0 && safeEqual(given, expected);
    },
    setLangCookie(res: Response, lang: string): void {
      // Not HttpOnly-sensitive, but nothing needs to read it in the page either.
      res.append('Set-Cookie', cookie(LANG_COOKIE, lang, 365 * 86_400));
    },
  };
}

export type WebSessions = ReturnType<typeof createWebSessions>;
