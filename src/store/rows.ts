/**
 * Row shapes of `submissions` and `transitions` and their mapping to and from the domain types
 * (store-internal: only the Knex stores import this module).
 */
import type { Knex } from 'knex';
import { canonicalJson } from '../canonical-json.js';
import type { Role } from '../../workflows/types.js';
import { isPostgres } from './sql.js';
import { NO_DUE_DATES, type Submission, type SubmissionChange, type Transition } from './types.js';

export interface SubmissionRow {
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
  /** Migration 012: set by the history trigger on the first filing record. */
  filed_at?: string | null;
  head_seq: number;
  head_hash: string;
  last_effective_at: string | null;
  state_since: string;
  deadline_kind: string | null;
  deadline_due_date: string | null;
  deadline_event: string | null;
  /** Migration 014: the calendar a Mexican business-day deadline was counted under. */
  deadline_calendar_version: string | null;
  deadline_calendar_sha256: string | null;
  /** Migration 016: the `DEADLINE_PASSED` record of a deadline left to a regulator's decision. */
  deadline_passed_seq: number | string | null;
  next_due_key: string;
  next_due_kind: string | null;
  goal_due_date: string | null;
  goal_missed: boolean | number;
  created_at: string;
  updated_at: string;
}

export function toSubmission(row: SubmissionRow): Submission {
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
    filedAt: row.filed_at ?? null,
    headSeq: Number(row.head_seq),
    headHash: row.head_hash,
    lastEffectiveAt: row.last_effective_at,
    stateSince: row.state_since,
    deadline: row.deadline_kind
      ? {
          kind: row.deadline_kind,
          dueDate: row.deadline_due_date!,
          event: row.deadline_event!,
          ...(row.deadline_calendar_version ? { calendar: { version: row.deadline_calendar_version, sha256: row.deadline_calendar_sha256! } } : {}),
          ...(row.deadline_passed_seq !== null && row.deadline_passed_seq !== undefined ? { passedSeq: Number(row.deadline_passed_seq) } : {}),
        }
      : null,
    due: { nextKey: row.next_due_key, nextKind: row.next_due_kind, goalDate: row.goal_due_date, goalMissed: Boolean(row.goal_missed) },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function changeColumns(c: SubmissionChange) {
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
    deadline_calendar_version: c.deadline?.calendar?.version ?? null,
    deadline_calendar_sha256: c.deadline?.calendar?.sha256 ?? null,
    deadline_passed_seq: c.deadline?.passedSeq ?? null,
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

/** Every column a submission write may change, in one fixed order (for fixed SQL text). */
export const CHANGE_COLUMNS = Object.keys(
  changeColumns({
    state: '',
    status: 'active',
    snapshot: { value: null, context: null },
    version: 0,
    dossierPresent: [],
    headSeq: 0,
    headHash: '',
    lastEffectiveAt: null,
    stateSince: '',
    deadline: null,
    due: NO_DUE_DATES,
    updatedAt: '',
  }),
);

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
    filed_at: s.filedAt ?? null,
    created_at: s.createdAt,
    ...changeColumns(s),
  };
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
  /** The facts a guard decided on, canonical JSON text (migration 013); null on most records. */
  facts: string | null;
  workflow_id: string;
  workflow_version: number;
  definition_hash: string;
  prev_hash: string;
  hash: string;
}

export function toTransition(row: TransitionRow): Transition {
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
    // A NULL column is no field at all: records without facts hash as they always did.
    ...(row.facts != null ? { facts: JSON.parse(row.facts) as NonNullable<Transition['facts']> } : {}),
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
    facts: t.facts ? canonicalJson(t.facts) : null,
    workflow_id: t.workflow.id,
    workflow_version: t.workflow.version,
    definition_hash: t.workflow.definitionHash,
    prev_hash: t.prevHash,
    hash: t.hash,
  };
}

export const TRANSITION_COLUMNS = [
  'id',
  'submission_id',
  'seq',
  'type',
  'data',
  'from_state',
  'to_state',
  'actor_id',
  'actor_name',
  'actor_role',
  'actor_organization',
  'comment',
  'effective_at',
  'recorded_at',
  'signature',
  'facts',
  'workflow_id',
  'workflow_version',
  'definition_hash',
  'prev_hash',
  'hash',
] as const satisfies ReadonlyArray<keyof TransitionRow>;
// Compile-time check that TRANSITION_COLUMNS names every field of TransitionRow.
const _allColumns: Exclude<keyof TransitionRow, (typeof TRANSITION_COLUMNS)[number]> extends never ? true : never = true;
void _allColumns;

export const INSERT_TRANSITION_SQL = `insert into transitions (${TRANSITION_COLUMNS.join(', ')}) values (${TRANSITION_COLUMNS.map(() => '?').join(', ')})`;

/**
 * History rows come back packed as one JSON array per row: the sqlite3 driver pays per value it
 * hands to JavaScript, and a whole-history read (audit verify, GET .../history) is 4x faster this way.
 */
export function packedColumns(db: Knex, alias?: string): Knex.Raw {
  const fn = isPostgres(db) ? 'json_build_array' : 'json_array';
  return db.raw(`${fn}(${TRANSITION_COLUMNS.map((c) => (alias ? `${alias}.${c}` : c)).join(', ')}) as r`);
}

export function unpack(packed: { r: string | unknown[] }): TransitionRow {
  const values = typeof packed.r === 'string' ? (JSON.parse(packed.r) as unknown[]) : packed.r;
  const row: Record<string, unknown> = {};
  TRANSITION_COLUMNS.forEach((c, i) => (row[c] = values[i]));
  return row as unknown as TransitionRow;
}

/**
 * The RFC 8785 canonical JSON of a history row's record without its `hash` (what the chain
 * hashes), spliced from the row's columns: the JSON columns already hold canonical text
 * (transitionRow), so nothing is parsed. It equals canonicalJson of toTransition(row) without
 * `hash` whenever the stored JSON text is canonical; a row whose text is not (edited by hand,
 * say) gives a different string, and callers then fall back to the parsed form (recordOf).
 * Keys are in code-unit order: actor, comment, data, effectiveAt, facts (only when the column is
 * not NULL), from, id, prevHash, recordedAt, seq, signature, submissionId, to, type, workflow.
 */
export function rowCanonicalJson(row: TransitionRow): string {
  const s = JSON.stringify;
  return (
    `{"actor":{"id":${s(row.actor_id)},"name":${s(row.actor_name)},"organization":${row.actor_organization ?? 'null'},"role":${s(row.actor_role)}}` +
    `,"comment":${row.comment === null ? 'null' : s(row.comment)},"data":${row.data},"effectiveAt":${s(row.effective_at)}` +
    (row.facts == null ? '' : `,"facts":${row.facts}`) +
    `,"from":${row.from_state === null ? 'null' : s(row.from_state)},"id":${s(row.id)},"prevHash":${s(row.prev_hash)}` +
    `,"recordedAt":${s(row.recorded_at)},"seq":${Number(row.seq)},"signature":${row.signature ?? 'null'}` +
    `,"submissionId":${s(row.submission_id)},"to":${s(row.to_state)},"type":${s(row.type)}` +
    `,"workflow":{"definitionHash":${s(row.definition_hash)},"id":${s(row.workflow_id)},"version":${Number(row.workflow_version)}}}`
  );
}

/** The record a history row holds (parsed), as the API returns it. */
export const recordOf = (row: TransitionRow): Transition => toTransition(row);
