/**
 * Issue 8 §1: `audit verify` proves everything the API serves from a `submissions` row, not only
 * the chain. Each column edited by raw SQL (as an attacker with database access would) in a real
 * database (SQLite, or PostgreSQL with TEST_DATABASE_URL) is reported with the submission, the
 * record and the column; so is a history whose records no longer follow each other (a record's
 * `from` is not the previous record's `to`) although every hash recomputes. GET /v1/audit/verify
 * serves the same breaks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDatabase } from '../../src/engine/verify.js';
import { DIALECT } from '../support/db.js';
import { type TestContext } from '../support/fixtures.js';
import { body510k, type Api, type Json, openTestApp } from '../http/helpers.js';
import { breaksOf, rechain, reviewed, type Break } from './verify-support.js';

let ctx: TestContext, api: Api;
/** Submissions tampered with so far: every break must name one of them. */
const tampered = new Set<string>();

beforeAll(async () => ({ ctx, api } = await openTestApp()));
afterAll(async () => ctx?.close());

const knex = () => ctx.services.db.knex;
type Row = Record<string, unknown>;

/** Every break names a submission some test tampered with. */
function onlyTampered(all: Break[]) {
  for (const b of all) expect(tampered.has(b.submissionId), `unexpected break ${JSON.stringify(b)}`).toBe(true);
}

