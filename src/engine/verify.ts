/**
 * Whole-database chain verification: every submission's records recompute, run 1..n without
 * gaps, and end at the head the submission row names.
 *
 * Fast path: the database spells each row's canonical record (chainLinks) and this process only
 * hashes it; the table is cut into ranges of submissions checked side by side, each inside one
 * read transaction (a consistent snapshot: a command committing meanwhile cannot make a chain
 * look broken). A submission whose fast check fails for any reason is checked again the slow
 * way, from its parsed rows, so a break is reported only where the records themselves disagree.
 */
import os from 'node:os';
import { LINK_SEPARATOR, chainStoreOf, recordOf, type ChainSnapshot, type ChainSource, type TransitionRow } from '../store/chain-store.js';
import { GENESIS_HASH, isCanonicalJsonText, recordHash, sha256Hex } from './hash.js';

export interface VerifyResult {
  ok: boolean;
  submissions: number;
  records: number;
  breaks: Array<{ submissionId: string; seq: number; reason: string }>;
}

type Break = VerifyResult['breaks'][number];
type Head = { seq: number; hash: string };

/**
 * Ranges checked side by side, one per core: each range keeps one pool connection (the database
 * spelling the links) and this thread (hashing them) busy. Measured on 2 cores: 1 range 115k
 * rows/s, 2 ranges 160-177k, 4 ranges 140-165k.
 */
const DEFAULT_PARALLEL = Math.max(2, os.availableParallelism());

/**
 * The exact check of one row: the hash of the record as the API serves it (parsed from the
 * row), which is what an outside verifier recomputes.
 */
function rowHashMatches(row: TransitionRow): boolean {
  try {
    return recordHash(recordOf(row) as unknown as Record<string, unknown>) === row.hash;
  } catch {
    return false; // not parseable or not canonicalizable: it cannot be the hashed record
  }
}

/** A JSON string literal's value (ids and hashes hold no escapes; anything else is parsed). */
const unquote = (literal: string): string => (literal.includes('\\') ? (JSON.parse(literal) as string) : literal.slice(1, -1));

/** Stored JSON text that is already RFC 8785 canonical ("" stands for SQL NULL). */
const isCanonicalText = (text: string): boolean => text === '' || text === '{}' || isCanonicalJsonText(text);

/** Checks one submission's chain from its parsed rows; returns its first break, or null. */
function checkRows(submissionId: string, rows: TransitionRow[], head: Head | undefined): Break | null {
  let prev = GENESIS_HASH;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const seq = Number(row.seq);
    if (seq !== i + 1) return { submissionId, seq, reason: `expected seq ${i + 1}` };
    if (row.prev_hash !== prev) return { submissionId, seq, reason: 'prevHash does not match the previous record' };
    if (!rowHashMatches(row)) return { submissionId, seq, reason: 'hash does not match the record' };
    prev = row.hash;
  }
  if (!head || head.seq !== rows.length || head.hash !== prev) {
    return { submissionId, seq: rows.length, reason: 'the submission head does not match its last record' };
  }
  return null;
}

interface RangeResult {
  submissions: number;
  records: number;
  breaks: Break[];
}

async function verifyRange(snap: ChainSnapshot, range: { from: string | null; to: string | null }): Promise<RangeResult> {
  const heads = await snap.heads(range);
  const out: RangeResult = { submissions: 0, records: 0, breaks: [] };
  let suspects = new Set<string>();
  try {
    // A savepoint: if the database cannot spell some row, the transaction itself stays usable.
    await snap.savepoint(async (sp) => {
      let current: string | null = null;
      let count = 0;
      let prev = GENESIS_HASH;
      let suspect = false;
      const finish = () => {
        if (current === null) return;
        const head = heads.get(current);
        if (suspect || !head || head.seq !== count || head.hash !== prev) suspects.add(current);
        else {
          out.submissions++;
          out.records += count;
          heads.delete(current);
        }
      };
      for await (const links of sp.links(range)) {
        for (const link of links) {
          // The fields of chainLinkSql; the record (last) may hold the separator inside strings.
          let at = 0;
          const field = () => {
            const end = link.indexOf(LINK_SEPARATOR, at);
            if (end < 0) throw new Error('malformed chain link');
            const value = link.slice(at, end);
            at = end + 1;
            return value;
          };
          const sid = unquote(field());
          const seq = Number(field());
          const prevHash = unquote(field());
          const hash = unquote(field());
          if (sid !== current) {
            finish();
            current = sid;
            count = 0;
            prev = GENESIS_HASH;
            suspect = false;
          }
          count++;
          if (!suspect) {
            // The fast path accepts a row only when its stored JSON is valid and canonical (so
            // the spliced record is the canonical record the API serves) and its hash recomputes.
            suspect =
              seq !== count ||
              prevHash !== prev ||
              field() !== '1' ||
              !isCanonicalText(field()) ||
              !isCanonicalText(field()) ||
              !isCanonicalText(field()) ||
              sha256Hex(link.slice(at)) !== hash;
          }
          prev = hash;
        }
      }
      finish();
    });
  } catch {
    // The database could not spell some row (PostgreSQL: a JSON column that is not JSON): every
    // submission of the range not yet proven takes the slow path.
    suspects = new Set();
  }
  // What the fast path doubted, and heads it never reached (no records), get the exact check.
  for (const id of new Set([...suspects, ...heads.keys()])) {
    const rows = await snap.rowsOf(id);
    out.submissions++;
    out.records += rows.length;
    const broken = rows.length === 0 ? { submissionId: id, seq: 0, reason: 'the submission has no history records' } : checkRows(id, rows, heads.get(id));
    if (broken) out.breaks.push(broken);
  }
  return out;
}

/**
 * Verifies every chain in the database. `source` (a chain store, or a pool to build one on) should
 * have several connections (the reader pool on SQLite) so that ranges are checked side by side; a
 * single connection works too.
 */
export async function verifyDatabase(source: ChainSource, opts: { parallel?: number } = {}): Promise<VerifyResult> {
  const chains = chainStoreOf(source);
  const parallel = Math.max(1, opts.parallel ?? DEFAULT_PARALLEL);
  const splits = await chains.splits(parallel);
  const bounds = [null, ...splits];
  const ranges = bounds.map((from, i) => ({ from, to: bounds[i + 1] ?? null }));
  const results = await Promise.all(ranges.map((range) => chains.snapshot((snap) => verifyRange(snap, range))));
  const result: VerifyResult = { ok: true, submissions: 0, records: 0, breaks: [] };
  for (const r of results) {
    result.submissions += r.submissions;
    result.records += r.records;
    result.breaks.push(...r.breaks);
  }
  result.ok = result.breaks.length === 0;
  return result;
}
