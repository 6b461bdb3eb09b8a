/**
 * Whole-database chain verification (`verifyDatabase`) on a real database (SQLite file, or
 * PostgreSQL with TEST_DATABASE_URL): the fast path, where the database spells each row's
 * canonical record, must agree with the exact, parsed check on every row it accepts, and every
 * break must be reported where the records themselves disagree, for any number of ranges.
 *
 * Rows are crafted with the real chain functions (chainRecord, recordHash, transitionRow) and
 * INSERTed directly: the history table is append-only, but INSERT is what a forger (or a
 * hand-edited restore) can do.
 */
import type { Knex } from 'knex';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../bench/seed.js';
import { chainRecord } from '../../src/engine/engine.js';
import { GENESIS_HASH, canonicalJson, recordHash, sha256Hex, verifyChain } from '../../src/engine/hash.js';
import { verifyDatabase, type VerifyResult } from '../../src/engine/verify.js';
import { migrate, openDatabase, type Database } from '../../src/store/db.js';
import { listTransitions } from '../../src/store/history-store.js';
import { rowCanonicalJson, submissionRow, transitionRow, type TransitionRow } from '../../src/store/rows.js';
import type { Actor, Submission, Transition } from '../../src/store/types.js';
import { ensureOrganization, type Organization } from '../../src/store/users-store.js';
import { fda510k } from '../../workflows/fda-510k.js';
import { DIALECT, createTestDatabase, type TestDatabase } from '../support/db.js';
import { addUser, createTestContext, type TestContext } from '../support/fixtures.js';
import { draftOf } from '../support/drafts.js';

const PARALLEL = [1, 2, 4, 7] as const;
const w = fda510k;

type Row = ReturnType<typeof transitionRow>;
type Break = VerifyResult['breaks'][number];
type RecordFields = Partial<Pick<Transition, 'type' | 'data' | 'from' | 'to' | 'actor' | 'comment' | 'effectiveAt' | 'recordedAt' | 'signature'>>;

// ------------------------------------------------------------------------------------ helpers

/** A migrated database of our own (no users, no services): each scenario sees only its own rows. */
interface Fresh {
  readonly db: Database;
  readonly org: Organization;
  readonly actor: Actor;
  close(): Promise<void>;
}

async function freshDatabase(): Promise<Fresh> {
  const database: TestDatabase = await createTestDatabase();
  const db = openDatabase(database.url);
  await migrate(db);
  const org = await ensureOrganization(db.knex, 'Verify Medical', new Date().toISOString());
  return {
    db,
    org,
    actor: { id: uuidv7(), name: 'Maria Lopez', role: 'manufacturer', organization: org },
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
}

let clock = Date.parse('2025-03-03T15:00:00.000Z');
const tick = () => new Date((clock += 1_000)).toISOString();

/** A submission before its records (rowAfter makes the row that agrees with them). */
function newSubmission(org: Organization): Submission {
  const at = tick();
  return draftOf(w, {
    id: uuidv7(),
    organization: org,
    title: 'Verify device 510(k)',
    device: { name: 'Verify device' },
    input: { format: 'eSTAR', variant: 'traditional' },
    at,
  });
}

/** The records that follow `from`'s head, built by the engine's own chainRecord. */
function chain(from: Submission, actor: Actor, specs: RecordFields[]): Transition[] {
  let s = from;
  return specs.map((spec) => {
    const at = tick();
    const created = s.headSeq === 0;
    const t = chainRecord(s, w, {
      type: created ? 'CREATED' : 'NOTE',
      // CREATED records what the row serves (verify checks title, device and input against it).
      data: created ? { title: s.title, device: s.device, input: s.input } : { n: s.headSeq + 1 },
      from: created ? null : s.state,
      to: 'draft',
      actor,
      comment: null,
      effectiveAt: at,
      recordedAt: at,
      signature: null,
      ...spec,
    });
    s = { ...s, headSeq: t.seq, headHash: t.hash, state: t.to };
    return t;
  });
}

/** The row of `s` after `rows`, as the engine keeps it (state, version, head and times from the records). */
function rowAfter(s: Submission, rows: Row[], head?: { seq: number; hash: string }) {
  const first = rows[0];
  const last = rows[rows.length - 1];
  const h = head ?? (last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS_HASH });
  const state = last?.to_state ?? s.state;
  return submissionRow({
    ...s,
    state,
    snapshot: { value: state, context: {} },
    version: rows.length,
    headSeq: h.seq,
    headHash: h.hash,
    createdAt: first?.recorded_at ?? s.createdAt,
    updatedAt: last?.recorded_at ?? s.updatedAt,
  });
}

