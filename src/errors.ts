/**
 * Domain errors. They carry a stable machine-readable `code` and the JSON pointers of the
 * offending fields, and know nothing about HTTP: `http/error-handler.ts` alone maps codes to
 * status codes.
 */
export interface FieldError {
  /** JSON pointer into the request (`/data/deficiencies/0`), or `` for the whole body. */
  readonly path: string;
  readonly message: string;
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

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors: readonly FieldError[] = [],
    /** Extra response headers such as Retry-After; still HTTP-free in meaning. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InputError extends AppError {
  constructor(message: string, errors: readonly FieldError[] = []) {
    super('validation_failed', message, errors);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super('not_found', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'A valid bearer token is required') {
    super('unauthenticated', message);
  }
}

export class EventNotAllowedError extends AppError {
  constructor(message: string) {
    super('event_not_allowed', message);
  }
}

export class VersionMismatchError extends AppError {
  constructor(readonly currentVersion: number, expected: number) {
    super('version_mismatch', `If-Match names version ${expected} but the submission is at version ${currentVersion}`);
  }
}

export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super('idempotency_key_reused', 'This Idempotency-Key was already used for a different request', [
      { path: '', message: 'Idempotency-Key header reused with a different method, path or body' },
    ]);
  }
}

/**
 * A password given to re-authenticate (an electronic signature, or `currentPassword` when changing
 * one) is wrong (21 CFR 11.200(a)). Each one counts towards the signing lock.
 */
export class SignatureInvalidError extends AppError {
  constructor(message: string, path: string) {
    super('signature_invalid', message, [{ path, message: 'is not your password' }]);
  }
}

/**
 * Signing is locked for this user after consecutive failed re-authentications (21 CFR 11.300(d));
 * only an administrator unlocks it. No password is checked while locked.
 */
export class SigningLockedError extends AppError {
  constructor(message: string, path: string) {
    super('signature_locked', message, [{ path, message: 'signing is locked for this user until an administrator unlocks it' }]);
  }
}
