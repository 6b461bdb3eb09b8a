/**
 * The transparency log's API (issue 6): signed checkpoints, the public key, and RFC 9162
 * inclusion and consistency proofs. Auditors and admins read; only admins make a checkpoint on
 * demand (`serve` also makes them periodically).
 */
import { Router, type Response } from 'express';
import { LogRangeError, type TransparencyLog } from '../../audit/tlog.js';
import { ForbiddenError, InputError, NotFoundError, fieldError } from '../../errors.js';
import type { MessageCode } from '../../messages/format.js';
import { SCHEMA_BASE, type Validator } from '../../validation.js';
import { queryObject } from './submissions.js';

const READERS = new Set(['auditor', 'admin']);

function requireRole(res: Response, roles: ReadonlySet<string>, refusal: MessageCode): void {
  const role = (res.locals.actor as { role: string }).role;
  if (!roles.has(role)) throw new ForbiddenError({ code: refusal, params: { role } });
}

/** A log range problem is the caller's: a 422 naming the query parameter. */
function rangeProblem(e: unknown, path: string): never {
  if (e instanceof LogRangeError) throw new InputError(e.detail, [fieldError(path, e.detail)]);
  throw e;
}

export function createTransparencyLogRouter(tlog: TransparencyLog, validator: Validator): Router {
  const router = Router();

  router.post('/audit/checkpoints', async (req, res) => {
    requireRole(res, new Set(['admin']), 'audit.checkpoint_forbidden');
    const extra = Object.keys(queryObject(req));
    if (extra.length)
      throw new InputError({ code: 'invalid.unknown_query_parameter', params: { name: extra[0] } }, [
        fieldError(`/${extra[0]}`, { code: 'validation.unknown_field' }),
      ]);
    res.status(201).json(await tlog.checkpoint());
  });

  router.get('/audit/checkpoints/latest', async (_req, res) => {
    requireRole(res, READERS, 'audit.read_checkpoints_forbidden');
    const latest = await tlog.latestCheckpoint();
    if (!latest) throw new NotFoundError({ code: 'audit.no_checkpoint' });
    res.json(latest);
  });

  router.get('/audit/public-key', (_req, res) => {
    res.json(tlog.publicKey());
  });

  router.get('/audit/proofs/inclusion', async (req, res) => {
    requireRole(res, READERS, 'audit.read_proofs_forbidden');
    const q = queryObject(req);
    validator.check(`${SCHEMA_BASE}tlog-inclusion-query.json`, q, '', { code: 'invalid.query' });
    const leafIndex = await tlog.leafIndexOf(q.transitionId as string);
    if (leafIndex === null) throw new NotFoundError({ code: 'audit.no_log_record', params: { id: String(q.transitionId) } });
    const treeSize = q.treeSize === undefined ? await tlog.size() : Number(q.treeSize);
    res.json(await tlog.inclusion(leafIndex, treeSize).catch((e) => rangeProblem(e, '/treeSize')));
  });

  router.get('/audit/proofs/consistency', async (req, res) => {
    requireRole(res, READERS, 'audit.read_proofs_forbidden');
    const q = queryObject(req);
    validator.check(`${SCHEMA_BASE}tlog-consistency-query.json`, q, '', { code: 'invalid.query' });
    res.json(await tlog.consistency(Number(q.from), Number(q.to)).catch((e) => rangeProblem(e, Number(q.from) > Number(q.to) ? '/from' : '/to')));
  });

  return router;
}
