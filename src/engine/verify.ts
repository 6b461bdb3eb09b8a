/**
 * Whole-database verification: every submission's records recompute, run 1..n without gaps, and
 * end at the head the submission row names; and everything the API serves from the row and the
 * documents agrees with those records (issue 8 §1, §2): see {@link checkServed}.
 *
 * Fast path: the database spells each row's canonical record (chainLinks) and this process only
 * hashes it; the table is cut into ranges of submissions checked side by side, each inside one
 * read transaction (a consistent snapshot: a command committing meanwhile cannot make a chain
 * look broken). A submission whose fast check fails for any reason is checked again the slow
 * way, from its parsed rows, so a break is reported only where the records themselves disagree.
 */
import os from 'node:os';
import type { StateValue } from 'xstate';
import { workflowVersion } from '../../workflows/index.js';
import {
  FILING_RECORD_TYPES,
  LINK_SEPARATOR,
  chainStoreOf,
  recordOf,
  type ChainSnapshot,
  type ChainSource,
  type DocumentFacts,
  type MaterializedRow,
  type RecordFacts,
  type TransitionRow,
} from '../store/chain-store.js';
import { statusOf } from './context.js';
import { statePath } from './definitions.js';
import { GENESIS_HASH, canonicalJson, isCanonicalJsonText, recordHash, sha256Hex } from './hash.js';

export interface VerifyResult {
  ok: boolean;
  submissions: number;
  records: number;
  /**
   * Each break: the submission, the record (seq; 0 when no record is concerned), why, and for a
   * stored value that disagrees with the history the column (`state`, `documents.sha256`,
   * `blobs.bytes`, ...).
   */
  breaks: Array<{ submissionId: string; seq: number; reason: string; column?: string }>;
}

/** What a run checked besides the chains (filled in when passed to {@link verifyDatabase}). */
export interface VerifyStats {
  documents: number;
  blobs: number;
  blobBytes: number;
}

type Break = VerifyResult['breaks'][number];
type Head = { seq: number; hash: string };

/**
 * Ranges checked side by side, one per core: each range keeps one pool connection (the database
 * spelling the links) and this thread (hashing them) busy. Measured on 2 cores: 1 range 115k
 * rows/s, 2 ranges 160-177k, 4 ranges 140-165k.
 */
const DEFAULT_PARALLEL = Math.max(2, os.availableParallelism());

/**
 * The exact check of one row: the hash of the record as the API serves it (parsed from the
 * row), which is what an outside verifier recomputes.
 */
function rowHashMatches(row: TransitionRow): boolean {
  try {
    return recordHash(recordOf(row) as unknown as Record<string, unknown>) === row.hash;
  } catch {
    return false; // not parseable or not canonicalizable: it cannot be the hashed record
  }
}

/** A JSON string literal's value (ids and hashes hold no escapes; anything else is parsed). */
const unquote = (literal: string): string => (literal.includes('\\') ? (JSON.parse(literal) as string) : literal.slice(1, -1));

/** Stored JSON text that is already RFC 8785 canonical ("" stands for SQL NULL). */
const isCanonicalText = (text: string): boolean => text === '' || text === '{}' || isCanonicalJsonText(text);

/** Checks one submission's chain from its parsed rows; returns its first break, or null. */
function checkRows(submissionId: string, rows: TransitionRow[], head: Head | undefined): Break | null {
  let prev = GENESIS_HASH;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const seq = Number(row.seq);
    if (seq !== i + 1) return { submissionId, seq, reason: `expected seq ${i + 1}` };
    if (row.prev_hash !== prev) return { submissionId, seq, reason: 'prevHash does not match the previous record' };
    if (!rowHashMatches(row)) return { submissionId, seq, reason: 'hash does not match the record' };
    prev = row.hash;
  }
  if (!head || head.seq !== rows.length || head.hash !== prev) {
    return {
      submissionId,
      seq: rows.length,
      reason: 'the submission head does not match its last record',
      column: head?.seq !== rows.length ? 'head_seq' : 'head_hash',
    };
  }
  return null;
}

// ------------------------------------------------------------- what is served agrees with the chain

/** JSON text parsed, or undefined when it is not JSON. */
function parsed(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The same JSON value (canonical forms compared); false when either is not JSON. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false;
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}

