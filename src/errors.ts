/**
 * Domain errors. They carry a stable machine-readable `code` and the JSON pointers of the
 * offending fields, and know nothing about HTTP: `http/error-handler.ts` alone maps codes to
 * status codes.
 *
 * The detail and the field messages are data: a `Message` (`{ code, params }` of the catalog in
 * `src/messages/`), rendered in the reader's language at the edge (the API's error handler by
 * `Accept-Language`, the web pages by their language). `Error.message` and `FieldError.message`
 * hold the English rendering (logs, the CLI, tests).
 */
import { english, type Message, type MessageCode } from './messages/format.js';

export type { Message, MessageCode } from './messages/format.js';

export interface FieldError {
  /** JSON pointer into the request (`/data/deficiencies/0`), or `` for the whole body. */
  readonly path: string;
  /** In English. */
  readonly message: string;
  /**
   * The catalog code of the message, and its parameters. Every error the server builds has one
   * (`fieldError`); a bare `{ path, message }` (tests, fixtures) renders its English as it is.
   */
  readonly code?: MessageCode;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** A field error from a catalog message (its English `message` filled in). */
export function fieldError(path: string, message: Message): FieldError {
  return { path, message: english(message), code: message.code, ...(message.params ? { params: message.params } : {}) };
}

/** The message of a field error (a bare English one as `validation.other`). */
export function fieldMessage(e: FieldError): Message {
  return e.code ? { code: e.code, ...(e.params ? { params: e.params } : {}) } : { code: 'validation.other', params: { message: e.message } };
}

export type ErrorCode =
  | 'malformed_json'
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'event_not_allowed'
  | 'version_mismatch'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'idempotency_key_reused'
  | 'too_many_requests'
  | 'signature_invalid'
  | 'signature_locked'
  | 'integrity_failure'
  | 'unavailable';

/** A detail: a catalog message. */
export type Detail = Message;

export class AppError extends Error {
  /** The detail as a catalog message (`message` holds its English). */
  readonly detail: Message;

  constructor(
    readonly code: ErrorCode,
    detail: Message,
    readonly errors: readonly FieldError[] = [],
    /** Extra response headers such as Retry-After; still HTTP-free in meaning. */
    readonly retryAfterSeconds?: number,
  ) {
    super(english(detail));
    this.detail = detail;
    this.name = new.target.name;
  }
}

export class InputError extends AppError {
  constructor(detail: Message, errors: readonly FieldError[] = []) {
    super('validation_failed', detail, errors);
  }
}

export class NotFoundError extends AppError {
  constructor(detail: Message = { code: 'error.not_found' }) {
    super('not_found', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: Message) {
    super('forbidden', detail);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(detail: Message = { code: 'error.bearer_required' }) {
    super('unauthenticated', detail);
  }
}

export class EventNotAllowedError extends AppError {
  constructor(detail: Message) {
    super('event_not_allowed', detail);
  }
}

export class VersionMismatchError extends AppError {
  constructor(
    readonly currentVersion: number,
    expected: number,
  ) {
    super('version_mismatch', { code: 'error.version_mismatch', params: { expected, current: currentVersion } });
  }
}

export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super('idempotency_key_reused', { code: 'error.idempotency_key_reused' }, [fieldError('', { code: 'error.idempotency_key_reused_field' })]);
  }
}

/**
 * A password given to re-authenticate (an electronic signature, or `currentPassword` when changing
 * one) is wrong (21 CFR 11.200(a)). Each one counts towards the signing lock.
 */
export class SignatureInvalidError extends AppError {
  constructor(detail: Message, path: string) {
    super('signature_invalid', detail, [fieldError(path, { code: 'error.not_your_password' })]);
  }
}

/**
 * Signing is locked for this user after consecutive failed re-authentications (21 CFR 11.300(d));
 * only an administrator unlocks it. No password is checked while locked.
 */
export class SigningLockedError extends AppError {
  constructor(detail: Message, path: string) {
    super('signature_locked', detail, [fieldError(path, { code: 'error.signing_locked_field' })]);
  }
}
