/** The auditor's endpoints and the printable report of one submission (README "Audit"). */
import { Router, type Request, type Response } from 'express';
import type { Auditor } from '../../audit/auditor.js';
import { EXPORT_CONTENT_TYPE, type ExportFormat } from '../../audit/export.js';
import { negotiateLanguage } from '../../messages/format.js';
import type { TransitionFilters } from '../../store/audit-store.js';
import { queryObject } from './submissions.js';

export function createAuditRouter(auditor: Auditor): Router {
  const router = Router();

  router.get('/audit/transitions', async (req, res) => {
    res.json(await auditor.transitions(res.locals.actor, queryObject(req)));
  });

  router.get('/audit/verify', async (req, res) => {
    res.json(await auditor.verify(res.locals.actor, queryObject(req)));
  });

  router.get('/audit/refusals', async (req, res) => {
    res.json(await auditor.refusals(res.locals.actor, queryObject(req)));
  });

  router.get('/audit/export', async (req, res: Response) => {
    // Checked before the first byte: bad input is still a 422 problem, not a cut-off stream.
    const { format, filters } = auditor.exportRequest(res.locals.actor, queryObject(req));
    await sendExport(req, res, auditor, format, filters);
  });

  router.get('/submissions/:id/report', async (req, res) => {
    // In the language the client asks for (Accept-Language), as the problem details are.
    const lang = negotiateLanguage(req.headers['accept-language']);
    const html = await auditor.report(res.locals.actor, req.params.id, queryObject(req), lang);
    res.setHeader('Content-Language', lang === 'es' ? 'es-MX' : 'en');
    res.vary('Accept-Language');
    res.type('text/html; charset=utf-8').send(html);
  });

  return router;
}

/**
 * Streams a checked export request as a download (the API's `/v1/audit/export` and the web
 * interface's `/audit/export`). Once the first byte is out, a failure can only cut the transfer.
 */
export async function sendExport(
  req: Request,
  res: Response,
  auditor: Pick<Auditor, 'exportTransitions'>,
  format: ExportFormat,
  filters: TransitionFilters,
): Promise<void> {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  res.status(200);
  res.setHeader('Content-Type', EXPORT_CONTENT_TYPE[format]);
  res.setHeader('Content-Disposition', `attachment; filename="puente-history-${stamp}.${format}"`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await auditor.exportTransitions(filters, format, res);
  } catch (e) {
    // The status line is gone: cut the connection so the client sees an incomplete transfer
    // (no final chunk) rather than a complete-looking file. The error handler logs it.
    res.destroy();
    throw e;
  }
  if (!res.destroyed) res.end();
}
