/**
 * Submissions, their append-only history (`transitions`) and their documents. Raw rows become
 * domain objects here and nowhere else.
 */
import type { Knex } from 'knex';
import type { Role } from '../../workflows/types.js';
import type { Organization } from './users-store.js';

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
    device: JSON.parse(row.device),
    input: JSON.parse(row.input),
    state: row.state,
    status: row.status as Submission['status'],
    snapshot: JSON.parse(row.snapshot),
    xstateVersion: row.xstate_version,
    version: Number(row.version),
    referenceSubmissionId: row.reference_submission_id,
    dossierPresent: JSON.parse(row.dossier_present),
    headSeq: Number(row.head_seq),
    headHash: row.head_hash,
    lastEffectiveAt: row.last_effective_at,
    stateSince: row.state_since,
    deadline: row.deadline_kind
      ? { kind: row.deadline_kind, dueDate: row.deadline_due_date!, event: row.deadline_event! }
      : null,
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
    updated_at: c.updatedAt,
  };
}

export function submissionsQuery(db: Knex) {
  return db('submissions as s').join('organizations as o', 'o.id', 's.organization_id').select('s.*', 'o.name as organization_name');
}

/**
 * One submission. With `forUpdate` (PostgreSQL) the row stays locked until the command's
 * transaction ends, so commands on one submission queue instead of racing; SQLite needs no lock
 * (one writer, one connection).
 */
export async function findSubmission(db: Knex, id: string, opts: { forUpdate?: boolean } = {}): Promise<Submission | undefined> {
  const q = submissionsQuery(db).where('s.id', id);
  if (opts.forUpdate && db.client.config.client === 'pg') q.forUpdate('s');
  const row = await q.first<SubmissionRow | undefined>();
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
    device_name: String(s.device.name ?? ''),
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
export async function updateSubmission(db: Knex, id: string, expectedVersion: number, change: SubmissionChange): Promise<boolean> {
  const count = await db('submissions').where({ id, version: expectedVersion }).update(changeColumns(change));
  return count === 1;
}

export async function relyingSubmissionIds(db: Knex, referenceId: string): Promise<string[]> {
  const rows = await db('submissions').where({ reference_submission_id: referenceId, status: 'active' }).orderBy('id').select<{ id: string }[]>('id');
  return rows.map((r) => r.id);
}

export async function isRelyingTarget(db: Knex, referenceId: string, jurisdiction: string): Promise<boolean> {
  const row = await db('submissions').where({ reference_submission_id: referenceId, jurisdiction }).first('id');
  return row !== undefined;
}

interface TransitionRow {
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
    data: JSON.parse(row.data),
    from: row.from_state,
    to: row.to_state,
    actor: {
      id: row.actor_id,
      name: row.actor_name,
      role: row.actor_role as Role,
      organization: row.actor_organization ? JSON.parse(row.actor_organization) : null,
    },
    comment: row.comment,
    effectiveAt: row.effective_at,
    recordedAt: row.recorded_at,
    signature: row.signature ? JSON.parse(row.signature) : null,
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
    data: JSON.stringify(t.data),
    from_state: t.from,
    to_state: t.to,
    actor_id: t.actor.id,
    actor_name: t.actor.name,
    actor_role: t.actor.role,
    actor_organization: t.actor.organization ? JSON.stringify(t.actor.organization) : null,
    comment: t.comment,
    effective_at: t.effectiveAt,
    recorded_at: t.recordedAt,
    signature: t.signature ? JSON.stringify(t.signature) : null,
    workflow_id: t.workflow.id,
    workflow_version: t.workflow.version,
    definition_hash: t.workflow.definitionHash,
    prev_hash: t.prevHash,
    hash: t.hash,
  };
}

export async function insertTransition(db: Knex, t: Transition): Promise<void> {
  await db('transitions').insert(transitionRow(t));
}

const TRANSITION_COLUMNS = [
  'id', 'submission_id', 'seq', 'type', 'data', 'from_state', 'to_state', 'actor_id', 'actor_name', 'actor_role',
  'actor_organization', 'comment', 'effective_at', 'recorded_at', 'signature', 'workflow_id', 'workflow_version',
  'definition_hash', 'prev_hash', 'hash',
] as const;

/**
 * History rows come back packed as one JSON array per row: the sqlite3 driver pays per value it
 * hands to JavaScript, and a whole-history read (audit verify, GET .../history) is 4x faster this way.
 */
function packedColumns(db: Knex): Knex.Raw {
  const fn = db.client.config.client === 'pg' ? 'json_build_array' : 'json_array';
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
export async function* allTransitions(db: Knex, pageSize = 5000): AsyncGenerator<Transition> {
  const page = async (after: { submissionId: string; seq: number } | null): Promise<TransitionRow[]> => {
    const q = db('transitions').orderBy([{ column: 'submission_id' }, { column: 'seq' }]).limit(pageSize).select(packedColumns(db));
    if (after) {
      q.where((w) => w.where('submission_id', '>', after.submissionId).orWhere((x) => x.where('submission_id', after.submissionId).andWhere('seq', '>', after.seq)));
    }
    return ((await q) as { r: string }[]).map(unpack);
  };
  let pending: Promise<TransitionRow[]> | null = page(null);
  while (pending) {
    const rows: TransitionRow[] = await pending;
    const last = rows[rows.length - 1];
    pending = rows.length === pageSize && last ? page({ submissionId: last.submission_id, seq: Number(last.seq) }) : null;
    for (const row of rows) yield toTransition(row);
  }
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
