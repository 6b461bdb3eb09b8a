/**
 * Passwords for electronic signatures (issue 6): a user sets or changes their own, an admin
 * unlocks signing (and may reset the password). Passwords are never echoed, logged or stored as
 * given; answers carry no password material.
 */
import { Router } from 'express';
import type { Signatures } from '../../engine/signatures.js';
import type { Logger } from '../../logger.js';
import { jsonBody, requireJson } from './submissions.js';

export function createUsersRouter(signatures: Signatures, logger: Logger): Router {
  const router = Router();

  router.post('/me/password', jsonBody, async (req, res) => {
    const body = requireJson(req) ?? {};
    await signatures.changeOwnPassword(res.locals.actor, body as never);
    logger.info({ reqId: res.locals.reqId, userId: res.locals.actor.id }, 'password changed');
    res.status(204).end();
  });

  router.post('/users/:id/signing-unlock', jsonBody, async (req, res) => {
    const body = requireJson(req) ?? {};
    const result = await signatures.unlock(res.locals.actor, req.params.id, body);
    // 21 CFR 11.300(d): who unlocked whom is on record in the log (never the password).
    logger.warn({ reqId: res.locals.reqId, userId: req.params.id, by: res.locals.actor.id, passwordReset: result.passwordReset }, 'signing unlocked');
    res.json(result);
  });

  return router;
}
