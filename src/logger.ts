/** The one logger: pino JSON lines. Authorization headers, tokens, passwords and webhook secrets are redacted at the source. */
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'puente' },
      redact: {
        paths: [
          'req.headers.authorization',
          'token',
          '*.token',
          'secret',
          '*.secret',
          // Electronic-signature passwords and their hashes (issue 6), wherever a body lands in a log call.
          'password',
          '*.password',
          '*.*.password',
          '*.*.*.password',
          'signature.password',
          '*.signature.password',
          'currentPassword',
          '*.currentPassword',
          '*.*.currentPassword',
          'newPassword',
          '*.newPassword',
          '*.*.newPassword',
          'passwordHash',
          '*.passwordHash',
          'password_hash',
          '*.password_hash',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** A client's X-Request-Id is logged beside the server's id only when it is harmless to log. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The fields of a request's log line besides `reqId` (bound by pino-http) and `durationMs`. */
function requestFields(req: Request, res: Response, durationMs: unknown) {
  return {
    method: req.method,
    path: req.originalUrl.split('?')[0],
    status: res.statusCode,
    durationMs,
    userId: res.locals.actor?.id,
    ...(typeof res.locals.clientRequestId === 'string' ? { clientRequestId: res.locals.clientRequestId } : {}),
    // The client went away before the response was sent (pino-http also logs on 'close').
    ...(res.writableFinished ? {} : { aborted: true }),
  };
}

/**
 * Request logging through pino-http on `logger`: one `info` line per request, `request`, with
 * reqId, method, path (no query), status, durationMs and the acting user's id. Never headers,
 * cookies or bodies: the request is not serialized at all (quiet request and response loggers,
 * custom line objects). The request id is the server's own UUID (issue 8 §8: a client cannot
 * choose the id that logs and recorded refusals are found by, nor make two requests share one);
 * it is sent in `X-Request-Id` and kept in `res.locals.reqId` for later log lines. A client's own
 * `X-Request-Id`, when harmless, is logged beside it as `clientRequestId` for correlation.
 */
export function requestLogger(logger: Logger): RequestHandler {
  const http = pinoHttp<Request, Response>({
    logger,
    genReqId(req, res) {
      const id = randomUUID();
      res.setHeader('X-Request-Id', id);
      res.locals.reqId = id;
      const given = req.headers['x-request-id'];
      if (typeof given === 'string' && CLIENT_REQUEST_ID.test(given)) res.locals.clientRequestId = given;
      return id;
    },
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'reqId', responseTime: 'durationMs' },
    customSuccessObject: (req, res, val: { durationMs: unknown }) => requestFields(req, res, val.durationMs),
    customErrorObject: (req, res, _err, val: { durationMs: unknown }) => requestFields(req, res, val.durationMs),
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
  });
  return (req, res, next) => {
    http(req, res);
    next();
  };
}
