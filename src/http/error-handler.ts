/**
 * The only place that knows HTTP status codes: domain errors and body-parser failures become
 * RFC 9457 problem+json. Nothing else reaches the client: no stack trace, no SQL.
 */
import type { ErrorRequestHandler, Response } from 'express';
import { AppError, type ErrorCode, type FieldError } from '../errors.js';
import type { Logger } from '../logger.js';

const STATUS: Record<ErrorCode, number> = {
  malformed_json: 400,
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  event_not_allowed: 409,
  version_mismatch: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  idempotency_key_reused: 422,
  too_many_requests: 429,
  signature_invalid: 401,
  signature_locked: 423,
  integrity_failure: 500,
  unavailable: 503,
};

const TITLE: Record<ErrorCode, string> = {
  malformed_json: 'Malformed JSON',
  bad_request: 'Bad request',
  unauthenticated: 'Unauthenticated',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  event_not_allowed: 'Event not allowed',
  version_mismatch: 'Version mismatch',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  validation_failed: 'Validation failed',
  idempotency_key_reused: 'Idempotency key reused',
  too_many_requests: 'Too many requests',
  signature_invalid: 'Signature invalid',
  signature_locked: 'Signing locked',
  integrity_failure: 'Integrity check failed',
  unavailable: 'Service unavailable',
};

/** The HTTP status of a domain error code (for middleware that acts on refusals, e.g. http/refused-commands.ts). */
export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

export function sendProblem(res: Response, code: ErrorCode | 'internal_error', detail: string, errors: readonly FieldError[] = []): void {
  const status = code === 'internal_error' ? 500 : STATUS[code];
  const title = code === 'internal_error' ? 'Internal error' : TITLE[code];
  if (code === 'unauthenticated') res.setHeader('WWW-Authenticate', 'Bearer realm="puente"');
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: `https://puente.dev/problems/${code.replace(/_/g, '-')}`, title, status, detail, code, errors }));
}

/** body-parser failures (they carry `type`), mapped to our codes. */
function fromBodyParser(err: { type?: string; status?: number; limit?: number }): [ErrorCode, string] | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return ['malformed_json', 'The request body is not valid JSON'];
    case 'entity.too.large':
      return ['payload_too_large', `The request body is larger than the limit of ${err.limit} bytes`];
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return ['unsupported_media_type', 'The request body encoding or charset is not supported'];
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return ['malformed_json', 'The request body could not be read'];
    default:
      return undefined;
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === '57P03' || code === '53300';
}

export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      logger.error({ err, reqId: res.locals.reqId }, 'error after headers were sent');
      return;
    }
    if (err instanceof AppError) {
      if (err.retryAfterSeconds) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      if (err.code === 'integrity_failure') logger.error({ reqId: res.locals.reqId, detail: err.message }, 'integrity failure');
      // 21 CFR 11.300(d): attempts to sign as someone else are reported (the user, never the password).
      if (err.code === 'signature_invalid' || err.code === 'signature_locked') {
        logger.warn({ reqId: res.locals.reqId, userId: res.locals.actor?.id, code: err.code, detail: err.message }, 'signature refused');
      }
      sendProblem(res, err.code, err.message, err.errors);
      return;
    }
    const parsed = fromBodyParser(err);
    if (parsed) {
      sendProblem(res, parsed[0], parsed[1], [{ path: '', message: parsed[1] }]);
      return;
    }
    const status = Number((err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode);
    if (status >= 400 && status < 500) {
      // e.g. a path segment that is not valid percent-encoding
      sendProblem(res, status === 413 ? 'payload_too_large' : 'bad_request', 'The request could not be understood', [{ path: '', message: 'malformed request' }]);
      return;
    }
    const dbCode = (err as { code?: string }).code;
    if (dbCode === '22021' || dbCode === '22P05') {
      // PostgreSQL refused a character it cannot store; the request is at fault, not the server.
      sendProblem(res, 'validation_failed', 'The request holds characters the database cannot store', [{ path: '', message: 'unsupported character' }]);
      return;
    }
    if (isBusy(err)) {
      res.setHeader('Retry-After', '1');
      sendProblem(res, 'unavailable', 'The database is busy; retry shortly');
      return;
    }
    logger.error({ err, reqId: res.locals.reqId, method: req.method, path: req.path }, 'unhandled error');
    sendProblem(res, 'internal_error', `Internal error; quote request id ${res.locals.reqId} to the operator`);
  };
}
