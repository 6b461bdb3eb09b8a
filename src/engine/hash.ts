/**
 * The history's hash chain (DESIGN §5; 21 CFR 11.10(e)): each transition record is hashed as the
 * lowercase hex SHA-256 of its RFC 8785 (JCS) canonical JSON without the `hash` field, and names
 * the previous record's hash. Anyone can recompute it from `GET .../history`.
 */
import { hash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';

// Canonical JSON lives in the leaf module src/canonical-json.ts; re-exported here for existing importers.
export { canonicalJson, isCanonicalJsonText, referenceCanonicalize } from '../canonical-json.js';

/** `prevHash` of the first record (seq 1, `CREATED`). */
export const GENESIS_HASH = '0'.repeat(64);

export function sha256Hex(input: string | Buffer): string {
  return hash('sha256', input, 'hex');
}

/** The hash of a transition record: everything but its own `hash` field. */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _ignored, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}

export interface ChainBreak {
  readonly seq: number;
  readonly reason: string;
}

/**
 * Checks one submission's records in `seq` order: seq runs 1..n without gaps, every `prevHash`
 * names its predecessor's hash, and every `hash` recomputes. Returns the first break, or null.
 */
export function verifyChain(records: readonly Record<string, unknown>[]): ChainBreak | null {
  let prev = GENESIS_HASH;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const seq = Number(r.seq);
    if (seq !== i + 1) return { seq, reason: `expected seq ${i + 1}` };
    if (r.prevHash !== prev) return { seq, reason: 'prevHash does not match the previous record' };
    if (recordHash(r) !== r.hash) return { seq, reason: 'hash does not match the record' };
    prev = r.hash;
  }
  return null;
}