/** `n` plain records from genesis. */
const plain = (s: Submission, actor: Actor, n: number) =>
  chain(
    s,
    actor,
    Array.from({ length: n }, () => ({})),
  );

/** Writes a submission and its rows; the head names the last row unless told otherwise. */
async function store(knex: Knex, s: Submission, rows: Row[], head?: { seq: number; hash: string }): Promise<void> {
  await knex('submissions').insert(rowAfter(s, rows, head));
  if (rows.length) await knex.batchInsert('transitions', rows, 50);
}

/** `count` good submissions of 1..5 records each; returns how many records were written. */
async function storeGood(f: Fresh, count: number): Promise<{ ids: string[]; records: number }> {
  const subs: ReturnType<typeof rowAfter>[] = [];
  const rows: Row[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const s = newSubmission(f.org);
    const recs = plain(s, f.actor, 1 + (i % 5)).map(transitionRow);
    subs.push(rowAfter(s, recs));
    rows.push(...recs);
    ids.push(s.id);
  }
  await f.db.knex.transaction(async (trx) => {
    await trx.batchInsert('submissions', subs, 100);
    await trx.batchInsert('transitions', rows, 50);
  });
  return { ids, records: rows.length };
}

const byId = (a: Break, b: Break) => (a.submissionId < b.submissionId ? -1 : a.submissionId > b.submissionId ? 1 : a.seq - b.seq);
const sorted = (breaks: Break[]) => [...breaks].sort(byId);

/**
 * What anyone can check from `GET .../history` (DESIGN §5): the served records recompute with
 * verifyChain. Returns the first break, null, or 'unreadable' when the history cannot be served.
 */
async function servedVerdict(knex: Knex, id: string): Promise<{ seq: number; reason: string } | null | 'unreadable'> {
  try {
    return verifyChain((await listTransitions(knex, id)) as unknown as Record<string, unknown>[]);
  } catch {
    return 'unreadable';
  }
}

/** A TransitionRow view of a row as written (the spliced canonical form reads only these columns). */
const asRow = (r: Row) => r as unknown as TransitionRow;

// Strings whose JSON quoting is easy to get wrong: every short escape, other C0 controls, DEL,
// quotes and backslashes, the JavaScript line terminators, a non-BMP emoji, non-ASCII letters.
const HARD = 'ctl:\u0001\u001f\b\f\n\r\t\u007f| q"uote\' back\\slash \\u0041 </x> \u2028\u2029 😀🧬 ñandú Ωμ 中文 \u00a0\ufeff';

function hardData(): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({
      nested: { arr: [1, 'two', [3.5, { k: HARD }], true, false, null, {}], deep: { deeper: { deepest: [HARD] } } },
      big: 1e21,
      bigger: 1.5e300,
      small: 0.000001,
      smaller: 1e-7,
      float: 0.1 + 0.2,
      negative: -12.5,
      zero: 0,
      '10': 'ten',
      '2': 'two',
      '1': 'one',
      é: 'e-acute',
      '😀': 'emoji key',
      'k\u2028ey': HARD,
      '': 'empty key',
    }).replace(/^\{/, '{"__proto__":{"polluted":true,"list":[1e21,0.000001]},'),
  ) as Record<string, unknown>;
}

// ------------------------------------------------------------------------------- the scenarios

