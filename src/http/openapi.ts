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
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const versionParam = { name: 'version', in: 'query', required: false, description: 'A workflow version in the catalog (default: the latest)', schema: { type: 'integer', minimum: 1 } };
const mermaid = { description: 'Mermaid stateDiagram-v2 text', content: { 'text/plain': { schema: { type: 'string' } } } };
const commonErrors = { '401': problem('unauthenticated'), '404': problem('not_found'), '422': problem('validation_failed') };

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
      schemas[name] = { ...(rewriteRefs(e.schema, names) as Json), description: `${e.description} Roles: ${e.roles.join(', ')}.` };
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