/** The data of a DOCUMENT_ADDED record, when it has the shape documents.ts writes. */
interface ChainedDocument {
  readonly seq: number;
  readonly documentId: string;
  readonly kind: string;
  readonly filename: string;
  readonly sha256: string;
  readonly size: number;
  readonly contentType?: string;
  readonly actorId: string;
  readonly recordedAt: string;
  /** Regulator correspondence is kept with the documents but is not part of the dossier. */
  readonly correspondence: boolean;
}

function chainedDocument(r: RecordFacts): ChainedDocument | null {
  const d = parsed(r.data);
  if (!isObject(d) || typeof d.documentId !== 'string' || typeof d.kind !== 'string' || typeof d.sha256 !== 'string') return null;
  return {
    seq: r.seq,
    documentId: d.documentId,
    kind: d.kind,
    filename: typeof d.filename === 'string' ? d.filename : '',
    sha256: d.sha256,
    size: typeof d.size === 'number' ? d.size : -1,
    ...(typeof d.contentType === 'string' ? { contentType: d.contentType } : {}),
    actorId: r.actorId,
    recordedAt: r.recordedAt,
    correspondence: d.correspondence === true || (isObject(d.correspondence) && Object.keys(d.correspondence).length > 0),
  };
}

/** The records' chained documents by id (a record whose data lacks the shape is itself a break). */
function chainedDocuments(m: MaterializedRow, out: Break[]): Map<string, ChainedDocument> {
  const docs = new Map<string, ChainedDocument>();
  for (const r of m.records) {
    if (r.type !== 'DOCUMENT_ADDED') continue;
    const d = chainedDocument(r);
    if (!d) out.push({ submissionId: m.id, seq: r.seq, reason: 'the DOCUMENT_ADDED record does not name a document', column: 'transitions.data' });
    else docs.set(d.documentId, d);
  }
  return docs;
}

/**
 * Checks a submission row whose chain verified against its records' facts: each record's `from`
 * is the previous record's `to`; the row's state, status, snapshot value, version, head and
 * workflow are the last record's; its organization, title, device, input and reference are what
 * CREATED recorded; its dossier is the kinds of its DOCUMENT_ADDED records; its filed_at (once
 * migration 012 made it) the time of its first filing record, null before. Not checked (derived
 * caches the engine recomputes from the history on every command, or facts no record holds):
 * the snapshot's context, xstate_version, last_effective_at, state_since, deadline_*, next_due_*,
 * goal_*.
 */
