/**
 * Whole-database chain verification: every submission's records recompute, run 1..n without
 * gaps, and end at the head the submission row names.
 */
import type { Knex } from 'knex';
import { allTransitions, type Transition } from '../store/submissions-store.js';
import { verifyChain } from './hash.js';

export interface VerifyResult {
  ok: boolean;
  submissions: number;
  records: number;
  breaks: Array<{ submissionId: string; seq: number; reason: string }>;
}

export async function verifyDatabase(knex: Knex): Promise<VerifyResult> {
  const heads = new Map<string, { seq: number; hash: string }>();
  for (const row of await knex('submissions').select<{ id: string; head_seq: number; head_hash: string }[]>('id', 'head_seq', 'head_hash')) {
    heads.set(row.id, { seq: Number(row.head_seq), hash: row.head_hash });
  }
  const result: VerifyResult = { ok: true, submissions: 0, records: 0, breaks: [] };
  const finish = (id: string, records: Transition[]) => {
    result.submissions++;
    result.records += records.length;
    const broken = verifyChain(records as unknown as Record<string, unknown>[]);
    const head = heads.get(id);
    heads.delete(id);
    const last = records[records.length - 1];
    if (broken) result.breaks.push({ submissionId: id, ...broken });
    else if (!head || !last || head.seq !== last.seq || head.hash !== last.hash) {
      result.breaks.push({ submissionId: id, seq: last?.seq ?? 0, reason: 'the submission head does not match its last record' });
    }
  };
  let current: string | null = null;
  let batch: Transition[] = [];
  for await (const t of allTransitions(knex)) {
    if (t.submissionId !== current) {
      if (current) finish(current, batch);
      current = t.submissionId;
      batch = [];
    }
    batch.push(t);
  }
  if (current) finish(current, batch);
  for (const id of heads.keys()) result.breaks.push({ submissionId: id, seq: 0, reason: 'the submission has no history records' });
  result.ok = result.breaks.length === 0;
  return result;
}
