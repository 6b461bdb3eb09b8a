/**
 * The OpenAPI 3.1 document, generated from `schemas/` (bodies, responses, problem) and from the
 * workflow files (workflow ids, creation inputs and event payloads). Served at GET /openapi.json
 * and rendered at GET /docs.
 *
 * It says exactly what the server does (issue 10 §7), and tests keep it so:
 * tests/http/openapi-contract.test.ts (the document is valid OpenAPI 3.1, every component is used,
 * HTTP answers validate against it) and tests/hostile/openapi-fuzz.property.test.ts (requests
 * generated from it for every operation and role; every answer is documented). Every operation
 * behind the bearer token answers 401, 422 (a NUL in the URL, an unknown query parameter), 429
 * (too many failed authentications from the address) and 503 (database busy); methods a path does
 * not support answer 405 with `Allow` (http/method-not-allowed.ts, driven by this document).
 */
import { WORKFLOWS, latestWorkflows } from '../../workflows/index.js';
import { SCHEMA_BASE, loadSchemaFiles } from '../validation.js';
import {
  PROBLEMS,
  auditPaths,
  securityPaths,
  etag,
  header,
  html,
  idParam,
  idempotencyKey,
  json,
  jsonBody,
  mermaid,
  operation,
  page,
  queryParams,
  ref,
  replayed,
  type Json,
  type Operation,
} from './openapi-parts.js';
import { calendarPaths } from './openapi-calendar.js';
import { notificationPaths } from './openapi-notifications.js';
import { insightsPaths } from './openapi-insights.js';

/** Rewrites `$ref: "device.json"` to `#/components/schemas/Device`. */
function rewriteRefs(node: unknown, names: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, names));
  if (node && typeof node === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$schema' || k === '$id') continue;
      out[k] =
        k === '$ref' && typeof v === 'string' ? `#/components/schemas/${names.get(v) ?? names.get(v.replace(SCHEMA_BASE, '')) ?? v}` : rewriteRefs(v, names);
    }
    return out;
  }
  return node;
}

