/**
 * Submissions (the `submissions` table): the current state of each dossier, written only through
 * a guard on the version the command read. {@link SubmissionStore} is what the engine sees;
 * {@link createKnexSubmissionStore} its Knex implementation.
 */
import type { Knex } from 'knex';
import { CHANGE_COLUMNS, changeColumns, submissionRow, toSubmission, type SubmissionRow } from './rows.js';
import { isPostgres, rawRows } from './sql.js';
import type { Submission, SubmissionChange } from './types.js';

/** Options of a read inside a command's transaction. */
export interface FindOptions {
  /** Lock the row until the transaction ends (PostgreSQL; SQLite has one writer and needs none). */
  readonly forUpdate?: boolean;
  /** With `forUpdate`: a row another transaction holds reads as absent (the sweeper's race). */
  readonly skipLocked?: boolean;
}

export interface SubmissionStore {
  /** One submission, or undefined. */
  find(id: string, opts?: FindOptions): Promise<Submission | undefined>;
  insert(s: Submission): Promise<void>;
  /**
   * Writes a new state guarded in SQL by the version the command read. False when another command
   * got there first (0 rows).
   */
  update(id: string, expectedVersion: number, change: SubmissionChange): Promise<boolean>;
  /** Moves a submission to another version of its workflow, guarded like every write. */
  moveToVersion(id: string, expectedVersion: number, workflowVersion: number, change: SubmissionChange): Promise<boolean>;
  /** Ids of the active submissions on one workflow version, in id order. */
  activeIdsOn(workflowId: string, workflowVersion: number): Promise<string[]>;
  /** The sweeper's candidates: active submissions with `column` on or before `date`, earliest first. */
  dueCandidates(column: 'deadline_due_date' | 'goal_due_date', date: string, limit: number): Promise<string[]>;
  /**
   * Active submissions with a deadline not stamped with the calendar `sha256` (another calendar,
   * or none recorded), in id order: what `puente calendar recompute` looks at (issue 9 §5).
   */
  calendarCandidates(sha256: string): Promise<string[]>;
  /** Active submissions relying on `referenceId`, in id order. */
  relyingIds(referenceId: string): Promise<string[]>;
  /** True when some submission of `jurisdiction` relies on `referenceId` (with `filed`: some filed one). */
  isRelyingTarget(referenceId: string, jurisdiction: string, opts?: { filed?: boolean }): Promise<boolean>;
}

/**
 * The {@link SubmissionStore} on one Knex connection, pool or transaction: reads on `db`, writes
 * on `writer` (the single writer beside a read pool; `db` itself when absent).
 */
export function createKnexSubmissionStore(db: Knex, writer: Knex = db): SubmissionStore {
  return {
    find: (id, opts) => findSubmission(db, id, opts),
    insert: (s) => insertSubmission(writer, s),
    update: (id, expectedVersion, change) => updateSubmission(writer, id, expectedVersion, change),
    moveToVersion: (id, expectedVersion, workflowVersion, change) => moveSubmissionToVersion(writer, id, expectedVersion, workflowVersion, change),
    activeIdsOn: (workflowId, workflowVersion) => activeSubmissionIdsOn(db, workflowId, workflowVersion),
    dueCandidates: (column, date, limit) => dueCandidates(db, column, date, limit),
    calendarCandidates: (sha256) => calendarCandidates(db, sha256),
    relyingIds: (referenceId) => relyingSubmissionIds(db, referenceId),
    isRelyingTarget: (referenceId, jurisdiction, opts) => isRelyingTarget(db, referenceId, jurisdiction, opts),
  };
}

/**
 * Active submissions whose hard deadline (`column` = `deadline_due_date`) or earliest running goal
 * (`goal_due_date`) falls on or before `date`, earliest first (the sweeper's candidates).
 */
