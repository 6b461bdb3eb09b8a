/**
 * initServices / shutdown: every service built once, here, so the server, the CLI and the tests
 * wire the same things: config -> database -> migrations -> validator -> engine and the services
 * beside it. createApp(services) only mounts routers over them.
 */
import { WORKFLOWS } from '../workflows/index.js';
import { createAuditor, type Auditor } from './audit/auditor.js';
import { AUTH_LIMIT_DEFAULTS, SESSION_DEFAULTS, ConfigError, type Config, type TrustProxy } from './config.js';
import { DEFAULT_GOAL_DUE_SOON_DAYS } from './engine/clocks.js';
import { createEngine, type Engine } from './engine/engine.js';
import { DEFAULT_PASSWORD_POLICY, type ScryptParams } from './engine/passwords.js';
import { createSignatures, type Signatures } from './engine/signatures.js';
import { loadMexicanCalendar } from './engine/time.js';
import { createLogger, type Logger } from './logger.js';
import { DEFAULT_PRODUCT_CLASSIFICATION_FILE, loadProductClassification, type ProductClassification } from './reference/product-classification.js';
import { createStoredFailureLimiter, type AuthFailureLimiter } from './rate-limit.js';
import { MAX_PASSWORD_FAILURES, createPasswordChecks } from './engine/attempts.js';
import { migrate, openDatabase, ping, type Database } from './store/db.js';
import { DUE_DATES_REFRESH } from './store/migrations/017-due-dates-refresh.js';
import { createKnexStores } from './store/stores.js';
import { createTransparencyLog, loadSigningKey, type TransparencyLog } from './audit/tlog.js';
import { createSecurityLog, type SecurityLog } from './security-log.js';
import { createSessions } from './sessions.js';
import { createUsers, type Users } from './users.js';
import { createValidator, type Validator } from './validation.js';
import { createWebSessions, type WebSessions } from './web/sessions.js';
import { createWebhookSubscriptions, type WebhookSubscriptions } from './webhooks/subscriptions.js';
import { createAddressPolicy, type AddressPolicy } from './webhooks/address-policy.js';
import { createCalendarFeeds, type CalendarFeeds } from './calendar/feeds.js';
import { createKnexCalendarFeedStore } from './store/calendar-feed-store.js';
import { createPortfolioExport, type PortfolioExport } from './spreadsheets/portfolio-export.js';
import { createNotificationSettings, type NotificationSettings } from './mail/preferences.js';
import { mailEnabled } from './mail/dispatcher.js';
import { createKnexMailStore } from './store/mail-store.js';

export interface Services {
  /** The database handle, for the CLI's maintenance commands and test fixtures; createApp never touches it. */
  readonly db: Database;
  /** The one ajv validator (request bodies, queries, event payloads of every workflow). */
  readonly validator: Validator;
  readonly engine: Engine;
  /** Passwords, re-authentication and signing locks (issue 6). */
  readonly signatures: Signatures;
  /** The transparency log over every history record, and its signing key (issue 6). */
  readonly tlog: TransparencyLog;
  /** The auditor's queries, verification, export and report (issue 6). */
  readonly auditor: Auditor;
  /** Webhook subscriptions (issue 5). */
  readonly webhooks: WebhookSubscriptions;
  /** Calendar feeds: the caller's deadlines and goals as RFC 5545, and secret feed URLs (tracker issue 16 §1). */
  readonly calendar: CalendarFeeds;
  /** The portfolio as CSV or XLSX (GET /v1/submissions/export, the web's /export; tracker issue 16 §4). */
  readonly portfolioExport: PortfolioExport;
  /** E-mail notification preferences (GET/PUT /v1/me/notifications, the Notifications page; tracker issue 16 §2). */
  readonly notifications: NotificationSettings;
  /** Where webhooks may go (issue 8 §5): the subscriptions and the dispatcher check the same policy. */
  readonly webhookAddressPolicy: AddressPolicy;
  /** Bearer tokens to users; the user and organization lists; user lifecycle and tokens (issue 8). */
  readonly users: Users;
  /** The hash-chained security log of user lifecycle and security actions (issue 8). */
  readonly securityLog: SecurityLog;
  /** Web sign-in sessions (issue 7): the sessions service with the config's lifetimes, behind the web's cookies. */
  readonly sessions: WebSessions;
  /** Failed bearer authentications per client address and token, in the database (issue 8 §4); valid tokens never reach it. */
  readonly authLimiter: AuthFailureLimiter;
  /** The FDA product classification table (read once per process). */
  readonly classification: ProductClassification;
  readonly logger: Logger;
  /** Settings the pages show with (days before a goal counts as due soon). */
  readonly settings: { readonly goalDueSoonDays: number; /** Express's `trust proxy` (TRUST_PROXY); off when absent. */ readonly trustProxy?: TrustProxy };
  /** Resolves when the database answers; rejects otherwise (GET /healthz). */
  health(): Promise<void>;
  shutdown(): Promise<void>;
}

