/**
 * What whole-database chain verification reads (src/engine/verify.ts): ranges of the history
 * read inside one read-only transaction each, so a command committing meanwhile cannot make a
 * chain look broken. {@link ChainStore} is what the verifier sees; {@link createKnexChainStore}
 * its Knex implementation.
 */
import type { Knex } from 'knex';
import { chainLinks, submissionHeads, submissionSplits, transitionRowsOf, type SubmissionRange } from './history-store.js';
import { isPostgres } from './sql.js';
import type { TransitionRow } from './rows.js';

export { LINK_SEPARATOR } from './history-store.js';
export { recordOf, type TransitionRow } from './rows.js';

/** Reads of one consistent snapshot of the database. */
export interface ChainSnapshot {
  /** Every submission's head (seq and hash of its last record) in `range`. */
  heads(range: SubmissionRange): Promise<Map<string, { seq: number; hash: string }>>;
  /** The chain links of `range` in (submission, seq) order, a page at a time (history-store chainLinks). */
  links(range: SubmissionRange): AsyncGenerator<string[]>;
  /** One submission's rows in seq order, as stored. */
  rowsOf(submissionId: string): Promise<TransitionRow[]>;
  /** Runs `work` in a savepoint: when it fails, only what it did is undone and the snapshot stays usable. */
  savepoint<T>(work: (s: ChainSnapshot) => Promise<T>): Promise<T>;
}

export interface ChainStore {
  /** Submission ids that cut the table into `parts` ranges of about equal size (ascending). */
  splits(parts: number): Promise<string[]>;
  /** Runs `work` in one read-only transaction (repeatable read on PostgreSQL): one consistent snapshot. */
  snapshot<T>(work: (s: ChainSnapshot) => Promise<T>): Promise<T>;
}

function snapshotOn(trx: Knex.Transaction): ChainSnapshot {
  return {
    heads: (range) => submissionHeads(trx, range),
    links: (range) => chainLinks(trx, range),
    rowsOf: (id) => transitionRowsOf(trx, id),
    savepoint: (work) => trx.transaction((sp) => work(snapshotOn(sp))),
  };
}

/**
 * The {@link ChainStore} on `knex`: a pool with several connections (the reader pool on SQLite)
 * lets snapshots run side by side; a single connection works too.
 */
export function createKnexChainStore(knex: Knex): ChainStore {
  const pg = isPostgres(knex);
  return {
    splits: (parts) => submissionSplits(knex, parts),
    snapshot: (work) => knex.transaction((trx) => work(snapshotOn(trx)), pg ? { isolationLevel: 'repeatable read', readOnly: true } : undefined),
  };
}

/** A chain store, or a Knex pool to build one on (callers that still hold a pool). */
export type ChainSource = ChainStore | Knex;

function isChainStore(source: ChainSource): source is ChainStore {
  return 'snapshot' in source && 'splits' in source;
}

export function chainStoreOf(source: ChainSource): ChainStore {
  return isChainStore(source) ? source : createKnexChainStore(source);
}
