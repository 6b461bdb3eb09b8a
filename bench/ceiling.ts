/**
 * The ceiling: the same database work as one puente event (one transaction: select the row,
 * update it with the version check, insert a history row) behind bare Express, on the same driver
 * and settings (`openDatabase`), with no auth, validation, engine or hashing.
 *   DATABASE_URL=... PORT=... tsx bench/ceiling.ts
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import { openDatabase } from '../src/store/db.js';

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

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`ceiling listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
});
process.once('SIGTERM', () => server.close(() => void db.destroy().then(() => process.exit(0))));
