/**
 * Bearer-token authentication. Tokens are 256 random bits shown once; only their SHA-256 is
 * stored (21 CFR 11.300). Repeated failures from one address are rate-limited.
 */
import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError, UnauthenticatedError } from '../errors.js';
import type { FailedAuthLimiter } from '../rate-limit.js';
import { sha256Hex } from '../engine/hash.js';
import type { Actor } from '../store/types.js';
import type { Users } from '../users.js';

export const TOKEN_PREFIX = 'pte_';

/** A new bearer token: `pte_` + 32 random bytes (256 bits), base64url. */
export function newToken(): { token: string; tokenHash: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, tokenHash: sha256Hex(token) };
}

export { FailedAuthLimiter } from '../rate-limit.js';

declare module 'express-serve-static-core' {
  interface Locals {
    actor: Actor;
    reqId: string;
  }
}

export function authenticate(users: Pick<Users, 'byToken'>, limiter: FailedAuthLimiter): RequestHandler {
  return async (req, res, next) => {
    const ip = req.ip ?? 'unknown';
    const wait = limiter.blockedFor(ip);
    if (wait > 0) throw new AppError('too_many_requests', { code: 'auth.too_many_failures' }, [], wait);
    const header = req.headers.authorization;
    const match = header ? /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header) : null;
    if (!match) {
      limiter.fail(ip);
      throw new UnauthenticatedError({ code: header ? 'auth.bearer_format' : 'auth.bearer_missing' });
    }
    const user = await users.byToken(match[1]!);
    if (!user || user.disabled) {
      limiter.fail(ip);
      throw new UnauthenticatedError({ code: 'auth.unknown_token' });
    }
    // TOKEN_MAX_DAYS (issue 8): an expired token is refused like an unknown one, saying why.
    if (user.tokenExpired) {
      limiter.fail(ip);
      throw new UnauthenticatedError({ code: 'auth.token_expired' });
    }
    res.locals.actor = { id: user.id, name: user.name, role: user.role, organization: user.organization };
    next();
  };
}
