/**
 * The dossier's documents: bytes stored once by SHA-256, each upload a `DOCUMENT_ADDED` history
 * record, served only after their SHA-256 is checked again.
 */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { AppError, ForbiddenError, InputError, NotFoundError, fieldError } from '../errors.js';
import type { Actor, Document } from '../store/types.js';
import { SCHEMA_BASE } from '../validation.js';
import { requireWorkflow, type EngineContext } from './context.js';
import { agreeingWithChain } from './chain-head.js';
import { sha256Hex } from './hash.js';
import { isCorrespondenceKind, isOwnCorrespondence, correspondenceKindOf } from './correspondence.js';
import { chainRecord } from './records.js';
import { VersionRace, recordingRefusals, runCommand, type CommandOrigin, type CommandResult, type Idempotency } from './run-command.js';
import { toDocumentView, type DocumentView } from './views.js';
import { loadVisible } from './visibility.js';

/** A document to add: its dossier kind, name, media type and bytes. */
export interface NewDocument {
  readonly kind: string;
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

/**
 * Bidirectional control characters (issue 8 §8): in a filename they make `\u202Efdp.exe` read as
 * `exe.pdf`, so the name a reviewer sees is not the file they open.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * Adds a document to submission `id`: the manufacturer (a dossier item), or the reviewer of the
 * submission's jurisdiction (correspondence of their agency, never a dossier item:
 * engine/correspondence.ts); 403 otherwise, recorded as a refusal when `origin` is given.
 * Outcome `created`.
 */
export function addDocument(
  ctx: EngineContext,
  actor: Actor,
  id: string,
  doc: NewDocument,
  opts: { idempotency?: Idempotency; origin?: CommandOrigin } = {},
): Promise<CommandResult<DocumentView>> {
  return recordingRefusals(ctx, actor, opts.origin, { submissionId: id, eventType: 'DOCUMENT_ADDED' }, async () => {
    ctx.validator.check(`${SCHEMA_BASE}upload-document-query.json`, { kind: doc.kind, filename: doc.filename }, '', { code: 'invalid.query' });
    if (BIDI_CONTROLS.test(doc.filename))
      throw new InputError({ code: 'engine.filename_bidi' }, [fieldError('/filename', { code: 'engine.filename_bidi_field' })]);
    if (doc.bytes.length === 0) throw new InputError({ code: 'engine.document_empty' }, [fieldError('', { code: 'engine.document_bytes_field' })]);
    return runCommand(ctx, {
      actor,
      outcome: 'created',
      idempotency: opts.idempotency,
      write: async (tx) => {
        const s = agreeingWithChain(await loadVisible(tx, actor, id, true));
        const may =
          actor.role === 'manufacturer' || (actor.role === 'fda' && s.jurisdiction === 'FDA') || (actor.role === 'cofepris' && s.jurisdiction === 'COFEPRIS');
        if (!may) throw new ForbiddenError({ code: 'engine.documents_forbidden', params: { role: actor.role } });
        // A reviewer's upload is their agency's correspondence; the applicant's are dossier items only.
        const correspondence = actor.role !== 'manufacturer';
        if (correspondence && !isOwnCorrespondence(actor.role, doc.kind)) {
          throw new ForbiddenError({ code: 'engine.correspondence_only', params: { role: actor.role, kinds: correspondenceKindOf(actor.role) ?? '' } });
        }
        if (!correspondence && isCorrespondenceKind(doc.kind))
          throw new ForbiddenError({ code: 'engine.correspondence_regulators_only', params: { kind: doc.kind } });
        const w = requireWorkflow(s);
        const iso = ctx.now().toISOString();
        const sha256 = createHash('sha256').update(doc.bytes).digest('hex');
        await tx.documents.putBlob(sha256, doc.bytes);
        const document: Document = {
          id: uuidv7(),
          submissionId: s.id,
          kind: doc.kind,
          filename: doc.filename,
          contentType: doc.contentType,
          sha256,
          size: doc.bytes.length,
          uploadedBy: actor.id,
          createdAt: iso,
        };
        await tx.documents.insert(document);
        const t = chainRecord(s, w, {
          type: 'DOCUMENT_ADDED',
          data: {
            documentId: document.id,
            kind: doc.kind,
            filename: doc.filename,
            sha256,
            size: document.size,
            ...(correspondence ? { correspondence: true } : {}),
          },
          from: s.state,
          to: s.state,
          actor,
          comment: null,
          effectiveAt: iso,
          recordedAt: iso,
          signature: null,
        });
        const dossierPresent = correspondence || s.dossierPresent.includes(doc.kind) ? s.dossierPresent : [...s.dossierPresent, doc.kind].sort();
        const ok = await tx.history.commitEvent(
          s.id,
          s.version,
          {
            ...s,
            version: s.version + 1,
            headSeq: t.seq,
            headHash: t.hash,
            dossierPresent,
            updatedAt: iso,
          },
          t,
        );
        if (!ok) throw new VersionRace();
        return toDocumentView(document);
      },
    });
  });
}

/** The documents of a submission the caller may see (404 otherwise). */
export async function listDocuments(ctx: EngineContext, actor: Actor, id: string): Promise<DocumentView[]> {
  await loadVisible(ctx.stores, actor, id);
  return (await ctx.stores.documents.list(id)).map(toDocumentView);
}

/**
 * The document's bytes, served only when they are the bytes its submission's history recorded:
 * the SHA-256 and size in its `DOCUMENT_ADDED` record (hash-chained), not the `documents` row,
 * which anyone with the database could repoint (issue 8 §2). Otherwise an integrity failure,
 * logged at error level by the edge.
 */
export async function readDocument(ctx: EngineContext, actor: Actor, id: string, documentId: string): Promise<{ document: DocumentView; bytes: Buffer }> {
  await loadVisible(ctx.stores, actor, id);
  const d = await ctx.stores.documents.find(id, documentId);
  if (!d) throw new NotFoundError({ code: 'engine.no_document', params: { document: documentId, id } });
  const chained = await ctx.stores.documents.chained(id, documentId);
  if (!chained) throw new AppError('integrity_failure', { code: 'engine.document_not_in_chain', params: { document: documentId } });
  const bytes = await ctx.stores.documents.getBlob(chained.sha256);
  if (!bytes || d.sha256 !== chained.sha256 || bytes.length !== chained.size || sha256Hex(bytes) !== chained.sha256) {
    throw new AppError('integrity_failure', { code: 'engine.document_integrity', params: { document: documentId } });
  }
  // What the record says, not what the row says (they agree here but for kind and filename).
  return { document: toDocumentView({ ...d, kind: chained.kind, filename: chained.filename, sha256: chained.sha256, size: chained.size }), bytes };
}
