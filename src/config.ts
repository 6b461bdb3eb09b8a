/**
 * Configuration from the environment, validated by its JSON Schema (`schemas/config.json`) and
 * passed down explicitly: no global singletons.
 */
import fs from 'node:fs';
import { isIP } from 'node:net';
import { DEFAULT_GOAL_DUE_SOON_DAYS } from './engine/clocks.js';
import { DEFAULT_PASSWORD_POLICY } from './engine/passwords.js';
import { loadMexicanCalendar } from './engine/time.js';
import { InputError } from './errors.js';
import { parseMultiHostUrl } from './store/pg-hosts.js';
import { SCHEMA_BASE, createValidator } from './validation.js';

export interface Config {
  readonly databaseUrl: string;
  readonly port: number;
  readonly host: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Extra Mexican non-working days (COFEPRIS publishes some every year), `YYYY-MM-DD`. */
  readonly mxNonWorkingDays: readonly string[];
  /**
   * `MX_CALENDAR_FILE` (issue 9 §5): an operator's newer Mexican calendar file (the format of
   * reference-data/mx-calendar.json); undefined = the shipped one. Checked at start.
   */
  readonly mxCalendarFile?: string;
  /** Agencies the COFEPRIS abbreviated route accepts; undefined = the workflow's default list. */
  readonly referenceAuthorities?: readonly string[];
  /** A newer FDA product classification file (foiclass.txt); undefined = the shipped one. */
  readonly productClassificationFile?: string;
  /** An open goal with at most this many days left shows `due_soon`. */
  readonly goalDueSoonDays: number;
  /** Seconds between sweeper passes in `serve`; 0 turns the in-process sweeper off. */
  readonly sweepIntervalSeconds: number;
  /** PEM file of the transparency log's Ed25519 key; absent: generated once into the data directory. */
  readonly signingKeyFile?: string;
  /** The log's origin line in checkpoints; absent: derived from the key. */
  readonly logOrigin?: string;
  /** Seconds between checkpoints `serve` signs when the log has grown; 0 turns them off. */
  readonly checkpointIntervalSeconds: number;
  /** Webhook dispatcher (src/webhooks/dispatcher.ts): pass interval (0 = off), attempt timeout, attempts, first retry delay. */
  readonly webhookIntervalMs: number;
  readonly webhookTimeoutMs: number;
  readonly webhookMaxAttempts: number;
  readonly webhookBackoffMs: number;
  /** `WEBHOOK_ALLOW_PRIVATE_NETWORKS`: webhook targets on loopback, private, link-local or unique-local addresses allowed (issue 8 §5). */
  readonly webhookAllowPrivateNetworks: boolean;
  /** Password rules for electronic signatures (21 CFR 11.300): fewest characters, character classes to mix. */
  readonly passwordMinLength: number;
  readonly passwordMinCharacterClasses: number;
  /** TOKEN_MAX_DAYS (issue 8): days a bearer token works after it was issued; undefined = no expiry. */
  readonly tokenMaxDays?: number;
  /** PASSWORD_RESET_HOURS (issue 8): hours a one-time password reset credential works (default 24). */
  readonly passwordResetHours: number;
  /** Web sessions (issue 7): minutes without a request before a session ends, and its longest life in hours. */
  readonly sessionIdleMinutes: number;
  readonly sessionMaxHours: number;
  /** Mark the session cookie `Secure` (serve behind HTTPS); off by default so http://localhost works. */
  readonly cookieSecure: boolean;
  /**
   * `TRUST_PROXY` (issue 8 §4): which proxies' X-Forwarded-For names the client address (limits count
   * per address), as Express's `trust proxy` takes it: false (default), true, a hop count, or addresses and subnets.
   */
  readonly trustProxy: TrustProxy;
  /** Failed authentications (bad bearer tokens, unknown sign-in names) allowed per address and identifier, per address, and the window in seconds. */
  readonly authFailureLimit: number;
  readonly authAddressFailureLimit: number;
  readonly authFailureWindowSeconds: number;
  /**
   * `SMTP_URL` and `MAIL_FROM` (issue 16 §2): e-mail notifications are on when both are set, off
   * when neither is. The URL may carry the SMTP password: never log it (mail/transport.ts describeSmtp).
   */
  readonly smtpUrl?: string;
  readonly mailFrom?: string;
  /** `MAIL_DIGEST_HOUR`: the UTC hour from which the day's notification digests are sent (default 12). */
  readonly mailDigestHour: number;
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/puente.db';

/** Express's `trust proxy`: off, on for any proxy, a number of hops, or the proxies' addresses and subnets. */
export type TrustProxy = boolean | number | readonly string[];

/**
 * Failed authentications: 20 per client address and identifier (a token, a typed name) and 100 per
 * address in a 60-second window. Valid credentials are never counted nor throttled.
 */
export const AUTH_LIMIT_DEFAULTS = { authFailureLimit: 20, authAddressFailureLimit: 100, authFailureWindowSeconds: 60 } as const;

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address or subnet as Express (proxy-addr) takes it: `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `fd00::/8`, `192.168.1.7`. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [ip, range, ...rest] = entry.split('/');
  const version = isIP(ip ?? '');
  if (version === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (version === 4 ? 32 : 128);
  return version === 4 && isIP(range) === 4;
}

/** `TRUST_PROXY` as Express's `trust proxy` setting; throws ConfigError on anything Express would not take as meant. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d{1,3}$/.test(v)) return Number(v);
  const entries = v.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !isProxyAddress(e));
  if (bad.length > 0) {
    throw new ConfigError(
      `Invalid configuration: TRUST_PROXY: expected true, false, a number of hops, or comma-separated addresses, subnets and loopback/linklocal/uniquelocal; cannot read ${bad.map((e) => JSON.stringify(e)).join(', ')}`,
    );
  }
  return entries;
}

/** Webhook dispatcher defaults: a pass a second, 10 s per attempt, 10 attempts from 10 s apart doubling (about 1.5 h in all). */
export const WEBHOOK_DEFAULTS = { webhookIntervalMs: 1000, webhookTimeoutMs: 10_000, webhookMaxAttempts: 10, webhookBackoffMs: 10_000 } as const;

export class ConfigError extends Error {}

/** The sweeper in `serve` runs once a minute unless told otherwise. */
export const DEFAULT_SWEEP_INTERVAL_SECONDS = 60;

/** A password reset credential works for 24 hours unless PASSWORD_RESET_HOURS says otherwise (issue 8). */
export const DEFAULT_PASSWORD_RESET_HOURS = 24;

/** Web sessions end after 30 minutes without a request, and 12 hours after sign-in at the latest. */
export const SESSION_DEFAULTS = { sessionIdleMinutes: 30, sessionMaxHours: 12 } as const;

/** `serve` signs a checkpoint every 5 minutes when the log has grown. */
export const DEFAULT_CHECKPOINT_INTERVAL_SECONDS = 300;

/** Notification digests are made from 12:00 UTC (early morning in Mexico City and the US) unless MAIL_DIGEST_HOUR says otherwise. */
export const DEFAULT_MAIL_DIGEST_HOUR = 12;

/**
 * SMTP_URL and MAIL_FROM go together (issue 16 §2), and the URL must name a host and a port that
 * exist. Errors never repeat the URL: it may hold the SMTP password.
 */
function checkMailSettings(smtpUrl: string | undefined, mailFrom: string | undefined): void {
  if ((smtpUrl === undefined) !== (mailFrom === undefined)) {
    throw new ConfigError(
      `Invalid configuration: ${smtpUrl === undefined ? 'MAIL_FROM is set without SMTP_URL' : 'SMTP_URL is set without MAIL_FROM'}: set both to send e-mail notifications, or neither`,
    );
  }
  if (smtpUrl === undefined) return;
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new ConfigError(
      'Invalid configuration: SMTP_URL: cannot read it as a URL (expected smtp://host:port or smtps://user:pass@host; percent-encode @ : / in the user name and password)',
    );
  }
  if (!url.hostname) throw new ConfigError('Invalid configuration: SMTP_URL: names no host (expected smtp://host:port or smtps://user:pass@host)');
  if (url.port !== '' && Number(url.port) === 0) throw new ConfigError('Invalid configuration: SMTP_URL: port 0 is not a port');
  if (url.password && !url.username) throw new ConfigError('Invalid configuration: SMTP_URL: a password without a user name');
}

/** A whole number from the environment, or the text itself for the schema to refuse. */
const integerOr = (v: string): number | string => (/^\d+$/.test(v) ? Number(v) : v);
/** An optional whole-number variable: its default when unset or empty. */
const integerEnv = (v: string | undefined, fallback: number): number | string => (v === undefined || v === '' ? fallback : integerOr(v));

/**
 * Reads `DATABASE_URL`, `PORT`, `HOST`, `LOG_LEVEL`, `MX_NON_WORKING_DAYS_FILE`,
 * `ABBREVIATED_REFERENCE_AUTHORITIES`, `FDA_PRODUCT_CLASSIFICATION_FILE`, `GOAL_DUE_SOON_DAYS`, the
 * `WEBHOOK_*` dispatcher settings and the password rules `PASSWORD_MIN_LENGTH`, `PASSWORD_MIN_CHARACTER_CLASSES`, and the web
 * session settings `SESSION_IDLE_MINUTES`, `SESSION_MAX_HOURS`, `COOKIE_SECURE`, and the limits `TRUST_PROXY`,
 * `AUTH_FAILURE_LIMIT`, `AUTH_ADDRESS_FAILURE_LIMIT`, `AUTH_FAILURE_WINDOW_SECONDS`, and e-mail notifications'
 * `SMTP_URL`, `MAIL_FROM`, `MAIL_DIGEST_HOUR`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let mxNonWorkingDays: string[] = [];
  if (env.MX_NON_WORKING_DAYS_FILE) {
    try {
      mxNonWorkingDays = JSON.parse(fs.readFileSync(env.MX_NON_WORKING_DAYS_FILE, 'utf8')) as string[];
    } catch (e) {
      throw new ConfigError(`MX_NON_WORKING_DAYS_FILE: cannot read a JSON array of dates (${(e as Error).message})`);
    }
  }
  // Issue 9 §5: a newer calendar file, checked here so a bad one stops the start (not a command).
  const mxCalendarFile = env.MX_CALENDAR_FILE || undefined;
  if (mxCalendarFile) {
    try {
      loadMexicanCalendar(mxCalendarFile);
    } catch (e) {
      throw new ConfigError(`MX_CALENDAR_FILE: cannot read a Mexican calendar file (${(e as Error).message})`);
    }
  }
  const raw = {
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    port: env.PORT === undefined || env.PORT === '' ? 3000 : integerOr(env.PORT),
    host: env.HOST || '127.0.0.1',
    logLevel: env.LOG_LEVEL || 'info',
    mxNonWorkingDays,
    webhookIntervalMs: integerEnv(env.WEBHOOK_INTERVAL_MS, WEBHOOK_DEFAULTS.webhookIntervalMs),
    webhookTimeoutMs: integerEnv(env.WEBHOOK_TIMEOUT_MS, WEBHOOK_DEFAULTS.webhookTimeoutMs),
    webhookMaxAttempts: integerEnv(env.WEBHOOK_MAX_ATTEMPTS, WEBHOOK_DEFAULTS.webhookMaxAttempts),
    webhookBackoffMs: integerEnv(env.WEBHOOK_BACKOFF_MS, WEBHOOK_DEFAULTS.webhookBackoffMs),
    webhookAllowPrivateNetworks:
      env.WEBHOOK_ALLOW_PRIVATE_NETWORKS === undefined || env.WEBHOOK_ALLOW_PRIVATE_NETWORKS === ''
        ? false
        : env.WEBHOOK_ALLOW_PRIVATE_NETWORKS === 'true'
          ? true
          : env.WEBHOOK_ALLOW_PRIVATE_NETWORKS === 'false'
            ? false
            : env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    checkpointIntervalSeconds: integerEnv(env.CHECKPOINT_INTERVAL_SECONDS, DEFAULT_CHECKPOINT_INTERVAL_SECONDS),
    ...(env.PUENTE_SIGNING_KEY ? { signingKeyFile: env.PUENTE_SIGNING_KEY } : {}),
    ...(env.PUENTE_LOG_ORIGIN ? { logOrigin: env.PUENTE_LOG_ORIGIN } : {}),
    sweepIntervalSeconds:
      env.SWEEP_INTERVAL_SECONDS === undefined || env.SWEEP_INTERVAL_SECONDS === '' ? DEFAULT_SWEEP_INTERVAL_SECONDS : integerOr(env.SWEEP_INTERVAL_SECONDS),
    passwordMinLength: integerEnv(env.PASSWORD_MIN_LENGTH, DEFAULT_PASSWORD_POLICY.minLength),
    passwordMinCharacterClasses: integerEnv(env.PASSWORD_MIN_CHARACTER_CLASSES, DEFAULT_PASSWORD_POLICY.minCharacterClasses),
    ...(env.TOKEN_MAX_DAYS === undefined || env.TOKEN_MAX_DAYS === '' ? {} : { tokenMaxDays: integerOr(env.TOKEN_MAX_DAYS) }),
    passwordResetHours: integerEnv(env.PASSWORD_RESET_HOURS, DEFAULT_PASSWORD_RESET_HOURS),
    sessionIdleMinutes: integerEnv(env.SESSION_IDLE_MINUTES, SESSION_DEFAULTS.sessionIdleMinutes),
    sessionMaxHours: integerEnv(env.SESSION_MAX_HOURS, SESSION_DEFAULTS.sessionMaxHours),
    cookieSecure:
      env.COOKIE_SECURE === undefined || env.COOKIE_SECURE === ''
        ? false
        : env.COOKIE_SECURE === 'true'
          ? true
          : env.COOKIE_SECURE === 'false'
            ? false
            : env.COOKIE_SECURE,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    authFailureLimit: integerEnv(env.AUTH_FAILURE_LIMIT, AUTH_LIMIT_DEFAULTS.authFailureLimit),
    authAddressFailureLimit: integerEnv(env.AUTH_ADDRESS_FAILURE_LIMIT, AUTH_LIMIT_DEFAULTS.authAddressFailureLimit),
    authFailureWindowSeconds: integerEnv(env.AUTH_FAILURE_WINDOW_SECONDS, AUTH_LIMIT_DEFAULTS.authFailureWindowSeconds),
    ...(env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {}),
    ...(env.MAIL_FROM ? { mailFrom: env.MAIL_FROM } : {}),
    mailDigestHour: integerEnv(env.MAIL_DIGEST_HOUR, DEFAULT_MAIL_DIGEST_HOUR),
    goalDueSoonDays: env.GOAL_DUE_SOON_DAYS === undefined || env.GOAL_DUE_SOON_DAYS === '' ? DEFAULT_GOAL_DUE_SOON_DAYS : integerOr(env.GOAL_DUE_SOON_DAYS),
    ...(env.FDA_PRODUCT_CLASSIFICATION_FILE ? { productClassificationFile: env.FDA_PRODUCT_CLASSIFICATION_FILE } : {}),
    ...(env.ABBREVIATED_REFERENCE_AUTHORITIES
      ? {
          referenceAuthorities: env.ABBREVIATED_REFERENCE_AUTHORITIES.split(',')
            .map((a) => a.trim())
            .filter(Boolean),
        }
      : {}),
  };
  try {
    createValidator([]).check(`${SCHEMA_BASE}config.json`, raw, '', { code: 'invalid.configuration' });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const names: Record<string, string> = {
      '/databaseUrl': 'DATABASE_URL',
      '/port': 'PORT',
      '/host': 'HOST',
      '/logLevel': 'LOG_LEVEL',
      '/referenceAuthorities': 'ABBREVIATED_REFERENCE_AUTHORITIES',
      '/goalDueSoonDays': 'GOAL_DUE_SOON_DAYS',
      '/sweepIntervalSeconds': 'SWEEP_INTERVAL_SECONDS',
      '/checkpointIntervalSeconds': 'CHECKPOINT_INTERVAL_SECONDS',
      '/logOrigin': 'PUENTE_LOG_ORIGIN',
      '/signingKeyFile': 'PUENTE_SIGNING_KEY',
      '/webhookIntervalMs': 'WEBHOOK_INTERVAL_MS',
      '/webhookTimeoutMs': 'WEBHOOK_TIMEOUT_MS',
      '/webhookMaxAttempts': 'WEBHOOK_MAX_ATTEMPTS',
      '/webhookBackoffMs': 'WEBHOOK_BACKOFF_MS',
      '/webhookAllowPrivateNetworks': 'WEBHOOK_ALLOW_PRIVATE_NETWORKS',
      '/passwordMinLength': 'PASSWORD_MIN_LENGTH',
      '/passwordMinCharacterClasses': 'PASSWORD_MIN_CHARACTER_CLASSES',
      '/tokenMaxDays': 'TOKEN_MAX_DAYS',
      '/passwordResetHours': 'PASSWORD_RESET_HOURS',
      '/sessionIdleMinutes': 'SESSION_IDLE_MINUTES',
      '/sessionMaxHours': 'SESSION_MAX_HOURS',
      '/cookieSecure': 'COOKIE_SECURE',
      '/trustProxy': 'TRUST_PROXY',
      '/authFailureLimit': 'AUTH_FAILURE_LIMIT',
      '/authAddressFailureLimit': 'AUTH_ADDRESS_FAILURE_LIMIT',
      '/authFailureWindowSeconds': 'AUTH_FAILURE_WINDOW_SECONDS',
      '/smtpUrl': 'SMTP_URL',
      '/mailFrom': 'MAIL_FROM',
      '/mailDigestHour': 'MAIL_DIGEST_HOUR',
    };
    const lines = e.errors.map((fe) => `${names[fe.path.split('/').slice(0, 2).join('/')] ?? (fe.path || 'config')}: ${fe.message}`);
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  checkMailSettings(raw.smtpUrl, raw.mailFrom);
  // Several PostgreSQL hosts (issue 17 §2): a host list the store can read, for a writable node.
  try {
    parseMultiHostUrl(raw.databaseUrl);
  } catch (e) {
    throw new ConfigError(`Invalid configuration: DATABASE_URL: ${(e as Error).message}`);
  }
  return mxCalendarFile ? { ...(raw as Config), mxCalendarFile } : (raw as Config);
}
