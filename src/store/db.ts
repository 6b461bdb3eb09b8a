/**
 * The Knex factory. SQLite (embedded default) runs in WAL mode with foreign keys on, a busy
 * timeout and full fsync on commit, so an acknowledged step survives a crash. PostgreSQL is used
 * as is; correctness comes from the version check, never from process memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from './migrations/index.js';
import { WritableHostLocator, isFailoverSignal, parseMultiHostUrl, writableHostClient, type MultiHostUrl } from './pg-hosts.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  /** Writes and every command's transaction. On SQLite, the one writer connection. */
  readonly knex: Knex;
  /**
   * Reads outside commands (GETs, authentication). On a SQLite file this is a separate pool of
   * read-only connections: in WAL mode readers never wait for the writer's fsync. Elsewhere it
   * is `knex` itself.
   */
  readonly reader: Knex;
  readonly dialect: Dialect;
  /** Directory beside a SQLite file, for anything the store keeps on disk (none today). */
  destroy(): Promise<void>;
}

/** Read-only SQLite connections beside the writer (WAL lets them run during a commit). */
export const SQLITE_READERS = 4;

/** Milliseconds a SQLite connection waits for a lock held by another process. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

export function parseDatabaseUrl(url: string): { dialect: Dialect; filename?: string; connectionString?: string; multiHost?: MultiHostUrl } {
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length);
    if (!filename) throw new Error('DATABASE_URL sqlite: needs a path, e.g. sqlite:./data/puente.db or sqlite::memory:');
    return { dialect: 'sqlite', filename };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // Several hosts (a primary and its standby): puente finds the writable one (store/pg-hosts.ts).
    const multiHost = parseMultiHostUrl(url);
    return multiHost ? { dialect: 'postgres', connectionString: url, multiHost } : { dialect: 'postgres', connectionString: url };
  }
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got ${url.split(':')[0]}:)`);
}

/** Opens the database named by `url` (creating a SQLite file's directory when needed). */
export function openDatabase(url: string): Database {
  const parsed = parseDatabaseUrl(url);
  let knex: Knex;
  let reader: Knex | undefined;
  if (parsed.dialect === 'sqlite') {
    const filename = parsed.filename!;
    if (filename !== ':memory:') {
      reader = knexFactory({
        client: 'sqlite3',
        connection: { filename },
        useNullAsDefault: true,
        pool: {
          min: 0,
          max: SQLITE_READERS,
          afterCreate(conn: { exec(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
            conn.exec(`PRAGMA query_only = ON; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS};`, (err) => done(err, conn));
          },
        },
      });
    }
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
    knex = knexFactory({
      client: 'sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        // One connection: SQLite has one writer anyway, and an in-memory database lives in it.
        afterCreate(conn: { exec(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
          conn.exec(`PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}; PRAGMA synchronous = FULL;`, (err) =>
            done(err, conn),
          );
        },
        idleTimeoutMillis: Number.MAX_SAFE_INTEGER,
      },
      migrations: { migrationSource, tableName: 'knex_migrations' },
    });
  } else if (parsed.multiHost) {
    const multiHost = parsed.multiHost;
    const locator = new WritableHostLocator(multiHost);
    knex = knexFactory({
      client: writableHostClient(multiHost, locator),
      // The first host until the writable one is found (each new connection asks the locator).
      connection: { connectionString: multiHost.urlFor(multiHost.hosts[0]!), connectionTimeoutMillis: multiHost.connectTimeoutMs },
      pool: { min: 0, max: 10 },
      migrations: { migrationSource, tableName: 'knex_migrations' },
    });
    // A standby's `read-only transaction` on a connection that is still open: look again.
    knex.on('query-error', (err: unknown) => {
      if (isFailoverSignal(err)) locator.suspect();
    });
  } else {
    knex = knexFactory({
      client: 'pg',
      connection: parsed.connectionString,
      pool: { min: 0, max: 10 },
      migrations: { migrationSource, tableName: 'knex_migrations' },
    });
  }
  const readPool = reader ?? knex;
  return {
    knex,
    reader: readPool,
    dialect: parsed.dialect,
    async destroy() {
      if (readPool !== knex) await readPool.destroy();
      await knex.destroy();
    },
  };
}

/** Applies every pending migration; safe to call from several processes at once. */
export async function migrate(db: Database): Promise<string[]> {
  const [, applied] = (await db.knex.migrate.latest()) as [number, string[]];
  return applied;
}

/** The health check's question: does the database answer a trivial query (on the reader pool)? */
export async function ping(db: Database): Promise<void> {
  await db.reader.raw('select 1');
}
