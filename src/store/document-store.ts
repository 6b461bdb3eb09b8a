/**
 * The dossier's documents (`documents`) and their bytes (`blobs`, stored once by SHA-256).
 * {@link DocumentStore} is what the engine sees; {@link createKnexDocumentStore} its Knex
 * implementation.
 */
import type { Knex } from 'knex';
import type { Document } from './types.js';

export interface DocumentStore {
  /** Stores bytes under their SHA-256 once; the same content uploaded twice shares one blob. */
  putBlob(sha256: string, bytes: Buffer): Promise<void>;
  getBlob(sha256: string): Promise<Buffer | undefined>;
  insert(d: Document): Promise<void>;
  /** One submission's documents in id order. */
  list(submissionId: string): Promise<Document[]>;
  find(submissionId: string, id: string): Promise<Document | undefined>;
  /**
   * What the submission's history says of document `id`: the data of its `DOCUMENT_ADDED` record
   * (the digest a download is checked against), or undefined when no record names it.
   */
  chained(submissionId: string, id: string): Promise<ChainedDocument | undefined>;
}

/** The `data` of a `DOCUMENT_ADDED` record. */
export interface ChainedDocument {
  readonly documentId: string;
  readonly kind: string;
  readonly filename: string;
  readonly sha256: string;
  readonly size: number;
}

/** The {@link DocumentStore} on one Knex connection, pool or transaction: reads on `db`, writes on `writer`. */
export function createKnexDocumentStore(db: Knex, writer: Knex = db): DocumentStore {
  return {
    putBlob: (sha256, bytes) => putBlob(writer, sha256, bytes),
    getBlob: (sha256) => getBlob(db, sha256),
    insert: (d) => insertDocument(writer, d),
    list: (submissionId) => listDocuments(db, submissionId),
    find: (submissionId, id) => findDocument(db, submissionId, id),
    chained: (submissionId, id) => chainedDocument(db, submissionId, id),
  };
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

/** The `DOCUMENT_ADDED` record of document `id` (parsed here: the JSON column is portable text). */
export async function chainedDocument(db: Knex, submissionId: string, id: string): Promise<ChainedDocument | undefined> {
  const rows = await db('transitions').where({ submission_id: submissionId, type: 'DOCUMENT_ADDED' }).orderBy('seq').select<{ data: string }[]>('data');
  for (const row of rows) {
    const data = JSON.parse(row.data) as Partial<ChainedDocument>;
    if (data.documentId === id) return data as ChainedDocument;
  }
  return undefined;
}