function checkRow(m: MaterializedRow, chained: Map<string, ChainedDocument>, out: Break[]): void {
  const id = m.id;
  const recs = m.records;
  const last = recs[recs.length - 1];
  if (!last) return; // no records: the chain check reported it
  const push = (seq: number, column: string, reason: string) => out.push({ submissionId: id, seq, reason, column });
  // The head's facts are read where seq = head_seq; the chain check has matched the two.
  if (!last.full) {
    push(last.seq, 'head_seq', 'the submission head does not match its last record');
    return;
  }
  const first = recs[0]!;
  if (first.type !== 'CREATED' || first.from !== null) push(first.seq, 'transitions.type', 'the first record is not a CREATED record from no state');
  for (let i = 1; i < recs.length; i++) {
    if (recs[i]!.from !== recs[i - 1]!.to) push(recs[i]!.seq, 'transitions.from_state', "from does not match the previous record's to");
  }
  // The head and its state.
  if (m.state !== last.to) push(last.seq, 'state', 'state does not match the last record');
  if (m.status !== statusOf(last.to)) push(last.seq, 'status', 'status does not match the last record');
  const snap = parsed(m.snapshot);
  let value: string | null = null;
  try {
    if (isObject(snap) && 'value' in snap && isObject(snap.context)) value = statePath(snap.value as StateValue);
  } catch {
    value = null;
  }
  if (value !== last.to) push(last.seq, 'snapshot', 'snapshot value does not match the last record');
  if (m.version !== recs.length) push(last.seq, 'version', 'version does not match the number of records');
  if (m.headSeq !== last.seq) push(last.seq, 'head_seq', 'the submission head does not match its last record');
  if (m.workflowId !== last.workflowId) push(last.seq, 'workflow_id', 'workflow does not match the last record');
  if (m.workflowVersion !== last.workflowVersion) push(last.seq, 'workflow_version', 'workflow version does not match the last record');
  const w = workflowVersion(last.workflowId, last.workflowVersion);
  if (w && m.jurisdiction !== w.jurisdiction) push(last.seq, 'jurisdiction', 'jurisdiction does not match the workflow of the last record');
  if (m.updatedAt !== last.recordedAt) push(last.seq, 'updated_at', 'updated_at does not match the last record');
  // What CREATED recorded.
  if (first.type === 'CREATED') {
    const data = parsed(first.data);
    const created = isObject(data) ? data : {};
    const org = parsed(first.actorOrganization);
    if (!isObject(org) || m.organizationId !== org.id) push(first.seq, 'organization_id', 'organization does not match the CREATED record');
    if (m.title !== created.title) push(first.seq, 'title', 'title does not match the CREATED record');
    const device = parsed(m.device);
    if (!isObject(device) || !sameJson(device, created.device)) push(first.seq, 'device', 'device does not match the CREATED record');
    const recordedDevice = isObject(created.device) ? created.device : {};
    if (m.deviceName !== String((recordedDevice.name as string | undefined) ?? ''))
      push(first.seq, 'device_name', 'device name does not match the CREATED record');
    const input = parsed(m.input);
    if (!isObject(input) || !sameJson(input, created.input)) push(first.seq, 'input', 'input does not match the CREATED record');
    const ref = isObject(created.input) && isObject(created.input.reference) ? created.input.reference : null;
    const refId = ref && typeof ref.submissionId === 'string' ? ref.submissionId : null;
    if (m.referenceSubmissionId !== refId) push(first.seq, 'reference_submission_id', 'reference does not match the CREATED record');
    if (m.createdAt !== first.recordedAt) push(first.seq, 'created_at', 'created_at does not match the CREATED record');
  }
  // The dossier: the kinds of the documents added (regulator correspondence is not dossier).
  const kinds = [...new Set([...chained.values()].filter((d) => !d.correspondence).map((d) => d.kind))].sort();
  const present = parsed(m.dossierPresent);
  if (!Array.isArray(present) || !sameJson(present, kinds)) {
    const lastDoc = [...chained.values()].reduce((s, d) => Math.max(s, d.seq), 0);
    push(lastDoc || last.seq, 'dossier_present', 'dossier_present does not match the DOCUMENT_ADDED records');
  }
  // Filed: when the first filing record (SUBMIT, or a designation request) was recorded; null before.
  if (m.filedAt !== undefined) {
    const filing = recs.find((r) => FILING.has(r.type));
    if (m.filedAt !== (filing?.recordedAt ?? null)) push(filing?.seq ?? last.seq, 'filed_at', 'filed_at does not match the first filing record');
  }
}

const FILING: ReadonlySet<string> = new Set(FILING_RECORD_TYPES);

/** Blob digests already computed in this range (a blob shared by documents is hashed once). */
type BlobVerdicts = Map<string, boolean>;

/**
 * Checks one submission's documents rows against its DOCUMENT_ADDED records: one row per record,
 * each naming the recorded kind, filename, sha256, size, uploader and time; and its blob is there,
 * of that size, with those bytes (hashed in {@link checkBlobs}). Returns the sha256s to hash.
 */
