/**
 * Web sign-in over the sessions service (src/sessions.ts): an HttpOnly SameSite=Strict session
 * cookie holding the session's 256 random bits, and a CSRF token per session derived from that
 * secret; before sign-in, a double-submit cookie protects the sign-in form.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import type { Request, Response } from 'express';
import { SignInError, type Sessions } from '../sessions.js';
import type { User } from '../store/users-store.js';

export { SignInError };

export const SESSION_COOKIE = 'puente_session';
export const LANG_COOKIE = 'puente_lang';
/** The reader's IANA time zone, set by the page script (dates and times are shown in it). */
export const TZ_COOKIE = 'puente_tz';
/** Before sign-in there is no session: the sign-in form is protected by a double-submit cookie. */
export const SIGN_IN_CSRF_COOKIE = 'puente_signin';

export interface WebSessionsOptions {
  /** Sign-in, session lookup with sliding expiry, sign-out (and the sign-in rate limits). */
  readonly sessions: Sessions;
  readonly cookieSecure: boolean;
}

export interface WebSession {
  readonly user: User;
  readonly tokenHash: string;
  readonly csrf: string;
  readonly expiresAt: string;
}

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
  const { sessions } = opts;
  const cookie = (name: string, value: string, maxAgeSeconds: number) =>
    serializeCookie(name, value, { path: '/', httpOnly: true, sameSite: 'strict', secure: opts.cookieSecure, maxAge: maxAgeSeconds });

  return {
    /** Checks the credentials and opens a session; throws SignInError (never says which part was wrong). */
    signIn: (identifier: string, password: string, address: string): Promise<{ token: string; user: User }> => sessions.signIn(identifier, password, address),

    /** The live session a cookie token names, sliding its idle expiry; undefined when none or expired. */
    async load(token: string | undefined): Promise<WebSession | undefined> {
      const session = await sessions.load(token);
      return session && token ? { ...session, csrf: csrfTokenOf(token) } : undefined;
    },

    signOut: (token: string | undefined): Promise<void> => sessions.signOut(token),

    /** True when the form's token is the session's CSRF token. */
    checkCsrf(session: WebSession, given: unknown): boolean {
      return typeof given === 'string' && safeEqual(given, session.csrf);
    },

    setSessionCookie(res: Response, token: string): void {
      res.append('Set-Cookie', cookie(SESSION_COOKIE, token, sessions.maxAgeSeconds));
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
