/**
 * Submissions, their append-only history (`transitions`) and their documents. Raw rows become
 * domain objects here and nowhere else.
 */
import type { Knex } from 'knex';
import { canonicalJson } from '../canonical-json.js';
import type { Role } from '../../workflows/types.js';
import type { Organization } from './users-store.js';
import { isPostgres, rawRows } from './sql.js';

export interface Actor {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly organization: Organization | null;
}

export interface Deadline {
  readonly kind: string;
  readonly dueDate: string;
  readonly event: string;
}

/**
 * Due dates derived from the history at each write (migration 003), for portfolio queries and
 * the sweeper; what the API shows is recomputed from the history on every read.
 */
export interface DueDates {
  /** The next date the submission faces (deadline or running goal), `9999-12-31` for none. */
  readonly nextKey: string;
  readonly nextKind: string | null;
  /** The earliest due date of a running, open goal. */
  readonly goalDate: string | null;
  /** Some goal was missed. */
  readonly goalMissed: boolean;
}

export const NO_DUE_DATES: DueDates = { nextKey: '9999-12-31', nextKind: null, goalDate: null, goalMissed: false };

export interface Submission {
  readonly id: string;
  readonly organization: Organization;
  readonly workflowId: string;
  readonly workflowVersion: number;
  readonly jurisdiction: string;
  readonly title: string;
  readonly device: Record<string, unknown>;
  readonly input: Record<string, unknown>;
  readonly state: string;
  readonly status: 'active' | 'closed';
  readonly snapshot: { value: unknown; context: unknown };
  readonly xstateVersion: string;
  readonly version: number;
  readonly referenceSubmissionId: string | null;
  readonly dossierPresent: readonly string[];
  readonly headSeq: number;
  readonly headHash: string;
  readonly lastEffectiveAt: string | null;
  readonly stateSince: string;
  readonly deadline: Deadline | null;
  readonly due: DueDates;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A history record exactly as hashed and served (DESIGN §5). */
export interface Transition {
  readonly id: string;
  readonly submissionId: string;
  readonly seq: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly from: string | null;
  readonly to: string;
  readonly actor: Actor;
  readonly comment: string | null;
  readonly effectiveAt: string;
  readonly recordedAt: string;
  readonly signature: Record<string, unknown> | null;
  readonly workflow: { readonly id: string; readonly version: number; readonly definitionHash: string };
  readonly prevHash: string;
  readonly hash: string;
}

export interface Document {
  readonly id: string;
  readonly submissionId: string;
  readonly kind: string;
  readonly filename: string;
  readonly contentType: string;
  readonly sha256: string;
  readonly size: number;
  readonly uploadedBy: string;
  readonly createdAt: string;
}

interface SubmissionRow {
  id: string;
  organization_id: string;
  organization_name: string;
  workflow_id: string;
  workflow_version: number;
  jurisdiction: string;
  title: string;
  device: string;
  input: string;
  state: string;
  status: string;
  snapshot: string;
  xstate_version: string;
  version: number;
  reference_submission_id: string | null;
  dossier_present: string;
  head_seq: number;
  head_hash: string;
  last_effective_at: string | null;
  state_since: string;
  deadline_kind: string | null;
  deadline_due_date: string | null;
  deadline_event: string | null;
  next_due_key: string;
  next_due_kind: string | null;
  goal_due_date: string | null;
  goal_missed: boolean | number;
  created_at: string;
  updated_at: string;
}

function toSubmission(row: SubmissionRow): Submission {
  return {
    id: row.id,
    organization: { id: row.organization_id, name: row.organization_name },
    workflowId: row.workflow_id,
    workflowVersion: Number(row.workflow_version),
    jurisdiction: row.jurisdiction,
    title: row.title,
    device: JSON.parse(row.device) as Submission['device'],
    input: JSON.parse(row.input) as Submission['input'],
    state: row.state,
    status: row.status as Submission['status'],
    snapshot: JSON.parse(row.snapshot) as Submission['snapshot'],
    xstateVersion: row.xstate_version,
    version: Number(row.version),
    referenceSubmissionId: row.reference_submission_id,
    dossierPresent: JSON.parse(row.dossier_present) as Submission['dossierPresent'],
    headSeq: Number(row.head_seq),
    headHash: row.head_hash,
    lastEffectiveAt: row.last_effective_at,
    stateSince: row.state_since,
    deadline: row.deadline_kind
      ? { kind: row.deadline_kind, dueDate: row.deadline_due_date!, event: row.deadline_event! }
      : null,
    due: { nextKey: row.next_due_key, nextKind: row.next_due_kind, goalDate: row.goal_due_date, goalMissed: Boolean(row.goal_missed) },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Columns a submission write may change; identity columns never change. */
export interface SubmissionChange {
  readonly state: string;
  readonly status: Submission['status'];
  readonly snapshot: Submission['snapshot'];
  readonly version: number;
  readonly dossierPresent: readonly string[];
  readonly headSeq: number;
  readonly headHash: string;
  readonly lastEffectiveAt: string | null;
  readonly stateSince: string;
  readonly deadline: Deadline | null;
  readonly due: DueDates;
  readonly updatedAt: string;
}

function changeColumns(c: SubmissionChange) {
  return {
    state: c.state,
    status: c.status,
    snapshot: JSON.stringify(c.snapshot),
    version: c.version,
    dossier_present: JSON.stringify(c.dossierPresent),
    head_seq: c.headSeq,
    head_hash: c.headHash,
    last_effective_at: c.lastEffectiveAt,
    state_since: c.stateSince,
    deadline_kind: c.deadline?.kind ?? null,
    deadline_due_date: c.deadline?.dueDate ?? null,
    deadline_event: c.deadline?.event ?? null,
    next_due_key: c.due.nextKey,
    next_due_kind: c.due.nextKind,
    goal_due_date: c.due.goalDate,
    goal_missed: c.due.goalMissed,
    updated_at: c.updatedAt,
  };
}

export function submissionsQuery(db: Knex) {
  return db('submissions as s').join('organizations as o', 'o.id', 's.organization_id').select('s.*', 'o.name as organization_name');
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

/** What the clocks read of a history row (src/engine/clocks.ts). */
export interface ClockEventRow {
  readonly type: string;
  readonly to: string;
  readonly effectiveAt: string;
  /** For a goal note (`GOAL_MISSED`, `MMD_DUE`): the goal it records. */
  readonly goal?: string;
}

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

/**
 * Active submissions whose hard deadline (`column` = `deadline_due_date`) or earliest running goal
 * (`goal_due_date`) falls on or before `date`, earliest first (the sweeper's candidates).
 */
export async function dueCandidates(db: Knex, column: 'deadline_due_date' | 'goal_due_date', date: string, limit: number): Promise<string[]> {
  const rows = (await db('submissions').select('id').where('status', 'active').whereNotNull(column).where(column, '<=', date).orderBy(column).orderBy('id').limit(limit)) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

const FIND_SUBMISSION_SQL =
  'select s.*, o.name as organization_name from submissions s inner join organizations o on o.id = s.organization_id where s.id = ?';

/**
 * One submission. With `forUpdate` (PostgreSQL) the row stays locked until the command's
 * transaction ends, so commands on one submission queue instead of racing; SQLite needs no lock
 * (one writer, one connection).
 */
export async function findSubmission(db: Knex, id: string, opts: { forUpdate?: boolean; skipLocked?: boolean } = {}): Promise<Submission | undefined> {
  // skipLocked (PostgreSQL): a row another transaction holds reads as absent (the sweeper's race).
  const lock = opts.forUpdate && isPostgres(db) ? (opts.skipLocked ? ' for update of s skip locked' : ' for update of s') : '';
  const [row] = await rawRows<SubmissionRow>(db, FIND_SUBMISSION_SQL + lock, [id]);
  return row ? toSubmission(row) : undefined;
}

export async function listSubmissionRows(query: Knex.QueryBuilder): Promise<Submission[]> {
  return ((await query) as SubmissionRow[]).map(toSubmission);
}

/** The full row of a new submission. */
export function submissionRow(s: Submission) {
  return {
    id: s.id,
    organization_id: s.organization.id,
    workflow_id: s.workflowId,
    workflow_version: s.workflowVersion,
    jurisdiction: s.jurisdiction,
    title: s.title,
    device_name: String((s.device.name as string | undefined) ?? ''),
    device: JSON.stringify(s.device),
    input: JSON.stringify(s.input),
    xstate_version: s.xstateVersion,
    reference_submission_id: s.referenceSubmissionId,
    created_at: s.createdAt,
    ...changeColumns(s),
  };
}

export async function insertSubmission(db: Knex, s: Submission): Promise<void> {
  await db('submissions').insert(submissionRow(s));
}

/**
 * Writes a new state guarded in SQL by the version the command read. Returns false when another
 * command got there first (0 rows): the caller retries on fresh state or answers 412.
 */
const CHANGE_COLUMNS = Object.keys(changeColumns({
  state: '', status: 'active', snapshot: { value: null, context: null }, version: 0, dossierPresent: [], headSeq: 0, headHash: '', lastEffectiveAt: null, stateSince: '', deadline: null, due: NO_DUE_DATES, updatedAt: '',
}));
const UPDATE_SUBMISSION_SQL = `update submissions set ${CHANGE_COLUMNS.map((c) => `${c} = ?`).join(', ')} where id = ? and version = ? returning id`;

export async function updateSubmission(db: Knex, id: string, expectedVersion: number, change: SubmissionChange): Promise<boolean> {
  const values = changeColumns(change) as Record<string, Knex.RawBinding>;
  const rows = await rawRows(db, UPDATE_SUBMISSION_SQL, [...CHANGE_COLUMNS.map((c) => values[c]!), id, expectedVersion]);
  return rows.length === 1;
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

/**
 * Moves a submission to another version of its workflow (`puente workflow migrate`), guarded by
 * the version the command read, like every write.
 */
export async function moveSubmissionToVersion(db: Knex, id: string, expectedVersion: number, workflowVersion: number, change: SubmissionChange): Promise<boolean> {
  const count = await db('submissions').where({ id, version: expectedVersion }).update({ workflow_version: workflowVersion, ...changeColumns(change) });
  return count === 1;
}

/** Ids of the active submissions on one workflow version, in id order. */
export async function activeSubmissionIdsOn(db: Knex, workflowId: string, workflowVersion: number): Promise<string[]> {
  const rows = await db('submissions').where({ workflow_id: workflowId, workflow_version: workflowVersion, status: 'active' }).orderBy('id').select<{ id: string }[]>('id');
  return rows.map((r) => r.id);
}

/** An active submission that may prioritize others (a Breakthrough designation), as read for views. */
export interface Designation {
  readonly organizationId: string;
  readonly workflowId: string;
  readonly workflowVersion: number;
  readonly state: string;
  readonly context: unknown;
}

/** Active submissions of `workflowIds` in `organizationIds` (index submissions_workflow_org_status_index). */
export async function activeDesignations(db: Knex, workflowIds: readonly string[], organizationIds: readonly string[]): Promise<Designation[]> {
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
  const sql = `select organization_id, workflow_id, workflow_version, state, snapshot from submissions where workflow_id in (${marks(workflowIds.length)}) and organization_id in (${marks(organizationIds.length)}) and status = 'active'`;
  const rows = await rawRows<{ organization_id: string; workflow_id: string; workflow_version: number; state: string; snapshot: string }>(db, sql, [...workflowIds, ...organizationIds]);
  return rows.map((r) => ({ organizationId: r.organization_id, workflowId: r.workflow_id, workflowVersion: Number(r.workflow_version), state: r.state, context: (JSON.parse(r.snapshot) as { context: unknown }).context }));
}

export async function relyingSubmissionIds(db: Knex, referenceId: string): Promise<string[]> {
  const rows = await db('submissions').where({ reference_submission_id: referenceId, status: 'active' }).orderBy('id').select<{ id: string }[]>('id');
  return rows.map((r) => r.id);
}

export async function isRelyingTarget(db: Knex, referenceId: string, jurisdiction: string): Promise<boolean> {
  const row: unknown = await db('submissions').where({ reference_submission_id: referenceId, jurisdiction }).first('id');
  return row !== undefined;
}

export interface TransitionRow {
  id: string;
  submission_id: string;
  seq: number;
  type: string;
  data: string;
  from_state: string | null;
  to_state: string;
  actor_id: string;
  actor_name: string;
  actor_role: string;
  actor_organization: string | null;
  comment: string | null;
  effective_at: string;
  recorded_at: string;
  signature: string | null;
  workflow_id: string;
  workflow_version: number;
  definition_hash: string;
  prev_hash: string;
  hash: string;
}

function toTransition(row: TransitionRow): Transition {
  return {
    id: row.id,
    submissionId: row.submission_id,
    seq: Number(row.seq),
    type: row.type,
    data: JSON.parse(row.data) as Transition['data'],
    from: row.from_state,
    to: row.to_state,
    actor: {
      id: row.actor_id,
      name: row.actor_name,
      role: row.actor_role as Role,
      organization: row.actor_organization ? (JSON.parse(row.actor_organization) as Transition['actor']['organization']) : null,
    },
    comment: row.comment,
    effectiveAt: row.effective_at,
    recordedAt: row.recorded_at,
    signature: row.signature ? (JSON.parse(row.signature) as Transition['signature']) : null,
    workflow: { id: row.workflow_id, version: Number(row.workflow_version), definitionHash: row.definition_hash },
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The row of a history record. */
export function transitionRow(t: Transition) {
  return {
    id: t.id,
    submission_id: t.submissionId,
    seq: t.seq,
    type: t.type,
    // JSON columns hold RFC 8785 canonical text, so a row's canonical form can be spliced
    // together without parsing (see rowCanonicalJson).
    data: canonicalJson(t.data),
    from_state: t.from,
    to_state: t.to,
    actor_id: t.actor.id,
    actor_name: t.actor.name,
    actor_role: t.actor.role,
    actor_organization: t.actor.organization ? canonicalJson(t.actor.organization) : null,
    comment: t.comment,
    effective_at: t.effectiveAt,
    recorded_at: t.recordedAt,
    signature: t.signature ? canonicalJson(t.signature) : null,
    workflow_id: t.workflow.id,
    workflow_version: t.workflow.version,
    definition_hash: t.workflow.definitionHash,
    prev_hash: t.prevHash,
    hash: t.hash,
  };
}

export async function insertTransition(db: Knex, t: Transition): Promise<void> {
  const row = transitionRow(t) as Record<string, Knex.RawBinding>;
  await db.raw(INSERT_TRANSITION_SQL, TRANSITION_COLUMNS.map((c) => row[c]!));
}

const TRANSITION_COLUMNS = [
  'id', 'submission_id', 'seq', 'type', 'data', 'from_state', 'to_state', 'actor_id', 'actor_name', 'actor_role',
  'actor_organization', 'comment', 'effective_at', 'recorded_at', 'signature', 'workflow_id', 'workflow_version',
  'definition_hash', 'prev_hash', 'hash',
] as const;

const INSERT_TRANSITION_SQL = `insert into transitions (${TRANSITION_COLUMNS.join(', ')}) values (${TRANSITION_COLUMNS.map(() => '?').join(', ')})`;

/**
 * History rows come back packed as one JSON array per row: the sqlite3 driver pays per value it
 * hands to JavaScript, and a whole-history read (audit verify, GET .../history) is 4x faster this way.
 */
function packedColumns(db: Knex): Knex.Raw {
  const fn = isPostgres(db) ? 'json_build_array' : 'json_array';
  return db.raw(`${fn}(${TRANSITION_COLUMNS.join(', ')}) as r`);
}

function unpack(packed: { r: string | unknown[] }): TransitionRow {
  const values = typeof packed.r === 'string' ? (JSON.parse(packed.r) as unknown[]) : packed.r;
  const row: Record<string, unknown> = {};
  TRANSITION_COLUMNS.forEach((c, i) => (row[c] = values[i]));
  return row as unknown as TransitionRow;
}

export async function listTransitions(db: Knex, submissionId: string): Promise<Transition[]> {
  const rows = await db('transitions').where({ submission_id: submissionId }).orderBy('seq').select(packedColumns(db));
  return (rows as { r: string }[]).map((p) => toTransition(unpack(p)));
}

/**
 * Streams every submission's history in (submission, seq) order, for whole-database checks. The
 * next page is fetched while the caller works through the current one.
 */
/**
 * The RFC 8785 canonical JSON of a history row's record without its `hash` (what the chain
 * hashes), spliced from the row's columns: the JSON columns already hold canonical text
 * (transitionRow), so nothing is parsed. It equals canonicalJson of toTransition(row) without
 * `hash` whenever the stored JSON text is canonical; a row whose text is not (edited by hand,
 * say) gives a different string, and callers then fall back to the parsed form (recordOf).
 * Keys are in code-unit order: actor, comment, data, effectiveAt, from, id, prevHash,
 * recordedAt, seq, signature, submissionId, to, type, workflow.
 */
export function rowCanonicalJson(row: TransitionRow): string {
  const s = JSON.stringify;
  return (
    `{"actor":{"id":${s(row.actor_id)},"name":${s(row.actor_name)},"organization":${row.actor_organization ?? 'null'},"role":${s(row.actor_role)}}` +
    `,"comment":${row.comment === null ? 'null' : s(row.comment)},"data":${row.data},"effectiveAt":${s(row.effective_at)}` +
    `,"from":${row.from_state === null ? 'null' : s(row.from_state)},"id":${s(row.id)},"prevHash":${s(row.prev_hash)}` +
    `,"recordedAt":${s(row.recorded_at)},"seq":${Number(row.seq)},"signature":${row.signature ?? 'null'}` +
    `,"submissionId":${s(row.submission_id)},"to":${s(row.to_state)},"type":${s(row.type)}` +
    `,"workflow":{"definitionHash":${s(row.definition_hash)},"id":${s(row.workflow_id)},"version":${Number(row.workflow_version)}}}`
  );
}

/** The record a history row holds (parsed), as the API returns it. */
export const recordOf = (row: TransitionRow): Transition => toTransition(row);

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
 *   5 data, 6 actor organization ("" when null), 7 signature ("" when null): the stored texts;
 *   8 the record's canonical JSON as the database spells it (the layout of rowCanonicalJson, with
 *     the database's own string quoting; where that differs from ECMAScript's, the hash does not
 *     match and the checker falls back to the parsed row).
 */
function chainLinkSql(db: Knex): string {
  const pg = isPostgres(db);
  const q = (c: string) => (pg ? `coalesce(to_json(${c})::text, 'null')` : `json_quote(${c})`);
  // PostgreSQL: a cast to json validates the text and keeps it byte for byte (an invalid value
  // fails the query, and the checker then takes the row-by-row path).
  const raw = (c: string, nullable: boolean) => (pg ? (nullable ? `coalesce(${c}::json::text, 'null')` : `${c}::json::text`) : nullable ? `coalesce(${c}, 'null')` : c);
  const text = (c: string) => (pg ? `coalesce(${c}::json::text, '')` : `coalesce(${c}, '')`);
  const valid = pg ? `'1'` : `(CASE WHEN json_valid(data) AND (actor_organization IS NULL OR json_valid(actor_organization)) AND (signature IS NULL OR json_valid(signature)) THEN '1' ELSE '0' END)`;
  const sep = pg ? 'chr(31)' : 'char(31)';
  return [
    `${q('submission_id')} || ${sep} || seq || ${sep} || ${q('prev_hash')} || ${sep} || ${q('hash')} || ${sep} || ${valid} || ${sep}`,
    `${text('data')} || ${sep} || ${text('actor_organization')} || ${sep} || ${text('signature')} || ${sep}`,
    `'{"actor":{"id":' || ${q('actor_id')} || ',"name":' || ${q('actor_name')} || ',"organization":' || ${raw('actor_organization', true)} || ',"role":' || ${q('actor_role')}`,
    `'},"comment":' || ${q('comment')} || ',"data":' || ${raw('data', false)} || ',"effectiveAt":' || ${q('effective_at')}`,
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
    const q = db('transitions').select(db.raw(`${expr} as l`)).orderBy([{ column: 'submission_id' }, { column: 'seq' }]).limit(pageSize);
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
  const total = Number(((await db('submissions').count<{ n: number | string }[]>({ n: '*' }))[0]?.n) ?? 0);
  const out: string[] = [];
  for (let i = 1; i < parts && total > 0; i++) {
    const row = await db('submissions').orderBy('id').offset(Math.floor((total * i) / parts)).first<{ id: string } | undefined>('id');
    if (row && out[out.length - 1] !== row.id) out.push(row.id);
  }
  return out;
}

interface DocumentRow {
  id: string;
  submission_id: string;
  kind: string;
  filename: string;
  content_type: string;
  sha256: string;
  size: number | string;
  uploaded_by: string;
  created_at: string;
}

function toDocument(row: DocumentRow): Document {
  return {
    id: row.id,
    submissionId: row.submission_id,
    kind: row.kind,
    filename: row.filename,
    contentType: row.content_type,
    sha256: row.sha256,
    size: Number(row.size),
    uploadedBy: row.uploaded_by,
    createdAt: row.created_at,
  };
}

/** Stores bytes under their SHA-256 once; the same content uploaded twice shares one blob. */
export async function putBlob(db: Knex, sha256: string, bytes: Buffer): Promise<void> {
  await db('blobs').insert({ sha256, size: bytes.length, bytes }).onConflict('sha256').ignore();
}

export async function getBlob(db: Knex, sha256: string): Promise<Buffer | undefined> {
  const row = await db('blobs').where({ sha256 }).first<{ bytes: Buffer } | undefined>('bytes');
  return row ? Buffer.from(row.bytes) : undefined;
}

export async function insertDocument(db: Knex, d: Document): Promise<void> {
  await db('documents').insert({
    id: d.id,
    submission_id: d.submissionId,
    kind: d.kind,
    filename: d.filename,
    content_type: d.contentType,
    sha256: d.sha256,
    size: d.size,
    uploaded_by: d.uploadedBy,
    created_at: d.createdAt,
  });
}

export async function listDocuments(db: Knex, submissionId: string): Promise<Document[]> {
  const rows = await db('documents').where({ submission_id: submissionId }).orderBy('id').select<DocumentRow[]>('*');
  return rows.map(toDocument);
}

export async function findDocument(db: Knex, submissionId: string, id: string): Promise<Document | undefined> {
  const row = await db('documents').where({ submission_id: submissionId, id }).first<DocumentRow | undefined>('*');
  return row ? toDocument(row) : undefined;
}
