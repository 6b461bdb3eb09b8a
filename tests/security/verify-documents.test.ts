/**
 * Issue 8 §2: `audit verify` checks every `documents` row and blob against the DOCUMENT_ADDED
 * record that chained it (its data holds the document's id, kind, filename, sha256 and size).
 * Each edit an attacker with database access could make (a swapped blob, edited bytes, an edited
 * kind, filename, size, uploader or time, a deleted row, a row no record names) is reported with
 * the submission, the record and the column, on a real database (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL). The append-only triggers are lifted for each edit, as a database owner can.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { sha256Hex } from '../../src/engine/hash.js';
import { verifyDatabase, type VerifyStats } from '../../src/engine/verify.js';
import { DIALECT } from '../support/db.js';
import { type TestContext } from '../support/fixtures.js';
import { type Api, openTestApp } from '../http/helpers.js';
import { behindTheBack, breaksOf, reviewed, uniqueBytes, type Break } from './verify-support.js';

let ctx: TestContext, api: Api;
const tampered = new Set<string>();

beforeAll(async () => ({ ctx, api } = await openTestApp()));
afterAll(async () => ctx?.close());

const knex = () => ctx.services.db.knex;
/** The DOCUMENT_ADDED record of the first document: uploaded right after CREATED. */
const DOC_SEQ = 2;

function onlyTampered(all: Break[]) {
  for (const b of all) expect(tampered.has(b.submissionId), `unexpected break ${JSON.stringify(b)}`).toBe(true);
}

/** A submission with one document, tampered by `edit`; the breaks verify reports for it. */
async function afterEdit(title: string, edit: (doc: { id: string; sha256: string; size: number }) => Promise<void>): Promise<Break[]> {
  const { id, documents } = await reviewed(ctx, api, title);
  const doc = (await knex()('documents').where({ id: documents[0] }).first()) as { id: string; sha256: string; size: number | string };
  await edit({ id: doc.id, sha256: doc.sha256, size: Number(doc.size) });
  tampered.add(id);
  const { all, mine } = await breaksOf(ctx, id);
  onlyTampered(all);
  return mine;
}

const at = (column: string) => expect.objectContaining({ seq: DOC_SEQ, column });

describe(`verify checks documents and blobs against their DOCUMENT_ADDED records on ${DIALECT}`, () => {
  it('an untouched database verifies, and every blob is hashed', async () => {
    await reviewed(ctx, api, 'Untouched documents', 3);
    const stats: VerifyStats = { documents: 0, blobs: 0, blobBytes: 0 };
    const r = await verifyDatabase(ctx.services.db.reader, { stats });
    expect(r.breaks).toEqual([]);
    expect(stats.documents).toBe(3);
    expect(stats.blobs).toBe(3);
    expect(stats.blobBytes).toBeGreaterThan(0);
  });

  it('a swapped blob (a new blob row, the documents row pointed at it) is reported (documents.sha256)', async () => {
    const mine = await afterEdit('Swapped blob', async (doc) => {
      const bytes = uniqueBytes('the forged document');
      const sha = sha256Hex(bytes);
      await knex()('blobs').insert({ sha256: sha, size: bytes.length, bytes });
      await behindTheBack(knex(), 'documents', () => knex()('documents').where({ id: doc.id }).update({ sha256: sha, size: bytes.length }));
    });
    expect(mine).toContainEqual(at('documents.sha256'));
  });

  it('edited blob bytes of the same length are reported (blobs.bytes)', async () => {
    const mine = await afterEdit('Edited bytes', async (doc) => {
      const blob = (await knex()('blobs').where({ sha256: doc.sha256 }).first()) as { bytes: Buffer };
      const forged = Buffer.from(blob.bytes);
      forged[forged.length - 1] = forged[forged.length - 1]! ^ 0x20;
      await behindTheBack(knex(), 'blobs', () => knex()('blobs').where({ sha256: doc.sha256 }).update({ bytes: forged }));
    });
    expect(mine).toEqual([
      { submissionId: mine[0]!.submissionId, seq: DOC_SEQ, column: 'blobs.bytes', reason: 'the blob bytes do not match the DOCUMENT_ADDED record' },
    ]);
  });

  it('blob bytes of another length, and an edited blob size, are reported', async () => {
    const longer = await afterEdit('Longer bytes', async (doc) => {
      await behindTheBack(knex(), 'blobs', () =>
        knex()('blobs')
          .where({ sha256: doc.sha256 })
          .update({ bytes: Buffer.from('%PDF-1.7 forged, longer than before\n'.repeat(4)) }),
      );
    });
    expect(longer).toContainEqual(at('blobs.bytes'));
    const size = await afterEdit('Blob size', async (doc) => {
      await behindTheBack(knex(), 'blobs', () =>
        knex()('blobs')
          .where({ sha256: doc.sha256 })
          .update({ size: doc.size + 1 }),
      );
    });
    expect(size).toEqual([expect.objectContaining({ seq: DOC_SEQ, column: 'blobs.size' })]);
  });

  it.each([
    ['kind', 'fda-decision-letter'],
    ['filename', 'forged.pdf'],
    ['uploaded_by', 'fda'],
    ['created_at', '2020-01-01T00:00:00.000Z'],
  ] as const)('an edited documents.%s is reported', async (column, value) => {
    const mine = await afterEdit(`Edited ${column}`, async (doc) => {
      const forged = value === 'fda' ? ctx.users.fda.actor.id : value;
      await behindTheBack(knex(), 'documents', () =>
        knex()('documents')
          .where({ id: doc.id })
          .update({ [column]: forged }),
      );
    });
    expect(mine).toEqual([expect.objectContaining({ seq: DOC_SEQ, column: `documents.${column}` })]);
  });

  it('an edited documents.size is reported', async () => {
    const mine = await afterEdit('Edited size', async (doc) => {
      await behindTheBack(knex(), 'documents', () =>
        knex()('documents')
          .where({ id: doc.id })
          .update({ size: doc.size + 100 }),
      );
    });
    expect(mine).toEqual([expect.objectContaining({ seq: DOC_SEQ, column: 'documents.size' })]);
  });

  it('a deleted documents row is reported at its record', async () => {
    const mine = await afterEdit('Deleted row', async (doc) => {
      await behindTheBack(knex(), 'documents', () => knex()('documents').where({ id: doc.id }).del());
    });
    expect(mine).toEqual([expect.objectContaining({ seq: DOC_SEQ, column: 'documents.id' })]);
  });

  it('a documents row that no DOCUMENT_ADDED record names is reported', async () => {
    const mine = await afterEdit('Smuggled row', async (doc) => {
      const row = (await knex()('documents').where({ id: doc.id }).first()) as Record<string, unknown>;
      await knex()('documents').insert({ ...row, id: uuidv7(), filename: 'smuggled.pdf' });
    });
    expect(mine).toEqual([expect.objectContaining({ seq: 0, column: 'documents.id' })]);
  });

  it('a documents row moved to another submission is reported at both', async () => {
    const target = await reviewed(ctx, api, 'Receives a moved document', 0);
    tampered.add(target.id);
    const mine = await afterEdit('Moved document', async (doc) => {
      await behindTheBack(knex(), 'documents', () => knex()('documents').where({ id: doc.id }).update({ submission_id: target.id }));
    });
    expect(mine).toEqual([expect.objectContaining({ seq: DOC_SEQ, column: 'documents.id' })]);
    const { mine: theirs } = await breaksOf(ctx, target.id);
    expect(theirs).toEqual([expect.objectContaining({ seq: 0, column: 'documents.id' })]);
  });
});