export async function dueCandidates(db: Knex, column: 'deadline_due_date' | 'goal_due_date', date: string, limit: number): Promise<string[]> {
  const rows = (await db('submissions')
    .select('id')
    .where('status', 'active')
    .whereNotNull(column)
    .where(column, '<=', date)
    // A deadline left to a regulator's decision is a candidate until its passing is recorded.
    .modify((q) => void (column === 'deadline_due_date' && q.whereNull('deadline_passed_seq')))
    .orderBy(column)
    .orderBy('id')
    .limit(limit)) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

/**
 * The row, its organization's name, and the chain's word on its head in the same statement (two
 * index probes on `transitions (submission_id, seq)`): the record at `head_seq` and whether one
 * follows it.
 */
const FIND_SUBMISSION_SQL = `select s.*, o.name as organization_name, h.hash as chain_head_hash, h.to_state as chain_head_to,
  (select n.seq from transitions n where n.submission_id = s.id and n.seq = s.head_seq + 1) as chain_next_seq
  from submissions s inner join organizations o on o.id = s.organization_id
  left join transitions h on h.submission_id = s.id and h.seq = s.head_seq
  where s.id = ?`;

type FoundRow = SubmissionRow & { chain_head_hash: string | null; chain_head_to: string | null; chain_next_seq: number | null };

/**
 * One submission. With `forUpdate` (PostgreSQL) the row stays locked until the command's
 * transaction ends, so commands on one submission queue instead of racing; SQLite needs no lock
 * (one writer, one connection).
 */
export async function findSubmission(db: Knex, id: string, opts: { forUpdate?: boolean; skipLocked?: boolean } = {}): Promise<Submission | undefined> {
  // skipLocked (PostgreSQL): a row another transaction holds reads as absent (the sweeper's race).
  if (opts.forUpdate && isPostgres(db)) {
    // Lock the row first, then read it with its chain head in a statement of its own: under READ
    // COMMITTED that statement's snapshot sees what the transaction we waited for committed, the
    // row and its history alike. (Read in the locking statement itself, the row would be re-read
    // at its new version but the joined history at the old snapshot, and never agree.)
    const locked = await rawRows<{ id: string }>(db, `select id from submissions where id = ? for update${opts.skipLocked ? ' skip locked' : ''}`, [id]);
    if (locked.length === 0) return undefined;
  }
  const [row] = await rawRows<FoundRow>(db, FIND_SUBMISSION_SQL, [id]);
  if (!row) return undefined;
  return { ...toSubmission(row), chainHead: { hash: row.chain_head_hash, to: row.chain_head_to, behind: row.chain_next_seq !== null } };
}

export async function insertSubmission(db: Knex, s: Submission): Promise<void> {
  await db('submissions').insert(submissionRow(s));
}

const UPDATE_SUBMISSION_SQL = `update submissions set ${CHANGE_COLUMNS.map((c) => `${c} = ?`).join(', ')} where id = ? and version = ? returning id`;

/**
 * Writes a new state guarded in SQL by the version the command read. Returns false when another
 * command got there first (0 rows): the caller retries on fresh state or answers 412.
 */
export async function updateSubmission(db: Knex, id: string, expectedVersion: number, change: SubmissionChange): Promise<boolean> {
  const values = changeColumns(change) as Record<string, Knex.RawBinding>;
  const rows = await rawRows(db, UPDATE_SUBMISSION_SQL, [...CHANGE_COLUMNS.map((c) => values[c]!), id, expectedVersion]);
  return rows.length === 1;
}

/**
 * Moves a submission to another version of its workflow (`puente workflow migrate`), guarded by
 * the version the command read, like every write.
 */
export async function moveSubmissionToVersion(
  db: Knex,
  id: string,
  expectedVersion: number,
  workflowVersion: number,
  change: SubmissionChange,
): Promise<boolean> {
  const count = await db('submissions')
    .where({ id, version: expectedVersion })
    .update({ workflow_version: workflowVersion, ...changeColumns(change) });
  return count === 1;
}

/** Ids of the active submissions on one workflow version, in id order. */
export async function activeSubmissionIdsOn(db: Knex, workflowId: string, workflowVersion: number): Promise<string[]> {
  const rows = await db('submissions')
    .where({ workflow_id: workflowId, workflow_version: workflowVersion, status: 'active' })
    .orderBy('id')
    .select<{ id: string }[]>('id');
  return rows.map((r) => r.id);
}

/** See {@link SubmissionStore.calendarCandidates}. */
export async function calendarCandidates(db: Knex, sha256: string): Promise<string[]> {
  const rows = await db('submissions')
    .where('status', 'active')
    .whereNotNull('deadline_kind')
    .where((q) => {
      void q.whereNull('deadline_calendar_sha256').orWhereNot('deadline_calendar_sha256', sha256);
    })
    .orderBy('id')
    .select<{ id: string }[]>('id');
  return rows.map((r) => r.id);
}

/** The active submissions relying on `referenceId`, in id order (on the (reference, status, id) index of migration 020). */
export function relyingSubmissionsQuery(db: Knex, referenceId: string) {
  return db('submissions').where({ reference_submission_id: referenceId, status: 'active' }).orderBy('id').select<{ id: string }[]>('id');
}

export async function relyingSubmissionIds(db: Knex, referenceId: string): Promise<string[]> {
  return (await relyingSubmissionsQuery(db, referenceId)).map((r) => r.id);
}

export async function isRelyingTarget(db: Knex, referenceId: string, jurisdiction: string, opts: { filed?: boolean } = {}): Promise<boolean> {
  let q = db('submissions').where({ reference_submission_id: referenceId, jurisdiction });
  if (opts.filed) q = q.whereNotNull('filed_at');
  const row: unknown = await q.first('id');
  return row !== undefined;
}
