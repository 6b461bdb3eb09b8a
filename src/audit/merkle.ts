/**
 * The Merkle tree of the transparency log (issue 6), exactly as RFC 9162 §2.1 (RFC 6962) defines
 * it: leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right), a tree of n
 * leaves split at the largest power of two smaller than n. Each leaf is one history record's hash
 * (32 bytes).
 *
 * Proofs are computed from a store of complete subtrees: `node(level, index)` is the hash of the
 * aligned subtree over leaves [index · 2^level, (index + 1) · 2^level), which never changes once
 * those leaves exist. Any range the RFC's recursion asks for is either such a subtree (one read)
 * or sits on the right edge of the tree (split again), so a proof reads O(log n) stored hashes.
 *
 * The verification functions are the RFC's own algorithms (§2.1.3.2, §2.1.4.2), independent of
 * how proofs were made; the offline verifier uses them too.
 */
import { createHash } from 'node:crypto';

export type Hash = Buffer;

export function leafHash(leaf: Buffer): Hash {
  return createHash('sha256').update(Buffer.of(0x00)).update(leaf).digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256').update(Buffer.of(0x01)).update(left).update(right).digest();
}

/** SHA-256 of the empty string: the root of the empty tree. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** The largest power of two strictly smaller than n (n > 1). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Reads the hash of the complete aligned subtree (level, index); level 0 are leaf hashes. */
export type NodeReader = (level: number, index: number) => Promise<Hash>;

const isPowerOfTwo = (n: number) => n > 0 && Number.isInteger(Math.log2(n));

/** MTH(D[start : start + size]) from the stored complete subtrees. */
export async function rangeHash(read: NodeReader, start: number, size: number): Promise<Hash> {
  if (size === 0) return EMPTY_ROOT;
  if (isPowerOfTwo(size) && start % size === 0) return read(Math.log2(size), start / size);
  const k = splitPoint(size);
  return nodeHash(await rangeHash(read, start, k), await rangeHash(read, start + k, size - k));
}

/** The root of the tree of the first `size` leaves. */
export function rootHash(read: NodeReader, size: number): Promise<Hash> {
  return rangeHash(read, 0, size);
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]) over leaves [start, start + n). */
async function path(read: NodeReader, m: number, start: number, n: number): Promise<Hash[]> {
  if (n <= 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...(await path(read, m, start, k)), await rangeHash(read, start + k, n - k)];
  return [...(await path(read, m - k, start + k, n - k)), await rangeHash(read, start, k)];
}

/** The inclusion proof (audit path) of leaf `index` in the tree of the first `size` leaves. */
export async function inclusionProof(read: NodeReader, index: number, size: number): Promise<Hash[]> {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  return path(read, index, 0, size);
}

/** RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b) over leaves [start, start + n). */
async function subproof(read: NodeReader, m: number, start: number, n: number, b: boolean): Promise<Hash[]> {
  if (m === n) return b ? [] : [await rangeHash(read, start, n)];
  const k = splitPoint(n);
  if (m <= k) return [...(await subproof(read, m, start, k, b)), await rangeHash(read, start + k, n - k)];
  return [...(await subproof(read, m - k, start + k, n - k, false)), await rangeHash(read, start, k)];
}

/** The consistency proof between the trees of the first `from` and the first `to` leaves. */
export async function consistencyProof(read: NodeReader, from: number, to: number): Promise<Hash[]> {
  if (!(from >= 0 && from <= to)) throw new RangeError(`no consistency proof from ${from} to ${to}`);
  if (from === 0 || from === to) return [];
  return subproof(read, from, 0, to, true);
}

/** RFC 9162 §2.1.3.2: does `proof` show leaf hash `leaf` at `index` in a tree of `size` with `root`? */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): boolean {
  if (index >= size || index < 0) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (`size2`, `root2`) extends (`size1`, `root1`)? */
export function verifyConsistency(size1: number, size2: number, proof: readonly Hash[], root1: Hash, root2: Hash): boolean {
  if (size1 > size2 || size1 < 0) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  if (size1 === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  let path = [...proof];
  if (isPowerOfTwo(size1)) path = [root1, ...path];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(root1) && sr.equals(root2) && sn === 0;
}

/**
 * The complete subtrees that appending leaf `index` (with hash `leaf`) completes: always the
 * leaf itself at level 0, then each level whose aligned block ends at this leaf. `read` returns
 * the already stored left siblings.
 */
export async function completedNodes(read: NodeReader, index: number, leaf: Hash): Promise<Array<{ level: number; index: number; hash: Hash }>> {
  const out = [{ level: 0, index, hash: leaf }];
  let hash = leaf;
  let i = index;
  let level = 0;
  while (i % 2 === 1) {
    const left = await read(level, i - 1);
    hash = nodeHash(left, hash);
    level++;
    i = (i - 1) / 2;
    out.push({ level, index: i, hash });
  }
  return out;
}
