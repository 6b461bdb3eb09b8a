/**
 * Several PostgreSQL hosts in one `DATABASE_URL`, as libpq takes them
 * (`postgres://user@h1:5432,h2:5432/db?target_session_attrs=read-write`), for a primary with a
 * standby and automatic failover (issue 17 §2, DESIGN §8). node-postgres connects to one host
 * only, so puente finds the writable node itself: it asks each host in turn whether it is in
 * recovery and whether its sessions are read-only, keeps the answer, and asks again once a
 * connection to it fails (the node died, shut down or became a standby). Until a writable node
 * answers, every new connection fails at once with {@link NoWritableHostError}: the command is
 * answered `503` with `Retry-After` (http/error-handler.ts), its transaction never committed.
 *
 * A URL with one host is not parsed here: node-postgres takes it as it always has.
 */
import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import pg from 'pg';

export interface PgHost {
  readonly host: string;
  readonly port: number;
}

export interface MultiHostUrl {
  readonly hosts: readonly PgHost[];
  /** The URL of one host (`postgres://user@HOST:PORT/db?...`, without target_session_attrs). */
  urlFor(host: PgHost): string;
  /** Milliseconds to wait for a connection (the URL's `connect_timeout`, else 5 s). */
  readonly connectTimeoutMs: number;
}

/** A connection that does not answer in this time counts as a dead host (libpq's `connect_timeout` overrides it). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** After no host answered as writable, new connections fail at once for this long before the next round of probes. */
export const PROBE_BACKOFF_MS = 250;

/** Seconds a client is told to wait (Retry-After) while the database is unreachable or failing over. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** What `target_session_attrs` may ask for: puente writes, so only a writable node will do. */
const WRITABLE_ATTRS = new Set(['read-write', 'primary']);

