/** Webhook subscriptions and their delivery logs (README "Webhooks"). */
import { Router } from 'express';
import type { WebhookSubscriptions } from '../../webhooks/subscriptions.js';
import { jsonBody, queryObject, requireJson } from './submissions.js';

export function createWebhooksRouter(webhooks: WebhookSubscriptions): Router {
  const router = Router();

  router.post('/webhooks', jsonBody, async (req, res) => {
    const created = await webhooks.create(res.locals.actor, requireJson(req));
    res.setHeader('Location', `/v1/webhooks/${created.id}`);
    res.status(201).json(created);
  });

  router.get('/webhooks', async (req, res) => {
    res.json(await webhooks.list(res.locals.actor, queryObject(req)));
  });

  router.get('/webhooks/:id', async (req, res) => {
    res.json(await webhooks.get(res.locals.actor, req.params.id));
  });

  router.delete('/webhooks/:id', async (req, res) => {
    await webhooks.remove(res.locals.actor, req.params.id);
    res.status(204).end();
  });

  router.get('/webhooks/:id/deliveries', async (req, res) => {
    res.json(await webhooks.deliveries(res.locals.actor, req.params.id, queryObject(req)));
  });

  return router;
}