function checkDocuments(
  id: string,
  chained: Map<string, ChainedDocument>,
  docs: readonly DocumentFacts[],
  out: Break[],
): Array<{ sha256: string; seq: number }> {
  const push = (seq: number, column: string, reason: string) => out.push({ submissionId: id, seq, reason, column });
  const toHash: Array<{ sha256: string; seq: number }> = [];
  const seen = new Set<string>();
  for (const d of docs) {
    const c = chained.get(d.id);
    if (!c) {
      push(0, 'documents.id', `document ${d.id} has no DOCUMENT_ADDED record`);
      continue;
    }
    seen.add(d.id);
    if (d.kind !== c.kind) push(c.seq, 'documents.kind', 'kind does not match the DOCUMENT_ADDED record');
    if (d.filename !== c.filename) push(c.seq, 'documents.filename', 'filename does not match the DOCUMENT_ADDED record');
    if (c.contentType !== undefined && d.contentType !== c.contentType)
      push(c.seq, 'documents.content_type', 'content type does not match the DOCUMENT_ADDED record');
    if (d.size !== c.size) push(c.seq, 'documents.size', 'size does not match the DOCUMENT_ADDED record');
    if (d.uploadedBy !== c.actorId) push(c.seq, 'documents.uploaded_by', 'uploaded_by does not match the DOCUMENT_ADDED record');
    if (d.createdAt !== c.recordedAt) push(c.seq, 'documents.created_at', 'created_at does not match the DOCUMENT_ADDED record');
    if (d.sha256 !== c.sha256) {
      push(c.seq, 'documents.sha256', 'sha256 does not match the DOCUMENT_ADDED record');
      continue; // the bytes served are another blob's: the break above says so
    }
    if (!d.blobPresent) {
      push(c.seq, 'blobs.sha256', 'no blob holds the recorded sha256');
      continue;
    }
    if (d.blobSize !== c.size) push(c.seq, 'blobs.size', 'the blob size does not match the DOCUMENT_ADDED record');
    if (d.blobLength !== c.size) push(c.seq, 'blobs.bytes', 'the blob bytes do not match the DOCUMENT_ADDED record');
    else toHash.push({ sha256: d.sha256, seq: c.seq });
  }
  for (const c of chained.values())
    if (!seen.has(c.documentId)) push(c.seq, 'documents.id', `document ${c.documentId} of the DOCUMENT_ADDED record has no documents row`);
  return toHash;
}

/** Blobs fetched per query: bounded memory whatever their size. */
const BLOB_BATCH = 16;

/** Hashes the blobs not yet hashed in this range; true for each whose bytes are their sha256. */
async function hashBlobs(snap: ChainSnapshot, shas: Iterable<string>, verdicts: BlobVerdicts, stats: VerifyStats): Promise<void> {
  const todo = [...new Set(shas)].filter((s) => !verdicts.has(s));
  for (let i = 0; i < todo.length; i += BLOB_BATCH) {
    const batch = todo.slice(i, i + BLOB_BATCH);
    const bytes = await snap.blobs(batch);
    for (const sha of batch) {
      const b = bytes.get(sha);
      verdicts.set(sha, b !== undefined && sha256Hex(b) === sha);
      if (b) {
        stats.blobs++;
        stats.blobBytes += b.length;
      }
    }
  }
}

/**
 * The served-facts pass of one range: each submission row whose chain verified (not in `broken`)
 * against its records, and every documents row and blob against its DOCUMENT_ADDED record.
 */
async function checkServed(snap: ChainSnapshot, range: { from: string | null; to: string | null }, broken: Set<string>, stats: VerifyStats): Promise<Break[]> {
  const out: Break[] = [];
  const verdicts: BlobVerdicts = new Map();
  for await (const page of snap.materialized(range)) {
    const docs = await snap.documentsBetween(page[0]!.id, page[page.length - 1]!.id);
    const bySubmission = new Map<string, DocumentFacts[]>();
    for (const d of docs) {
      const list = bySubmission.get(d.submissionId);
      if (list) list.push(d);
      else bySubmission.set(d.submissionId, [d]);
    }
    stats.documents += docs.length;
    const pending: Array<{ id: string; sha256: string; seq: number }> = [];
    for (const m of page) {
      if (broken.has(m.id)) continue; // its chain break is reported; the row cannot be judged against it
      const chained = chainedDocuments(m, out);
      checkRow(m, chained, out);
      for (const blob of checkDocuments(m.id, chained, bySubmission.get(m.id) ?? [], out)) pending.push({ id: m.id, ...blob });
    }
    await hashBlobs(
      snap,
      pending.map((p) => p.sha256),
      verdicts,
      stats,
    );
    for (const p of pending) {
      if (!verdicts.get(p.sha256))
        out.push({ submissionId: p.id, seq: p.seq, reason: 'the blob bytes do not match the DOCUMENT_ADDED record', column: 'blobs.bytes' });
    }
  }
  for (const d of await snap.orphanDocuments(range)) {
    out.push({ submissionId: d.submissionId, seq: 0, reason: `document ${d.id} names no stored submission`, column: 'documents.submission_id' });
  }
  return out;
}

