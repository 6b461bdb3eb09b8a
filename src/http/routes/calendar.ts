/**
 * Calendar feeds (issue 16 §1; DESIGN §10): GET /v1/calendar.ics behind the bearer token;
 * POST /v1/me/calendar-feed makes (or replaces) the caller's secret feed URL and DELETE revokes
 * it; GET /calendar/<secret>.ics serves the same calendar to clients that cannot send headers.
 *
 * A wrong or revoked secret is a 404 like any unknown path, and counts as a failed
 * authentication of the client (429 with Retry-After past the limit), as a bad bearer token does.
 * The secret never reaches the logs: the request line is logged with it blanked out.
 */
import { Router, type Request, type Response } from 'express';
import type { CalendarDocument, CalendarFeeds } from '../../calendar/feeds.js';
import { AppError, NotFoundError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { negotiateLanguage } from '../../messages/format.js';
import type { AuthFailureLimiter } from '../../rate-limit.js';
import { requireNoInput } from './users.js';
import { jsonBody } from './submissions.js';

/** The origin the client reached this server at (behind TRUST_PROXY, the one the proxy names). */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/**
 * Sends an iCalendar object (RFC 5545 §8.1: text/calendar, UTF-8): a built document as its cached
 * bytes, gzipped for a client that accepts it (calendar clients do; a portfolio's calendar is
 * megabytes of repetitive text).
 */
export function sendCalendar(res: Response, ics: string | CalendarDocument, req?: Request): void {
  res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
  res.setHeader('Content-Disposition', 'inline; filename="puente.ics"');
  if (typeof ics === 'string') {
    res.send(ics);
    return;
  }
  res.vary('Accept-Encoding');
  const gzip = req !== undefined && /\bgzip\b/.test(req.get('accept-encoding') ?? '');
  // Calendar clients poll: one that sends back the entity tag it holds gets 304 while nothing
  // changed. The gzipped bytes are another representation, so they carry their own tag.
  const tag = ics.etag();
  res.setHeader('ETag', gzip ? `${tag.slice(0, -1)}-gzip"` : tag);
  res.setHeader('Cache-Control', 'private, no-cache');
  if (req?.fresh) {
    res.status(304).end();
    return;
  }
  if (gzip) {
    res.setHeader('Content-Encoding', 'gzip');
    res.send(ics.gzipped());
  } else res.send(ics.bytes);
}

/** The /v1 operations (mounted behind the bearer token). */
export function createCalendarRouter(calendar: CalendarFeeds, logger: Logger): Router {
  const router = Router();
  router.get('/calendar.ics', async (req, res) => {
    requireNoInput(req);
    const lang = negotiateLanguage(req.headers['accept-language']);
    res.vary('Accept-Language');
    res.setHeader('Content-Language', lang === 'es' ? 'es-MX' : 'en');
    sendCalendar(res, await calendar.calendarDocument(res.locals.actor, lang, requestOrigin(req)), req);
  });
  router.post('/me/calendar-feed', jsonBody, async (req, res) => {
    requireNoInput(req);
    // The feed's words are in the language the request asks for (Accept-Language), kept with the URL.
    const r = await calendar.createFeed(res.locals.actor, negotiateLanguage(req.headers['accept-language']), requestOrigin(req));
    logger.info({ reqId: res.locals.reqId, userId: res.locals.actor.id }, 'calendar feed created');
    res.json(r);
  });
  router.delete('/me/calendar-feed', jsonBody, async (req, res) => {
    requireNoInput(req);
    if (await calendar.revokeFeed(res.locals.actor)) logger.info({ reqId: res.locals.reqId, userId: res.locals.actor.id }, 'calendar feed revoked');
    res.status(204).end();
  });
  return router;
}

/** GET /calendar/<secret>.ics: no bearer token, the secret is the credential. */
export function createCalendarFeedRouter(calendar: CalendarFeeds, limiter: AuthFailureLimiter): Router {
  const router = Router();
  router.get('/calendar/:file', async (req, res) => {
    const file = String(req.params.file);
    // The request log records the path: never the secret in it.
    req.originalUrl = '/calendar/{secret}.ics';
    const secret = file.endsWith('.ics') ? file.slice(0, -4) : '';
    const ics = secret ? await calendar.feedDocument(secret, requestOrigin(req)) : undefined;
    if (ics === undefined) {
      const wait = await limiter.fail(req.ip ?? 'unknown', `calendar:${secret.slice(0, 200)}`);
      if (wait > 0) throw new AppError('too_many_requests', { code: 'auth.too_many_failures' }, [], wait);
      throw new NotFoundError({ code: 'http.no_route', params: { method: req.method, path: '/calendar/{secret}.ics' } });
    }
    sendCalendar(res, ics, req);
  });
  return router;
}
