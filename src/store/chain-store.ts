/**
 * What whole-database chain verification reads (src/engine/verify.ts): ranges of the history
 * read inside one read-only transaction each, so a command committing meanwhile cannot make a
 * chain look broken. {@link ChainStore} is what the verifier sees; {@link createKnexChainStore}
 * its Knex implementation.
 */
import type { Knex } from 'knex';
import { chainLinks, submissionHeads, submissionSplits, transitionRowsOf, type SubmissionRange } from './history-store.js';
import { isPostgres, rawRows } from './sql.js';
import type { TransitionRow } from './rows.js';
import type { Document } from './types.js';
import { FILING_RECORD_TYPES } from './migrations/012-filed-at.js';

export { LINK_SEPARATOR } from './history-store.js';
/** History record types that file a submission (migration 012: `filed_at` is the first one's recordedAt). */
export { FILING_RECORD_TYPES } from './migrations/012-filed-at.js';
export { recordOf, type TransitionRow } from './rows.js';

// ------------------------------------------------------------------ what the rows must agree with

/**
 * What one history record says about its submission's row (read from its hashed columns). Every
 * record has seq, type, from and to; the rest is read (`full`) only for the first record, the
 * head (seq = the row's head_seq), DOCUMENT_ADDED and filing records, and is empty otherwise.
 */
export interface RecordFacts {
  readonly seq: number;
  readonly type: string;
  readonly from: string | null;
  readonly to: string;
  readonly full: boolean;
  readonly workflowId: string;
  readonly workflowVersion: number;
  readonly actorId: string;
  readonly effectiveAt: string;
  readonly recordedAt: string;
  /** The stored data text of CREATED and DOCUMENT_ADDED records; null for the others. */
  readonly data: string | null;
  /** The stored actor organization text of the first record; null for the others. */
  readonly actorOrganization: string | null;
}

/** A submission row as stored (JSON columns as text), with the facts of its records in seq order. */
export interface MaterializedRow {
  readonly id: string;
  readonly organizationId: string;
  readonly workflowId: string;
  readonly workflowVersion: number;
  readonly jurisdiction: string;
  readonly title: string;
  readonly deviceName: string;
  readonly device: string;
  readonly input: string;
  readonly state: string;
  readonly status: string;
  readonly snapshot: string;
  readonly version: number;
  readonly referenceSubmissionId: string | null;
  readonly dossierPresent: string;
  readonly headSeq: number;
  readonly headHash: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** `filed_at` (migration 012); undefined when the database has no such column. */
  readonly filedAt?: string | null;
  readonly records: RecordFacts[];
}

/** A `documents` row and what `blobs` holds under its sha256 (sizes only; bytes via {@link ChainSnapshot.blobs}). */
export interface DocumentFacts extends Document {
  /** False when no blob is stored under the document's sha256. */
  readonly blobPresent: boolean;
  readonly blobSize: number | null;
  readonly blobLength: number | null;
}

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
  /** The submission rows of `range` in id order with their records' facts, a page at a time. */
  materialized(range: SubmissionRange, pageSize?: number): AsyncGenerator<MaterializedRow[]>;
  /** The documents of the submissions with `first <= id <= last`, in (submission, id) order. */
  documentsBetween(first: string, last: string): Promise<DocumentFacts[]>;
  /** Documents of `range` whose submission row does not exist. */
  orphanDocuments(range: SubmissionRange): Promise<DocumentFacts[]>;
  /** The stored bytes of some blobs, by sha256 (absent ones are left out). */
  blobs(sha256s: readonly string[]): Promise<Map<string, Buffer>>;
}

export interface ChainStore {
  /** Submission ids that cut the table into `parts` ranges of about equal size (ascending). */
  splits(parts: number): Promise<string[]>;
  /** Runs `work` in one read-only transaction (repeatable read on PostgreSQL): one consistent snapshot. */
  snapshot<T>(work: (s: ChainSnapshot) => Promise<T>): Promise<T>;
}

