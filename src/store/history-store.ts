/**
 * The append-only history (`transitions`): hash-chained records, the clock facts read from them,
 * the chain links and heads the verifier walks, and the one commit of an event (the guarded
 * submission update with its history record). {@link HistoryStore} is what the engine sees;
 * {@link createKnexHistoryStore} its Knex implementation.
 */
import type { Knex } from 'knex';
import {
  CHANGE_COLUMNS,
  INSERT_TRANSITION_SQL,
  TRANSITION_COLUMNS,
  changeColumns,
  packedColumns,
  toTransition,
  transitionRow,
  unpack,
  type TransitionRow,
} from './rows.js';
import { isPostgres, rawRows } from './sql.js';
import { updateSubmission } from './submission-store.js';
import type { ClockEventRow, SubmissionChange, Transition } from './types.js';

/** A range of submission ids, `from <= id < to` (null: unbounded). */
export interface SubmissionRange {
  readonly from: string | null;
  readonly to: string | null;
}

export interface HistoryStore {
  /** Appends one record (inside the command's transaction). */
  insert(t: Transition): Promise<void>;
  /**
   * Commits one event: the submission's new state guarded by `expectedVersion`, and its history
   * record, atomically. False (and nothing written) when the version check matched no row.
   */
  commitEvent(submissionId: string, expectedVersion: number, change: SubmissionChange, t: Transition): Promise<boolean>;
  /** One submission's records in seq order. */
  list(submissionId: string): Promise<Transition[]>;
  /** One submission's rows in seq order, as stored (for whole-database checks). */
  rowsOf(submissionId: string): Promise<TransitionRow[]>;
  /** The clock facts of some submissions' histories, in seq order. */
  clockEvents(ids: readonly string[]): Promise<Map<string, ClockEventRow[]>>;
  /** The chain links of a range of submissions, a page at a time (see chainLinks). */
  chainLinks(range: SubmissionRange, pageSize?: number): AsyncGenerator<string[]>;
  /** Every submission's head (seq and hash of its last record) in a range. */
  heads(range: SubmissionRange): Promise<Map<string, { seq: number; hash: string }>>;
  /** Submission ids that cut the table into `parts` ranges of about equal size. */
  splits(parts: number): Promise<string[]>;
}

export interface KnexHistoryStoreOptions {
  /**
   * Where `commitEvent` writes when the store is not bound to a transaction (the writer); absent,
   * `db` itself. Reads always go to `db`.
   */
  readonly writer?: Knex;
  /**
   * `db` is a transaction: `commitEvent` writes its two statements in it. Otherwise it opens its
   * own transaction, or on SQLite sends both as one script (writeGuardedSqlite).
   */
  readonly inTransaction?: boolean;
}

/** The {@link HistoryStore} on one Knex connection, pool or transaction. */
export function createKnexHistoryStore(db: Knex, opts: KnexHistoryStoreOptions = {}): HistoryStore {
  const writer = opts.writer ?? db;
  return {
    insert: (t) => insertTransition(writer, t),
    commitEvent: (id, expectedVersion, change, t) => {
      if (opts.inTransaction) return commitEventOn(writer, id, expectedVersion, change, t);
      // SQLite, outside a transaction: one script, one trip to the single writer connection.
      if (!isPostgres(writer)) return writeGuardedSqlite(writer, id, expectedVersion, change, t);
      return writer.transaction((trx) => commitEventOn(trx, id, expectedVersion, change, t));
    },
    list: (id) => listTransitions(db, id),
    rowsOf: (id) => transitionRowsOf(db, id),
    clockEvents: (ids) => clockEventsOf(db, ids),
    chainLinks: (range, pageSize) => chainLinks(db, range, pageSize),
    heads: (range) => submissionHeads(db, range),
    splits: (parts) => submissionSplits(db, parts),
  };
}

/**
 * The portable commit: the guarded update, then (when it matched) the history record, on `trx`.
 * With a transaction of its own nothing is written when the version check fails.
 */
