/**
 * The pieces the OpenAPI document (http/openapi.ts) is built from: what each error status means,
 * response and parameter shorthands, and `operation()`, which gives every operation behind the
 * bearer token its 401, 422, 429 and 503 (and 400 when it has path parameters).
 */
export type Json = Record<string, unknown>;

/** What each error status means here: the problem `code`s it carries. */
export const PROBLEMS: Record<string, string> = {
  '400': 'malformed_json (the body is not JSON or could not be read), bad_request (a path segment is not valid percent-encoding)',
  '401': 'unauthenticated (no valid bearer token; WWW-Authenticate: Bearer)',
  '403': 'forbidden (the role may not do this)',
  '404': 'not_found (no such resource, or not visible to the caller)',
  '409': 'event_not_allowed (the workflow does not accept this event in the current state)',
  '412': 'version_mismatch (If-Match names another version, or a weak or foreign entity tag: If-Match compares strongly)',
  '413': 'payload_too_large',
  '415': 'unsupported_media_type (send application/json)',
  '422': 'validation_failed (a field, query parameter or header; `errors[].path` is its JSON pointer), idempotency_key_reused',
  '423': 'signature_locked (five consecutive wrong passwords, at signing or web sign-in; an admin unlocks)',
  '429': 'too_many_requests (this client, its address and the credential it presents, failed too often; valid credentials are never throttled; Retry-After)',
  '500': 'integrity_failure (the stored bytes no longer match their SHA-256)',
  '503': 'unavailable (the database is busy; Retry-After)',
};
export const retryAfter = { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'string', pattern: '^[0-9]+$' } } };
export const PROBLEM_HEADERS: Record<string, Json> = {
  '401': { 'WWW-Authenticate': { description: 'Bearer realm="puente"', schema: { type: 'string' } } },
  '429': retryAfter,
  '503': retryAfter,
};
export function problem(status: string, description = PROBLEMS[status] ?? status): Json {
  return {
    description,
    ...(PROBLEM_HEADERS[status] ? { headers: PROBLEM_HEADERS[status] } : {}),
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}

export const json = (schema: Json, description = 'OK', headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const header = (description: string, schema: Json = { type: 'string' }) => ({ description, schema });
export const etag = header('The submission version as a strong entity tag, e.g. "7" (send it back in If-Match)', {
  type: 'string',
  pattern: '^"[1-9][0-9]*"$',
});
export const replayed = header('true when the answer is the replay of an earlier request with the same Idempotency-Key', { const: 'true' });
export const page = (item: Json) => ({
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
});
export const checkpoint = {
  type: 'object',
  required: ['treeSize', 'rootHash', 'timestamp', 'note'],
  properties: {
    treeSize: { type: 'integer' },
    rootHash: { type: 'string', description: 'hex' },
    timestamp: { type: 'string' },
    note: { type: 'string', description: 'the signed note text' },
  },
};
export const html = { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } };
export const mermaid = { description: 'Mermaid stateDiagram-v2 text', content: { 'text/plain': { schema: { type: 'string' } } } };
export const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1 } };
export const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Retries with the same key replay the first answer (24 hours)',
  schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,255}$' },
};
export const jsonBody = (schema: Json, required = true) => ({ required, content: { 'application/json': { schema } } });

/** Query parameters from the properties of query schemas (`required` as the schema says). */
export function queryParams(schemas: Json, ...names: string[]): Json[] {
  return names.flatMap((n) => {
    const s = schemas[n] as { properties?: Json; required?: string[] };
    return Object.entries(s.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: s.required?.includes(name) ?? false, schema }));
  });
}

export interface Operation {
  readonly operationId: string;
  readonly summary: string;
  readonly parameters?: readonly Json[];
  readonly requestBody?: Json;
  /** Success answers. */
  readonly ok: Json;
  /** Error statuses this operation answers besides the ones every bearer operation has. */
  readonly errors?: readonly string[];
  /** Descriptions of error statuses that differ from the usual ones. */
  readonly notes?: Readonly<Record<string, string>>;
  /** false: no bearer token (health, this document). */
  readonly bearer?: false;
}

/** Every bearer operation: 401 (no token), 422 (NUL in the URL, unknown query parameter), 429, 503. */
export const BEARER_ERRORS = ['401', '422', '429', '503'];

