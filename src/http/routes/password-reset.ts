/**
 * POST /v1/password-reset (issue 8): the one route under /v1 without a bearer token. The user
 * presents the one-time credential an administrator issued and chooses a password of their own.
 * A wrong, used or expired credential counts as a failed authentication of the client (429 with
 * Retry-After past the limit), like a bad bearer token.
 */
import { Router } from 'express';
import { AppError } from '../../errors.js';
import type { Signatures } from '../../engine/signatures.js';
import type { Logger } from '../../logger.js';
import { jsonBody, requireJson } from './submissions.js';

/** Counts one failed authentication; answers the seconds to wait (0 or nothing: answer the failure as it is). */
export interface ResetFailureLimiter {
  fail(address: string, identifier: string): Promise<number> | number | void;
}

export function createPasswordResetRouter(signatures: Pick<Signatures, 'completeReset'>, limiter: ResetFailureLimiter, logger: Logger): Router {
  const router = Router();
  router.post('/password-reset', jsonBody, async (req, res) => {
    const body = requireJson(req);
    try {
      const r = await signatures.completeReset(body as never);
      logger.warn({ reqId: res.locals.reqId, userId: r.id }, 'password reset completed');
    } catch (e) {
      if (e instanceof AppError && e.code === 'unauthenticated') {
        const given = (body as { resetToken?: unknown } | undefined)?.resetToken;
        const wait = (await limiter.fail(req.ip ?? 'unknown', `reset:${typeof given === 'string' ? given.slice(0, 200) : ''}`)) ?? 0;
        if (wait > 0) throw new AppError('too_many_requests', { code: 'auth.too_many_failures' }, [], wait);
      }
      throw e;
    }
    res.status(204).end();
  });
  return router;
}
