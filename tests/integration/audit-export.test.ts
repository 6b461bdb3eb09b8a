/**
 * The auditor's export and history query at size, on a real database (SQLite file, or PostgreSQL
 * with TEST_DATABASE_URL): 50,000 seeded history rows are exported through a consumer that takes
 * its time, and the exporter is shown to hold one page at a time (it reads the next page only
 * once the stream has drained, and the live heap stays flat whatever the export's size). No
 * timing is asserted. The query plans show every equality filter paging on an index in
 * (recorded_at, id) order, with no sort.
 */
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../bench/seed.js';
import { CSV_HEADER, EXPORT_PAGE_SIZE, jsonLine, writeExport, type ExportFormat } from '../../src/audit/export.js';
import { createKnexAuditStore, transitionsPage, transitionsQuery, type TransitionFilters } from '../../src/store/audit-store.js';
import { DIALECT } from '../support/db.js';
import { createTestContext, type TestContext } from '../support/fixtures.js';

const ROWS = 50_000;
let ctx: TestContext;

// A full collection on demand, so the heap measured is what is live, not garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveHeap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

/** A consumer that takes each chunk a turn of the event loop later, hashing and dropping it. */
class SlowConsumer extends Writable {
  readonly hash = createHash('sha256');
  bytes = 0;
  maxBuffered = 0;
  constructor() {
    super({ highWaterMark: 64 * 1024, decodeStrings: true });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    this.bytes += chunk.length;
    this.hash.update(chunk);
    setImmediate(done);
  }
}

beforeAll(async () => {
  ctx = await createTestContext();
  const result = await seed(ctx.services.db.knex, { count: ROWS / 4, rowsEach: 4, longCount: 0 });
  expect(result.rows).toBe(ROWS);
}, 300_000);

afterAll(async () => {
  await ctx?.close();
});

describe(`export of ${ROWS} history rows on ${DIALECT}`, () => {
  for (const format of ['jsonl', 'csv'] as ExportFormat[]) {
    it(`${format}: reads a page only once the stream has drained; the live heap stays flat`, async () => {
      const db = ctx.services.db.reader;
      const out = new SlowConsumer();
      const before = liveHeap();
      let pages = 0;
      let maxGrowth = 0;
      let maxBufferedAtRead = 0;
      const result = await writeExport(createKnexAuditStore(db), {}, format, out, {
        onPage: ({ buffered }) => {
          pages++;
          maxBufferedAtRead = Math.max(maxBufferedAtRead, buffered);
          if (pages % 10 === 0) maxGrowth = Math.max(maxGrowth, liveHeap() - before);
        },
      });
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      expect(result).toEqual({ records: ROWS, complete: true });
      expect(pages).toBe(ROWS / EXPORT_PAGE_SIZE + 1);
      // Backpressure: no page is read while the stream holds a full buffer (its highWaterMark),
      // so at most one page is ever waiting in it besides what the consumer is taking.
      expect(maxBufferedAtRead).toBeLessThan(out.writableHighWaterMark);
      // Constant memory: what stays live during the export is about one page, far less than the
      // export itself (tens of megabytes).
      expect(out.bytes).toBeGreaterThan(20 * 1024 * 1024);
      expect(maxGrowth).toBeLessThan(8 * 1024 * 1024);
      expect(maxGrowth).toBeLessThan(out.bytes / 5);
      if (format === 'csv') expect(out.bytes).toBeGreaterThan(CSV_HEADER.length);
    }, 300_000);
  }

  it('the JSONL export is the history query page after page, byte for byte', async () => {
    const db = ctx.services.db.reader;
    const filters: TransitionFilters = { type: 'FEE_VERIFIED' };
    const out = new SlowConsumer();
    const result = await writeExport(createKnexAuditStore(db), filters, 'jsonl', out, { pageSize: 777 });
    await new Promise<void>((resolve) => out.end(resolve));
    const expected = createHash('sha256');
    let after = null;
    let count = 0;
    for (;;) {
      const page = await transitionsPage(db, filters, after, 1000);
      for (const t of page) expected.update(jsonLine(t));
      count += page.length;
      if (page.length < 1000) break;
      const last = page[page.length - 1]!;
      after = { recordedAt: last.recordedAt, id: last.id };
    }
    expect(result).toEqual({ records: ROWS / 4, complete: true });
    expect(count).toBe(ROWS / 4);
    expect(out.hash.digest('hex')).toBe(expected.digest('hex'));
  }, 120_000);

  it('stops reading when the stream closes (the client went away)', async () => {
    const out = new SlowConsumer();
    let pages = 0;
    const done = writeExport(createKnexAuditStore(ctx.services.db.reader), {}, 'jsonl', out, {
      onPage: () => {
        if (++pages === 3) out.destroy();
      },
    });
    const result = await done;
    expect(result.complete).toBe(false);
    expect(pages).toBe(3);
  });
});

