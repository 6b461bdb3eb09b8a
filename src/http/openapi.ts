/**
 * The OpenAPI 3.1 document, generated from `schemas/` (bodies, responses, problem) and from the
 * workflow files (creation inputs and event payloads). Served at GET /openapi.json and rendered
 * at GET /docs.
 */
import { latestWorkflows } from '../../workflows/index.js';
import { SCHEMA_BASE, loadSchemaFiles } from '../validation.js';

type Json = Record<string, unknown>;

/** Rewrites `$ref: "device.json"` to `#/components/schemas/Device`. */
function rewriteRefs(node: unknown, names: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, names));
  if (node && typeof node === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$schema' || k === '$id') continue;
      out[k] = k === '$ref' && typeof v === 'string' ? `#/components/schemas/${names.get(v) ?? names.get(v.replace(SCHEMA_BASE, '')) ?? v}` : rewriteRefs(v, names);
    }
    return out;
  }
  return node;
}

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const json = (schema: Json, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const checkpoint = { type: 'object', properties: { treeSize: { type: 'integer' }, rootHash: { type: 'string', description: 'hex' }, timestamp: { type: 'string' }, note: { type: 'string', description: 'the signed note text' } } };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const versionParam = { name: 'version', in: 'query', required: false, description: 'A workflow version in the catalog (default: the latest)', schema: { type: 'integer', minimum: 1 } };
const mermaid = { description: 'Mermaid stateDiagram-v2 text', content: { 'text/plain': { schema: { type: 'string' } } } };
const commonErrors = { '401': problem('unauthenticated'), '404': problem('not_found'), '422': problem('validation_failed') };

/** Query parameters of a schema that adds its own properties to a shared filter schema (allOf). */
function queryParams(schemas: Json, ...names: string[]): Json[] {
  return names.flatMap((n) => Object.entries((schemas[n] as { properties?: Json }).properties ?? {}).map(([name, schema]) => ({ name, in: 'query', schema })));
}

export function buildOpenApi(): Json {
  const files = loadSchemaFiles();
  const names = new Map<string, string>();
  for (const f of files) {
    const file = String(f.$id).replace(SCHEMA_BASE, '');
    names.set(file, String(f.title));
  }
  const schemas: Json = {};
  for (const f of files) schemas[String(f.title)] = rewriteRefs(f, names);
  const eventVariants: Json[] = [];
  for (const w of latestWorkflows()) {
    schemas[`${w.id}.${w.version}.input`] = rewriteRefs(w.inputSchema, names);
    for (const [type, e] of Object.entries(w.events)) {
      const name = `${w.id}.${w.version}.${type}`;
      const signed = e.requiresSignature ? ' Requires an electronic signature: `signature: { meaning, password }`.' : '';
      schemas[name] = { ...(rewriteRefs(e.schema, names) as Json), description: `${e.description} Roles: ${e.roles.join(', ')}.${signed}` };
      eventVariants.push(ref(name));
    }
  }
  schemas.EventData = { description: 'The `data` of an event: one of the payload schemas below, chosen by workflow and `type`.', anyOf: eventVariants };

  return {
    openapi: '3.1.0',
    info: {
      title: 'puente API',
      version: '1',
      description:
        'Medical device submissions through FDA review and the COFEPRIS registration that relies on the FDA decision. ' +
        'Every state change goes through the workflow machine and leaves a hash-chained history record.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas,
    },
    security: [{ bearer: [] }],
    paths: {
      '/healthz': { get: { summary: 'Liveness (also checks the database answers)', security: [], responses: { '200': json({ type: 'object' }) } } },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': json({ type: 'object' }) } } },
      '/docs': { get: { summary: 'This document rendered as HTML', security: [], responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } } } },
      '/v1/me': { get: { summary: 'The caller', responses: { '200': json(ref('Actor')), '401': problem('unauthenticated') } } },
      '/v1/me/password': {
        post: {
          summary: "Set or change the caller's password for electronic signatures (21 CFR 11.300): currentPassword is required once a password exists; newPassword must meet the password rules",
          requestBody: { required: true, content: { 'application/json': { schema: ref('ChangePassword') } } },
          responses: {
            '204': { description: 'Password set' }, '400': problem('malformed_json'), '401': problem('unauthenticated, or signature_invalid (wrong currentPassword)'),
            '403': problem('forbidden'), '422': problem('validation_failed'), '423': problem('signature_locked'),
          },
        },
      },
      '/v1/users/{id}/signing-unlock': {
        post: {
          summary: "Admins: clear a user's failed-signature count and signing lock; with newPassword also reset the password",
          parameters: [idParam],
          requestBody: { required: false, content: { 'application/json': { schema: ref('SigningUnlock') } } },
          responses: {
            '200': json({ type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, signingLocked: { const: false }, passwordReset: { type: 'boolean' } } }),
            '400': problem('malformed_json'), '403': problem('forbidden'), ...commonErrors,
          },
        },
      },
      '/v1/workflows': { get: { summary: 'Workflow catalog: the latest version of each workflow, with every version in the catalog and its definition hash', responses: { '200': json({ type: 'object' }) } } },
      '/v1/workflows/{id}': {
        get: { summary: 'One workflow: states (tags, clocks, deadlines), events (roles, payload schema), goals, parameters', parameters: [idParam, versionParam], responses: { '200': json({ type: 'object' }), '404': problem('not_found'), '422': problem('validation_failed') } },
      },
      '/v1/workflows/{id}/diagram': {
        get: { summary: 'Mermaid stateDiagram-v2', parameters: [idParam, versionParam], responses: { '200': mermaid, '404': problem('not_found'), '422': problem('validation_failed') } },
      },
      '/v1/submissions': {
        post: {
          summary: 'Create a submission (manufacturers)',
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('CreateSubmission') } } },
          responses: { '201': json(ref('Submission'), 'Created; Location and ETag headers'), '400': problem('malformed_json'), '403': problem('forbidden'), '413': problem('payload_too_large'), ...commonErrors },
        },
        get: {
          summary: 'List visible submissions (keyset pagination)',
          parameters: Object.entries((schemas.ListSubmissionsQuery as { properties: Json }).properties).map(([name, schema]) => ({ name, in: 'query', schema })),
          responses: { '200': json({ type: 'object', properties: { items: { type: 'array', items: ref('Submission') }, nextCursor: { type: ['string', 'null'] } } }), ...commonErrors },
        },
      },
      '/v1/submissions/{id}': { get: { summary: 'One submission with allowedEvents for the caller', parameters: [idParam], responses: { '200': json(ref('Submission')), ...commonErrors } } },
      '/v1/submissions/{id}/events': {
        post: {
          summary: 'Send a workflow event',
          parameters: [idParam, { name: 'If-Match', in: 'header', schema: { type: 'string' } }, { name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('SendEvent') } } },
          responses: {
            '200': json({ type: 'object', properties: { submission: ref('Submission'), transition: ref('Transition') } }),
            '400': problem('malformed_json'), '403': problem('forbidden'), '409': problem('event_not_allowed'), '412': problem('version_mismatch'), '413': problem('payload_too_large'), ...commonErrors,
            '401': problem('unauthenticated, or signature_invalid (the signature password is wrong)'), '423': problem('signature_locked'),
          },
        },
      },
      '/v1/submissions/{id}/diagram': { get: { summary: "The submission's workflow diagram (its own version) with the states it went through and its current state highlighted", parameters: [idParam], responses: { '200': mermaid, ...commonErrors } } },
      '/v1/submissions/{id}/history': { get: { summary: 'The hash-chained history in seq order', parameters: [idParam], responses: { '200': json({ type: 'object', properties: { items: { type: 'array', items: ref('Transition') } } }), ...commonErrors } } },
      '/v1/submissions/{id}/documents': {
        post: {
          summary: 'Upload a document (raw bytes); the server computes SHA-256 and records DOCUMENT_ADDED',
          parameters: [idParam, { name: 'kind', in: 'query', required: true, schema: { type: 'string' } }, { name: 'filename', in: 'query', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
          responses: { '201': json(ref('Document')), '403': problem('forbidden'), '413': problem('payload_too_large'), ...commonErrors },
        },
        get: { summary: 'Documents of a submission', parameters: [idParam], responses: { '200': json({ type: 'object', properties: { items: { type: 'array', items: ref('Document') } } }), ...commonErrors } },
      },
      '/v1/webhooks': {
        post: {
          summary: 'Subscribe a URL to signed webhook notifications (manufacturers: their organization; admins: all or one). The response holds the signing secret, shown this once.',
          requestBody: { required: true, content: { 'application/json': { schema: ref('CreateWebhook') } } },
          responses: { '201': json(ref('Webhook'), 'Created; Location header; `secret` present'), '400': problem('malformed_json'), '403': problem('forbidden'), '413': problem('payload_too_large'), '415': problem('unsupported_media_type'), ...commonErrors },
        },
        get: {
          summary: "The caller's webhook subscriptions (admins: every one), newest first (keyset pagination)",
          parameters: Object.entries((schemas.ListWebhooksQuery as { properties: Json }).properties).map(([name, schema]) => ({ name, in: 'query', schema })),
          responses: { '200': json({ type: 'object', properties: { items: { type: 'array', items: ref('Webhook') }, nextCursor: { type: ['string', 'null'] } } }), '403': problem('forbidden'), ...commonErrors },
        },
      },
      '/v1/webhooks/{id}': {
        get: { summary: 'One webhook subscription (never its secret)', parameters: [idParam], responses: { '200': json(ref('Webhook')), '403': problem('forbidden'), ...commonErrors } },
        delete: { summary: 'Delete a webhook subscription with its delivery log; pending deliveries are dropped', parameters: [idParam], responses: { '204': { description: 'Deleted' }, '403': problem('forbidden'), ...commonErrors } },
      },
      '/v1/audit/transitions': {
        get: {
          summary: 'History records across submissions (auditors, admins), filtered, oldest first by (recordedAt, id), keyset pagination; each item exactly as GET /v1/submissions/{id}/history serves it',
          parameters: queryParams(schemas, 'AuditFilters', 'AuditTransitionsQuery'),
          responses: { '200': json({ type: 'object', properties: { items: { type: 'array', items: ref('Transition') }, nextCursor: { type: ['string', 'null'] } } }), '403': problem('forbidden'), ...commonErrors },
        },
      },
      '/v1/audit/verify': {
        get: { summary: 'Recompute every hash chain in the database (auditors, admins)', responses: { '200': json(ref('AuditVerify')), '403': problem('forbidden'), ...commonErrors } },
      },
      '/v1/audit/export': {
        get: {
          summary: 'Every matching history record, streamed (auditors, admins): JSONL (one record per line, as the history serves it) or CSV (RFC 4180, header row, nested objects as JSON text, cells starting with = + - @ tab or CR prefixed with \')',
          parameters: queryParams(schemas, 'AuditFilters', 'AuditExportQuery'),
          responses: {
            '200': { description: 'The export, as an attachment (Content-Disposition)', content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv; charset=utf-8': { schema: { type: 'string' } } } },
            '403': problem('forbidden'), ...commonErrors,
          },
        },
      },
      '/v1/audit/refusals': {
        get: {
          summary: 'Commands refused with 403, 409 or 412 (auditors, admins), oldest first by (recordedAt, id), keyset pagination',
          parameters: Object.entries((schemas.AuditRefusalsQuery as { properties: Json }).properties).map(([name, schema]) => ({ name, in: 'query', schema })),
          responses: { '200': json({ type: 'object', properties: { items: { type: 'array', items: ref('RefusedCommand') }, nextCursor: { type: ['string', 'null'] } } }), '403': problem('forbidden'), ...commonErrors },
        },
      },
      '/v1/audit/checkpoints': {
        post: { summary: 'Add queued history records to the transparency log, then sign and store a checkpoint (admins): C2SP tlog-checkpoint in a C2SP signed note (Ed25519)', responses: { '201': json(checkpoint), '403': problem('forbidden'), ...commonErrors } },
      },
      '/v1/audit/checkpoints/latest': {
        get: { summary: 'The latest signed checkpoint of the transparency log (auditors, admins)', responses: { '200': json(checkpoint), '403': problem('forbidden'), ...commonErrors } },
      },
      '/v1/audit/public-key': {
        get: { summary: "The transparency log's public key: PEM, and the note verifier key <origin>+<key hash>+<base64 key>", responses: { '200': json({ type: 'object', properties: { pem: { type: 'string' }, verifierKey: { type: 'string' }, origin: { type: 'string' } } }), ...commonErrors } },
      },
      '/v1/audit/proofs/inclusion': {
        get: {
          summary: 'RFC 9162 inclusion proof of a history record in the tree of treeSize records (default: the whole log) (auditors, admins)',
          parameters: queryParams(schemas, 'TlogInclusionQuery'),
          responses: { '200': json({ type: 'object', properties: { leafIndex: { type: 'integer' }, treeSize: { type: 'integer' }, rootHash: { type: 'string' }, auditPath: { type: 'array', items: { type: 'string' } } } }), '403': problem('forbidden'), ...commonErrors },
        },
      },
      '/v1/audit/proofs/consistency': {
        get: {
          summary: 'RFC 9162 consistency proof between the trees of `from` and `to` records (auditors, admins)',
          parameters: queryParams(schemas, 'TlogConsistencyQuery'),
          responses: { '200': json({ type: 'object', properties: { from: { type: 'integer' }, to: { type: 'integer' }, proof: { type: 'array', items: { type: 'string' } } } }), '403': problem('forbidden'), ...commonErrors },
        },
      },
      '/v1/submissions/{id}/report': {
        get: {
          summary: 'The history as a printable, self-contained HTML page (EU Annex 11 §8): every record with its signature manifestation and chain links, and the chain verification (auditors, admins, and whoever may see the submission)',
          parameters: [idParam],
          responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } }, ...commonErrors },
        },
      },
      '/v1/webhooks/{id}/deliveries': {
        get: {
          summary: "The subscription's delivery log, newest first (keyset pagination): status, attempts, last status code or error, next attempt",
          parameters: [idParam, ...Object.entries((schemas.ListWebhooksQuery as { properties: Json }).properties).map(([name, schema]) => ({ name, in: 'query', schema }))],
          responses: { '200': json({ type: 'object', properties: { items: { type: 'array', items: ref('WebhookDelivery') }, nextCursor: { type: ['string', 'null'] } } }), '403': problem('forbidden'), ...commonErrors },
        },
      },
      '/v1/submissions/{id}/documents/{documentId}': {
        get: {
          summary: 'Download a document; its SHA-256 is re-checked before serving (Repr-Digest header)',
          parameters: [idParam, { name: 'documentId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The bytes' }, ...commonErrors },
        },
      },
    },
  };
}