export async function commitEventOn(trx: Knex, id: string, expectedVersion: number, change: SubmissionChange, t: Transition): Promise<boolean> {
  if (!(await updateSubmission(trx, id, expectedVersion, change))) return false;
  await insertTransition(trx, t);
  return true;
}

/**
 * One packed text per submission: its rows' type, target state and effective date, in `seq`
 * order (units separated by \x1f, rows by \x1e; none of the three can hold either). The driver
 * pays per value it hands over, so a page of 50 histories is 50 values instead of thousands.
 */
function clockHistorySql(pg: boolean, where: string): string {
  const us = pg ? 'chr(31)' : 'char(31)';
  const rs = pg ? 'chr(30)' : 'char(30)';
  const agg = pg ? 'string_agg' : 'group_concat';
  // A goal note names its goal (data.goal): the clocks show it recorded, the sweeper skips it.
  const goal = pg ? "(data::json->>'goal')" : "json_extract(data, '$.goal')";
  const noted = `coalesce(CASE WHEN type IN ('GOAL_MISSED', 'MMD_DUE') THEN ${goal} END, '')`;
  return `select submission_id, ${agg}(type || ${us} || to_state || ${us} || effective_at || ${us} || ${noted}, ${rs} order by seq) as h from transitions where ${where} group by submission_id`;
}
const CLOCK_ONE_SQL = { pg: clockHistorySql(true, 'submission_id = ?'), sqlite: clockHistorySql(false, 'submission_id = ?') };

function unpackClockHistory(packed: string): ClockEventRow[] {
  return packed.split('\x1e').map((row) => {
    const [type, to, effectiveAt, goal] = row.split('\x1f') as [string, string, string, string];
    return goal ? { type, to, effectiveAt, goal } : { type, to, effectiveAt };
  });
}

/**
 * The clock facts of some submissions' histories (type, target state, effective date), in `seq`
 * order: one fixed-text query for one submission (every GET and event), one for a page.
 */
