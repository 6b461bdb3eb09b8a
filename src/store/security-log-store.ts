/**
 * The security log's rows (migration 010): appended one at a time in a line (the appender holds
 * a lock while it reads the head and inserts the next), read in `seq` order.
 */
import type { Knex } from 'knex';
import { isPostgres } from './sql.js';

/** Who did it: a user (id, name, role), or the command line / the system (no id). */
export interface SecurityActor {
  readonly id: string | null;
  readonly name: string;
  readonly role: string;
}

/** One entry as it is hashed and served. */
export interface SecurityLogEntry {
  readonly seq: number;
  readonly type: string;
  /** The user the action is about, or null. */
  readonly subject: string | null;
  readonly actor: SecurityActor;
  readonly data: Record<string, unknown>;
  readonly recordedAt: string;
  readonly prevHash: string;
  readonly hash: string;
}

export interface SecurityLogFilters {
  /** Entries about this user, or done by them. */
  readonly user?: string;
  readonly type?: string;
}

interface Row {
  seq: number | string;
  type: string;
  subject_id: string | null;
  actor_id: string | null;
  actor_name: string;
  actor_role: string;
  data: string;
  recorded_at: string;
  prev_hash: string;
  hash: string;
}

function toEntry(r: Row): SecurityLogEntry {
  return {
    seq: Number(r.seq),
    type: r.type,
    subject: r.subject_id,
    actor: { id: r.actor_id, name: r.actor_name, role: r.actor_role },
    data: JSON.parse(r.data) as Record<string, unknown>,
    recordedAt: r.recorded_at,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Any constant: the advisory lock that serializes appends on PostgreSQL (SQLite has one writer). */
const APPEND_LOCK = 0x70756e7465; // "punte"

export interface SecurityLogStore {
  /**
   * Appends the entry `build` makes from the current head (null when the log is empty), in the
   * caller's transaction when the store is bound to one, else in its own. `dataText` is the
   * entry's `data` exactly as it was hashed (canonical JSON).
   */
  append(build: (head: { seq: number; hash: string } | null) => { entry: SecurityLogEntry; dataText: string }): Promise<SecurityLogEntry>;
  /** Entries after `afterSeq` in `seq` order, at most `limit`. */
  page(filters: SecurityLogFilters, afterSeq: number | null, limit: number): Promise<SecurityLogEntry[]>;
  /** The raw `data` text of each entry in the page, by seq (verification rehashes the stored text). */
  rawPage(afterSeq: number | null, limit: number): Promise<Array<SecurityLogEntry & { dataText: string }>>;
}

async function appendOn(trx: Knex, build: Parameters<SecurityLogStore['append']>[0]): Promise<SecurityLogEntry> {
  if (isPostgres(trx)) await trx.raw('select pg_advisory_xact_lock(?)', [APPEND_LOCK]);
  // SQLite: write first (a statement that matches no row still takes the writer lock, waiting up
  // to the busy timeout), so reading the head never has to upgrade a read snapshot another
  // process's append has made stale (SQLITE_BUSY at once, in WAL mode).
  else await trx.raw('update security_log set seq = seq where 0 = 1');
  const head = await trx('security_log').orderBy('seq', 'desc').first<{ seq: number | string; hash: string } | undefined>('seq', 'hash');
  const { entry, dataText } = build(head ? { seq: Number(head.seq), hash: head.hash } : null);
  await trx('security_log').insert({
    seq: entry.seq,
    type: entry.type,
    subject_id: entry.subject,
    actor_id: entry.actor.id,
    actor_name: entry.actor.name,
    actor_role: entry.actor.role,
    data: dataText,
    recorded_at: entry.recordedAt,
    prev_hash: entry.prevHash,
    hash: entry.hash,
  });
  return entry;
}

/** The {@link SecurityLogStore} on one connection or transaction: reads on `db`, writes on `writer`. */
export function createKnexSecurityLogStore(db: Knex, writer: Knex = db, inTransaction = false): SecurityLogStore {
  return {
    append: (build) => (inTransaction ? appendOn(writer, build) : writer.transaction((trx) => appendOn(trx, build))),
    async page(filters, afterSeq, limit) {
      const q = db('security_log').orderBy('seq').limit(limit);
      if (afterSeq !== null) q.where('seq', '>', afterSeq);
      if (filters.type) q.where('type', filters.type);
      const user = filters.user;
      if (user) {
        q.where((w) => {
          void w.where('subject_id', user).orWhere('actor_id', user);
        });
      }
      return (await q.select<Row[]>('*')).map(toEntry);
    },
    async rawPage(afterSeq, limit) {
      const q = db('security_log').orderBy('seq').limit(limit);
      if (afterSeq !== null) q.where('seq', '>', afterSeq);
      const rows = await q.select<Row[]>('*');
      return rows.map((r) => {
        let entry: SecurityLogEntry;
        try {
          entry = toEntry(r);
        } catch {
          // Unreadable data: verification reports it as a break.
          entry = { ...toEntry({ ...r, data: '{}' }) };
        }
        return { ...entry, dataText: r.data };
      });
    },
  };
}
