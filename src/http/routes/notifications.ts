/**
 * E-mail notification preferences (issue 16 §2; DESIGN §10): GET and PUT /v1/me/notifications,
 * the caller's own, behind the bearer token. The links in mail point at the origin the PUT came
 * through (requestOrigin, as calendar feed URLs do); the mail's language is the body's, else the
 * one Accept-Language asks for.
 */
import { Router } from 'express';
import type { Logger } from '../../logger.js';
import type { NotificationSettings } from '../../mail/preferences.js';
import { negotiateLanguage } from '../../messages/format.js';
import { requestOrigin } from './calendar.js';
import { jsonBody, requireJson } from './submissions.js';
import { requireNoInput } from './users.js';

export function createNotificationsRouter(notifications: NotificationSettings, logger: Logger): Router {
  const router = Router();
  router.get('/me/notifications', async (req, res) => {
    requireNoInput(req);
    res.json(await notifications.get(res.locals.actor, negotiateLanguage(req.headers['accept-language'])));
  });
  router.put('/me/notifications', jsonBody, async (req, res) => {
    const body = requireJson(req);
    const saved = await notifications.put(res.locals.actor, body ?? {}, {
      lang: negotiateLanguage(req.headers['accept-language']),
      baseUrl: requestOrigin(req),
    });
    // The mode, never the address.
    logger.info({ reqId: res.locals.reqId, userId: res.locals.actor.id, mode: saved.mode }, 'notification preferences saved');
    res.json(saved);
  });
  return router;
}