export async function clockEventsOf(db: Knex, ids: readonly string[]): Promise<Map<string, ClockEventRow[]>> {
  const out = new Map<string, ClockEventRow[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const pg = isPostgres(db);
  const rows =
    ids.length === 1
      ? await rawRows<{ submission_id: string; h: string }>(db, pg ? CLOCK_ONE_SQL.pg : CLOCK_ONE_SQL.sqlite, [ids[0]!])
      : await rawRows<{ submission_id: string; h: string }>(db, clockHistorySql(pg, `submission_id in (${ids.map(() => '?').join(', ')})`), [...ids]);
  for (const r of rows) out.set(r.submission_id, unpackClockHistory(r.h));
  return out;
}

export async function insertTransition(db: Knex, t: Transition): Promise<void> {
  const row = transitionRow(t) as Record<string, Knex.RawBinding>;
  await db.raw(
    INSERT_TRANSITION_SQL,
    TRANSITION_COLUMNS.map((c) => row[c]!),
  );
}

export async function listTransitions(db: Knex, submissionId: string): Promise<Transition[]> {
  const rows = await db('transitions').where({ submission_id: submissionId }).orderBy('seq').select(packedColumns(db));
  return (rows as { r: string }[]).map((p) => toTransition(unpack(p)));
}

/** The history rows of one submission in seq order (raw columns, for whole-database checks). */
export async function transitionRowsOf(db: Knex, submissionId: string): Promise<TransitionRow[]> {
  const rows = await db('transitions').where({ submission_id: submissionId }).orderBy('seq').select(packedColumns(db));
  return (rows as { r: string }[]).map(unpack);
}

/** Separates the fields of a chain link (ASCII unit separator: JSON text never holds it raw). */
export const LINK_SEPARATOR = '\u001f';

/**
 * One history row as the database itself spells it for the hash check, in one string per row
 * (the sqlite3 driver pays per value it hands over), fields separated by LINK_SEPARATOR:
 *   0 submission id, 1 seq, 2 prevHash, 3 hash: each a JSON string or number, so a separator
 *     smuggled into a column arrives escaped and cannot shift the fields;
 *   4 "1" when the JSON columns are each valid JSON text (then none of them holds a raw separator);
 *   5 data, 6 actor organization ("" when null), 7 signature ("" when null), 8 facts ("" when
 *     null; migration 013): the stored texts;
 *   9 the record's canonical JSON as the database spells it (the layout of rowCanonicalJson, with
 *     the database's own string quoting; where that differs from ECMAScript's, the hash does not
 *     match and the checker falls back to the parsed row).
 */
function chainLinkSql(db: Knex): string {
  const pg = isPostgres(db);
  const q = (c: string) => (pg ? `coalesce(to_json(${c})::text, 'null')` : `json_quote(${c})`);
  // PostgreSQL: a cast to json validates the text and keeps it byte for byte (an invalid value
  // fails the query, and the checker then takes the row-by-row path).
  const raw = (c: string, nullable: boolean) =>
    pg ? (nullable ? `coalesce(${c}::json::text, 'null')` : `${c}::json::text`) : nullable ? `coalesce(${c}, 'null')` : c;
  const text = (c: string) => (pg ? `coalesce(${c}::json::text, '')` : `coalesce(${c}, '')`);
  const valid = pg
    ? `'1'`
    : `(CASE WHEN json_valid(data) AND (actor_organization IS NULL OR json_valid(actor_organization)) AND (signature IS NULL OR json_valid(signature)) AND (facts IS NULL OR json_valid(facts)) THEN '1' ELSE '0' END)`;
  const sep = pg ? 'chr(31)' : 'char(31)';
  return [
    `${q('submission_id')} || ${sep} || seq || ${sep} || ${q('prev_hash')} || ${sep} || ${q('hash')} || ${sep} || ${valid} || ${sep}`,
    `${text('data')} || ${sep} || ${text('actor_organization')} || ${sep} || ${text('signature')} || ${sep} || ${text('facts')} || ${sep}`,
    `'{"actor":{"id":' || ${q('actor_id')} || ',"name":' || ${q('actor_name')} || ',"organization":' || ${raw('actor_organization', true)} || ',"role":' || ${q('actor_role')}`,
    `'},"comment":' || ${q('comment')} || ',"data":' || ${raw('data', false)} || ',"effectiveAt":' || ${q('effective_at')}`,
    // A NULL facts column is no field (every record before migration 013, most after it).
    `(CASE WHEN facts IS NULL THEN '' ELSE ',"facts":' || ${raw('facts', false)} END)`,
    `',"from":' || ${q('from_state')} || ',"id":' || ${q('id')} || ',"prevHash":' || ${q('prev_hash')}`,
    `',"recordedAt":' || ${q('recorded_at')} || ',"seq":' || seq || ',"signature":' || ${raw('signature', true)}`,
    `',"submissionId":' || ${q('submission_id')} || ',"to":' || ${q('to_state')} || ',"type":' || ${q('type')}`,
    `',"workflow":{"definitionHash":' || ${q('definition_hash')} || ',"id":' || ${q('workflow_id')} || ',"version":' || workflow_version || '}}'`,
  ].join(' || ');
}

/**
 * Streams the chain links (chainLinkSql) of the submissions with `from <= id < to` in
 * (submission, seq) order, a page at a time; the next page is fetched while the caller works.
 */
export async function* chainLinks(db: Knex, range: { from: string | null; to: string | null }, pageSize = 2000): AsyncGenerator<string[]> {
  const expr = chainLinkSql(db);
  const page = async (after: [string, number] | null): Promise<string[]> => {
    const q = db('transitions')
      .select(db.raw(`${expr} as l`))
      .orderBy([{ column: 'submission_id' }, { column: 'seq' }])
      .limit(pageSize);
    if (after) q.whereRaw('(submission_id, seq) > (?, ?)', after);
    else if (range.from !== null) q.where('submission_id', '>=', range.from);
    if (range.to !== null) q.where('submission_id', '<', range.to);
    return ((await q) as { l: string }[]).map((r) => r.l);
  };
  let pending: Promise<string[]> | null = page(null);
  while (pending) {
    const links: string[] = await pending;
    const last = links[links.length - 1];
    if (links.length === pageSize && last !== undefined) {
      const [sid, seq] = last.split(LINK_SEPARATOR, 2);
      pending = page([JSON.parse(sid!) as string, Number(seq)]);
    } else pending = null;
    yield links;
  }
}

/** Every submission's head (seq and hash of its last record) with `from <= id < to`. */
export async function submissionHeads(db: Knex, range: { from: string | null; to: string | null }): Promise<Map<string, { seq: number; hash: string }>> {
  const q = db('submissions').select<{ id: string; head_seq: number; head_hash: string }[]>('id', 'head_seq', 'head_hash');
  if (range.from !== null) q.where('id', '>=', range.from);
  if (range.to !== null) q.where('id', '<', range.to);
  return new Map((await q).map((r) => [r.id, { seq: Number(r.head_seq), hash: r.head_hash }]));
}

/** Submission ids that cut the table into `parts` ranges of about equal size (ascending). */
export async function submissionSplits(db: Knex, parts: number): Promise<string[]> {
  const total = Number((await db('submissions').count<{ n: number | string }[]>({ n: '*' }))[0]?.n ?? 0);
  const out: string[] = [];
  for (let i = 1; i < parts && total > 0; i++) {
    const row = await db('submissions')
      .orderBy('id')
      .offset(Math.floor((total * i) / parts))
      .first<{ id: string } | undefined>('id');
    if (row && out[out.length - 1] !== row.id) out.push(row.id);
  }
  return out;
}

/**
 * An SQL literal that cannot break out of itself: strings travel as hex blob literals cast to
 * text (no quote, backslash or NUL can end them early), numbers only when they are integers.
 */
function sqliteLiteral(value: Knex.RawBinding): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError('only integers are written as SQL literals');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string') return `CAST(X'${Buffer.from(value, 'utf8').toString('hex')}' AS TEXT)`;
  throw new TypeError('unsupported SQL literal');
}