interface RangeResult {
  submissions: number;
  records: number;
  breaks: Break[];
}

async function verifyRange(snap: ChainSnapshot, range: { from: string | null; to: string | null }, stats: VerifyStats): Promise<RangeResult> {
  const heads = await snap.heads(range);
  const out: RangeResult = { submissions: 0, records: 0, breaks: [] };
  let suspects = new Set<string>();
  try {
    // A savepoint: if the database cannot spell some row, the transaction itself stays usable.
    await snap.savepoint(async (sp) => {
      let current: string | null = null;
      let count = 0;
      let prev = GENESIS_HASH;
      let suspect = false;
      const finish = () => {
        if (current === null) return;
        const head = heads.get(current);
        if (suspect || !head || head.seq !== count || head.hash !== prev) suspects.add(current);
        else {
          out.submissions++;
          out.records += count;
          heads.delete(current);
        }
      };
      for await (const links of sp.links(range)) {
        for (const link of links) {
          // The fields of chainLinkSql; the record (last) may hold the separator inside strings.
          let at = 0;
          const field = () => {
            const end = link.indexOf(LINK_SEPARATOR, at);
            if (end < 0) throw new Error('malformed chain link');
            const value = link.slice(at, end);
            at = end + 1;
            return value;
          };
          const sid = unquote(field());
          const seq = Number(field());
          const prevHash = unquote(field());
          const hash = unquote(field());
          if (sid !== current) {
            finish();
            current = sid;
            count = 0;
            prev = GENESIS_HASH;
            suspect = false;
          }
          count++;
          if (!suspect) {
            // The fast path accepts a row only when its stored JSON is valid and canonical (so
            // the spliced record is the canonical record the API serves) and its hash recomputes.
            suspect =
              seq !== count ||
              prevHash !== prev ||
              field() !== '1' ||
              !isCanonicalText(field()) ||
              !isCanonicalText(field()) ||
              !isCanonicalText(field()) ||
              !isCanonicalText(field()) || // facts (migration 013)
              sha256Hex(link.slice(at)) !== hash;
          }
          prev = hash;
        }
      }
      finish();
    });
  } catch {
    // The database could not spell some row (PostgreSQL: a JSON column that is not JSON): every
    // submission of the range not yet proven takes the slow path.
    suspects = new Set();
  }
  // What the fast path doubted, and heads it never reached (no records), get the exact check.
  for (const id of new Set([...suspects, ...heads.keys()])) {
    const rows = await snap.rowsOf(id);
    out.submissions++;
    out.records += rows.length;
    const broken = rows.length === 0 ? { submissionId: id, seq: 0, reason: 'the submission has no history records' } : checkRows(id, rows, heads.get(id));
    if (broken) out.breaks.push(broken);
  }
  // Then what the API serves from the rows of the submissions whose chains hold.
  out.breaks.push(...(await checkServed(snap, range, new Set(out.breaks.map((b) => b.submissionId)), stats)));
  return out;
}

/**
 * Verifies every chain in the database. `source` (a chain store, or a pool to build one on) should
 * have several connections (the reader pool on SQLite) so that ranges are checked side by side; a
 * single connection works too.
 */
export async function verifyDatabase(source: ChainSource, opts: { parallel?: number; stats?: VerifyStats } = {}): Promise<VerifyResult> {
  const stats = opts.stats ?? { documents: 0, blobs: 0, blobBytes: 0 };
  const chains = chainStoreOf(source);
  const parallel = Math.max(1, opts.parallel ?? DEFAULT_PARALLEL);
  const splits = await chains.splits(parallel);
  const bounds = [null, ...splits];
  const ranges = bounds.map((from, i) => ({ from, to: bounds[i + 1] ?? null }));
  const results = await Promise.all(ranges.map((range) => chains.snapshot((snap) => verifyRange(snap, range, stats))));
  const result: VerifyResult = { ok: true, submissions: 0, records: 0, breaks: [] };
  for (const r of results) {
    result.submissions += r.submissions;
    result.records += r.records;
    result.breaks.push(...r.breaks);
  }
  result.ok = result.breaks.length === 0;
  return result;
}