export type ServicesConfig = Pick<Config, 'databaseUrl' | 'mxNonWorkingDays'> &
  Partial<
    Pick<
      Config,
      | 'mxCalendarFile'
      | 'referenceAuthorities'
      | 'productClassificationFile'
      | 'goalDueSoonDays'
      | 'passwordMinLength'
      | 'passwordMinCharacterClasses'
      | 'signingKeyFile'
      | 'logOrigin'
      | 'logLevel'
      | 'sessionIdleMinutes'
      | 'sessionMaxHours'
      | 'cookieSecure'
      | 'tokenMaxDays'
      | 'passwordResetHours'
      | 'trustProxy'
      | 'authFailureLimit'
      | 'authAddressFailureLimit'
      | 'authFailureWindowSeconds'
      | 'webhookAllowPrivateNetworks'
      | 'smtpUrl'
      | 'mailFrom'
      | 'host'
      | 'port'
    >
  >;

export interface ServicesOptions {
  readonly now?: () => Date;
  readonly scryptParams?: ScryptParams;
  /** The process's logger; by default one at `config.logLevel` (silent when the config names none). */
  readonly logger?: Logger;
}

/** Product classification tables by file, read once per process (start-up work, not per request). */
const classifications = new Map<string, ProductClassification>();

function productClassification(file: string | undefined): ProductClassification {
  const key = file ?? DEFAULT_PRODUCT_CLASSIFICATION_FILE;
  let table = classifications.get(key);
  if (!table) {
    try {
      table = loadProductClassification(key);
    } catch (e) {
      throw new ConfigError(`FDA_PRODUCT_CLASSIFICATION_FILE: ${(e as Error).message}`);
    }
    classifications.set(key, table);
  }
  return table;
}

