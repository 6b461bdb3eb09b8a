/**
 * Hostile property (issue 8 §1, §2): any edit of a served value in `submissions`, `documents` or
 * `blobs`, made behind puente's back in a copy of a real database, is caught by `audit verify`
 * and located: a break names the submission the edited row belongs to (for a blob: a submission
 * of a document holding it) and, for a value the API serves, the column.
 *
 * The database is built once through the API (510(k)s moved by events, documents uploaded), then
 * closed; every case copies it (SQLite: the file; PostgreSQL: CREATE DATABASE ... TEMPLATE),
 * applies one (table, row, column, new value) edit with the append-only triggers and foreign keys
 * off (as a database owner can: SQLite's default connection, PostgreSQL's replica role), verifies
 * the copy and drops it.
 *
 * Which columns are served facts (each must be caught) and which are not (skipped, never drawn):
 * see SERVED and NOT_CHECKED. Every column of the three tables must be in one of them, so a new
 * column fails this test until someone decides. An edit that leaves the value identical is
 * impossible by construction (asserted). Runs: TAMPER_RUNS (default 40); seed HOSTILE_SEED.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDatabase } from '../../src/engine/verify.js';
import { openDatabase } from '../../src/store/db.js';
import { DIALECT, TEST_DATABASE_URL } from '../support/db.js';
import { createTestContext, type TestContext } from '../support/fixtures.js';
import { daysAgo } from '../http/helpers.js';
import { apiOf, reviewed } from '../security/verify-support.js';
import { envInt, fcParams } from './support.js';

type Table = 'submissions' | 'documents' | 'blobs';
type Row = Record<string, unknown>;

/**
 * Served facts: each is recomputable from the hash chain, and an edit must be reported with the
 * column named (`null`: the row is reported, under no one column, e.g. a changed primary key).
 */
const SERVED: Record<Table, Record<string, string | null>> = {
  submissions: {
    id: null,
    organization_id: 'organization_id',
    workflow_id: 'workflow_id',
    workflow_version: 'workflow_version',
    jurisdiction: 'jurisdiction',
    title: 'title',
    device_name: 'device_name',
    device: 'device',
    input: 'input',
    state: 'state',
    status: 'status',
    snapshot: 'snapshot',
    version: 'version',
    reference_submission_id: 'reference_submission_id',
    dossier_present: 'dossier_present',
    head_seq: 'head_seq',
    head_hash: 'head_hash',
    created_at: 'created_at',
    updated_at: 'updated_at',
    filed_at: 'filed_at',
  },
  documents: {
    id: 'documents.id',
    // moved to another submission: its own submission lacks the row its record names
    submission_id: 'documents.id',
    kind: 'documents.kind',
    filename: 'documents.filename',
    sha256: 'documents.sha256',
    size: 'documents.size',
    uploaded_by: 'documents.uploaded_by',
    created_at: 'documents.created_at',
  },
  blobs: { sha256: 'blobs.sha256', size: 'blobs.size', bytes: 'blobs.bytes' },
};

/**
 * Not checked by verify, so never drawn: caches the engine derives from the history with the
 * workflow's clock rules on every command (last_effective_at, state_since, deadline_*, next_due_*,
 * goal_*), the xstate version the snapshot was persisted with, and the document's media type
 * (not in the DOCUMENT_ADDED record). The snapshot's context is not checked either (only its
 * value): the snapshot edits drawn here change the value.
 */
const NOT_CHECKED: Record<Table, readonly string[]> = {
  submissions: [
    'xstate_version',
    'last_effective_at',
    'state_since',
    'deadline_kind',
    'deadline_due_date',
    'deadline_event',
    // the calendar a business-day deadline was counted under (migration 014): part of the deadline cache
    'deadline_calendar_version',
    'deadline_calendar_sha256',
    // the seq of the DEADLINE_PASSED record of a deadline left to the regulator's decision (migration
    // 016, issue 9 §1): part of the deadline cache, derivable from that record in the history (verify
    // does not compare it)
    'deadline_passed_seq',
    'next_due_key',
    'next_due_kind',
    'goal_due_date',
    'goal_missed',
  ],
  documents: ['content_type'],
  blobs: [],
};

const PRIMARY: Record<Table, string> = { submissions: 'id', documents: 'id', blobs: 'sha256' };
const RUNS = envInt('TAMPER_RUNS', 40);

let ctx: TestContext;
/** Every row of the three tables as built, and the columns each table has. */
const rows: Record<Table, Row[]> = { submissions: [], documents: [], blobs: [] };
const columns: Record<Table, string[]> = { submissions: [], documents: [], blobs: [] };
let sqliteFile = '';

async function columnsOf(knex: Knex, table: Table): Promise<string[]> {
  return Object.keys(await knex(table).columnInfo());
}

