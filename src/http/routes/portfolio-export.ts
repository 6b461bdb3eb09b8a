/**
 * GET /v1/submissions/export (DESIGN §10): the portfolio as filtered, as CSV or XLSX. Mounted before
 * the submissions router, whose `/submissions/:id` would otherwise take `export` for an id.
 */
import { Router, type Request, type Response } from 'express';
import type { PortfolioExport } from '../../spreadsheets/portfolio-export.js';
import type { Actor } from '../../store/types.js';
import { queryObject } from './submissions.js';

/**
 * Sends the export of what `actor` may see under `query` as a download (the API's route and the
 * web's `/export`). A bad query is a 422 problem before the first byte; after it, a failure can
 * only cut the transfer (no final chunk), so the client never takes a partial file for a whole one.
 */
export async function sendPortfolioExport(req: Request, res: Response, exporter: PortfolioExport, actor: Actor, query: Record<string, unknown>): Promise<void> {
  const opened = await exporter.open(actor, query);
  res.status(200);
  res.setHeader('Content-Type', opened.contentType);
  res.setHeader('Content-Disposition', `attachment; filename="${opened.filename}"`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await opened.write(res);
  } catch (e) {
    res.destroy();
    throw e;
  }
}

export function createPortfolioExportRouter(exporter: PortfolioExport): Router {
  const router = Router();
  router.get('/submissions/export', async (req, res) => {
    await sendPortfolioExport(req, res, exporter, res.locals.actor, queryObject(req));
  });
  return router;
}