/** Raised inside the script when the version check matched no row (SQLite's integer overflow error). */
const RACE_SENTINEL = 'abs(-9223372036854775808)';

interface SqliteConnection {
  exec(sql: string, cb: (err: Error | null) => void): void;
}

/**
 * SQLite: the guarded update and the history insert of one command as ONE transaction sent in one
 * call to the single writer connection, so the writer is held for one trip through the driver
 * instead of four (BEGIN, UPDATE, INSERT, COMMIT each waiting for the event loop). Same SQL as
 * updateSubmission + insertTransition; values are literals from sqliteLiteral. Returns false (and
 * rolls back) when the version check matched no row.
 */
export async function writeGuardedSqlite(db: Knex, id: string, expectedVersion: number, change: SubmissionChange, t: Transition): Promise<boolean> {
  const values = changeColumns(change) as Record<string, Knex.RawBinding>;
  const row = transitionRow(t) as Record<string, Knex.RawBinding>;
  const script =
    'BEGIN IMMEDIATE;' +
    `UPDATE submissions SET ${CHANGE_COLUMNS.map((c) => `${c} = ${sqliteLiteral(values[c]!)}`).join(', ')} WHERE id = ${sqliteLiteral(id)} AND version = ${sqliteLiteral(expectedVersion)};` +
    `SELECT CASE WHEN changes() = 1 THEN 1 ELSE ${RACE_SENTINEL} END;` +
    `INSERT INTO transitions (${TRANSITION_COLUMNS.join(', ')}) VALUES (${TRANSITION_COLUMNS.map((c) => sqliteLiteral(row[c]!)).join(', ')});` +
    'COMMIT;';
  const client = db.client as { acquireConnection(): Promise<SqliteConnection>; releaseConnection(c: SqliteConnection): Promise<void> };
  const conn = await client.acquireConnection();
  const exec = (sql: string) => new Promise<void>((resolve, reject) => conn.exec(sql, (err) => (err ? reject(err) : resolve())));
  try {
    try {
      await exec(script);
      return true;
    } catch (e) {
      // The script stopped at its first error; whatever it began is undone before the connection goes back.
      await exec('ROLLBACK').catch(() => undefined);
      if (/integer overflow/.test((e as Error).message)) return false;
      throw e;
    }
  } finally {
    await client.releaseConnection(conn);
  }
}
