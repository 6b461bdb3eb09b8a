/**
 * The transparency log's Merkle tree against RFC 6962 / RFC 9162: the published test vectors
 * (the eight leaves certificate-transparency uses), a naive reference implementation for every
 * tree size up to 70, every inclusion proof and every consistency proof verified with the RFC's
 * own algorithms, and tampered proofs refused.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  completedNodes,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootHash,
  splitPoint,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type NodeReader,
} from '../../src/audit/merkle.js';

/** The reference: MTH straight from the RFC's definition, over leaf inputs. */
function mth(leaves: readonly Buffer[]): Hash {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leafHash(leaves[0]!);
  const k = splitPoint(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** A node store filled the way the log appends: completedNodes for each new leaf. */
async function store(leaves: readonly Buffer[]): Promise<NodeReader> {
  const nodes = new Map<string, Hash>();
  const read: NodeReader = async (level, index) => {
    const h = nodes.get(`${level}/${index}`);
    if (!h) throw new Error(`node ${level}/${index} not stored`);
    return h;
  };
  for (let i = 0; i < leaves.length; i++) {
    for (const n of await completedNodes(read, i, leafHash(leaves[i]!))) nodes.set(`${n.level}/${n.index}`, n.hash);
  }
  return read;
}

const hex = (h: Buffer) => h.toString('hex');
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((x) => Buffer.from(x, 'hex'));
const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => createHash('sha256').update(`record ${i}`).digest());

describe('Merkle tree hashing (RFC 9162 §2.1)', () => {
  it('matches the certificate-transparency test vectors for 1 to 8 leaves', async () => {
    const roots = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    const read = await store(CT_LEAVES);
    for (let n = 1; n <= 8; n++) {
      expect(hex(mth(CT_LEAVES.slice(0, n))), `reference, ${n} leaves`).toBe(roots[n - 1]);
      expect(hex(await rootHash(read, n)), `stored subtrees, ${n} leaves`).toBe(roots[n - 1]);
    }
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('every root up to 70 leaves equals the reference, from O(log n) stored subtrees', async () => {
    const leaves = leavesOf(70);
    const read = await store(leaves);
    for (let n = 0; n <= 70; n++) expect(hex(await rootHash(read, n)), `${n}`).toBe(hex(mth(leaves.slice(0, n))));
  });

  it('every inclusion proof up to 40 leaves verifies, and a tampered one does not', async () => {
    const leaves = leavesOf(40);
    const read = await store(leaves);
    for (let n = 1; n <= 40; n++) {
      const root = mth(leaves.slice(0, n));
      for (let m = 0; m < n; m++) {
        const proof = await inclusionProof(read, m, n);
        const leaf = leafHash(leaves[m]!);
        expect(verifyInclusion(leaf, m, n, proof, root), `${m} in ${n}`).toBe(true);
        if (n > 1) expect(verifyInclusion(leafHash(leaves[(m + 1) % n]!), m, n, proof, root), `wrong leaf ${m} in ${n}`).toBe(false);
        if (proof.length) {
          const bad = proof.map((p, i) => (i === proof.length - 1 ? nodeHash(p, p) : p));
          expect(verifyInclusion(leaf, m, n, bad, root), `tampered ${m} in ${n}`).toBe(false);
          expect(verifyInclusion(leaf, m, n, proof.slice(0, -1), root), `short ${m} in ${n}`).toBe(false);
        }
        // The same proof does not place the leaf at another index.
        if (n > 1) expect(verifyInclusion(leaf, (m + 1) % n, n, proof, root), `moved ${m} in ${n}`).toBe(false);
      }
    }
    await expect(inclusionProof(read, 5, 5)).rejects.toThrow(RangeError);
    await expect(consistencyProof(read, 6, 5)).rejects.toThrow(RangeError);
  });

  it('every consistency proof up to 40 leaves verifies, and a tampered one does not', async () => {
    const leaves = leavesOf(40);
    const read = await store(leaves);
    for (let n2 = 1; n2 <= 40; n2++) {
      const root2 = mth(leaves.slice(0, n2));
      for (let n1 = 1; n1 <= n2; n1++) {
        const root1 = mth(leaves.slice(0, n1));
        const proof = await consistencyProof(read, n1, n2);
        expect(verifyConsistency(n1, n2, proof, root1, root2), `${n1} -> ${n2}`).toBe(true);
        if (n1 < n2) {
          expect(verifyConsistency(n1, n2, proof, mth(leavesOf(n1).map((l) => Buffer.concat([l, Buffer.of(1)]))), root2), `other old tree ${n1} -> ${n2}`).toBe(
            false,
          );
          expect(verifyConsistency(n1, n2, proof.slice(1), root1, root2), `short ${n1} -> ${n2}`).toBe(false);
        }
      }
    }
  });
});
