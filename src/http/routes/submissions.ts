/** Submissions, their events, history and documents (DESIGN §5). */
import express, { Router, type Request, type Response } from 'express';
import { AppError, InputError, fieldError, type Message } from '../../errors.js';
import { checkJsonText, escapePointer } from '../../validation.js';
import { sha256Hex } from '../../engine/hash.js';
import { requestHash, type CommandOutcome, type Engine, type Idempotency, type SubmissionView } from '../../engine/engine.js';
import type { Logger } from '../../logger.js';
import { commandOrigin } from '../command-origin.js';

/** A command's outcome as an HTTP status: what it created is 201, an event applied 200 (a replay answers the same). */
const OUTCOME_STATUS: Record<CommandOutcome, number> = { created: 201, applied: 200 };

/** JSON bodies: 1 MB. Documents: 25 MB. */
export const JSON_LIMIT = '1mb';
export const DOCUMENT_LIMIT = '25mb';

export const jsonBody = express.json({ limit: JSON_LIMIT, type: ['application/json', 'application/*+json'] });
const rawBody = express.raw({ limit: DOCUMENT_LIMIT, type: () => true });

/** Refuses a non-JSON body instead of silently treating it as missing. */
export function requireJson(req: Request): unknown {
  const length = Number(req.headers['content-length'] ?? 0);
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (req.body === undefined && (length > 0 || chunked) && !req.is(['application/json', 'application/*+json'])) {
    throw new AppError('unsupported_media_type', { code: 'http.json_content_type' }, [fieldError('', { code: 'http.json_content_type_field' })]);
  }
  checkJsonText(req.body);
  return req.body;
}

/**
 * The version `If-Match` names; `*` (RFC 9110: any current representation) names none. If-Match
 * compares strongly (RFC 9110 §13.1.1): a weak tag (`W/"3"`) or a tag that is no version number
 * (`"abc"`) never matches, so it names version 0, which no submission has, and the engine answers
 * 412 version_mismatch after its usual checks (404, 403 first). Only a header that is not a list
 * of entity tags, or a list naming two versions, is a 422.
 */
function ifMatch(req: Request): number | undefined {
  const raw = req.headers['if-match'];
  if (raw === undefined || raw.trim() === '*') return undefined;
  const bare = /^\s*"?(\d{1,15})"?\s*$/.exec(raw); // "7", and the lenient 7
  if (bare) return Number(bare[1]);
  const tags = raw.split(',').map((t) => t.trim());
  const malformed = (message: Message) => new InputError({ code: 'http.if_match', params: { example: 7 } }, [fieldError('/headers/if-match', message)]);
  if (!tags.every((t) => /^(?:W\/)?"[\x21\x23-\x7E\x80-\xFF]*"$/.test(t))) throw malformed({ code: 'http.if_match_field', params: { example: 7 } });
  const versions = new Set(tags.flatMap((t) => /^"(\d{1,15})"$/.exec(t)?.[1] ?? []).map(Number));
  if (versions.size > 1) throw malformed({ code: 'http.if_match_one' });
  return versions.size === 1 ? [...versions][0] : 0;
}

function idempotency(req: Request, res: Response, parts: Record<string, unknown>): Idempotency | undefined {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !/^[\x21-\x7E]{1,255}$/.test(key)) {
    throw new InputError({ code: 'http.idempotency_key' }, [fieldError('/headers/idempotency-key', { code: 'http.idempotency_key_field' })]);
  }
  return { key, requestHash: requestHash({ method: req.method, path: req.baseUrl + req.path, user: res.locals.actor.id, ...parts }) };
}

/**
 * The request as the Idempotency-Key record remembers it: the signature's password left out, so
 * not even its hash (a fast SHA-256 over guessable text) is stored. A retry with the same key is
 * a replay whatever password it carries; the first request was the one checked.
 */
function withoutPassword(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const sig = (body as { signature?: unknown }).signature;
  if (!sig || typeof sig !== 'object' || Array.isArray(sig) || !('password' in sig)) return body;
  const { password: _password, ...rest } = sig as Record<string, unknown>;
  return { ...(body as Record<string, unknown>), signature: rest };
}

