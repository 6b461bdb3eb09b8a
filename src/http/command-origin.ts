/**
 * What the edge tells the engine about where a command came from (API or web): the method and
 * path, the request id, how this edge answers each error code, and its logger. The engine keeps
 * them with a refused command (src/engine/run-command.ts `recordingRefusals`); never the body,
 * headers, tokens or passwords.
 */
import type { Request, Response } from 'express';
import type { CommandOrigin } from '../engine/engine.js';
import type { Logger } from '../logger.js';
import { statusOf } from './error-handler.js';

export function commandOrigin(req: Request, res: Response, logger: Logger): CommandOrigin {
  return { method: req.method, path: req.originalUrl.split('?')[0]!, requestId: res.locals.reqId ?? null, statusOf, logger };
}
