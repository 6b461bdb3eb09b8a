/**
 * The transparency log's tables (migration 008): the queue a trigger fills with each new history
 * record, the leaves, the stored complete subtrees (`tlog_nodes`), the tree size and the signed
 * checkpoints. {@link TlogStore} is what src/audit/tlog.ts sees; {@link createKnexTlogStore} its
 * Knex implementation. The Merkle arithmetic stays in src/audit/merkle.ts.
 */
import type { Knex } from 'knex';
import type { Database } from './db.js';
import { rawRows } from './sql.js';

/** A history record waiting to become a leaf. */
export interface QueuedRecord {
  readonly id: number | string;
  readonly transitionId: string;
  /** Hex SHA-256 of the record (its `hash`). */
  readonly rowHash: string;
}

export interface StoredCheckpoint {
  readonly treeSize: number;
  /** Hex. */
  readonly rootHash: string;
  readonly timestamp: string;
  readonly note: string;
}

/** A leaf and the history record it names (null fields: the record is gone). */
export interface LeafWithRecord {
  readonly leafIndex: number;
  readonly rowHash: string;
  readonly submissionId: string | null;
  readonly seq: number | null;
  readonly hash: string | null;
}

/** Reads of the log, on one connection or transaction. */
export interface TlogReads {
  /** The hex hash of the stored node (`level`, `index`), or undefined. */
  node(level: number, index: number): Promise<string | undefined>;
  /** Leaves in the tree. */
  size(): Promise<number>;
}

/** One integrator's transaction: the queue's head and the appends. */
export interface TlogIntegration extends TlogReads {
  queued(limit: number): Promise<QueuedRecord[]>;
  /** Appends leaves and nodes, removes the integrated queue entries and sets the new size. */
  append(
    leaves: ReadonlyArray<{ leafIndex: number; transitionId: string; rowHash: string }>,
    nodes: ReadonlyArray<{ level: number; index: number; hash: string }>,
    integrated: ReadonlyArray<QueuedRecord>,
    size: number,
  ): Promise<void>;
}

export interface TlogStore extends TlogReads {
  /** True when some record waits in the queue (a cheap look on the read pool). */
  hasQueued(): Promise<boolean>;
  /**
   * Runs `fn` in one write transaction holding the integrator's lock (PostgreSQL: an advisory
   * lock; SQLite: the writer lock, taken first), so one integrator appends at a time across processes.
   */
  integrating<T>(fn: (tx: TlogIntegration) => Promise<T>): Promise<T>;
  insertCheckpoint(c: StoredCheckpoint): Promise<void>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  leafIndexOf(transitionId: string): Promise<number | null>;
  /** Every leaf in order, with the history record it names. */
  leavesWithRecords(): Promise<LeafWithRecord[]>;
  /** History records that are no leaf. */
  recordsOutsideLog(): Promise<number>;
}

/** Key id for pg_advisory_xact_lock: one integrator at a time across processes. */
const INTEGRATOR_LOCK = 7_310_221_506;
const NODE_SQL = 'select hash from tlog_nodes where level = ? and idx = ?';

function reads(conn: Knex): TlogReads {
  return {
    async node(level, index) {
      const [row] = await rawRows<{ hash: string }>(conn, NODE_SQL, [level, index]);
      return row?.hash;
    },
    async size() {
      const [row] = await rawRows<{ size: number | string }>(conn, 'select size from tlog_state where id = 1', []);
      return Number(row?.size ?? 0);
    },
  };
}

export function createKnexTlogStore(db: Database): TlogStore {
  const reader = db.reader;
  const pg = db.dialect === 'postgres';
  return {
    ...reads(reader),

    async hasQueued() {
      return (await rawRows<{ id: number }>(reader, 'select id from tlog_queue limit 1', [])).length > 0;
    },

    integrating(fn) {
      return db.knex.transaction(async (trx) => {
        // PostgreSQL: an advisory lock. SQLite: write first, so the transaction takes the writer
        // lock (waiting up to the busy timeout) before it reads.
        if (pg) await trx.raw('select pg_advisory_xact_lock(?)', [INTEGRATOR_LOCK]);
        else await trx.raw('update tlog_state set size = size where id = 1');
        return fn({
          ...reads(trx),
          async queued(limit) {
            const rows = await rawRows<{ id: number | string; transition_id: string; row_hash: string }>(
              trx,
              `select id, transition_id, row_hash from tlog_queue order by id limit ${Math.floor(limit)}`,
              [],
            );
            return rows.map((r) => ({ id: r.id, transitionId: r.transition_id, rowHash: r.row_hash }));
          },
          async append(leaves, nodes, integrated, size) {
            await trx.batchInsert(
              'tlog_leaves',
              leaves.map((l) => ({ leaf_index: l.leafIndex, transition_id: l.transitionId, row_hash: l.rowHash })),
              200,
            );
            await trx.batchInsert(
              'tlog_nodes',
              nodes.map((n) => ({ level: n.level, idx: n.index, hash: n.hash })),
              300,
            );
            if (integrated.length) {
              await trx('tlog_queue')
                .where('id', '<=', integrated[integrated.length - 1]!.id)
                .whereIn(
                  'id',
                  integrated.map((q) => q.id),
                )
                .delete();
            }
            await trx('tlog_state').where({ id: 1 }).update({ size });
          },
        });
      });
    },

    async insertCheckpoint(c) {
      await db.knex('tlog_checkpoints').insert({ tree_size: c.treeSize, root_hash: c.rootHash, created_at: c.timestamp, note: c.note });
    },

    async latestCheckpoint() {
      const row = await reader('tlog_checkpoints')
        .orderBy('id', 'desc')
        .first<{ tree_size: number | string; root_hash: string; created_at: string; note: string } | undefined>('tree_size', 'root_hash', 'created_at', 'note');
      return row ? { treeSize: Number(row.tree_size), rootHash: row.root_hash, timestamp: row.created_at, note: row.note } : null;
    },

    async leafIndexOf(transitionId) {
      const [row] = await rawRows<{ leaf_index: number | string }>(reader, 'select leaf_index from tlog_leaves where transition_id = ?', [transitionId]);
      return row ? Number(row.leaf_index) : null;
    },

    async leavesWithRecords() {
      const rows = await rawRows<{
        leaf_index: number | string;
        row_hash: string;
        submission_id: string | null;
        seq: number | string | null;
        hash: string | null;
      }>(
        reader,
        'select l.leaf_index, l.row_hash, t.submission_id, t.seq, t.hash from tlog_leaves l left join transitions t on t.id = l.transition_id order by l.leaf_index',
        [],
      );
      return rows.map((r) => ({
        leafIndex: Number(r.leaf_index),
        rowHash: r.row_hash,
        submissionId: r.submission_id,
        seq: r.seq === null ? null : Number(r.seq),
        hash: r.hash,
      }));
    },

    async recordsOutsideLog() {
      const [row] = await rawRows<{ n: number | string }>(
        reader,
        'select count(*) as n from transitions t where not exists (select 1 from tlog_leaves l where l.transition_id = t.id)',
        [],
      );
      return Number(row?.n ?? 0);
    },
  };
}