beforeAll(async () => {
  ctx = await createTestContext();
  const { api } = apiOf(ctx);
  await reviewed(ctx, api, 'Tamper one', 2);
  const two = await reviewed(ctx, api, 'Tamper two', 3);
  await api.send(ctx.users.fda, two.id, 'REQUEST_AI', { data: { deficiencies: ['Biocompatibility data'] }, effectiveAt: daysAgo(20) });
  await api.send(ctx.users.manufacturer, two.id, 'AI_RESPONSE', { data: { summary: 'Reports attached' }, effectiveAt: daysAgo(10) });
  await reviewed(ctx, api, 'Tamper three', 1);
  const knex = ctx.services.db.knex;
  for (const table of ['submissions', 'documents', 'blobs'] as const) {
    rows[table] = (await knex(table).select('*')) as Row[];
    columns[table] = await columnsOf(knex, table);
  }
  expect((await verifyDatabase(ctx.services.db.reader)).breaks).toEqual([]);
  // Closed, so that it can be copied (PostgreSQL: a template has no other connections).
  await ctx.services.shutdown();
  if (DIALECT === 'sqlite') sqliteFile = new URL(ctx.database.url.replace(/^sqlite:/, 'file:')).pathname;
}, 120_000);
afterAll(async () => ctx?.database.drop());