function setEtag(res: Response, s: SubmissionView): void {
  res.setHeader('ETag', `"${s.version}"`);
}

export function queryObject(req: Request): Record<string, unknown> {
  return { ...(req.query as Record<string, unknown>) };
}

/**
 * The submission routes. Refused commands (403, 409, 412) are recorded by the engine itself from
 * the origin each command passes; `logger` reports a refusal that could not be recorded.
 */
export function createSubmissionsRouter(engine: Engine, logger: Logger): Router {
  const router = Router();

  router.post('/submissions', jsonBody, async (req, res) => {
    const body = requireJson(req);
    const result = await engine.createSubmission(res.locals.actor, body as never, {
      idempotency: idempotency(req, res, { body }),
      origin: commandOrigin(req, res, logger),
    });
    res.setHeader('Location', `/v1/submissions/${result.body.id}`);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    setEtag(res, result.body);
    res.status(OUTCOME_STATUS[result.outcome]).json(result.body);
  });

  router.get('/submissions', async (req, res) => {
    res.json(await engine.listSubmissions(res.locals.actor, queryObject(req)));
  });

  router.get('/submissions/:id', async (req, res) => {
    const view = await engine.getSubmission(res.locals.actor, req.params.id);
    setEtag(res, view);
    res.json(view);
  });

  router.post('/submissions/:id/events', jsonBody, async (req, res) => {
    const body = requireJson(req);
    const expected = ifMatch(req);
    const result = await engine.sendEvent(res.locals.actor, req.params.id, body as never, {
      ifMatch: expected,
      idempotency: idempotency(req, res, { body: withoutPassword(body), ifMatch: expected ?? null }),
      origin: commandOrigin(req, res, logger),
    });
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    setEtag(res, result.body.submission);
    res.status(OUTCOME_STATUS[result.outcome]).json(result.body);
  });

  router.get('/submissions/:id/diagram', async (req, res) => {
    res.type('text/plain; charset=utf-8').send(await engine.submissionDiagram(res.locals.actor, req.params.id));
  });

  router.get('/submissions/:id/history', async (req, res) => {
    res.json({ items: await engine.history(res.locals.actor, req.params.id) });
  });

  router.post('/submissions/:id/documents', rawBody, async (req, res) => {
    const bytes: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const q = queryObject(req);
    const contentType =
      typeof req.headers['content-type'] === 'string' && req.headers['content-type'].length <= 200 ? req.headers['content-type'] : 'application/octet-stream';
    const doc = { kind: q.kind as string, filename: q.filename as string, contentType, bytes };
    for (const k of Object.keys(q)) {
      if (k !== 'kind' && k !== 'filename')
        throw new InputError({ code: 'invalid.unknown_query_parameter', params: { name: k } }, [
          fieldError(`/${escapePointer(k)}`, { code: 'validation.unknown_field' }),
        ]);
    }
    const idem = idempotency(req, res, { query: q, sha256: sha256Hex(bytes) });
    const result = await engine.addDocument(res.locals.actor, req.params.id, doc, { idempotency: idem, origin: commandOrigin(req, res, logger) });
    res.setHeader('Location', `/v1/submissions/${req.params.id}/documents/${result.body.id}`);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(OUTCOME_STATUS[result.outcome]).json(result.body);
  });

  router.get('/submissions/:id/documents', async (req, res) => {
    res.json({ items: await engine.listDocuments(res.locals.actor, req.params.id) });
  });

  router.get('/submissions/:id/documents/:documentId', async (req, res) => {
    const { document, bytes } = await engine.readDocument(res.locals.actor, req.params.id, req.params.documentId);
    res.attachment(document.filename); // RFC 6266, with filename* for non-ASCII names
    res.setHeader('Content-Type', document.contentType);
    res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(document.sha256, 'hex').toString('base64')}:`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.send(bytes);
  });

  return router;
}