const URL_PARTS = /^(postgres(?:ql)?:\/\/)(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/;

/** One `host[:port]` or `[v6]:port` of the host list. */
function parseHost(text: string, defaultPort: number): PgHost {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) throw new Error(`cannot read the host "${text}" (host:port)`);
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!(port >= 1 && port <= 65535)) throw new Error(`the port of "${text}" is not between 1 and 65535`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * A PostgreSQL URL with several hosts, or null for a URL with one host (used as it is). Throws an
 * Error with a sentence for the configuration check on a host list it cannot read, or on a
 * `target_session_attrs` other than `read-write` / `primary` (absent means `read-write`).
 */
export function parseMultiHostUrl(url: string): MultiHostUrl | null {
  const m = URL_PARTS.exec(url);
  if (!m || !m[3]!.includes(',')) return null;
  const [, scheme, userinfo, hostList, pathPart, query] = m;
  const params = new URLSearchParams(query ?? '');
  const attrs = params.get('target_session_attrs') ?? 'read-write';
  if (!WRITABLE_ATTRS.has(attrs)) {
    throw new Error(`with several hosts, target_session_attrs must be read-write (puente writes), not ${attrs}`);
  }
  params.delete('target_session_attrs');
  const defaultPort = params.has('port') ? Number(params.get('port')) : 5432;
  params.delete('port');
  const hosts = hostList!.split(',').map((h) => parseHost(h.trim(), defaultPort));
  const timeout = params.get('connect_timeout');
  const connectTimeoutMs = timeout !== null && /^\d+$/.test(timeout) && Number(timeout) > 0 ? Number(timeout) * 1000 : DEFAULT_CONNECT_TIMEOUT_MS;
  const rest = params.toString();
  return {
    hosts,
    connectTimeoutMs,
    urlFor: (h) =>
      `${scheme}${userinfo !== undefined ? `${userinfo}@` : ''}${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}${pathPart ?? ''}${rest ? `?${rest}` : ''}`,
  };
}

/** No host of the list answered as a writable primary (during a failover, or all down). */
export class NoWritableHostError extends Error {
  readonly code = 'PUENTE_NO_WRITABLE_HOST';
  constructor(readonly tried: readonly string[]) {
    super(`no writable PostgreSQL host among ${tried.join(', ')}`);
    this.name = 'NoWritableHostError';
  }
}

/** Node's socket errors that mean the server is not there (or went away). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * SQLSTATEs of a server that is going away or cannot take writes: connection exceptions (class
 * 08), admin / crash shutdown, a database that is starting or a standby (`cannot_connect_now`),
 * and a read-only transaction (the node is a standby now).
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '25006']);

/**
 * Whether `err` says the database is unreachable or not writable right now, rather than anything
 * about the command: a refused or broken connection, a server shutting down, a standby, no
 * writable host, no connection from the pool in time. The command did not commit (or, if the
 * connection broke during COMMIT, the client's retry with its Idempotency-Key finds out): the
 * answer is 503 with Retry-After.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  if (e instanceof NoWritableHostError) return true;
  const code = typeof e.code === 'string' ? e.code : '';
  if (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08')) return true;
  if (e.name === 'KnexTimeoutError') return true;
  // node-postgres reports a dropped connection without a code (and knex puts the SQL before it).
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|Connection is closed/.test(message);
}

/** Whether `err` means the node in use may no longer be the writable one (ask again). */
export function isFailoverSignal(err: unknown): boolean {
  return isDatabaseUnavailable(err) && !(err instanceof NoWritableHostError) && (err as { name?: string }).name !== 'KnexTimeoutError';
}

const keyOf = (h: PgHost): string => `${h.host}:${h.port}`;

/**
 * Finds and remembers the writable node of a host list. `writable()` answers the known one, or
 * probes the hosts (one probe at a time, whoever asks); `suspect()` makes the next call probe
 * again. `generation` changes whenever the writable node changes or is lost: pooled connections
 * made under another generation are dropped rather than reused.
 */
export class WritableHostLocator {
  private current: PgHost | undefined;
  private probing: Promise<PgHost> | undefined;
  private failedAt = 0;
  private gen = 0;
  private verified = false;

  constructor(
    private readonly url: MultiHostUrl,
    private readonly onChange: (event: { from: string | null; to: string | null }) => void = () => {},
  ) {}

  get generation(): number {
    return this.gen;
  }

  /** The writable node as last found (undefined while none is known). */
  get known(): PgHost | undefined {
    return this.current;
  }

  /** The writable node: the known one, or found by asking each host. Throws NoWritableHostError. */
  writable(): Promise<PgHost> {
    if (this.current && this.verified) return Promise.resolve(this.current);
    if (this.probing) return this.probing;
    if (!this.current && Date.now() - this.failedAt < PROBE_BACKOFF_MS) {
      return Promise.reject(new NoWritableHostError(this.url.hosts.map(keyOf)));
    }
    this.probing = this.probe().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  /** A connection failed in a way a failover explains: check which node is writable before the next connection. */
  suspect(): void {
    this.verified = false;
  }

  private setCurrent(next: PgHost | undefined): void {
    const from = this.current ? keyOf(this.current) : null;
    const to = next ? keyOf(next) : null;
    if (from !== to) {
      this.gen++;
      this.onChange({ from, to });
    }
    this.current = next;
    this.verified = next !== undefined;
  }

  private async probe(): Promise<PgHost> {
    // The last known node first: after a brief drop it is usually still the primary.
    const order = this.current ? [this.current, ...this.url.hosts.filter((h) => keyOf(h) !== keyOf(this.current!))] : [...this.url.hosts];
    for (const host of order) {
      if (await this.isWritable(host)) {
        this.setCurrent(host);
        return host;
      }
    }
    this.setCurrent(undefined);
    this.failedAt = Date.now();
    throw new NoWritableHostError(order.map(keyOf));
  }

  /** libpq's read-write check: not in recovery and sessions not read-only. */
  private async isWritable(host: PgHost): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url.urlFor(host), connectionTimeoutMillis: this.url.connectTimeoutMs });
    client.on('error', () => {});
    try {
      await client.connect();
      const { rows } = await client.query<{ in_recovery: boolean; read_only: string }>(
        "select pg_is_in_recovery() as in_recovery, current_setting('transaction_read_only') as read_only",
      );
      return rows[0]?.in_recovery === false && rows[0]?.read_only === 'off';
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/** knex's PostgreSQL dialect (not in its typings, which declare the base class only). */
const KnexPgClient = createRequire(import.meta.url)('knex/lib/dialects/postgres/index.js') as typeof Knex.Client;

interface PooledConnection {
  __puenteGeneration?: number;
  on(event: 'error', listener: (err: Error) => void): void;
}

/**
 * knex's PostgreSQL client, choosing the host of each new connection: the writable node of the
 * list. A connection made before the writable node changed is dropped when the pool hands it
 * out; a failing connection makes the next one look for the writable node again.
 */
export function writableHostClient(url: MultiHostUrl, locator: WritableHostLocator): typeof Knex.Client {
  return class WritableHostClient extends KnexPgClient {
    constructor(config: Knex.Config) {
      super(config);
      // The dialect's name, as every `client: 'pg'` knex has it (store/sql.ts isPostgres reads it).
      this.config.client = 'pg';
    }

    override async acquireRawConnection(): Promise<unknown> {
      const host = await locator.writable();
      const generation = locator.generation;
      // Read synchronously by the connection it starts (no await in between).
      this.connectionSettings = { connectionString: url.urlFor(host), connectionTimeoutMillis: url.connectTimeoutMs };
      let connection: PooledConnection;
      try {
        connection = (await super.acquireRawConnection()) as PooledConnection;
      } catch (e) {
        if (isFailoverSignal(e)) locator.suspect();
        throw e;
      }
      connection.__puenteGeneration = generation;
      connection.on('error', (err) => {
        if (isFailoverSignal(err)) locator.suspect();
      });
      return connection;
    }

    override validateConnection(connection: PooledConnection): Promise<boolean> {
      return Promise.resolve(connection.__puenteGeneration === locator.generation);
    }
  };
}
