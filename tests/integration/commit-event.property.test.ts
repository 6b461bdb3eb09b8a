/**
 * The SQLite fast path of `HistoryStore.commitEvent` (one script with literal values,
 * writeGuardedSqlite) against the portable path (the guarded UPDATE and the history INSERT with
 * bound parameters, in a transaction): for random changes and records, including lost version
 * checks and records that break a constraint, both leave byte-for-byte the same database and
 * answer the same. Real SQLite files, one per path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Database } from '../../src/store/db.js';
import { commitEventOn, createKnexHistoryStore, insertTransition } from '../../src/store/history-store.js';
import { insertSubmission } from '../../src/store/submission-store.js';
import { NO_DUE_DATES, type Submission, type SubmissionChange, type Transition } from '../../src/store/types.js';
import { DIALECT } from '../support/db.js';

const ORG = { id: '00000000-0000-7000-8000-000000000001', name: 'Org' };
let dir: string;
let fast: Database;
let portable: Database;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-commit-'));
  fast = openDatabase(`sqlite:${path.join(dir, 'fast.db')}`);
  portable = openDatabase(`sqlite:${path.join(dir, 'portable.db')}`);
  for (const db of [fast, portable]) {
    await migrate(db);
    await db.knex('organizations').insert({ ...ORG, created_at: '2026-01-01T00:00:00.000Z' });
  }
});

afterAll(async () => {
  await fast?.destroy();
  await portable?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Every row the commit can touch for one submission (directly or by trigger), in insertion order. */
async function dump(db: Database, id: string): Promise<Record<string, unknown[]>> {
  const rows = async (sql: string) => (await db.knex.raw(sql, [id])) as unknown[];
  return {
    submissions: await rows('select * from submissions where id = ?'),
    transitions: await rows('select * from transitions where submission_id = ? order by rowid'),
    outbox: await rows('select * from outbox where submission_id = ? order by rowid'),
    tlog_queue: await rows('select * from tlog_queue where transition_id in (select id from transitions where submission_id = ?) order by rowid'),
  };
}

// Any code point (NUL, quotes, backslashes, astral characters): the fast path writes them as hex literals.
const text = fc.string({ unit: 'binary', maxLength: 12 });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const json = fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 4 });

const changeArb = fc.record({
  state: text,
  status: fc.constantFrom<'active' | 'closed'>('active', 'closed'),
  snapshot: fc.record({ value: fc.oneof(text, json), context: json }),
  dossierPresent: fc.array(text, { maxLength: 3 }),
  headHash: text,
  lastEffectiveAt: maybe(text),
  stateSince: text,
  deadline: maybe(fc.record({ kind: text, dueDate: text, event: text })),
  due: fc.record({ nextKey: text, nextKind: maybe(text), goalDate: maybe(text), goalMissed: fc.boolean() }),
  updatedAt: text,
});

const recordArb = fc.record({
  id: fc.uuid(),
  type: text,
  data: json,
  from: maybe(text),
  to: text,
  actor: fc.record({
    id: text,
    name: text,
    role: fc.constantFrom('manufacturer', 'fda', 'cofepris', 'system'),
    organization: maybe(fc.record({ id: text, name: text })),
  }),
  comment: maybe(text),
  effectiveAt: text,
  recordedAt: text,
  signature: maybe(json),
  workflow: fc.record({ id: text, version: fc.integer({ min: 1, max: 99 }), definitionHash: text }),
  prevHash: text,
  hash: text,
});

/** What a step does to the version check and the history's unique (submission, seq). */
const stepArb = fc.record({
  change: changeArb,
  record: recordArb,
  /** 0: the version the row is at; otherwise a version it is not at (a lost race). */
  versionOffset: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) }),
  /** Reuse seq 1 (already taken): the update matches but the insert breaks a constraint. */
  duplicateSeq: fc.integer({ min: 0, max: 9 }).map((x) => x < 2),
});

function submission(id: string): Submission {
  return {
    id,
    organization: ORG,
    workflowId: 'fda-510k',
    workflowVersion: 1,
    jurisdiction: 'FDA',
    title: 'T',
    device: { name: 'D' },
    input: {},
    state: 'draft',
    status: 'active',
    snapshot: { value: 'draft', context: {} },
    xstateVersion: '5',
    version: 1,
    referenceSubmissionId: null,
    dossierPresent: [],
    headSeq: 1,
    headHash: 'h1',
    lastEffectiveAt: null,
    stateSince: 's',
    deadline: null,
    due: NO_DUE_DATES,
    createdAt: 'c',
    updatedAt: 'u',
  };
}

async function outcome(run: () => Promise<boolean>): Promise<boolean | 'error'> {
  try {
    return await run();
  } catch {
    return 'error';
  }
}

describe.skipIf(DIALECT !== 'sqlite')('commitEvent on SQLite: the one-script fast path equals the portable path', () => {
  it('leaves identical rows and answers alike for random changes, lost version checks and broken constraints', async () => {
    const fastHistory = createKnexHistoryStore(fast.knex);
    let n = 0;
    let conflicts = 0;
    let written = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 4 }), async (steps) => {
        const id = `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
        const first: Transition = {
          id: `10000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
          submissionId: id,
          seq: 1,
          type: 'CREATED',
          data: {},
          from: null,
          to: 'draft',
          actor: { id: 'u', name: 'U', role: 'manufacturer', organization: null },
          comment: null,
          effectiveAt: 'e',
          recordedAt: 'r',
          signature: null,
          workflow: { id: 'fda-510k', version: 1, definitionHash: 'd' },
          prevHash: 'g',
          hash: 'h1',
        };
        for (const db of [fast, portable]) {
          await insertSubmission(db.knex, submission(id));
          await insertTransition(db.knex, first);
        }
        let version = 1;
        let seq = 1;
        for (const step of steps) {
          const expected = version + step.versionOffset;
          const change: SubmissionChange = { ...step.change, version: version + 1, headSeq: seq + 1 };
          const t: Transition = { ...step.record, submissionId: id, seq: step.duplicateSeq ? 1 : seq + 1 };
          const a = await outcome(() => fastHistory.commitEvent(id, expected, change, t));
          const b = await outcome(() => portable.knex.transaction((trx) => commitEventOn(trx, id, expected, change, t)));
          expect(a).toBe(b);
          if (a === true) {
            version++;
            seq++;
            written++;
          } else conflicts++;
        }
        expect(await dump(fast, id)).toEqual(await dump(portable, id));
      }),
      { numRuns: 60 },
    );
    // Both kinds of step happened: the property was not vacuous.
    expect(written).toBeGreaterThan(0);
    expect(conflicts).toBeGreaterThan(0);
  }, 120_000);
});
