/**
 * Passwords and users (issues 6 and 8): a user sets or changes their own password and rotates
 * their own token; an admin unlocks signing, issues a one-time password reset (never a password),
 * disables and re-enables users and rotates their tokens. Passwords, tokens and reset credentials
 * are never logged; an answer carries a new token or credential once, to the one who asked.
 */
import { Router, type Request } from 'express';
import { InputError, fieldError } from '../../errors.js';
import type { Signatures } from '../../engine/signatures.js';
import type { Logger } from '../../logger.js';
import type { Users } from '../../users.js';
import { escapePointer } from '../../validation.js';
import { jsonBody, requireJson } from './submissions.js';

/**
 * A command that takes no input: no query parameter, and no body or an empty JSON object
 * (anything else is a 422 naming what was not expected).
 */
export function requireNoInput(req: Request): void {
  for (const k of Object.keys(req.query)) {
    throw new InputError({ code: 'invalid.unknown_query_parameter', params: { name: k } }, [
      fieldError(`/${escapePointer(k)}`, { code: 'validation.unknown_field' }),
    ]);
  }
  const body = requireJson(req);
  if (body === undefined) return;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InputError({ code: 'invalid.request' }, [fieldError('', { code: 'validation.invalid' })]);
  }
  const keys = Object.keys(body);
  if (keys.length)
    throw new InputError(
      { code: 'invalid.request' },
      keys.map((k) => fieldError(`/${escapePointer(k)}`, { code: 'validation.unknown_field' })),
    );
}

export function createUsersRouter(signatures: Signatures, logger: Logger, users?: Users): Router {
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
    logger.warn({ reqId: res.locals.reqId, userId: req.params.id, by: res.locals.actor.id }, 'signing unlocked');
    res.json(result);
  });

  router.post('/users/:id/password-reset', jsonBody, async (req, res) => {
    requireNoInput(req);
    const result = await signatures.issueReset(res.locals.actor, req.params.id);
    logger.warn({ reqId: res.locals.reqId, userId: req.params.id, by: res.locals.actor.id }, 'password reset issued');
    res.json(result);
  });

  if (users) {
    router.post('/me/token', jsonBody, async (req, res) => {
      requireNoInput(req);
      const r = await users.rotateToken(res.locals.actor, res.locals.actor.id);
      logger.info({ reqId: res.locals.reqId, userId: r.id }, 'token rotated');
      res.json({ token: r.token, expiresAt: r.expiresAt });
    });

    router.post('/users/:id/token', jsonBody, async (req, res) => {
      requireNoInput(req);
      const r = await users.rotateToken(res.locals.actor, req.params.id);
      logger.warn({ reqId: res.locals.reqId, userId: r.id, by: res.locals.actor.id }, 'token rotated');
      res.json(r);
    });

    for (const action of ['disable', 'enable'] as const) {
      router.post(`/users/:id/${action}`, jsonBody, async (req, res) => {
        requireNoInput(req);
        const r = await users[action](res.locals.actor, req.params.id);
        logger.warn({ reqId: res.locals.reqId, userId: r.id, by: res.locals.actor.id }, `user ${action}d`);
        res.json(r);
      });
    }
  }

  return router;
}