describe(`verify checks the submissions row against its history on ${DIALECT}`, () => {
  it('an untouched database built through the API verifies, documents included', async () => {
    await reviewed(ctx, api, 'Untouched', 3);
    const r = await verifyDatabase(ctx.services.db.reader);
    expect(r.breaks).toEqual([]);
    expect(r.ok).toBe(true);
  });

  // column, the forged value (from the row as stored), and the record the break names: the last,
  // CREATED, or the (last) DOCUMENT_ADDED, uploaded right after CREATED
  const cases: Array<[string, (row: Row) => unknown, 'last' | 'first' | 'document']> = [
    ['state', () => 'cleared', 'last'],
    ['status', () => 'closed', 'last'],
    ['snapshot', (row) => JSON.stringify({ ...(JSON.parse(row.snapshot as string) as Json), value: 'cleared' }), 'last'],
    ['version', (row) => Number(row.version) + 1, 'last'],
    ['head_seq', (row) => Number(row.head_seq) + 1, 'last'],
    ['head_hash', () => 'f'.repeat(64), 'last'],
    ['title', () => 'A forged title', 'first'],
    ['device', (row) => JSON.stringify({ ...(JSON.parse(row.device as string) as Json), model: 'AIP-999' }), 'first'],
    ['device_name', () => 'Forged Pump', 'first'],
    ['input', () => JSON.stringify({ format: 'eSTAR', variant: 'special' }), 'first'],
    ['dossier_present', () => JSON.stringify(['cover-letter', 'forged-kind']), 'document'],
    ['workflow_version', () => 999, 'last'],
    ['jurisdiction', () => 'COFEPRIS', 'last'],
    ['created_at', () => '2020-01-01T00:00:00.000Z', 'first'],
    ['updated_at', () => '2020-01-01T00:00:00.000Z', 'last'],
  ];

  it.each(cases)('an edited %s is reported with the submission and the column', async (column, forged, at) => {
    const { id } = await reviewed(ctx, api, `Forged ${column}`);
    const row = (await knex()('submissions').where({ id }).first()) as Row;
    const value = forged(row);
    expect(value).not.toEqual(row[column]);
    await knex()('submissions')
      .where({ id })
      .update({ [column]: value });
    tampered.add(id);
    const { all, mine } = await breaksOf(ctx, id);
    const seq = at === 'first' ? 1 : at === 'document' ? 2 : Number(row.head_seq);
    expect(mine).toContainEqual(expect.objectContaining({ submissionId: id, seq, column }));
    // Only the edited column.
    expect(new Set(mine.map((b) => b.column))).toEqual(new Set([column]));
    onlyTampered(all);
  });

  it('a draft marked filed (so that reviewers would see it) and a filed one marked unfiled are reported (filed_at)', async (test) => {
    if (!(await knex().schema.hasColumn('submissions', 'filed_at'))) test.skip(); // migration 012 not in this tree
    const draft = (await api.create(ctx.users.manufacturer, body510k('Forged filing'))).id as string;
    const filed = (await reviewed(ctx, api, 'Forged unfiling')).id;
    await knex()('submissions').where({ id: draft }).update({ filed_at: '2026-01-05T15:00:00.000Z' });
    await knex()('submissions').where({ id: filed }).update({ filed_at: null });
    tampered.add(draft).add(filed);
    const { all, mine } = await breaksOf(ctx, draft);
    expect(mine).toEqual([{ submissionId: draft, seq: 1, column: 'filed_at', reason: 'filed_at does not match the first filing record' }]);
    // SUBMIT follows CREATED and the one document
    expect(all.filter((b) => b.submissionId === filed)).toEqual([
      { submissionId: filed, seq: 3, column: 'filed_at', reason: 'filed_at does not match the first filing record' },
    ]);
    onlyTampered(all);
  });

  it('an organization moved to another manufacturer is reported (organization_id)', async () => {
    const { id } = await reviewed(ctx, api, 'Moved organization');
    await knex()('submissions').where({ id }).update({ organization_id: ctx.users.otherManufacturer.actor.organization!.id });
    tampered.add(id);
    const { all, mine } = await breaksOf(ctx, id);
    expect(mine).toEqual([{ submissionId: id, seq: 1, column: 'organization_id', reason: 'organization does not match the CREATED record' }]);
    onlyTampered(all);
  });

  it('a reference to another submission that CREATED did not name is reported (reference_submission_id)', async () => {
    const other = await reviewed(ctx, api, 'Reference target');
    const { id } = await reviewed(ctx, api, 'Forged reference');
    await knex()('submissions').where({ id }).update({ reference_submission_id: other.id });
    tampered.add(id);
    const { all, mine } = await breaksOf(ctx, id);
    expect(mine).toEqual([{ submissionId: id, seq: 1, column: 'reference_submission_id', reason: 'reference does not match the CREATED record' }]);
    onlyTampered(all);
  });

  it('the state, snapshot and status forged together (the reported attack) name each column', async () => {
    const { id } = await reviewed(ctx, api, 'Forged to closed');
    const row = (await knex()('submissions').where({ id }).first()) as Row;
    const snapshot = JSON.parse(row.snapshot as string) as Json;
    await knex()('submissions')
      .where({ id })
      .update({ state: 'closed.withdrawn', status: 'closed', snapshot: JSON.stringify({ ...snapshot, value: { closed: 'withdrawn' } }) });
    tampered.add(id);
    const { mine } = await breaksOf(ctx, id);
    expect(mine.map((b) => b.column).sort()).toEqual(['snapshot', 'state', 'status']);
    for (const b of mine) expect(b.seq).toBe(Number(row.head_seq));
  });

  it("a record whose from is not the previous record's to is reported although every hash recomputes", async () => {
    const { id } = await reviewed(ctx, api, 'Rechained');
    const history = (await knex()('transitions').where({ submission_id: id }).orderBy('seq').select('seq', 'type')) as Array<{ seq: number; type: string }>;
    const feeVerified = Number(history.find((h) => h.type === 'FEE_VERIFIED')!.seq);
    await rechain(knex(), id, feeVerified, (r) => ({ ...r, from: 'review.substantive' }));
    tampered.add(id);
    const { all, mine } = await breaksOf(ctx, id);
    expect(mine).toEqual([{ submissionId: id, seq: feeVerified, column: 'transitions.from_state', reason: "from does not match the previous record's to" }]);
    onlyTampered(all);
  });

  it('GET /v1/audit/verify names the column of each break', async () => {
    const res = await api.get(ctx.users.auditor, '/v1/audit/verify');
    expect(res.status, res.text).toBe(200);
    const failures = (res.body as Json).failures as Break[];
    expect(res.body.ok).toBe(false);
    expect(failures.length).toBeGreaterThanOrEqual(tampered.size);
    expect(new Set(failures.map((f) => f.submissionId))).toEqual(tampered);
    expect(failures).toContainEqual(expect.objectContaining({ column: 'device_name' }));
    expect(failures).toContainEqual(expect.objectContaining({ column: 'transitions.from_state' }));
  });
});