function snapshotOn(trx: Knex.Transaction, filedAt: boolean): ChainSnapshot {
  return {
    heads: (range) => submissionHeads(trx, range),
    links: (range) => chainLinks(trx, range),
    rowsOf: (id) => transitionRowsOf(trx, id),
    savepoint: (work) => trx.transaction((sp) => work(snapshotOn(sp, filedAt))),
    materialized: (range, pageSize) => materializedRows(trx, range, filedAt, pageSize),
    documentsBetween: (first, last) => documentsWhere(trx, 'd.submission_id >= ? and d.submission_id <= ?', [first, last]),
    orphanDocuments: (range) => orphanDocuments(trx, range),
    blobs: (sha256s) => blobBytes(trx, sha256s),
  };
}

/**
 * The record facts (RecordFacts) of the submission `s.id`, as one JSON array text or value: seq,
 * type, from and to of every record, the rest only for the records whose facts the row is checked
 * against (the first, the head, DOCUMENT_ADDED and filing records), which halves what is read.
 */
function recordFactsSql(pg: boolean): string {
  const data = `CASE WHEN t.type IN ('CREATED', 'DOCUMENT_ADDED') THEN t.data END`;
  const org = `CASE WHEN t.seq = 1 THEN t.actor_organization END`;
  const full = `t.seq, t.type, t.from_state, t.to_state, t.workflow_id, t.workflow_version, t.actor_id, t.effective_at, t.recorded_at, ${data}, ${org}`;
  const types = ['DOCUMENT_ADDED', ...FILING_RECORD_TYPES].map((t) => `'${t}'`).join(', ');
  const arr = pg ? 'json_build_array' : 'json_array';
  const fact = `CASE WHEN t.seq = 1 OR t.seq = s.head_seq OR t.type IN (${types}) THEN ${arr}(${full}) ELSE ${arr}(t.seq, t.type, t.from_state, t.to_state) END`;
  return pg
    ? `(select coalesce(json_agg(${fact} order by t.seq), '[]'::json) from transitions t where t.submission_id = s.id)`
    : `json((select json_group_array(${fact} order by t.seq) from transitions t where t.submission_id = s.id))`;
}

const SUBMISSION_COLUMNS = [
  'id',
  'organization_id',
  'workflow_id',
  'workflow_version',
  'jurisdiction',
  'title',
  'device_name',
  'device',
  'input',
  'state',
  'status',
  'snapshot',
  'version',
  'reference_submission_id',
  'dossier_present',
  'head_seq',
  'head_hash',
  'created_at',
  'updated_at',
] as const;

/** Each column's field in {@link MaterializedRow} (`head_seq` → `headSeq`), and whether it is read as a number (else as it is). */
const SUBMISSION_FIELDS = SUBMISSION_COLUMNS.map((c) => ({
  name: c.replace(/_([a-z])/g, (_, x: string) => x.toUpperCase()),
  numeric: c === 'workflow_version' || c === 'version' || c === 'head_seq',
}));

type Packed = string | unknown[];
const unpackArray = (r: Packed): unknown[] => (typeof r === 'string' ? (JSON.parse(r) as unknown[]) : r);

function toRecordFacts(v: unknown[]): RecordFacts {
  const full = v.length > 4;
  return {
    seq: Number(v[0]),
    type: v[1] as string,
    from: v[2] as string | null,
    to: v[3] as string,
    full,
    workflowId: full ? (v[4] as string) : '',
    workflowVersion: full ? Number(v[5]) : 0,
    actorId: full ? (v[6] as string) : '',
    effectiveAt: full ? (v[7] as string) : '',
    recordedAt: full ? (v[8] as string) : '',
    data: full ? (v[9] as string | null) : null,
    actorOrganization: full ? (v[10] as string | null) : null,
  };
}

/**
 * The submission rows of `range` in id order, each packed with its records' facts into one JSON
 * array (one value per submission: the sqlite3 driver pays per value), a page at a time.
 */
