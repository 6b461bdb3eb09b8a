/**
 * createApp(deps): wiring only. Tests build the app with supertest without listening; main.ts
 * adds the listener and shutdown.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { InputError, NotFoundError } from './errors.js';
import type { Engine } from './engine/engine.js';
import { FailedAuthLimiter, authenticate } from './http/auth.js';
import { renderDocs } from './http/docs-page.js';
import { createErrorHandler } from './http/error-handler.js';
import { buildOpenApi } from './http/openapi.js';
import { methodNotAllowed } from './http/method-not-allowed.js';
import { createSubmissionsRouter } from './http/routes/submissions.js';
import { createCatalogRouter } from './http/routes/workflows.js';
import { createWebhooksRouter } from './http/routes/webhooks.js';
import { createTransparencyLogRouter } from './http/routes/tlog.js';
import type { TransparencyLog } from './audit/tlog.js';
import { createAuditRouter } from './http/routes/audit.js';
import { createAuditor } from './audit/auditor.js';
import { createUsersRouter } from './http/routes/users.js';
import { createSignatures, type Signatures } from './engine/signatures.js';
import { requestLogger, type Logger } from './logger.js';
import { SESSION_DEFAULTS, type Config } from './config.js';
import { DEFAULT_GOAL_DUE_SOON_DAYS } from './engine/clocks.js';
import { createWebRouter, webErrorHandler } from './web/router.js';
import { createWebSessions } from './web/sessions.js';
import type { Database } from './store/db.js';
import { createValidator } from './validation.js';
import { createWebhookSubscriptions, type WebhookSubscriptions } from './webhooks/subscriptions.js';

export interface AppDeps {
  readonly db: Database;
  readonly engine: Engine;
  readonly logger: Logger;
  readonly authLimiter?: FailedAuthLimiter;
  /** Webhook subscriptions; by default built on `db` with a validator of the schemas in `schemas/`. */
  readonly webhooks?: WebhookSubscriptions;
  /** Passwords and signing locks (issue 6); by default built on `db` with the default password rules. */
  readonly signatures?: Signatures;
  /** The transparency log (checkpoints, public key, proofs under /v1/audit); not mounted when absent. */
  readonly tlog?: TransparencyLog;
  /** Web interface settings (issue 7); defaults: 30-minute idle, 12-hour sessions, no Secure flag, 14 days "due soon". */
  readonly web?: Partial<Pick<Config, 'sessionIdleMinutes' | 'sessionMaxHours' | 'cookieSecure' | 'goalDueSoonDays'>>;
}

/** U+0000 can name nothing here and PostgreSQL text cannot hold it: refuse it in the URL. */
function refuseNul(): express.RequestHandler {
  return (req, _res, next) => {
    if (/%00/i.test(req.url)) throw new InputError('The URL holds a NUL character (%00)', [{ path: '', message: 'URL must not contain %00' }]);
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

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // ETag is the submission version, set explicitly
  app.set('query parser', 'simple');
  app.use(requestLogger(deps.logger));
  // The CSP's defaults (scripts and styles from this origin only), without upgrade-insecure-requests:
  // a plain http://localhost deployment must still load its own assets.
  app.use(helmet({ frameguard: { action: 'deny' }, referrerPolicy: { policy: 'no-referrer' }, contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(noStore());

  const openapi = buildOpenApi();
  const docs = renderDocs(openapi);
  app.get('/healthz', async (_req, res) => {
    await deps.db.knex.raw('select 1');
    res.json({ status: 'ok' });
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(docs);
  });

  const v1 = express.Router();
  v1.use(authenticate(deps.db.reader, deps.authLimiter ?? new FailedAuthLimiter()));
  v1.use(methodNotAllowed(openapi)); // 405 + Allow for a documented path's other methods (after 401)
  v1.use(refuseNul());
  v1.use(createCatalogRouter());
  v1.use(createSubmissionsRouter(deps.engine, deps.logger));
  v1.use(createUsersRouter(deps.signatures ?? createSignatures({ db: deps.db, validator: createValidator([]) }), deps.logger));
  v1.use(createWebhooksRouter(deps.webhooks ?? createWebhookSubscriptions({ db: deps.db, validator: createValidator([]) })));
  const auditor = createAuditor({ db: deps.db, engine: deps.engine, validator: createValidator([]) });
  v1.use(createAuditRouter(auditor, deps.db));
  if (deps.tlog) v1.use(createTransparencyLogRouter(deps.tlog, createValidator([])));
  app.use('/v1', v1);
  app.use(methodNotAllowed(openapi)); // ... and for /healthz, /openapi.json, /docs

  // The web interface (issue 7): pages over the same engine, signed in with a session cookie.
  const signatures = deps.signatures ?? createSignatures({ db: deps.db, validator: createValidator([]) });
  const web = deps.web ?? {};
  const sessions = createWebSessions({
    db: deps.db,
    idleMinutes: web.sessionIdleMinutes ?? SESSION_DEFAULTS.sessionIdleMinutes,
    maxHours: web.sessionMaxHours ?? SESSION_DEFAULTS.sessionMaxHours,
    cookieSecure: web.cookieSecure ?? false,
  });
  app.use(refuseNul());
  app.use(createWebRouter({ db: deps.db, engine: deps.engine, auditor, signatures, sessions, tlog: deps.tlog, logger: deps.logger, goalDueSoonDays: web.goalDueSoonDays ?? DEFAULT_GOAL_DUE_SOON_DAYS }));

  app.use((req) => {
    throw new NotFoundError(`No route ${req.method} ${req.path}`);
  });
  app.use(webErrorHandler(deps.logger));
  app.use(createErrorHandler(deps.logger));
  return app;
}
