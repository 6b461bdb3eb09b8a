/**
 * Refused commands are evidence too (21 CFR 11.10(e), EU Annex 11 §12.4): an attempt the role or
 * the workflow did not permit, or that lost a version race, is recorded in `refused_commands`.
 *
 * An error-handling middleware placed before the error handler: by the time a domain error
 * reaches it, the command's transaction has rolled back, so the record is its own small write.
 * Only the three command endpoints (POST /v1/submissions, .../events, .../documents) and only
 * 403, 409 and 412 are recorded, with who, the method and path (no query string), the submission
 * id named in the path, the event type, the status, the problem's code and detail and the request
 * id: never the body, passwords, tokens or headers. A failure to record is logged and the client
 * gets the same refusal it would have had.
 */
import type { ErrorRequestHandler, Request } from 'express';
import type { Auditor } from '../audit/auditor.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { statusOf } from './error-handler.js';

const REFUSED_STATUSES: ReadonlySet<number> = new Set([403, 409, 412]);

/** Command routes (as the routers declare them) and the record type each would have written. */
const COMMAND_ROUTES: ReadonlyMap<string, string | null> = new Map([
  ['/submissions', 'CREATED'],
  ['/submissions/:id/events', null], // the event type is the body's `type`
  ['/submissions/:id/documents', 'DOCUMENT_ADDED'],
]);

const MAX_TEXT = 2000;

/** The submission id segment of a command path, decoded (null for POST /v1/submissions). */
function submissionIdOf(path: string): string | null {
  const m = /^\/v1\/submissions\/([^/]+)\/[^/]+\/?$/i.exec(path);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!).slice(0, 200);
  } catch {
    return m[1]!.slice(0, 200);
  }
}

function eventTypeOf(req: Request, routePath: string): string | null {
  const fixed = COMMAND_ROUTES.get(routePath);
  if (fixed !== null) return fixed ?? null;
  const type = (req.body as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(type) ? type : null;
}

export function recordRefusedCommands(auditor: Auditor, logger: Logger): ErrorRequestHandler {
  return async (err, req, res, next) => {
    try {
      const routePath = (req.route as { path?: unknown } | undefined)?.path;
      const actor = res.locals.actor;
      // API commands only: the web interface (same route paths, no /v1) records its own refusals.
      if (err instanceof AppError && req.method === 'POST' && req.originalUrl.startsWith('/v1/') && typeof routePath === 'string' && COMMAND_ROUTES.has(routePath) && actor && !res.headersSent) {
        const status = statusOf(err.code);
        if (REFUSED_STATUSES.has(status)) {
          const path = req.originalUrl.split('?')[0]!.slice(0, MAX_TEXT);
          await auditor.recordRefusal({
            actor,
            method: req.method,
            path,
            submissionId: submissionIdOf(path),
            eventType: eventTypeOf(req, routePath),
            status,
            code: err.code,
            detail: err.message.slice(0, MAX_TEXT),
            requestId: res.locals.reqId ?? null,
          });
        }
      }
    } catch (e) {
      logger.error({ err: e, reqId: res.locals.reqId }, 'could not record a refused command');
    }
    next(err);
  };
}
