/**
 * GET /v1/insights (DESIGN §10; tracker issue 16 §3): figures over the submissions the caller may
 * see, filtered by pathway, product code and period. A bad query is a 422 problem naming each
 * parameter by its JSON pointer.
 */
import { Router } from 'express';
import type { Engine } from '../../engine/engine.js';
import { queryObject } from './submissions.js';

export function createInsightsRouter(engine: Pick<Engine, 'insights'>): Router {
  const router = Router();
  router.get('/insights', async (req, res) => {
    res.json(await engine.insights(res.locals.actor, queryObject(req)));
  });
  return router;
}
