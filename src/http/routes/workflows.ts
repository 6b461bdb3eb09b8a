/** GET /v1/me and the workflow catalog (every version stays readable: auditors ask which rules applied). */
import { Router, type Request } from 'express';
import { WORKFLOWS, latestWorkflow, latestWorkflows, workflowVersion } from '../../../workflows/index.js';
import { InputError, NotFoundError, fieldError } from '../../errors.js';
import { describeWorkflow, mermaidDiagram, summarizeWorkflow } from '../../engine/catalog.js';
import { escapePointer } from '../../validation.js';

/** The workflow a catalog request names: the latest version, or `?version=N`. */
function requested(req: Request<{ id: string }>) {
  for (const k of Object.keys(req.query)) {
    if (k !== 'version')
      throw new InputError({ code: 'invalid.unknown_query_parameter', params: { name: k } }, [
        fieldError(`/${escapePointer(k)}`, { code: 'validation.unknown_field' }),
      ]);
  }
  const raw = req.query.version;
  if (raw === undefined) {
    const w = latestWorkflow(req.params.id);
    if (!w) throw new NotFoundError({ code: 'workflow.not_found', params: { id: req.params.id } });
    return w;
  }
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,5}$/.test(raw)) {
    throw new InputError({ code: 'invalid.version_parameter' }, [fieldError('/version', { code: 'validation.positive_integer' })]);
  }
  const w = workflowVersion(req.params.id, Number(raw));
  if (!w) throw new NotFoundError({ code: 'workflow.version_not_found', params: { id: req.params.id, version: raw } });
  return w;
}

export function createCatalogRouter(): Router {
  const router = Router();
  router.get('/me', (_req, res) => {
    res.json(res.locals.actor);
  });
  router.get('/workflows', (_req, res) => {
    res.json({
      items: latestWorkflows().map((w) => ({
        ...summarizeWorkflow(w),
        versions: WORKFLOWS.filter((v) => v.id === w.id)
          .sort((a, b) => a.version - b.version)
          .map((v) => ({ version: v.version, definitionHash: summarizeWorkflow(v).definitionHash })),
      })),
    });
  });
  router.get('/workflows/:id', (req, res) => {
    res.json(describeWorkflow(requested(req)));
  });
  router.get('/workflows/:id/diagram', (req, res) => {
    res.type('text/plain; charset=utf-8').send(mermaidDiagram(requested(req)));
  });
  return router;
}