export function buildOpenApi(): Json {
  const files = loadSchemaFiles();
  const names = new Map<string, string>();
  for (const f of files) {
    const file = String(f.$id).replace(SCHEMA_BASE, '');
    names.set(file, String(f.title));
  }
  // Query-string schemas become operation parameters and the server's own configuration is no
  // part of the API: neither is a component.
  const notComponents = new Set(['Config', 'EmptyQuery', 'AuditFilters']);
  const all: Json = {};
  for (const f of files) all[String(f.title)] = rewriteRefs(f, names);
  const schemas: Json = {};
  for (const [name, s] of Object.entries(all)) if (!notComponents.has(name) && !name.endsWith('Query')) schemas[name] = s;

  const workflowIds = [...new Set(WORKFLOWS.map((w) => w.id))];
  const inputVariants: Json[] = [];
  const eventVariants: Json[] = [];
  for (const w of latestWorkflows()) {
    const input = `${w.id}.${w.version}.input`;
    schemas[input] = rewriteRefs(w.inputSchema, names);
    inputVariants.push({ properties: { workflow: { const: w.id }, input: ref(input) } });
    for (const [type, e] of Object.entries(w.events)) {
      const name = `${w.id}.${w.version}.${type}`;
      const signed = e.requiresSignature ? ' Requires an electronic signature: `signature: { meaning, password }`.' : '';
      schemas[name] = { ...(rewriteRefs(e.schema, names) as Json), description: `${e.description} Roles: ${e.roles.join(', ')}.${signed}` };
      eventVariants.push(ref(name));
    }
  }
  // Every version's payload schemas equal some latest version's (the older versions add none), so
  // the latest ones are every payload the server accepts.
  schemas.EventData = {
    description: "The `data` of an event: one of the payload schemas below, chosen by the submission's workflow (its own version) and the event `type`.",
    anyOf: eventVariants,
  };
  const send = schemas.SendEvent as { properties: Json };
  schemas.SendEvent = { ...send, properties: { ...send.properties, data: ref('EventData') } };
  const create = schemas.CreateSubmission as { properties: Json };
  schemas.CreateSubmission = {
    ...create,
    properties: {
      ...create.properties,
      workflow: { enum: latestWorkflows().map((w) => w.id), description: 'A workflow id from GET /v1/workflows (new submissions use its latest version).' },
    },
    oneOf: inputVariants,
  };

  const workflowId = { name: 'id', in: 'path', required: true, description: 'A workflow id', schema: { enum: workflowIds } };
  const versionParam = {
    name: 'version',
    in: 'query',
    required: false,
    description: 'A workflow version in the catalog (default: the latest)',
    schema: { type: 'integer', minimum: 1, maximum: 999_999 },
  };
  const signed = ['403', '404', '409', '412', '423'];
  const submissionHeaders = { ETag: etag };

  const paths: Record<string, Record<string, Operation>> = {
    '/healthz': {
      get: {
        operationId: 'health',
        summary: 'Liveness (also checks the database answers)',
        bearer: false,
        ok: { '200': json({ type: 'object', required: ['status'], properties: { status: { const: 'ok' } } }) },
        errors: ['503'],
      },
    },
    '/openapi.json': { get: { operationId: 'getOpenApi', summary: 'This document', bearer: false, ok: { '200': json({ type: 'object' }) } } },
    '/docs': { get: { operationId: 'getDocs', summary: 'This document rendered as HTML', bearer: false, ok: { '200': html } } },
    '/v1/me': { get: { operationId: 'getMe', summary: 'The caller', ok: { '200': json(ref('Actor')) } } },
    '/v1/me/password': {
      post: {
        operationId: 'changePassword',
        summary:
          "Set or change the caller's password for electronic signatures (21 CFR 11.300): currentPassword is required once a password exists; newPassword must meet the password rules",
        requestBody: jsonBody(ref('ChangePassword')),
        ok: { '204': { description: 'Password set' } },
        errors: ['400', '403', '413', '415', '423'],
        notes: { '401': `${PROBLEMS['401']}, or signature_invalid (wrong currentPassword)` },
      },
    },
    '/v1/users/{id}/signing-unlock': {
      post: {
        operationId: 'unlockSigning',
        summary:
          "Admins: clear a user's failed-signature count and signing lock. newPassword is refused (422 at /newPassword): nobody sets another user's password; use POST /v1/users/{id}/password-reset",
        parameters: [idParam],
        requestBody: jsonBody(ref('SigningUnlock'), false),
        ok: {
          '200': json({
            type: 'object',
            required: ['id', 'name', 'signingLocked', 'passwordReset'],
            properties: { id: { type: 'string' }, name: { type: 'string' }, signingLocked: { const: false }, passwordReset: { type: 'boolean' } },
          }),
        },
        errors: ['400', '403', '404', '413', '415'],
      },
    },
    '/v1/workflows': {
      get: {
        operationId: 'listWorkflows',
        summary: 'Workflow catalog: the latest version of each workflow, with every version in the catalog and its definition hash',
        ok: { '200': json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: { type: 'object' } } } }) },
      },
    },
    '/v1/workflows/{id}': {
      get: {
        operationId: 'getWorkflow',
        summary: 'One workflow: states (tags, clocks, deadlines), events (roles, payload schema), goals, parameters',
        parameters: [workflowId, versionParam],
        ok: { '200': json({ type: 'object' }) },
        errors: ['404'],
      },
    },
    '/v1/workflows/{id}/diagram': {
      get: {
        operationId: 'getWorkflowDiagram',
        summary: 'Mermaid stateDiagram-v2',
        parameters: [workflowId, versionParam],
        ok: { '200': mermaid },
        errors: ['404'],
      },
    },
    '/v1/submissions': {
      post: {
        operationId: 'createSubmission',
        summary: 'Create a submission (manufacturers)',
        parameters: [idempotencyKey],
        requestBody: jsonBody(ref('CreateSubmission')),
        ok: { '201': json(ref('Submission'), 'Created', { Location: header('/v1/submissions/{id}'), ...submissionHeaders, 'Idempotent-Replayed': replayed }) },
        errors: ['400', '403', '413', '415'],
      },
      get: {
        operationId: 'listSubmissions',
        summary: 'List visible submissions (keyset pagination)',
        parameters: queryParams(all, 'ListSubmissionsQuery'),
        ok: { '200': json(page(ref('Submission'))) },
      },
    },
    '/v1/submissions/export': {
      get: {
        operationId: 'exportSubmissions',
        summary:
          "Every submission GET /v1/submissions lists for the caller under the same filters, as a download: CSV (RFC 4180, UTF-8 with BOM, header row, goals in one column, cells starting with = + - @ tab or CR prefixed with ') or XLSX (sheets Portfolio and Goals)",
        parameters: queryParams(all, 'ExportSubmissionsQuery'),
        ok: {
          '200': {
            description: 'The export, as an attachment (Content-Disposition)',
            headers: { 'Content-Disposition': header('attachment; filename="puente-portfolio-<YYYY-MM-DD>.<format>"') },
            content: {
              'text/csv; charset=utf-8': { schema: { type: 'string' } },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
            },
          },
        },
      },
    },
    '/v1/submissions/{id}': {
      get: {
        operationId: 'getSubmission',
        summary: 'One submission with allowedEvents for the caller',
        parameters: [idParam],
        ok: { '200': json(ref('Submission'), 'OK', submissionHeaders) },
        errors: ['404'],
      },
    },
    '/v1/submissions/{id}/events': {
      post: {
        operationId: 'sendEvent',
        summary: 'Send a workflow event',
        parameters: [
          idParam,
          {
            name: 'If-Match',
            in: 'header',
            required: false,
            description:
              '"*", or the strong entity tag of the current version (ETag). A weak or foreign tag never matches (412); text that is no entity tag is a 422.',
            schema: { type: 'string' },
          },
          idempotencyKey,
        ],
        requestBody: jsonBody(ref('SendEvent')),
        ok: {
          '200': json(
            { type: 'object', required: ['submission', 'transition'], properties: { submission: ref('Submission'), transition: ref('Transition') } },
            'OK',
            { ...submissionHeaders, 'Idempotent-Replayed': replayed },
          ),
        },
        errors: ['400', '413', '415', ...signed],
        notes: { '401': `${PROBLEMS['401']}, or signature_invalid (the signature password is wrong)` },
      },
    },
    '/v1/submissions/{id}/diagram': {
      get: {
        operationId: 'getSubmissionDiagram',
        summary: "The submission's workflow diagram (its own version) with the states it went through and its current state highlighted",
        parameters: [idParam],
        ok: { '200': mermaid },
        errors: ['404'],
      },
    },
    '/v1/submissions/{id}/history': {
      get: {
        operationId: 'getHistory',
        summary: 'The hash-chained history in seq order',
        parameters: [idParam],
        ok: { '200': json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('Transition') } } }) },
        errors: ['404'],
      },
    },
    '/v1/submissions/{id}/documents': {
      post: {
        operationId: 'uploadDocument',
        summary: 'Upload a document (raw bytes, any Content-Type, which is kept); the server computes SHA-256 and records DOCUMENT_ADDED',
        parameters: [idParam, ...queryParams(all, 'UploadDocumentQuery'), idempotencyKey],
        requestBody: { required: true, content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
        ok: { '201': json(ref('Document'), 'Created', { Location: header('/v1/submissions/{id}/documents/{documentId}'), 'Idempotent-Replayed': replayed }) },
        errors: ['403', '404', '413'],
      },
      get: {
        operationId: 'listDocuments',
        summary: 'Documents of a submission',
        parameters: [idParam],
        ok: { '200': json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('Document') } } }) },
        errors: ['404'],
      },
    },
    '/v1/submissions/{id}/documents/{documentId}': {
      get: {
        operationId: 'downloadDocument',
        summary: 'Download a document; its SHA-256 is re-checked before serving (Repr-Digest header)',
        parameters: [idParam, { name: 'documentId', in: 'path', required: true, schema: { type: 'string', minLength: 1 } }],
        ok: {
          '200': {
            description: 'The bytes, with the Content-Type they were uploaded with',
            headers: { 'Repr-Digest': header('sha-256=:<base64>:') },
            content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
          },
        },
        errors: ['404', '500'],
      },
    },
    '/v1/submissions/{id}/report': {
      get: {
        operationId: 'getReport',
        summary:
          'The history as a printable, self-contained HTML page (EU Annex 11 §8): every record with its signature manifestation and chain links, and the chain verification (auditors, admins, and whoever may see the submission)',
        parameters: [idParam],
        ok: { '200': html },
        errors: ['404'],
      },
    },
    '/v1/webhooks': {
      post: {
        operationId: 'createWebhook',
        summary:
          'Subscribe a URL to signed webhook notifications (manufacturers: their organization; admins: all or one). The response holds the signing secret, shown this once.',
        requestBody: jsonBody(ref('CreateWebhook')),
        ok: { '201': json(ref('Webhook'), 'Created; `secret` present', { Location: header('/v1/webhooks/{id}') }) },
        errors: ['400', '403', '413', '415'],
      },
      get: {
        operationId: 'listWebhooks',
        summary: "The caller's webhook subscriptions (admins: every one), newest first (keyset pagination)",
        parameters: queryParams(all, 'ListWebhooksQuery'),
        ok: { '200': json(page(ref('Webhook'))) },
        errors: ['403'],
      },
    },
    '/v1/webhooks/{id}': {
      get: {
        operationId: 'getWebhook',
        summary: 'One webhook subscription (never its secret)',
        parameters: [idParam],
        ok: { '200': json(ref('Webhook')) },
        errors: ['403', '404'],
      },
      delete: {
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook subscription with its delivery log; pending deliveries are dropped',
        parameters: [idParam],
        ok: { '204': { description: 'Deleted' } },
        errors: ['403', '404'],
      },
    },
    '/v1/webhooks/{id}/deliveries': {
      get: {
        operationId: 'listWebhookDeliveries',
        summary: "The subscription's delivery log, newest first (keyset pagination): status, attempts, last status code or error, next attempt",
        parameters: [idParam, ...queryParams(all, 'ListWebhooksQuery')],
        ok: { '200': json(page(ref('WebhookDelivery'))) },
        errors: ['403', '404'],
      },
    },
    ...auditPaths(all),
    ...securityPaths(all),
    ...calendarPaths(),
    ...notificationPaths(),
    ...insightsPaths(all),
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'puente API',
      version: '1',
      description:
        'Medical device submissions through FDA review and the COFEPRIS registration that relies on the FDA decision. ' +
        'Every state change goes through the workflow machine and leaves a hash-chained history record. ' +
        'Errors are RFC 9457 application/problem+json with a stable `code`; a method a path does not support answers 405 with `Allow`.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas,
    },
    security: [{ bearer: [] }],
    paths: Object.fromEntries(Object.entries(paths).map(([p, ops]) => [p, Object.fromEntries(Object.entries(ops).map(([m, o]) => [m, operation(o)]))])),
  };
}
