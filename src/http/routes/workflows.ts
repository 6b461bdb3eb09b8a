/** GET /v1/me and the workflow catalog. */
import { Router } from 'express';
import { latestWorkflow, latestWorkflows } from '../../../workflows/index.js';
import { NotFoundError } from '../../errors.js';
import { describeWorkflow, mermaidDiagram, summarizeWorkflow } from '../../engine/catalog.js';

export function createCatalogRouter(): Router {
  const router = Router();
  router.get('/me', (_req, res) => {
    res.json(res.locals.actor);
  });
  router.get('/workflows', (_req, res) => {
    res.json({ items: latestWorkflows().map(summarizeWorkflow) });
  });
  router.get('/workflows/:id', (req, res) => {
    const w = latestWorkflow(req.params.id);
    if (!w) throw new NotFoundError(`No workflow ${req.params.id}`);
    res.json(describeWorkflow(w));
  });
  router.get('/workflows/:id/diagram', (req, res) => {
    const w = latestWorkflow(req.params.id);
    if (!w) throw new NotFoundError(`No workflow ${req.params.id}`);
    res.type('text/plain; charset=utf-8').send(mermaidDiagram(w));
  });
  return router;
}
