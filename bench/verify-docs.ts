/**
 * `audit verify` over documents (issue 8 §2): every documents row and blob is checked against its
 * DOCUMENT_ADDED record and every blob's bytes are hashed. Seeds its own SQLite database (the
 * 510(k)s of bench/seed.ts, then `docsEach` documents of `docBytes` random bytes each, chained
 * as the engine chains an upload) and times one verify: history rows/s and blob MB/s.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { workflowVersion } from '../workflows/index.js';
import { chainRecord } from '../src/engine/engine.js';
import { verifyDatabase, type VerifyStats } from '../src/engine/verify.js';
import { migrate, openDatabase } from '../src/store/db.js';
import { putBlob, insertDocument } from '../src/store/document-store.js';
import { commitEventOn } from '../src/store/history-store.js';
import { findSubmission } from '../src/store/submission-store.js';
import type { Actor } from '../src/store/types.js';
import { seed } from './seed.js';

export interface DocumentsVerifyFigures {
  submissions: number;
  records: number;
  documents: number;
  megabytes: number;
  seconds: number;
  rowsPerSecond: number;
  megabytesPerSecond: number;
}

export async function verifyWithDocuments(opts: { submissions: number; docsEach: number; docBytes: number }): Promise<DocumentsVerifyFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-bench-docs-'));
  const db = openDatabase(`sqlite:${path.join(dir, 'docs.db')}`);
  try {
    await migrate(db);
    const knex = db.knex;
    const data = await seed(knex, { count: opts.submissions, rowsEach: 4, longCount: 0 });
    const user = (await knex('users').where({ role: 'manufacturer' }).first()) as { id: string; name: string };
    for (const id of data.submissionIds) {
      await knex.transaction(async (trx) => {
        let s = (await findSubmission(trx, id))!;
        const w = workflowVersion(s.workflowId, s.workflowVersion)!;
        const actor: Actor = { id: user.id, name: user.name, role: 'manufacturer', organization: s.organization };
        for (let k = 0; k < opts.docsEach; k++) {
          const bytes = randomBytes(opts.docBytes);
          const sha256 = createHash('sha256').update(bytes).digest('hex');
          const iso = new Date().toISOString();
          const kind = `bench-item-${k}`;
          const documentId = uuidv7();
          await putBlob(trx, sha256, bytes);
          await insertDocument(trx, {
            id: documentId,
            submissionId: id,
            kind,
            filename: `${kind}.pdf`,
            contentType: 'application/pdf',
            sha256,
            size: bytes.length,
            uploadedBy: user.id,
            createdAt: iso,
          });
          const t = chainRecord(s, w, {
            type: 'DOCUMENT_ADDED',
            data: { documentId, kind, filename: `${kind}.pdf`, sha256, size: bytes.length },
            from: s.state,
            to: s.state,
            actor,
            comment: null,
            effectiveAt: iso,
            recordedAt: iso,
            signature: null,
          });
          const next = { ...s, version: s.version + 1, headSeq: t.seq, headHash: t.hash, dossierPresent: [...s.dossierPresent, kind].sort(), updatedAt: iso };
          if (!(await commitEventOn(trx, id, s.version, next, t))) throw new Error('bench documents: version check failed');
          s = next;
        }
      });
    }
    const stats: VerifyStats = { documents: 0, blobs: 0, blobBytes: 0 };
    const t0 = process.hrtime.bigint();
    const r = await verifyDatabase(db.reader, { stats });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (!r.ok) throw new Error(`bench documents do not verify: ${JSON.stringify(r.breaks.slice(0, 3))}`);
    const megabytes = stats.blobBytes / 1e6;
    return {
      submissions: r.submissions,
      records: r.records,
      documents: stats.documents,
      megabytes,
      seconds,
      rowsPerSecond: r.records / seconds,
      megabytesPerSecond: megabytes / seconds,
    };
  } finally {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
