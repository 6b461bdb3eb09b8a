/**
 * createApp(services, options): wiring only. It mounts routers and middleware over the services
 * initServices built (services.ts), and builds nothing itself. Tests build the app with supertest
 * without listening; main.ts adds the listener and shutdown.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { InputError, NotFoundError, fieldError } from './errors.js';
import { authenticate } from './http/auth.js';
import { renderDocs, type DocsDocument } from './http/docs-page.js';
import { createErrorHandler } from './http/error-handler.js';
import { buildOpenApi } from './http/openapi.js';
import { methodNotAllowed } from './http/method-not-allowed.js';
import { createSubmissionsRouter } from './http/routes/submissions.js';
import { createCalendarFeedRouter, createCalendarRouter } from './http/routes/calendar.js';
import { createNotificationsRouter } from './http/routes/notifications.js';
import { createPortfolioExportRouter } from './http/routes/portfolio-export.js';
import { createInsightsRouter } from './http/routes/insights.js';
import { createCatalogRouter } from './http/routes/workflows.js';
import { createWebhooksRouter } from './http/routes/webhooks.js';
import { createTransparencyLogRouter } from './http/routes/tlog.js';
import { createAuditRouter } from './http/routes/audit.js';
import { createUsersRouter } from './http/routes/users.js';
import { createPasswordResetRouter } from './http/routes/password-reset.js';
import { createSecurityLogRouter } from './http/routes/security-log.js';
import { requestLogger, type Logger } from './logger.js';
import type { Services } from './services.js';
import { createWebRouter, webErrorHandler } from './web/router.js';

/** What the app needs of the services (tests may hand in their own limiter or sessions). */
export type AppServices = Pick<
  Services,
  | 'engine'
  | 'validator'
  | 'signatures'
  | 'tlog'
  | 'auditor'
  | 'webhooks'
  | 'calendar'
  | 'notifications'
  | 'portfolioExport'
  | 'users'
  | 'sessions'
  | 'authLimiter'
  | 'logger'
  | 'settings'
  | 'health'
  | 'securityLog'
>;

export interface AppOptions {
  /** Request and error logs; by default the services' logger. */
  readonly logger?: Logger;
}

/** U+0000 can name nothing here and PostgreSQL text cannot hold it: refuse it in the URL. */
function refuseNul(): express.RequestHandler {
  return (req, _res, next) => {
    if (/%00/i.test(req.url)) throw new InputError({ code: 'http.url_nul' }, [fieldError('', { code: 'http.url_nul_field' })]);
    next();
  };
}

/** Records are not to be cached by intermediaries or browsers. */
function noStore(): express.RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

export function createApp(services: AppServices, options: AppOptions = {}): Express {
  const logger = options.logger ?? services.logger;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // ETag is the submission version, set explicitly
  app.set('query parser', 'simple');
  // TRUST_PROXY (validated at start, src/config.ts): which proxies' X-Forwarded-For names the client
  // address that failure limits count under. Off by default: a client cannot pick its own address.
  app.set('trust proxy', services.settings.trustProxy ?? false);
  app.use(requestLogger(logger));
  // The CSP's defaults (scripts and styles from this origin only), without upgrade-insecure-requests:
  // a plain http://localhost deployment must still load its own assets.
  app.use(
    helmet({
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    }),
  );
  app.use(noStore());

  const openapi = buildOpenApi();
  // The document is a valid OpenAPI 3.1 document (tests/http/openapi-contract.test.ts validates it).
  const docs = renderDocs(openapi as unknown as DocsDocument);
  app.get('/healthz', async (_req, res) => {
    await services.health();
    res.json({ status: 'ok' });
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(docs);
  });

  // The one /v1 route without a bearer token: a user sets a password with a one-time reset credential (issue 8).
  // Its other methods: 405, no token asked (before the router, whose automatic OPTIONS answer would say 200).
  app.use('/v1/password-reset', methodNotAllowed(openapi));
  app.use('/v1', createPasswordResetRouter(services.signatures, services.authLimiter, logger));
  const v1 = express.Router();
  v1.use(authenticate(services.users, services.authLimiter));
  v1.use(methodNotAllowed(openapi)); // 405 + Allow for a documented path's other methods (after 401)
  v1.use(refuseNul());
  v1.use(createCatalogRouter());
  v1.use(createPortfolioExportRouter(services.portfolioExport)); // before /submissions/:id takes `export` for an id
  v1.use(createSubmissionsRouter(services.engine, logger));
  v1.use(createCalendarRouter(services.calendar, logger));
  v1.use(createNotificationsRouter(services.notifications, logger));
  v1.use(createInsightsRouter(services.engine));
  v1.use(createUsersRouter(services.signatures, logger, services.users));
  v1.use(createSecurityLogRouter(services.securityLog));
  v1.use(createWebhooksRouter(services.webhooks));
  v1.use(createAuditRouter(services.auditor));
  v1.use(createTransparencyLogRouter(services.tlog, services.validator));
  app.use('/v1', v1);
  app.use(methodNotAllowed(openapi)); // ... and for /healthz, /openapi.json, /docs

  // The web interface (issue 7): pages over the same services, signed in with a session cookie.
  app.use(refuseNul());
  // Secret calendar feed URLs (issue 16 §1): no token or session, the secret is the credential.
  app.use(createCalendarFeedRouter(services.calendar, services.authLimiter));
  app.use(
    createWebRouter({
      engine: services.engine,
      calendar: services.calendar,
      notifications: services.notifications,
      portfolioExport: services.portfolioExport,
      auditor: services.auditor,
      users: services.users,
      signatures: services.signatures,
      sessions: services.sessions,
      tlog: services.tlog,
      logger,
      goalDueSoonDays: services.settings.goalDueSoonDays,
    }),
  );

  app.use((req) => {
    throw new NotFoundError({ code: 'http.no_route', params: { method: req.method, path: req.path } });
  });
  app.use(webErrorHandler(logger));
  app.use(createErrorHandler(logger));
  return app;
}