describe(`query plans on ${DIALECT}`, () => {
  const after = { recordedAt: '2026-01-01T00:00:00.000Z', id: '01900000-0000-7000-8000-000000000000' };
  const cases: Array<[string, TransitionFilters, string]> = [
    ['no filter', {}, 'transitions_recorded_id_index'],
    ['actor', { actor: 'someone' }, 'transitions_actor_recorded_index'],
    ['role', { role: 'system' }, 'transitions_role_recorded_index'],
    ['type', { type: 'RESCIND_SE' }, 'transitions_type_recorded_index'],
    ['workflow', { workflow: 'fda-hde' }, 'transitions_workflow_recorded_index'],
    ['recorded range', { recordedFrom: '2026-01-01T00:00:00.000Z', recordedBefore: '2026-02-01T00:00:00.000Z' }, 'transitions_recorded_id_index'],
  ];

  async function plan(f: TransitionFilters, withCursor: boolean, ordered = true): Promise<string> {
    const knex = ctx.services.db.knex;
    const q = transitionsQuery(knex, f, withCursor ? after : null, 51)
      .toSQL()
      .toNative();
    if (DIALECT === 'sqlite') {
      const rows = (await knex.raw(`EXPLAIN QUERY PLAN ${q.sql}`, q.bindings as never)) as Array<{ detail: string }>;
      return rows.map((r) => r.detail).join('\n');
    }
    // PostgreSQL chooses by statistics (a rare value: bitmap scan and sort, rightly). With
    // sequential scans, bitmap scans and sorts priced out, what remains shows whether an index
    // can serve the page in order: an Index Scan and no Sort node.
    return knex.transaction(async (trx) => {
      await trx.raw('SET LOCAL enable_seqscan = off');
      if (ordered) {
        await trx.raw('SET LOCAL enable_bitmapscan = off');
        await trx.raw('SET LOCAL enable_sort = off');
      }
      const res = (await trx.raw(`EXPLAIN ${q.sql.replace(/\$\d+/g, '?')}`, q.bindings as never)) as { rows: Array<{ 'QUERY PLAN': string }> };
      return res.rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  for (const [name, f, index] of cases) {
    it(`${name}: an index range in page order, no sort`, async () => {
      for (const withCursor of [false, true]) {
        const p = await plan(f, withCursor);
        expect(p, p).toContain(index);
        expect(p, p).not.toMatch(/TEMP B-TREE|\bSort\b/);
        expect(p, p).not.toMatch(/^SCAN t$/m);
      }
    });
  }

  it('submission and organization filters start from their own indexes', async () => {
    // A full scan of the history shows as `SCAN t` (SQLite) or `Seq Scan on transitions` (PostgreSQL).
    const fullScan = /^SCAN t$|Seq Scan on transitions/m;
    const s = await plan({ submission: 'x' }, true, false);
    expect(s, s).toMatch(/transitions_submission_id_seq_unique/);
    const o = await plan({ organization: 'x' }, true, false);
    expect(o, o).not.toMatch(fullScan);
    const e = await plan({ effectiveFrom: '2026-01-01T00:00:00.000Z', effectiveBefore: '2026-01-02T00:00:00.000Z' }, false, false);
    expect(e, e).toMatch(/transitions_effective_index/);
  });
});