export function operation(o: Operation): Json {
  const statuses = new Set([...(o.errors ?? []), ...(o.bearer === false ? [] : BEARER_ERRORS)]);
  // Path parameters are percent-decoded: bad encoding is a 400.
  if (o.parameters?.some((p) => p.in === 'path')) statuses.add('400');
  const sorted = [...statuses].sort();
  return {
    operationId: o.operationId,
    summary: o.summary,
    ...(o.bearer === false ? { security: [] } : {}),
    ...(o.parameters?.length ? { parameters: o.parameters } : {}),
    ...(o.requestBody ? { requestBody: o.requestBody } : {}),
    responses: { ...o.ok, ...Object.fromEntries(sorted.map((s) => [s, problem(s, o.notes?.[s])])) },
  };
}

/** The auditor's operations and the transparency log's (README "Audit"), built from the query schemas in `all`. */
export function auditPaths(all: Json): Record<string, Record<string, Operation>> {
  return {
    '/v1/audit/transitions': {
      get: {
        operationId: 'listAuditTransitions',
        summary:
          'History records across submissions (auditors, admins), filtered, oldest first by (recordedAt, id), keyset pagination; each item exactly as GET /v1/submissions/{id}/history serves it',
        parameters: queryParams(all, 'AuditFilters', 'AuditTransitionsQuery'),
        ok: { '200': json(page(ref('Transition'))) },
        errors: ['403'],
      },
    },
    '/v1/audit/verify': {
      get: {
        operationId: 'verifyChains',
        summary: 'Recompute every hash chain in the database (auditors, admins)',
        ok: { '200': json(ref('AuditVerify')) },
        errors: ['403'],
      },
    },
    '/v1/audit/export': {
      get: {
        operationId: 'exportHistory',
        summary:
          "Every matching history record, streamed (auditors, admins): JSONL (one record per line, as the history serves it) or CSV (RFC 4180, header row, nested objects as JSON text, cells starting with = + - @ tab or CR prefixed with ')",
        parameters: queryParams(all, 'AuditFilters', 'AuditExportQuery'),
        ok: {
          '200': {
            description: 'The export, as an attachment (Content-Disposition)',
            headers: { 'Content-Disposition': header('attachment; filename="puente-history-<time>.<format>"') },
            content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv; charset=utf-8': { schema: { type: 'string' } } },
          },
        },
        errors: ['403'],
      },
    },
    '/v1/audit/refusals': {
      get: {
        operationId: 'listRefusals',
        summary: 'Commands refused with 403, 409 or 412 (auditors, admins), oldest first by (recordedAt, id), keyset pagination',
        parameters: queryParams(all, 'AuditRefusalsQuery'),
        ok: { '200': json(page(ref('RefusedCommand'))) },
        errors: ['403'],
      },
    },
    '/v1/audit/checkpoints': {
      post: {
        operationId: 'makeCheckpoint',
        summary:
          'Add queued history records to the transparency log, then sign and store a checkpoint (admins): C2SP tlog-checkpoint in a C2SP signed note (Ed25519)',
        ok: { '201': json(checkpoint, 'Created') },
        errors: ['403'],
      },
    },
    '/v1/audit/checkpoints/latest': {
      get: {
        operationId: 'getLatestCheckpoint',
        summary: 'The latest signed checkpoint of the transparency log (auditors, admins); 404 before the first',
        ok: { '200': json(checkpoint) },
        errors: ['403', '404'],
      },
    },
    '/v1/audit/public-key': {
      get: {
        operationId: 'getLogPublicKey',
        summary: "The transparency log's public key: PEM, and the note verifier key <origin>+<key hash>+<base64 key>",
        ok: {
          '200': json({
            type: 'object',
            required: ['pem', 'verifierKey', 'origin'],
            properties: { pem: { type: 'string' }, verifierKey: { type: 'string' }, origin: { type: 'string' } },
          }),
        },
      },
    },
    '/v1/audit/proofs/inclusion': {
      get: {
        operationId: 'getInclusionProof',
        summary: 'RFC 9162 inclusion proof of a history record in the tree of treeSize records (default: the whole log) (auditors, admins)',
        parameters: queryParams(all, 'TlogInclusionQuery'),
        ok: {
          '200': json({
            type: 'object',
            required: ['leafIndex', 'treeSize', 'rootHash', 'auditPath'],
            properties: {
              leafIndex: { type: 'integer' },
              treeSize: { type: 'integer' },
              rootHash: { type: 'string' },
              auditPath: { type: 'array', items: { type: 'string' } },
            },
          }),
        },
        errors: ['403', '404'],
      },
    },
    '/v1/audit/proofs/consistency': {
      get: {
        operationId: 'getConsistencyProof',
        summary: 'RFC 9162 consistency proof between the trees of `from` and `to` records (auditors, admins)',
        parameters: queryParams(all, 'TlogConsistencyQuery'),
        ok: {
          '200': json({
            type: 'object',
            required: ['from', 'to', 'proof'],
            properties: { from: { type: 'integer' }, to: { type: 'integer' }, proof: { type: 'array', items: { type: 'string' } } },
          }),
        },
        errors: ['403'],
      },
    },
  };
}

