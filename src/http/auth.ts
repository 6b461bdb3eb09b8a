/**
 * Bearer-token authentication. Tokens are 256 random bits shown once; only their SHA-256 is
 * stored (21 CFR 11.300). Repeated failures of one client are rate-limited; valid tokens never are.
 */
import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError, UnauthenticatedError } from '../errors.js';
import type { AuthFailureLimiter } from '../rate-limit.js';
import { sha256Hex } from '../engine/hash.js';
import type { Actor } from '../store/types.js';
import type { Users } from '../users.js';

export const TOKEN_PREFIX = 'pte_';

/** A new bearer token: `pte_` + 32 random bytes (256 bits), base64url. */
export function newToken(): { token: string; tokenHash: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, tokenHash: sha256Hex(token) };
}

export { FailedAuthLimiter, type AuthFailureLimiter } from '../rate-limit.js';

declare module 'express-serve-static-core' {
  interface Locals {
    actor: Actor;
    reqId: string;
  }
}

/**
 * Resolves the bearer token to its user. Valid credentials cost one SHA-256 lookup and nothing
 * else: only a failure consults the limiter, counted under the client address and the presented
 * token, so one bad client (or a webhook calling back with a stale token) never throttles the
 * valid tokens of others behind the same address (issue 8 §4).
 */
export function authenticate(users: Pick<Users, 'byToken'>, limiter: AuthFailureLimiter): RequestHandler {
  /** Counts the failure; 429 with Retry-After once this client has failed too often, else the 401. */
  const refuse = async (address: string, identifier: string, unauthenticated: UnauthenticatedError): Promise<never> => {
    const wait = await limiter.fail(address, identifier);
    if (wait > 0) throw new AppError('too_many_requests', { code: 'auth.too_many_failures' }, [], wait);
    throw unauthenticated;
  };
  return async (req, res, next) => {
    const address = req.ip ?? 'unknown';
    const header = req.headers.authorization;
    const match = header ? /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header) : null;
    if (!match) {
      const identifier = header ? `header:${header.slice(0, 512)}` : 'none';
      return refuse(address, identifier, new UnauthenticatedError({ code: header ? 'auth.bearer_format' : 'auth.bearer_missing' }));
    }
    const user = await users.byToken(match[1]!);
    if (!user || user.disabled) {
      return refuse(address, `token:${match[1]!}`, new UnauthenticatedError({ code: 'auth.unknown_token' }));
    }
    // TOKEN_MAX_DAYS (issue 8): an expired token is refused like an unknown one, saying why.
    if (user.tokenExpired) return refuse(address, `token:${match[1]!}`, new UnauthenticatedError({ code: 'auth.token_expired' }));
    res.locals.actor = { id: user.id, name: user.name, role: user.role, organization: user.organization };
    next();
  };
}