describe(`verifyDatabase on ${DIALECT}`, () => {
  describe('a clean database', () => {
    let f: Fresh;
    let records = 0;
    beforeAll(async () => {
      f = await freshDatabase();
      records = (await storeGood(f, 60)).records;
    });
    afterAll(async () => f.close());

    it.each(PARALLEL)('verifies 60 submissions with exact counts (parallel %i)', async (parallel) => {
      const r = await verifyDatabase(f.db.reader, { parallel });
      expect(r).toEqual({ ok: true, submissions: 60, records, breaks: [] });
    });

    it('gives the same answer through the writer connection and with the default parallelism', async () => {
      expect(await verifyDatabase(f.db.knex)).toEqual({ ok: true, submissions: 60, records, breaks: [] });
      expect(await verifyDatabase(f.db.reader, { parallel: 61 })).toEqual({ ok: true, submissions: 60, records, breaks: [] });
    });
  });

  it('verifies an empty database', async () => {
    const f = await freshDatabase();
    try {
      for (const parallel of PARALLEL) expect(await verifyDatabase(f.db.reader, { parallel })).toEqual({ ok: true, submissions: 0, records: 0, breaks: [] });
    } finally {
      await f.close();
    }
  });

  describe('hard strings and unusual JSON', () => {
    let f: Fresh;
    let total = 0;
    const ids: string[] = [];
    beforeAll(async () => {
      f = await freshDatabase();
      const hardActor: Actor = { id: f.actor.id, name: `Dr. ${HARD}`, role: 'manufacturer', organization: { id: f.org.id, name: `Org ${HARD}` } };
      const specs: RecordFields[] = [
        { actor: hardActor, comment: HARD, data: hardData(), signature: { meaning: HARD, signedBy: HARD, nested: { at: [1e21, 0.000001] } } },
        { actor: hardActor, comment: `${HARD}${HARD}`, data: { '10': HARD, '2': [HARD], __x: 1e21 }, to: `state ${HARD}` },
        { actor: { ...hardActor, organization: null }, comment: null, data: hardData(), signature: { meaning: 'approve' } },
      ];
      // Canonical rows: the fast path may accept them, or fall back to the exact check.
      const a = newSubmission(f.org);
      const recsA = chain(a, f.actor, [{}, ...specs]);
      await store(f.db.knex, a, recsA.map(transitionRow));
      // The same records behind non-canonical (but equivalent) JSON text: the fast path cannot
      // match them, so the exact check alone must accept these hard strings.
      const b = newSubmission(f.org);
      const recsB = chain(b, f.actor, [{}, ...specs]);
      await store(
        f.db.knex,
        b,
        recsB.map((t) => ({ ...transitionRow(t), data: `  ${JSON.stringify(t.data, null, 2)}\n` })),
      );
      ids.push(a.id, b.id);
      total = recsA.length + recsB.length;
      const good = await storeGood(f, 9);
      ids.push(...good.ids);
      total += good.records;
    });
    afterAll(async () => f.close());

    it.each(PARALLEL)('verifies every hard string (parallel %i)', async (parallel) => {
      expect(await verifyDatabase(f.db.reader, { parallel })).toEqual({ ok: true, submissions: 11, records: total, breaks: [] });
    });

    it('agrees with the history as served (the records really recompute)', async () => {
      for (const id of ids) expect(await servedVerdict(f.db.reader, id)).toBeNull();
      const served = await listTransitions(f.db.reader, ids[0]!);
      expect(served[1]!.comment).toBe(HARD);
      expect(served[1]!.actor.name).toBe(`Dr. ${HARD}`);
      expect(Object.hasOwn(served[1]!.data, '__proto__')).toBe(true);
      expect(served[1]!.data['big']).toBe(1e21);
    });
  });

  it.skipIf(DIALECT !== 'sqlite')('verifies a comment holding a NUL character (SQLite stores it; the record hashes it)', async () => {
    const f = await freshDatabase();
    try {
      const s = newSubmission(f.org);
      const recs = chain(s, f.actor, [{}, { comment: 'before\u0000after', actor: { ...f.actor, name: 'N\u0000ul' } }, {}]);
      await store(f.db.knex, s, recs.map(transitionRow));
      expect(await servedVerdict(f.db.reader, s.id)).toBeNull();
      expect(await verifyDatabase(f.db.reader, { parallel: 2 })).toEqual({ ok: true, submissions: 1, records: 3, breaks: [] });
    } finally {
      await f.close();
    }
  });

  it('accepts JSON columns written in another (equivalent) format when the hash is the record’s', async () => {
    const f = await freshDatabase();
    try {
      const good = await storeGood(f, 20);
      const s = newSubmission(f.org);
      const recs = chain(s, f.actor, [{}, { data: { a: 'x', b: [1, 2, { c: null }], d: { z: 1, y: 2 } }, signature: { meaning: 'approve', by: 'Maria' } }, {}]);
      const rows = recs.map(transitionRow);
      // Extra spaces, a newline, keys out of order; the hash stays recordHash of the parsed record.
      rows[1] = {
        ...rows[1]!,
        data: '{ "d" : {"y":2,"z":1}, "b":[1, 2, {"c":null}],\n "a":"x" }',
        actor_organization: `{"name": ${JSON.stringify(f.org.name)}, "id": ${JSON.stringify(f.org.id)}}`,
        signature: ' {"by":"Maria","meaning":"approve"} ',
      };
      expect(recordHash(recs[1] as unknown as Record<string, unknown>)).toBe(rows[1].hash);
      await store(f.db.knex, s, rows);
      expect(sha256Hex(rowCanonicalJson(asRow(rows[1])))).not.toBe(rows[1].hash); // the spliced form cannot match
      for (const parallel of PARALLEL) {
        expect(await verifyDatabase(f.db.reader, { parallel })).toEqual({ ok: true, submissions: 21, records: good.records + 3, breaks: [] });
      }
      expect(await servedVerdict(f.db.reader, s.id)).toBeNull();
    } finally {
      await f.close();
    }
  });

  it('reports exactly the one record whose data was changed, whatever the number of ranges', async () => {
    const f = await freshDatabase();
    try {
      const before = await storeGood(f, 30);
      const s = newSubmission(f.org);
      const recs = plain(s, f.actor, 4);
      const rows = recs.map(transitionRow);
      rows[1] = { ...rows[1]!, data: canonicalJson({ ...recs[1]!.data, n: 999 }) }; // still canonical, hash now stale
      await store(f.db.knex, s, rows);
      const after = await storeGood(f, 30);
      for (const parallel of PARALLEL) {
        const r = await verifyDatabase(f.db.reader, { parallel });
        expect(r.breaks).toEqual([{ submissionId: s.id, seq: 2, reason: 'hash does not match the record' }]);
        expect(r.ok).toBe(false);
        expect(r.submissions).toBe(61);
        expect(r.records).toBe(before.records + 4 + after.records);
      }
      expect(await servedVerdict(f.db.reader, s.id)).toEqual({ seq: 2, reason: 'hash does not match the record' });
    } finally {
      await f.close();
    }
  });

  it('reports a forged signature manifestation (another name, another meaning) at its record', async () => {
    const f = await freshDatabase();
    try {
      const s = newSubmission(f.org);
      const at = '2026-06-20T15:00:00.000Z';
      const recs = chain(s, f.actor, [
        {},
        {},
        { type: 'DECIDE_SE', signature: { name: 'Dr. James Carter', meaning: 'approval', signedAt: at }, recordedAt: at, effectiveAt: at },
        {},
      ]);
      const rows = recs.map(transitionRow);
      // Someone with database access puts another signer's name and meaning on the decision.
      rows[2] = { ...rows[2]!, signature: canonicalJson({ name: 'Dr. Somebody Else', meaning: 'review', signedAt: at }) };
      await store(f.db.knex, s, rows);
      for (const parallel of PARALLEL) {
        expect((await verifyDatabase(f.db.reader, { parallel })).breaks).toEqual([{ submissionId: s.id, seq: 3, reason: 'hash does not match the record' }]);
      }
      expect(await servedVerdict(f.db.reader, s.id)).toEqual({ seq: 3, reason: 'hash does not match the record' });
    } finally {
      await f.close();
    }
  });

  it('reports a data column that is not JSON at all, and still counts every other submission', async () => {
    const f = await freshDatabase();
    try {
      const before = await storeGood(f, 25);
      const s = newSubmission(f.org);
      const rows = plain(s, f.actor, 4).map(transitionRow);
      rows[2] = { ...rows[2]!, data: '{oops' };
      await store(f.db.knex, s, rows);
      const after = await storeGood(f, 25);
      for (const parallel of PARALLEL) {
        const r = await verifyDatabase(f.db.reader, { parallel });
        expect(r).toEqual({
          ok: false,
          submissions: 51,
          records: before.records + 4 + after.records,
          breaks: [{ submissionId: s.id, seq: 3, reason: 'hash does not match the record' }],
        });
      }
    } finally {
      await f.close();
    }
  });

  it('reports seq gaps, a wrong prevHash, a missing history, and heads that do not match', async () => {
    const f = await freshDatabase();
    try {
      const good = await storeGood(f, 20);
      const expected: Break[] = [];
      let records = good.records;

      // seq 1, 2, 4: the third record says 4
      const gap = newSubmission(f.org);
      const g12 = plain(gap, f.actor, 2);
      const g4 = chain({ ...gap, headSeq: 3, headHash: g12[1]!.hash }, f.actor, [{}]);
      await store(f.db.knex, gap, [...g12, ...g4].map(transitionRow));
      expected.push({ submissionId: gap.id, seq: 4, reason: 'expected seq 3' });
      records += 3;

      // the history starts at seq 2
      const late = newSubmission(f.org);
      const l = chain({ ...late, headSeq: 1, headHash: GENESIS_HASH }, f.actor, [{}, {}]);
      await store(f.db.knex, late, l.map(transitionRow));
      expected.push({ submissionId: late.id, seq: 2, reason: 'expected seq 1' });
      records += 2;

      // record 2 names a previous hash that is not record 1's (its own hash recomputes)
      const prev = newSubmission(f.org);
      const p1 = plain(prev, f.actor, 1);
      const p23 = chain({ ...prev, headSeq: 1, headHash: 'ab'.repeat(32) }, f.actor, [{}, {}]);
      await store(f.db.knex, prev, [...p1, ...p23].map(transitionRow));
      expected.push({ submissionId: prev.id, seq: 2, reason: 'prevHash does not match the previous record' });
      records += 3;

      // the first record names a previous hash although it has none
      const first = newSubmission(f.org);
      const f1 = chain({ ...first, headSeq: 0, headHash: 'cd'.repeat(32) }, f.actor, [{}, {}]);
      await store(f.db.knex, first, f1.map(transitionRow));
      expected.push({ submissionId: first.id, seq: 1, reason: 'prevHash does not match the previous record' });
      records += 2;

      // no history at all
      const empty = newSubmission(f.org);
      await store(f.db.knex, empty, [], { seq: 0, hash: GENESIS_HASH });
      expected.push({ submissionId: empty.id, seq: 0, reason: 'the submission has no history records' });

      // head seq behind the chain (a record was appended without moving the head)
      const behind = newSubmission(f.org);
      const b = plain(behind, f.actor, 3);
      await store(f.db.knex, behind, b.map(transitionRow), { seq: 2, hash: b[1]!.hash });
      expected.push({ submissionId: behind.id, seq: 3, reason: 'the submission head does not match its last record', column: 'head_seq' });
      records += 3;

      // head seq right, head hash wrong
      const wrongHash = newSubmission(f.org);
      const wh = plain(wrongHash, f.actor, 2);
      await store(f.db.knex, wrongHash, wh.map(transitionRow), { seq: 2, hash: 'ef'.repeat(32) });
      expected.push({ submissionId: wrongHash.id, seq: 2, reason: 'the submission head does not match its last record', column: 'head_hash' });
      records += 2;

      // head ahead of the chain (the last record is missing)
      const ahead = newSubmission(f.org);
      const a = plain(ahead, f.actor, 3);
      await store(f.db.knex, ahead, a.slice(0, 2).map(transitionRow), { seq: 3, hash: a[2]!.hash });
      expected.push({ submissionId: ahead.id, seq: 2, reason: 'the submission head does not match its last record', column: 'head_seq' });
      records += 2;

      for (const parallel of PARALLEL) {
        const r = await verifyDatabase(f.db.reader, { parallel });
        expect(sorted(r.breaks)).toEqual(sorted(expected));
        expect(r.ok).toBe(false);
        expect(r.submissions).toBe(20 + 8);
        expect(r.records).toBe(records);
      }
    } finally {
      await f.close();
    }
  });

  describe('forgeries that splice into the bytes of a hashed record', () => {
    let f: Fresh;
    beforeAll(async () => {
      f = await freshDatabase();
      await storeGood(f, 10);
    });
    afterAll(async () => f.close());

    /** Verify must name `brk`, and no other submission (the 10 good ones stay good). */
    async function expectOnlyBreak(brk: Break) {
      for (const parallel of PARALLEL) {
        const r = await verifyDatabase(f.db.reader, { parallel });
        expect(r.breaks.filter((x) => x.submissionId === brk.submissionId)).toEqual([brk]);
        expect(r.ok).toBe(false);
      }
    }

    it('moving text between actor_organization, the quoted columns and data is a break, not the record', async () => {
      // The legit record L: its organization object happens to contain the layout's own keys,
      // so the spliced canonical form can be cut at other places.
      const org = JSON.parse('{"a":{"p":1,"role":"r"},"comment":null,"data":{"x":1},"id":"o","name":"Acme"}') as Organization;
      const s = newSubmission(f.org);
      const recs = chain(s, f.actor, [{}, { actor: { ...f.actor, organization: org }, comment: null, data: { y: 2 } }, {}]);
      const rows = recs.map(transitionRow);
      const legit = rows[1]!;
      // The forged row F: text moved out of actor_organization into data (and role "r" instead of
      // "manufacturer"). With boundaries free to move, F splices into exactly L's bytes.
      const forged: Row = {
        ...legit,
        actor_organization: '{"a":{"p":1',
        actor_role: 'r' as Row['actor_role'],
        comment: null,
        data: '{"x":1},"id":"o","name":"Acme"},"role":"manufacturer"},"comment":null,"data":{"y":2}',
      };
      expect(rowCanonicalJson(asRow(forged))).toBe(rowCanonicalJson(asRow(legit)));
      expect(sha256Hex(rowCanonicalJson(asRow(forged)))).toBe(legit.hash); // the hash L's successor chains on
      rows[1] = forged;
      await store(f.db.knex, s, rows);
      await expectOnlyBreak({ submissionId: s.id, seq: 2, reason: 'hash does not match the record' });
    });

    it('a hash column that smuggles the link separator does not make arbitrary content verify', async () => {
      // The fast path reads "submissionId␟seq␟prevHash␟hash␟valid␟canonical" and takes everything
      // after the fifth separator as the canonical record. A hash column "H␟1␟" shifts those
      // boundaries: the checker then reads hash = H, valid = "1" (whatever the real flag says),
      // and hashes "␟<real flag>␟<canonical>", which the forger can compute for any content,
      // here a data column that is not even JSON.
      const s = newSubmission(f.org);
      const recs = plain(s, f.actor, 2);
      const rows = recs.map(transitionRow);
      const t3 = chain({ ...s, headSeq: 2, headHash: recs[1]!.hash }, f.actor, [{ data: { decision: 'NSE' } }])[0]!;
      const bad: Row = { ...transitionRow(t3), data: '{oops' };
      const H = sha256Hex(`\u001f0\u001f${rowCanonicalJson(asRow(bad))}`);
      bad.hash = `${H}\u001f1\u001f`;
      // the next record chains on H, and the head names it
      const t4 = chain({ ...s, headSeq: 3, headHash: H }, f.actor, [{}])[0]!;
      if (DIALECT === 'postgres') {
        // hash is varchar(64) there: the row cannot even be stored (22001 string_data_right_truncation)
        await expect(store(f.db.knex, s, [...rows, bad, transitionRow(t4)])).rejects.toMatchObject({ code: '22001' });
        return;
      }
      await store(f.db.knex, s, [...rows, bad, transitionRow(t4)]);
      expect(await servedVerdict(f.db.reader, s.id)).toBe('unreadable'); // GET .../history cannot even parse it
      await expectOnlyBreak({ submissionId: s.id, seq: 3, reason: 'hash does not match the record' });
    });

    /**
     * A row whose JSON column holds `text` (valid JSON, not RFC 8785) and whose hash is SHA-256 of
     * the row spliced as stored, not of the record's canonical form.
     */
    async function storeHashedAsStored(text: string): Promise<Submission> {
      const s = newSubmission(f.org);
      const recs = plain(s, f.actor, 2);
      const t3 = chain({ ...s, headSeq: 2, headHash: recs[1]!.hash }, f.actor, [{}])[0]!;
      const row: Row = { ...transitionRow(t3), data: text };
      row.hash = sha256Hex(rowCanonicalJson(asRow(row)));
      expect(row.hash).not.toBe(recordHash({ ...t3, data: JSON.parse(text) as Record<string, unknown> }));
      await store(f.db.knex, s, [...recs.map(transitionRow), row]);
      // Anyone recomputing from GET .../history (DESIGN §5) finds the break:
      expect(await servedVerdict(f.db.reader, s.id)).toEqual({ seq: 3, reason: 'hash does not match the record' });
      return s;
    }

    it('a hash over non-canonical but equivalent JSON text is a break (the served record does not recompute)', async () => {
      const s = await storeHashedAsStored('{"decision": "SE"}');
      await expectOnlyBreak({ submissionId: s.id, seq: 3, reason: 'hash does not match the record' });
    });

    it('a hash over JSON text with a duplicate key is a break (the bytes hashed say SE, the record served says NSE)', async () => {
      const s = await storeHashedAsStored('{"decision":"SE","decision":"NSE"}');
      expect((await listTransitions(f.db.reader, s.id))[2]!.data).toEqual({ decision: 'NSE' });
      await expectOnlyBreak({ submissionId: s.id, seq: 3, reason: 'hash does not match the record' });
    });
  });

  describe('while commands commit', () => {
    let ctx: TestContext;
    let seeded: Awaited<ReturnType<typeof seed>>;
    beforeAll(async () => {
      ctx = await createTestContext();
      seeded = await seed(ctx.services.db.knex, { count: 2000, rowsEach: 4, longCount: 0 });
    });
    afterAll(async () => ctx.close());

    it('a command committed during verify does not produce a false break', async () => {
      const { engine, db } = ctx.services;
      const fda = ctx.users.fda.actor;
      const benchMfr = (await addUser(ctx.services, 'manufacturer', 'Bench Sponsor', 'Bench Medical')).actor;
      const before = await verifyDatabase(db.reader);
      expect(before.ok).toBe(true);
      expect(before.submissions).toBe(2000);
      const baseRecords = before.records;

      // Targets spread over the whole id range, so every verify range sees heads move.
      const targets = Array.from({ length: 40 }, (_, i) => seeded.submissionIds[(i * 53) % 2000]!);
      let stop = false;
      let committed = 0;
      const commitTimes: number[] = [];
      const writer = (async () => {
        let round = 0;
        while (!stop) {
          const id = targets[round % targets.length]!;
          const pairs = Math.floor(round / targets.length);
          const type = pairs % 2 === 0 ? 'REQUEST_AI' : 'AI_RESPONSE';
          if (type === 'REQUEST_AI') await engine.sendEvent(fda, id, { type, data: { deficiencies: [`Deficiency ${round}`] } });
          else await engine.sendEvent(benchMfr, id, { type, data: { summary: `Answer ${round}` } });
          committed++;
          commitTimes.push(performance.now());
          round++;
        }
      })();
      const windows: Array<[number, number]> = [];
      try {
        while (committed === 0) await new Promise((r) => setTimeout(r, 5));
        for (const parallel of [1, 4, 7, 4]) {
          const start = performance.now();
          const r = await verifyDatabase(db.reader, { parallel });
          windows.push([start, performance.now()]);
          expect(r.breaks).toEqual([]);
          expect(r.ok).toBe(true);
          expect(r.submissions).toBe(2000);
          expect(r.records).toBeGreaterThanOrEqual(baseRecords);
        }
      } finally {
        stop = true;
        await writer;
      }
      // The race really happened: commands committed while verify ran.
      const during = commitTimes.filter((t) => windows.some(([a, b]) => t > a && t < b)).length;
      expect(during).toBeGreaterThan(0);
      const after = await verifyDatabase(db.reader);
      expect(after).toEqual({ ok: true, submissions: 2000, records: baseRecords + committed, breaks: [] });
    });
  });
});