/** Users, tokens and password resets, and the security log (issue 8; README "Users and the security log"). */
export function securityPaths(all: Json): Record<string, Record<string, Operation>> {
  const userAnswer = (extra: Json, required: string[]) =>
    json({ type: 'object', required: ['id', 'name', ...required], properties: { id: { type: 'string' }, name: { type: 'string' }, ...extra } });
  const token = { type: 'string', description: 'The new bearer token, shown this once (only its SHA-256 is stored)' };
  const expiresAt = { type: ['string', 'null'], description: 'When the token stops working (TOKEN_MAX_DAYS), or null' };
  const adminCommand = (operationId: string, summary: string, ok: Json): Operation => ({
    operationId,
    summary,
    parameters: [idParam],
    requestBody: jsonBody({ type: 'object', additionalProperties: false, description: 'No input: an empty object or no body' }, false),
    ok: { '200': ok },
    errors: ['400', '403', '404', '413', '415'],
  });
  return {
    '/v1/password-reset': {
      post: {
        operationId: 'completePasswordReset',
        summary:
          'No bearer token: set a new password of your own with the one-time reset credential an admin issued (it only sets a password; it is spent on use and expires after PASSWORD_RESET_HOURS). Every web session of the user ends; the signing lock is cleared.',
        bearer: false,
        requestBody: jsonBody(ref('PasswordReset')),
        ok: { '204': { description: 'Password set' } },
        errors: ['400', '401', '413', '415', '422', '429'],
        notes: {
          '401': 'unauthenticated (the reset credential is unknown, used or expired; counted as a failed authentication)',
          '429': PROBLEMS['429']!,
        },
      },
    },
    '/v1/me/token': {
      post: {
        operationId: 'rotateOwnToken',
        summary: "Rotate the caller's bearer token: the new one is shown once, the old one stops working at once",
        requestBody: jsonBody({ type: 'object', additionalProperties: false, description: 'No input: an empty object or no body' }, false),
        ok: { '200': json({ type: 'object', required: ['token', 'expiresAt'], properties: { token, expiresAt } }) },
        errors: ['400', '413', '415'],
      },
    },
    '/v1/users/{id}/password-reset': {
      post: adminCommand(
        'issuePasswordReset',
        "Admins: reset a user's password. The password is cleared (nobody can sign as the user until the user sets one), every web session of the user ends, and a one-time credential (shown once) lets the user set a new password with POST /v1/password-reset until expiresAt",
        userAnswer({ resetToken: { type: 'string', pattern: '^pwr_[A-Za-z0-9_-]{43}$' }, expiresAt: { type: 'string' } }, ['resetToken', 'expiresAt']),
      ),
    },
    '/v1/users/{id}/disable': {
      post: adminCommand(
        'disableUser',
        "Admins: disable a user (offboarding): the user's token and web sessions stop working",
        userAnswer({ disabled: { const: true } }, ['disabled']),
      ),
    },
    '/v1/users/{id}/enable': {
      post: adminCommand('enableUser', 'Admins: re-enable a disabled user', userAnswer({ disabled: { const: false } }, ['disabled'])),
    },
    '/v1/users/{id}/token': {
      post: adminCommand(
        'rotateUserToken',
        "Admins: rotate a user's bearer token: the new one is shown once, the old one stops working at once",
        userAnswer({ token, expiresAt }, ['token', 'expiresAt']),
      ),
    },
    '/v1/audit/security-log': {
      get: {
        operationId: 'listSecurityLog',
        summary:
          'The security log (auditors, admins): user lifecycle and security actions, oldest first by seq, keyset pagination; hash-chained (each hash the SHA-256 of the JCS form of the entry without hash)',
        parameters: queryParams(all, 'SecurityLogQuery'),
        ok: { '200': json(page(ref('SecurityLogEntry'))) },
        errors: ['403'],
      },
    },
    '/v1/audit/security-log/export': {
      get: {
        operationId: 'exportSecurityLog',
        summary: 'Every matching security log entry as JSONL, one entry per line as the list serves it (auditors, admins)',
        parameters: queryParams(all, 'SecurityLogExportQuery'),
        ok: {
          '200': {
            description: 'The export, as an attachment (Content-Disposition)',
            headers: { 'Content-Disposition': header('attachment; filename="puente-security-log-<time>.jsonl"') },
            content: { 'application/x-ndjson': { schema: { type: 'string' } } },
          },
        },
        errors: ['403'],
      },
    },
  };
}