export async function initServices(config: ServicesConfig, opts: ServicesOptions = {}): Promise<Services> {
  const classification = productClassification(config.productClassificationFile);
  const db = openDatabase(config.databaseUrl);
  let applied: string[];
  try {
    applied = await migrate(db);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  const validator = createValidator(WORKFLOWS);
  // The engine and signatures reach the database only through these stores.
  const stores = createKnexStores(db);
  // User lifecycle and security actions (issue 8): one log service for signatures, users and the auditor's reads.
  const securityLog = createSecurityLog({ stores, validator, now: opts.now });
  // One failure count and lock per user for signing and web sign-in, reserved in the database (issue 8 §4).
  const passwordChecks = createPasswordChecks({
    stores,
    now: opts.now,
    // The lock is the system's act after the failures (the failing attempt may be anyone's, at sign-in).
    recordLock: ({ userId, at, via }, tx) =>
      securityLog.record(
        { type: 'signing.locked', subject: userId, actor: { id: null, name: 'puente', role: 'system' }, data: { via, at, failures: MAX_PASSWORD_FAILURES } },
        tx,
      ),
  });
  const failureLimits = {
    perIdentifier: config.authFailureLimit ?? AUTH_LIMIT_DEFAULTS.authFailureLimit,
    perAddress: config.authAddressFailureLimit ?? AUTH_LIMIT_DEFAULTS.authAddressFailureLimit,
    windowSeconds: config.authFailureWindowSeconds ?? AUTH_LIMIT_DEFAULTS.authFailureWindowSeconds,
  };
  const signatures = createSignatures({
    securityLog,
    passwordResetHours: config.passwordResetHours,
    passwordChecks,
    stores,
    validator,
    now: opts.now,
    scryptParams: opts.scryptParams,
    policy: {
      minLength: config.passwordMinLength ?? DEFAULT_PASSWORD_POLICY.minLength,
      minCharacterClasses: config.passwordMinCharacterClasses ?? DEFAULT_PASSWORD_POLICY.minCharacterClasses,
    },
  });
  const engine = createEngine({
    stores,
    validator,
    now: opts.now,
    // Issue 9 §5: the shipped calendar file (or MX_CALENDAR_FILE) plus MX_NON_WORKING_DAYS_FILE's days.
    calendar: loadMexicanCalendar(config.mxCalendarFile, config.mxNonWorkingDays),
    referenceAuthorities: config.referenceAuthorities,
    productClassification: classification,
    goalDueSoonDays: config.goalDueSoonDays,
    signatures,
  });
  // Stored due dates recounted once under the rule migration 017 marks (rows written before kept the old ones).
  if (applied.includes(DUE_DATES_REFRESH)) await engine.refreshDueDates();
  let tlog: TransparencyLog;
  try {
    const { privateKey } = loadSigningKey({ keyFile: config.signingKeyFile, databaseUrl: config.databaseUrl });
    tlog = createTransparencyLog({ db, privateKey, origin: config.logOrigin, now: opts.now });
  } catch (e) {
    await db.destroy();
    throw new ConfigError(`PUENTE_SIGNING_KEY: ${(e as Error).message}`);
  }
  const goalDueSoonDays = config.goalDueSoonDays ?? DEFAULT_GOAL_DUE_SOON_DAYS;
  const webhookAddressPolicy = createAddressPolicy({
    allowPrivateNetworks: config.webhookAllowPrivateNetworks ?? false,
    listen: config.host !== undefined && config.port !== undefined ? { host: config.host, port: config.port } : undefined,
  });
  return {
    db,
    validator,
    engine,
    signatures,
    tlog,
    auditor: createAuditor({ stores, engine, validator, now: opts.now }),
    webhooks: createWebhookSubscriptions({ db, validator, now: opts.now, addressPolicy: webhookAddressPolicy }),
    portfolioExport: createPortfolioExport({ engine, validator, now: opts.now }),
    webhookAddressPolicy,
    calendar: createCalendarFeeds({
      engine,
      store: createKnexCalendarFeedStore(db.reader, db.knex),
      now: opts.now,
      generation: () => stores.generation.committedRecords(),
    }),
    notifications: createNotificationSettings({ store: createKnexMailStore(db.reader, db.knex), validator, mailEnabled: mailEnabled(config), now: opts.now }),
    users: createUsers({ users: stores.users, stores, securityLog, tokenMaxDays: config.tokenMaxDays, now: opts.now }),
    securityLog,
    sessions: createWebSessions({
      sessions: createSessions({
        passwordChecks,
        limiter: createStoredFailureLimiter({ store: stores.attempts, scope: 'sign-in', limits: failureLimits, now: opts.now }),
        store: stores.sessions,
        idleMinutes: config.sessionIdleMinutes ?? SESSION_DEFAULTS.sessionIdleMinutes,
        maxHours: config.sessionMaxHours ?? SESSION_DEFAULTS.sessionMaxHours,
        now: opts.now,
      }),
      cookieSecure: config.cookieSecure ?? false,
    }),
    authLimiter: createStoredFailureLimiter({ store: stores.attempts, scope: 'bearer', limits: failureLimits, now: opts.now }),
    classification,
    logger: opts.logger ?? createLogger(config.logLevel ?? 'silent'),
    settings: { goalDueSoonDays, trustProxy: config.trustProxy ?? false },
    health: () => ping(db),
    shutdown: () => db.destroy(),
  };
}
