/**
 * The ceiling: the same database work as one puente event (one transaction: select the row,
 * update it with the version check, insert a history row) behind bare Express, on the same driver
 * and settings (`openDatabase`), with no auth, validation, engine or hashing.
 *
 * On SQLite, `POST /raw/:id` does the same transaction on the `sqlite3` driver without Knex: one
 * connection with the writer's pragmas (WAL, synchronous FULL, foreign keys, busy timeout), each
 * transaction `BEGIN IMMEDIATE` … `COMMIT` in turn. It is the floor under Knex's own cost.
 *   DATABASE_URL=... PORT=... tsx bench/ceiling.ts
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import sqlite3 from 'sqlite3';
import { SQLITE_BUSY_TIMEOUT_MS, openDatabase } from '../src/store/db.js';

const db = openDatabase(process.env.DATABASE_URL!);
const knex = db.knex;
const app = express();
app.use(express.json({ limit: '1mb' }));

app.post('/ceiling/:id', async (req, res) => {
  const id = req.params.id;
  const body = req.body as { type?: string; data?: unknown } | undefined;
  const result = await knex.transaction(async (trx) => {
    const q = trx('submissions').where({ id }).first('version', 'head_seq', 'head_hash', 'state');
    if (db.dialect === 'postgres') q.forUpdate();
    const row = (await q) as { version: number; head_seq: number | string; head_hash: string; state: string } | undefined;
    if (!row) return null;
    const now = new Date().toISOString();
    const seq = Number(row.head_seq) + 1;
    const hash = randomUUID().replace(/-/g, '').padEnd(64, '0');
    const ok = await trx('submissions')
      .where({ id, version: row.version })
      .update({ version: Number(row.version) + 1, head_seq: seq, head_hash: hash, updated_at: now });
    if (ok !== 1) return null;
    await trx('transitions').insert({
      id: randomUUID(),
      submission_id: id,
      seq,
      type: String(body?.type ?? 'EVENT'),
      data: JSON.stringify(body?.data ?? {}),
      from_state: row.state,
      to_state: row.state,
      actor_id: 'ceiling',
      actor_name: 'ceiling',
      actor_role: 'system',
      actor_organization: null,
      comment: null,
      effective_at: now,
      recorded_at: now,
      signature: null,
      workflow_id: 'fda-510k',
      workflow_version: 1,
      definition_hash: '0'.repeat(64),
      prev_hash: row.head_hash,
      hash,
    });
    return { seq };
  });
  if (!result) res.status(409).json({ error: 'conflict' });
  else res.json(result);
});

/** The history row of the ceiling's event, column by column (the same values as the Knex route). */
function historyRow(id: string, seq: number, body: { type?: string; data?: unknown } | undefined, state: string, prevHash: string, hash: string, now: string) {
  return [
    randomUUID(),
    id,
    seq,
    String(body?.type ?? 'EVENT'),
    JSON.stringify(body?.data ?? {}),
    state,
    state,
    'ceiling',
    'ceiling',
    'system',
    null,
    null,
    now,
    now,
    null,
    'fda-510k',
    1,
    '0'.repeat(64),
    prevHash,
    hash,
  ];
}
const HISTORY_COLUMNS =
  'id, submission_id, seq, type, data, from_state, to_state, actor_id, actor_name, actor_role, actor_organization, comment, effective_at, recorded_at, signature, workflow_id, workflow_version, definition_hash, prev_hash, hash';

if (db.dialect === 'sqlite') {
  const raw = new sqlite3.Database(process.env.DATABASE_URL!.slice('sqlite:'.length));
  raw.exec(`PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}; PRAGMA synchronous = FULL;`);
  const run = (sql: string, params: unknown[]) =>
    new Promise<number>((resolve, reject) =>
      raw.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve(this.changes);
      }),
    );
  const get = <T>(sql: string, params: unknown[]) =>
    new Promise<T | undefined>((resolve, reject) => raw.get(sql, params, (err, row) => (err ? reject(err) : resolve(row as T))));
  // One connection: its transactions run one after the other.
  let tail: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const next = tail.then(work, work);
    tail = next.catch(() => undefined);
    return next;
  };
  app.post('/raw/:id', async (req, res) => {
    const id = req.params.id;
    const body = req.body as { type?: string; data?: unknown } | undefined;
    const result = await inTurn(async () => {
      await run('BEGIN IMMEDIATE', []);
      try {
        const row = await get<{ version: number; head_seq: number; head_hash: string; state: string }>(
          'select version, head_seq, head_hash, state from submissions where id = ?',
          [id],
        );
        if (!row) {
          await run('ROLLBACK', []);
          return null;
        }
        const now = new Date().toISOString();
        const seq = Number(row.head_seq) + 1;
        const hash = randomUUID().replace(/-/g, '').padEnd(64, '0');
        const ok = await run('update submissions set version = ?, head_seq = ?, head_hash = ?, updated_at = ? where id = ? and version = ?', [
          row.version + 1,
          seq,
          hash,
          now,
          id,
          row.version,
        ]);
        if (ok !== 1) {
          await run('ROLLBACK', []);
          return null;
        }
        await run(
          `insert into transitions (${HISTORY_COLUMNS}) values (${HISTORY_COLUMNS.split(',')
            .map(() => '?')
            .join(', ')})`,
          historyRow(id, seq, body, row.state, row.head_hash, hash, now),
        );
        await run('COMMIT', []);
        return { seq };
      } catch (e) {
        await run('ROLLBACK', []).catch(() => undefined);
        throw e;
      }
    });
    if (!result) res.status(409).json({ error: 'conflict' });
    else res.json(result);
  });
}

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`ceiling listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
});
process.once('SIGTERM', () => server.close(() => void db.destroy().then(() => process.exit(0))));
