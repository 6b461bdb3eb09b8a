/**
 * The only place that knows HTTP status codes: domain errors and body-parser failures become
 * RFC 9457 problem+json. Nothing else reaches the client: no stack trace, no SQL.
 *
 * The `detail` and `errors[].message` are rendered here, in the language `Accept-Language` asks
 * for (`es`, `es-MX` -> Spanish; English by default); `code` and the JSON pointers never change.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { AppError, fieldError, fieldMessage, type Detail, type ErrorCode, type FieldError } from '../errors.js';
import type { Logger } from '../logger.js';
import { negotiateLanguage, renderMessage, type Lang, type Message } from '../messages/format.js';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../store/pg-hosts.js';

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

/** The problem's `title` in `lang`: the catalog's `problem.<code>` (a short, fixed phrase per code). */
function titleOf(code: ErrorCode | 'internal_error', lang: Lang): string {
  return renderMessage({ code: `problem.${code}` }, lang);
}

/** The HTTP status of a domain error code (for middleware that acts on refusals, e.g. http/refused-commands.ts). */
export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** A detail in `lang`. */
export function renderDetail(detail: Detail, lang: Lang): string {
  return renderMessage(detail, lang);
}

/** A field error's message in `lang`. */
export function renderFieldError(e: FieldError, lang: Lang): string {
  return renderMessage(fieldMessage(e), lang);
}

/** The language a request asks for (its `Accept-Language`). */
export function requestLanguage(req: Pick<Request, 'headers'>): Lang {
  return negotiateLanguage(req.headers['accept-language']);
}

export function sendProblem(res: Response, code: ErrorCode | 'internal_error', detail: Detail, errors: readonly FieldError[] = [], lang: Lang = 'en'): void {
  const status = code === 'internal_error' ? 500 : STATUS[code];
  const title = titleOf(code, lang);
  if (code === 'unauthenticated') res.setHeader('WWW-Authenticate', 'Bearer realm="puente"');
  res.vary('Accept-Language');
  res.setHeader('Content-Language', lang);
  const body = {
    type: `https://puente.dev/problems/${code.replace(/_/g, '-')}`,
    title,
    status,
    detail: renderDetail(detail, lang),
    code,
    errors: errors.map((e) => ({ path: e.path, message: renderFieldError(e, lang) })),
  };
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

/** body-parser failures (they carry `type`), mapped to our codes. */
function fromBodyParser(err: { type?: string; status?: number; limit?: number }): [ErrorCode, Message] | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return ['malformed_json', { code: 'http.malformed_json' }];
    case 'entity.too.large':
      return ['payload_too_large', { code: 'http.too_large', params: { limit: err.limit } }];
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return ['unsupported_media_type', { code: 'http.unsupported_encoding' }];
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return ['malformed_json', { code: 'http.unreadable_body' }];
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
    const lang = requestLanguage(req);
    if (err instanceof AppError) {
      if (err.retryAfterSeconds) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      if (err.code === 'integrity_failure') logger.error({ reqId: res.locals.reqId, detail: err.message }, 'integrity failure');
      // 21 CFR 11.300(d): attempts to sign as someone else are reported (the user, never the password).
      if (err.code === 'signature_invalid' || err.code === 'signature_locked') {
        logger.warn({ reqId: res.locals.reqId, userId: res.locals.actor?.id, code: err.code, detail: err.message }, 'signature refused');
      }
      sendProblem(res, err.code, err.detail, err.errors, lang);
      return;
    }
    const parsed = fromBodyParser(err as { type?: string; limit?: number });
    if (parsed) {
      sendProblem(res, parsed[0], parsed[1], [fieldError('', parsed[1])], lang);
      return;
    }
    const status = Number((err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode);
    if (status >= 400 && status < 500) {
      // e.g. a path segment that is not valid percent-encoding
      sendProblem(
        res,
        status === 413 ? 'payload_too_large' : 'bad_request',
        { code: 'http.not_understood' },
        [fieldError('', { code: 'http.malformed_request' })],
        lang,
      );
      return;
    }
    const dbCode = (err as { code?: string }).code;
    if (dbCode === '22021' || dbCode === '22P05') {
      // PostgreSQL refused a character it cannot store; the request is at fault, not the server.
      sendProblem(res, 'validation_failed', { code: 'http.unstorable_characters' }, [fieldError('', { code: 'http.unsupported_character' })], lang);
      return;
    }
    if (isBusy(err)) {
      res.setHeader('Retry-After', '1');
      sendProblem(res, 'unavailable', { code: 'http.busy' }, [], lang);
      return;
    }
    if (isDatabaseUnavailable(err)) {
      // Unreachable, shutting down, a standby, or a failover under way (issue 17 §2): the
      // command's one transaction rolled back (or, had the connection broken during its COMMIT,
      // the client's retry with the same Idempotency-Key answers what it did).
      logger.warn(
        { reqId: res.locals.reqId, method: req.method, path: req.path, code: (err as { code?: string }).code, detail: (err as Error).message },
        'database unavailable',
      );
      res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
      sendProblem(res, 'unavailable', { code: 'http.database_unavailable', params: { seconds: DATABASE_RETRY_AFTER_SECONDS } }, [], lang);
      return;
    }
    logger.error({ err, reqId: res.locals.reqId, method: req.method, path: req.path }, 'unhandled error');
    sendProblem(res, 'internal_error', { code: 'http.internal_error', params: { requestId: String(res.locals.reqId) } }, [], lang);
  };
}