/** A copy of the built database: its URL and how to drop it. */
async function copyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (DIALECT === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-tamper-'));
    const file = path.join(dir, 'copy.db');
    fs.copyFileSync(sqliteFile, file);
    return { url: `sqlite:${file}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const source = new URL(ctx.database.url).pathname.slice(1);
  const name = `puente_tamper_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${source}`);
  } finally {
    await admin.end();
  }
  const url = Object.assign(new URL(TEST_DATABASE_URL!), { pathname: `/${name}` }).toString();
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Applies `edit` to the copy at `url` as a database owner: no append-only triggers, no foreign keys. */
async function asOwner(url: string, edit: (k: Knex) => Promise<unknown>): Promise<void> {
  if (DIALECT === 'sqlite') {
    const k = knexFactory({ client: 'sqlite3', connection: { filename: url.replace(/^sqlite:/, '') }, useNullAsDefault: true });
    try {
      await k.raw('PRAGMA foreign_keys = OFF');
      for (const t of ['transitions', 'documents', 'blobs']) for (const op of ['update', 'delete']) await k.raw(`DROP TRIGGER IF EXISTS ${t}_no_${op}`);
      await edit(k);
    } finally {
      await k.destroy();
    }
    return;
  }
  const k = knexFactory({ client: 'pg', connection: url, pool: { min: 1, max: 1 } });
  try {
    await k.transaction(async (trx) => {
      await trx.raw('SET LOCAL session_replication_role = replica');
      await edit(trx);
    });
  } finally {
    await k.destroy();
  }
}

// ------------------------------------------------------------------------------------ the edits

const shortText = fc.string({ minLength: 1, maxLength: 24 });
const uuidLike = fc.uuid();
const otherOf = <T>(values: readonly T[]) => fc.constantFrom(...values);

/** A new value for `column` of `row` (maybe equal to the old one: those are filtered out). */
function valueFor(table: Table, column: string, row: Row): fc.Arbitrary<unknown> {
  const old = row[column];
  const subs = rows.submissions;
  const json = (text: unknown) => JSON.parse(String(text)) as Record<string, unknown>;
  if (table === 'blobs') {
    if (column === 'bytes') {
      const bytes = Buffer.from(old as Buffer);
      return fc.oneof(
        fc.nat({ max: bytes.length - 1 }).map((i) => {
          const b = Buffer.from(bytes);
          b[i] = b[i]! ^ 0x01;
          return b;
        }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a)),
      );
    }
    if (column === 'size') return fc.integer({ min: 0, max: 1_000_000 });
    return fc.stringMatching(/^[0-9a-f]{64}$/);
  }
  if (table === 'documents') {
    if (column === 'submission_id') return otherOf(subs.map((s) => s.id));
    if (column === 'sha256') return fc.oneof(otherOf(rows.blobs.map((b) => b.sha256)), fc.stringMatching(/^[0-9a-f]{64}$/));
    if (column === 'size') return fc.integer({ min: 0, max: 1_000_000 });
    if (column === 'uploaded_by' || column === 'id') return fc.oneof(uuidLike, otherOf(Object.values(ctx.users).map((u) => u.actor.id)));
    if (column === 'kind') return fc.oneof(otherOf(rows.documents.map((d) => d.kind)), shortText);
    return fc.oneof(otherOf(rows.documents.map((d) => d[column])), shortText);
  }
  switch (column) {
    case 'id':
      return uuidLike;
    case 'organization_id':
      return fc.constant(ctx.users.otherManufacturer.actor.organization!.id);
    case 'reference_submission_id':
      return fc.oneof(otherOf(subs.map((s) => s.id)), fc.constant(null));
    case 'workflow_version':
    case 'version':
    case 'head_seq':
      return fc.integer({ min: -3, max: 40 });
    case 'head_hash':
      return fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), otherOf(subs.map((s) => s.head_hash)));
    case 'state':
      return fc.oneof(otherOf(['draft', 'cleared', 'aiHold', 'review.substantive', 'closed.withdrawn']), shortText);
    case 'status':
      return fc.oneof(otherOf(['active', 'closed']), shortText);
    case 'snapshot':
      // the value changes (the context is not checked: see NOT_CHECKED)
      return fc.oneof(
        otherOf(['cleared', 'draft', 'aiHold', 'closed', { review: 'substantive' }, { closed: 'withdrawn' }]).map((value) =>
          JSON.stringify({ ...json(old), value }),
        ),
        shortText,
      );
    case 'device':
    case 'input':
      return fc.oneof(
        fc.tuple(shortText, fc.oneof(shortText, fc.integer(), fc.constant(null))).map(([k, v]) => JSON.stringify({ ...json(old), [k]: v })),
        otherOf(['{}', '[]', 'null', '"x"', 'not json']),
      );
    case 'dossier_present':
      return fc.oneof(
        fc.array(otherOf(['cover-letter', 'labeling', 'forged-kind', 'fda-decision-letter']), { maxLength: 3 }).map((a) => JSON.stringify(a)),
        otherOf(['{}', 'not json']),
      );
    case 'filed_at':
    case 'created_at':
    case 'updated_at':
      return fc.oneof(
        otherOf(subs.map((s) => s[column])),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
        column === 'filed_at' ? fc.constant(null) : shortText,
      );
    case 'workflow_id':
      return fc.oneof(otherOf(['fda-pma', 'fda-de-novo', 'cofepris-registration']), shortText);
    case 'jurisdiction':
      return otherOf(['COFEPRIS', 'EU', 'fda']);
    default:
      return fc.oneof(otherOf(subs.map((s) => s[column])), shortText);
  }
}

const same = (a: unknown, b: unknown) =>
  Buffer.isBuffer(a) || Buffer.isBuffer(b)
    ? Buffer.compare(Buffer.from(a as Buffer), Buffer.from(b as Buffer)) === 0
    : String(a) === String(b) && (a === null) === (b === null);

interface Edit {
  table: Table;
  key: unknown;
  column: string;
  value: unknown;
}

const editArb: fc.Arbitrary<Edit> = fc
  .constantFrom<Table>('submissions', 'documents', 'blobs')
  .chain((table) =>
    fc.record({
      table: fc.constant(table),
      row: fc.nat({ max: rows[table].length - 1 }),
      column: fc.constantFrom(...Object.keys(SERVED[table]).filter((c) => columns[table].includes(c))),
    }),
  )
  .chain(({ table, row, column }) => {
    const r = rows[table][row]!;
    return valueFor(table, column, r)
      .filter((value) => !same(value, r[column]))
      .map((value) => ({ table, key: r[PRIMARY[table]], column, value }));
  });

/** The submissions an edited row belongs to (a blob: every submission with a document holding it). */
function ownersOf(e: Edit): string[] {
  if (e.table === 'submissions') return [e.key as string];
  if (e.table === 'documents') return [rows.documents.find((d) => d.id === e.key)!.submission_id as string];
  return rows.documents.filter((d) => d.sha256 === e.key).map((d) => d.submission_id as string);
}

describe(`tampering with served values is caught and located (${DIALECT})`, () => {
  it('every column of submissions, documents and blobs is either served (checked) or named as not checked', () => {
    for (const table of ['submissions', 'documents', 'blobs'] as const) {
      const known = new Set([...Object.keys(SERVED[table]), ...NOT_CHECKED[table]]);
      expect(columns[table].filter((c) => !known.has(c))).toEqual([]);
    }
    expect(rows.documents.length).toBe(6);
  });

  it(`a random edit (${RUNS} runs) is reported at its submission and column`, async () => {
    await fc.assert(
      fc.asyncProperty(editArb, async (e) => {
        const copy = await copyDatabase();
        try {
          await asOwner(copy.url, (k) =>
            k(e.table)
              .where({ [PRIMARY[e.table]]: e.key as string })
              .update({ [e.column]: e.value as string }),
          );
          const db = openDatabase(copy.url);
          try {
            const r = await verifyDatabase(db.reader, { parallel: 2 });
            const owners = ownersOf(e);
            const located = r.breaks.filter((b) => owners.includes(b.submissionId));
            const column = SERVED[e.table][e.column];
            const where = `${e.table}.${e.column} = ${JSON.stringify(Buffer.isBuffer(e.value) ? '<bytes>' : e.value)}: ${JSON.stringify(r.breaks)}`;
            expect(r.ok, where).toBe(false);
            expect(located.length, where).toBeGreaterThan(0);
            if (column)
              expect(
                located.map((b) => b.column),
                where,
              ).toContain(column);
          } finally {
            await db.destroy();
          }
        } finally {
          await copy.drop();
        }
      }),
      fcParams(RUNS),
    );
  }, 600_000);
});