export async function* materializedRows(db: Knex, range: SubmissionRange, filedAt: boolean, pageSize = 500): AsyncGenerator<MaterializedRow[]> {
  const pg = isPostgres(db);
  const cols = [...SUBMISSION_COLUMNS.map((c) => `s.${c}`), ...(filedAt ? ['s.filed_at'] : []), recordFactsSql(pg)].join(', ');
  const packed = pg ? `json_build_array(${cols})::text` : `json_array(${cols})`;
  let after: string | null = null;
  for (;;) {
    const where: string[] = [];
    const bindings: string[] = [];
    if (after !== null) {
      where.push('s.id > ?');
      bindings.push(after);
    } else if (range.from !== null) {
      where.push('s.id >= ?');
      bindings.push(range.from);
    }
    if (range.to !== null) {
      where.push('s.id < ?');
      bindings.push(range.to);
    }
    const sql = `select ${packed} as r from submissions s${where.length ? ` where ${where.join(' and ')}` : ''} order by s.id limit ${Math.max(1, Math.floor(pageSize))}`;
    const rows = (await rawRows<{ r: Packed }>(db, sql, bindings)).map((p) => {
      const v = unpackArray(p.r);
      const n = SUBMISSION_COLUMNS.length;
      const records = ((v[filedAt ? n + 1 : n] as unknown[][] | null) ?? []).map(toRecordFacts);
      const fields = Object.fromEntries(SUBMISSION_FIELDS.map((f, i) => [f.name, f.numeric ? Number(v[i]) : v[i]]));
      return {
        ...(fields as Omit<MaterializedRow, 'filedAt' | 'records'>),
        ...(filedAt ? { filedAt: v[n] as string | null } : {}),
        records: records.sort((a, b) => a.seq - b.seq),
      } satisfies MaterializedRow;
    });
    if (rows.length) yield rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

function documentsSql(pg: boolean, where: string): string {
  const cols = `d.id, d.submission_id, d.kind, d.filename, d.content_type, d.sha256, d.size, d.uploaded_by, d.created_at, b.sha256 IS NOT NULL, b.size, ${pg ? 'octet_length(b.bytes)' : 'length(b.bytes)'}`;
  const packed = pg ? `json_build_array(${cols})::text` : `json_array(${cols})`;
  return `select ${packed} as r from documents d left join blobs b on b.sha256 = d.sha256 where ${where} order by d.submission_id, d.id`;
}

async function documentsWhere(db: Knex, where: string, bindings: readonly string[]): Promise<DocumentFacts[]> {
  const rows = await rawRows<{ r: Packed }>(db, documentsSql(isPostgres(db), where), [...bindings]);
  return rows.map((p) => {
    const v = unpackArray(p.r);
    return {
      id: v[0] as string,
      submissionId: v[1] as string,
      kind: v[2] as string,
      filename: v[3] as string,
      contentType: v[4] as string,
      sha256: v[5] as string,
      size: Number(v[6]),
      uploadedBy: v[7] as string,
      createdAt: v[8] as string,
      blobPresent: v[9] === true || v[9] === 1,
      blobSize: v[10] === null ? null : Number(v[10]),
      blobLength: v[11] === null ? null : Number(v[11]),
    };
  });
}

async function orphanDocuments(db: Knex, range: SubmissionRange): Promise<DocumentFacts[]> {
  const where = ['not exists (select 1 from submissions s where s.id = d.submission_id)'];
  const bindings: string[] = [];
  if (range.from !== null) {
    where.push('d.submission_id >= ?');
    bindings.push(range.from);
  }
  if (range.to !== null) {
    where.push('d.submission_id < ?');
    bindings.push(range.to);
  }
  return documentsWhere(db, where.join(' and '), bindings);
}

async function blobBytes(db: Knex, sha256s: readonly string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (sha256s.length === 0) return out;
  const rows = await db('blobs')
    .whereIn('sha256', [...sha256s])
    .select<{ sha256: string; bytes: Buffer | string }[]>('sha256', 'bytes');
  for (const r of rows) out.set(r.sha256, Buffer.isBuffer(r.bytes) ? r.bytes : Buffer.from(r.bytes));
  return out;
}

/**
 * The {@link ChainStore} on `knex`: a pool with several connections (the reader pool on SQLite)
 * lets snapshots run side by side; a single connection works too.
 */
export function createKnexChainStore(knex: Knex): ChainStore {
  const pg = isPostgres(knex);
  // `submissions.filed_at` (migration 012) is checked once it exists.
  let filedAt: Promise<boolean> | null = null;
  return {
    splits: (parts) => submissionSplits(knex, parts),
    snapshot: async (work) => {
      const hasFiledAt = await (filedAt ??= knex.schema.hasColumn('submissions', 'filed_at'));
      return knex.transaction((trx) => work(snapshotOn(trx, hasFiledAt)), pg ? { isolationLevel: 'repeatable read', readOnly: true } : undefined);
    },
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
