/**
 * Every store of the service, as one object the engine is given: the stores on the read pool,
 * and {@link Stores.transaction} for the stores bound to one transaction. Nothing above
 * `src/store/` sees Knex; what a command needs of the database (a row lock, one transaction, the
 * single-trip commit on SQLite) is asked of these interfaces.
 */
import type { Knex } from 'knex';
import { createKnexAttemptsStore, type AttemptsStore } from './attempts-store.js';
import { createKnexAuditStore, type AuditStore } from './audit-store.js';
import { createKnexChainStore, type ChainStore } from './chain-store.js';
import type { Database } from './db.js';
import { createKnexDesignationStore, type DesignationStore } from './designation-store.js';
import { createKnexDocumentStore, type DocumentStore } from './document-store.js';
import { createKnexHistoryStore, type HistoryStore } from './history-store.js';
import { createKnexHistoryGenerationStore, type HistoryGenerationStore } from './history-generation-store.js';
import { createKnexIdempotencyStore, type IdempotencyStore } from './idempotency-store.js';
import { createKnexSecurityLogStore, type SecurityLogStore } from './security-log-store.js';
import { createKnexSessionStore, type SessionStore } from './sessions-store.js';
import { createKnexSubmissionListingStore, type SubmissionListingStore } from './submission-listing-store.js';
import { createKnexSubmissionStore, type SubmissionStore } from './submission-store.js';
import { createKnexUserStore, type UserStore } from './users-store.js';
import { createKnexWebhookStore, type WebhookStore } from './webhooks-store.js';

/** The stores on one connection: the read pool (reads) with the writer (single writes), or one transaction. */
export interface StoreSet {
  readonly submissions: SubmissionStore;
  readonly history: HistoryStore;
  readonly documents: DocumentStore;
  readonly designations: DesignationStore;
  readonly listing: SubmissionListingStore;
  readonly idempotency: IdempotencyStore;
  readonly audit: AuditStore;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly webhooks: WebhookStore;
  /** The security log (issue 8): appends in the transaction it is bound to, else in its own. */
  readonly securityLog: SecurityLogStore;
  /** The count of committed history records: the key of caches derived from the whole history (insights, calendar feeds). */
  readonly generation: HistoryGenerationStore;
}

export interface Stores extends StoreSet {
  /** Failed authentications per key (issue 8 §4), counted on the writer: every process on the database shares them. */
  readonly attempts: AttemptsStore;
  /** Whole-database chain reads in consistent snapshots (src/engine/verify.ts), on the read pool. */
  readonly chains: ChainStore;
  /**
   * Runs `work` in one database transaction with the stores bound to it: everything it writes
   * commits together or not at all. Reads in it see the transaction; `find(id, { forUpdate })`
   * locks the row until it ends (PostgreSQL).
   */
  transaction<T>(work: (tx: StoreSet) => Promise<T>): Promise<T>;
}

function storeSet(read: Knex, write: Knex, inTransaction: boolean): StoreSet {
  return {
    submissions: createKnexSubmissionStore(read, write),
    history: createKnexHistoryStore(read, { writer: write, inTransaction }),
    documents: createKnexDocumentStore(read, write),
    designations: createKnexDesignationStore(read),
    listing: createKnexSubmissionListingStore(read),
    idempotency: createKnexIdempotencyStore(read, write),
    audit: createKnexAuditStore(read, write),
    users: createKnexUserStore(read, write),
    sessions: createKnexSessionStore(read, write),
    webhooks: createKnexWebhookStore(read, write),
    securityLog: createKnexSecurityLogStore(read, write, inTransaction),
    generation: createKnexHistoryGenerationStore(read),
  };
}

/**
 * The Knex {@link Stores} of `db`: outside a transaction, reads go to the read pool (on a SQLite
 * file, read-only connections that never wait for the writer) and single writes to the writer;
 * a transaction's stores read and write on it.
 */
export function createKnexStores(db: Database): Stores {
  return {
    ...storeSet(db.reader, db.knex, false),
    chains: createKnexChainStore(db.reader),
    attempts: createKnexAttemptsStore(db.knex),
    transaction: (work) =>
      db.knex.transaction(async (trx) => {
        // SQLite: take the writer lock first (BEGIN IMMEDIATE's effect), waiting up to the busy
        // timeout while another process (a server, the CLI) writes. A transaction that read first
        // would meet SQLITE_BUSY at once on its first write, which the busy timeout never waits on
        // (issue 17 §3: `puente demo` beside a running server).
        if (db.dialect === 'sqlite') await trx.raw('update knex_migrations_lock set is_locked = is_locked where 0 = 1');
        return work(storeSet(trx, trx, true));
      }),
  };
}

/**
 * The {@link Stores} bound to one open transaction `trx`: every read and write goes through it,
 * and `transaction(work)` nests in it (a savepoint), so a batch of commands commits or rolls back
 * as one (`npx puente import`). Nothing may reach the pools while `trx` is open: on SQLite the
 * writer is its one connection.
 */
export function createKnexStoresIn(trx: Knex.Transaction): Stores {
  return {
    ...storeSet(trx, trx, true),
    chains: createKnexChainStore(trx),
    attempts: createKnexAttemptsStore(trx),
    transaction: (work) => trx.transaction((inner) => work(storeSet(inner, inner, true))),
  };
}

class RolledBack extends Error {
  constructor(readonly value: unknown) {
    super('rolled back');
  }
}

/**
 * Runs `work` on stores bound to one transaction of `db` (see {@link createKnexStoresIn}): what it
 * wrote is committed when it answers `commit: true`, and rolled back otherwise (a rehearsal that
 * writes nothing) or when it throws. Answers `work`'s value.
 */
export async function inOneTransaction<T>(db: Database, work: (stores: Stores) => Promise<{ commit: boolean; value: T }>): Promise<T> {
  try {
    return await db.knex.transaction(async (trx) => {
      // SQLite: the writer lock first, as in createKnexStores' transaction (issue 17 §3).
      if (db.dialect === 'sqlite') await trx.raw('update knex_migrations_lock set is_locked = is_locked where 0 = 1');
      const r = await work(createKnexStoresIn(trx));
      if (!r.commit) throw new RolledBack(r.value);
      return r.value;
    });
  } catch (e) {
    if (e instanceof RolledBack) return e.value as T;
    throw e;
  }
}
