/** The security log for auditors and admins (issue 8): pages and the JSONL export. */
import { Router } from 'express';
import type { SecurityLog } from '../../security-log.js';
import { queryObject } from './submissions.js';

export function createSecurityLogRouter(securityLog: Pick<SecurityLog, 'list' | 'exportRequest' | 'exportJsonl'>): Router {
  const router = Router();

  router.get('/audit/security-log', async (req, res) => {
    res.json(await securityLog.list(res.locals.actor, queryObject(req)));
  });

  router.get('/audit/security-log/export', async (req, res) => {
    // Checked before the first byte: bad input is still a 422 problem, not a cut-off stream.
    const filters = securityLog.exportRequest(res.locals.actor, queryObject(req));
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    res.status(200);
    res.setHeader('Content-Type', 'application/x-ndjson');
    res.setHeader('Content-Disposition', `attachment; filename="puente-security-log-${stamp}.jsonl"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    try {
      await securityLog.exportJsonl(filters, async (line) => {
        if (!res.write(line)) await new Promise<void>((resolve) => res.once('drain', resolve));
      });
    } catch (e) {
      res.destroy();
      throw e;
    }
    if (!res.destroyed) res.end();
  });

  return router;
}
