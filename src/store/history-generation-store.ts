/**
 * How many history records the database holds, read in one cheap statement: what a read that is
 * derived from the whole history (insights, calendar feeds) keys its cache on. Every change to a
 * submission writes a history record in the same transaction, so the number moves with every
 * committed change, on every server process alike; a cache checked against it answers what the
 * database says now, never what one process remembers.
 *
 * It is read from the transparency log's bookkeeping (migration 008), not by counting
 * `transitions`: a trigger queues each record in `tlog_queue` in its own transaction, and the
 * integrator moves queued records into the tree (`tlog_state.size`) in one transaction of its own,
 * so `size + queued` is the count of committed records in any one statement's snapshot, whatever
 * the integrator has done, and the queue is small.
 */
import type { Knex } from 'knex';
import { rawRows } from './sql.js';

export interface HistoryGenerationStore {
  /** The number of committed history records: it grows with every committed change. */
  committedRecords(): Promise<number>;
}

const COMMITTED_RECORDS_SQL = 'select (select size from tlog_state where id = 1) + (select count(*) from tlog_queue) as n';

export function createKnexHistoryGenerationStore(read: Knex): HistoryGenerationStore {
  return {
    async committedRecords() {
      const [row] = await rawRows<{ n: number | string }>(read, COMMITTED_RECORDS_SQL, []);
      return Number(row?.n ?? 0);
    },
  };
}
