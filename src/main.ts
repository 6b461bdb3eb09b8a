/**
 * config -> db -> migrate -> app -> listen; graceful shutdown on SIGTERM/SIGINT: stop accepting,
 * let in-flight requests finish, close the database.
 */
import type { Server } from 'node:http';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { initServices } from './services.js';
import { createWebhookDispatcher } from './webhooks/dispatcher.js';
import { createConfiguredMailDispatcher } from './mail/dispatcher.js';
import { startSweeper } from './sweeper.js';
import { startTransparencyLog } from './audit/tlog.js';

/** How long shutdown waits for in-flight requests before closing anyway. */
export const SHUTDOWN_GRACE_MS = 8000;

export async function serve(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<{ server: Server; close(): Promise<void> }> {
  const services = await initServices(config, { logger });
  const app = createApp(services);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 5000;
  // Graceful shutdown must also drain keep-alive clients: once closing, every response that has
  // not yet sent its headers says `Connection: close`, so each connection ends after its current
  // request instead of carrying new ones until the grace period cuts it mid-command.
  let shuttingDown = false;
  const inflight = new Set<import('node:http').ServerResponse>();
  server.prependListener('request', (_req, res) => {
    inflight.add(res);
    res.once('close', () => inflight.delete(res));
    if (shuttingDown && !res.headersSent) res.setHeader('Connection', 'close');
  });
  // Hard deadlines fire and missed goals are noted even when nobody is looking (issue 5).
  // Queued history records join the transparency log each second; checkpoints are signed periodically.
  const tlogLoop = startTransparencyLog(services.tlog, { integrateMs: 1000, checkpointSeconds: config.checkpointIntervalSeconds, logger });
  const sweeper = config.sweepIntervalSeconds > 0 ? startSweeper(services.engine, { intervalMs: config.sweepIntervalSeconds * 1000, logger }) : undefined;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ host: config.host, port, database: config.databaseUrl.split(':')[0] }, `puente listening on http://${config.host}:${port}`);
  // Webhook deliveries run beside the API, after commit, never inside a request.
  const webhooks = createWebhookDispatcher({
    db: services.db,
    logger,
    addressPolicy: services.webhookAddressPolicy,
    options: {
      intervalMs: config.webhookIntervalMs,
      timeoutMs: config.webhookTimeoutMs,
      maxAttempts: config.webhookMaxAttempts,
      backoffMs: config.webhookBackoffMs,
    },
  });
  webhooks.start();
  // E-mail notifications (issue 16 §2): on with SMTP_URL and MAIL_FROM (said once, here), sent after commit like webhooks.
  const mail = createConfiguredMailDispatcher({ db: services.db, engine: services.engine, logger, settings: config });
  mail.start();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      logger.info({ inflight: inflight.size }, 'shutting down');
      shuttingDown = true;
      for (const res of inflight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearTimeout(timer);
      clearInterval(idle);
      // Commands still running (their sockets were cut at the deadline) finish before the pool closes.
      for (let waited = 0; inflight.size > 0 && waited < SHUTDOWN_GRACE_MS; waited += 50) await new Promise((r) => setTimeout(r, 50));
      await sweeper?.stop();
      await tlogLoop.stop();
      await webhooks.stop();
      await mail.stop();
      await services.shutdown();
      logger.info('stopped');
    })();
    return closing;
  };
  return { server, close };
}
