/**
 * The transparency log over the whole database (issue 6): every history record is a leaf of one
 * append-only RFC 9162 Merkle tree, and signed checkpoints (C2SP tlog-checkpoint in a signed note)
 * let anyone holding the public key check, without trusting the server or its database, that a
 * record is in the log (inclusion proof) and that the log only ever grew (consistency proof).
 *
 * A command only queues its record (a trigger, migration 008), in its own transaction; the
 * integrator here appends queued records to the tree later, one integrator at a time, so the log
 * never serializes unrelated commands.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Database } from '../store/db.js';
import { createKnexTlogStore, type TlogReads } from '../store/tlog-store.js';
import {
  EMPTY_ROOT,
  completedNodes,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootHash,
  splitPoint,
  type Hash,
  type NodeReader,
} from './merkle.js';
import { checkpointText, noteSigner, openNote, parseCheckpoint, signNote, verifierKey, type NoteSigner } from './note.js';
import { repeatEvery, type Repeating } from '../repeat.js';
import { english, type Message } from '../messages/format.js';

export interface CheckpointView {
  treeSize: number;
  /** Hex. */
  rootHash: string;
  timestamp: string;
  /** The signed note text (C2SP signed-note over a tlog-checkpoint body). */
  note: string;
}

export interface InclusionView {
  leafIndex: number;
  treeSize: number;
  rootHash: string;
  auditPath: string[];
}

export interface ConsistencyView {
  from: number;
  to: number;
  proof: string[];
}

const BATCH = 2_000;

/** A range outside the log: the caller's problem (a 422 at the query parameter). */
export class LogRangeError extends Error {
  constructor(readonly detail: Message) {
    super(english(detail));
  }
}

/**
 * The signing key: the PEM file `PUENTE_SIGNING_KEY` names, or (when absent) one generated once
 * into the data directory (`puente-signing-key.pem`, mode 0600) next to the SQLite database.
 */
export function loadSigningKey(opts: { keyFile?: string; databaseUrl: string }): { privateKey: KeyObject; file: string } {
  const file = opts.keyFile ?? path.join(dataDirectory(opts.databaseUrl), 'puente-signing-key.pem');
  if (!fs.existsSync(file)) {
    if (opts.keyFile) throw new Error(`PUENTE_SIGNING_KEY: ${file} does not exist`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    // wx: never overwrite a key another process wrote meanwhile.
    try {
      fs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const privateKey = createPrivateKey(fs.readFileSync(file));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file}: the signing key must be Ed25519`);
  return { privateKey, file };
}

function dataDirectory(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:') && databaseUrl !== 'sqlite::memory:') return path.dirname(path.resolve(databaseUrl.slice('sqlite:'.length)));
  return path.resolve('data');
}

/** The log's origin line: `PUENTE_LOG_ORIGIN`, or one derived from the key (unique per key). */
export function defaultOrigin(privateKey: KeyObject): string {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return `puente.local/log/${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

/** MTH over leaf hashes [start, start + n), as RFC 9162 defines it. */
function rootOfLeaves(leaves: readonly Hash[], start = 0, n = leaves.length): Hash {
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[start]!;
  const k = splitPoint(n);
  return nodeHash(rootOfLeaves(leaves, start, k), rootOfLeaves(leaves, start + k, n - k));
}

export function createTransparencyLog(deps: { db: Database; privateKey: KeyObject; origin?: string; now?: () => Date }) {
  const store = createKnexTlogStore(deps.db);
  const now = deps.now ?? (() => new Date());
  const origin = deps.origin ?? defaultOrigin(deps.privateKey);
  const signer: NoteSigner = noteSigner(origin, deps.privateKey);
  // Complete subtrees never change: cached once read (bounded).
  const cache = new Map<string, Hash>();

  const nodeReader =
    (conn: TlogReads, pending?: Map<string, Hash>): NodeReader =>
    async (level, index) => {
      const key = `${level}/${index}`;
      const hit = pending?.get(key) ?? cache.get(key);
      if (hit) return hit;
      const stored = await conn.node(level, index);
      if (stored === undefined) throw new LogRangeError({ code: 'log.no_node', params: { node: key } });
      const hash = Buffer.from(stored, 'hex');
      if (cache.size >= 100_000) cache.clear();
      cache.set(key, hash);
      return hash;
    };

  const size = (): Promise<number> => store.size();

  /**
   * Appends every queued record to the tree, in queue order, a batch per transaction; returns
   * how many it appended. Safe to call from several processes at once.
   */
  async function integrate(): Promise<number> {
    let added = 0;
    for (;;) {
      // A cheap look first, on the read pool: an empty queue takes no write lock.
      if (!(await store.hasQueued())) return added;
      const n = await store.integrating(async (tx) => {
        let next = await tx.size();
        const queued = await tx.queued(BATCH);
        if (queued.length === 0) return 0;
        const pending = new Map<string, Hash>();
        const read = nodeReader(tx, pending);
        const leaves: Array<{ leafIndex: number; transitionId: string; rowHash: string }> = [];
        const nodes: Array<{ level: number; index: number; hash: string }> = [];
        for (const q of queued) {
          const index = next++;
          leaves.push({ leafIndex: index, transitionId: q.transitionId, rowHash: q.rowHash });
          for (const node of await completedNodes(read, index, leafHash(Buffer.from(q.rowHash, 'hex')))) {
            pending.set(`${node.level}/${node.index}`, node.hash);
            nodes.push({ level: node.level, index: node.index, hash: node.hash.toString('hex') });
          }
        }
        await tx.append(leaves, nodes, queued, next);
        return queued.length;
      });
      added += n;
      if (n === 0) return added;
    }
  }

  async function root(treeSize: number): Promise<Hash> {
    return treeSize === 0 ? EMPTY_ROOT : rootHash(nodeReader(store), treeSize);
  }

  return {
    origin,
    integrate,
    size: () => size(),
    root,

    /** The public key as PEM, and as the note verifier key string. */
    publicKey(): { pem: string; verifierKey: string; origin: string } {
      return { pem: createPublicKey(deps.privateKey).export({ format: 'pem', type: 'spki' }).toString(), verifierKey: verifierKey(signer), origin };
    },

    /** Integrates what is queued, then signs and stores a checkpoint of the whole tree. */
    async checkpoint(): Promise<CheckpointView> {
      await integrate();
      const treeSize = await size();
      const rootHashBytes = await root(treeSize);
      const timestamp = now().toISOString();
      const note = signNote(checkpointText({ origin, size: treeSize, rootHash: rootHashBytes }), signer);
      await store.insertCheckpoint({ treeSize, rootHash: rootHashBytes.toString('hex'), timestamp, note });
      return { treeSize, rootHash: rootHashBytes.toString('hex'), timestamp, note };
    },

    latestCheckpoint(): Promise<CheckpointView | null> {
      return store.latestCheckpoint();
    },

    /** The leaf index of a history record, integrating the queue first if it is not there yet. */
    async leafIndexOf(transitionId: string): Promise<number | null> {
      const found = await store.leafIndexOf(transitionId);
      if (found !== null) return found;
      await integrate();
      return store.leafIndexOf(transitionId);
    },

    /** RFC 9162 inclusion proof of leaf `leafIndex` in the tree of `treeSize` leaves. */
    async inclusion(leafIndex: number, treeSize: number): Promise<InclusionView> {
      const current = await size();
      if (treeSize > current) throw new LogRangeError({ code: 'log.tree_size_beyond', params: { size: current, treeSize } });
      if (leafIndex >= treeSize) throw new LogRangeError({ code: 'log.leaf_beyond', params: { leaf: leafIndex, treeSize } });
      const read = nodeReader(store);
      const auditPath = await inclusionProof(read, leafIndex, treeSize);
      return { leafIndex, treeSize, rootHash: (await rootHash(read, treeSize)).toString('hex'), auditPath: auditPath.map((h) => h.toString('hex')) };
    },

    /**
     * Checks the database against the log (what `puente audit verify` adds to the chains): every
     * history record is a leaf holding the same hash, and the tree rebuilt from the leaves has
     * the root the latest checkpoint signed. A chain forged consistently (hashes recomputed by
     * someone with write access) still differs from the log, whose signing key is not in the
     * database. Failures are located by submission and seq where a record is involved.
     */
    async verify(): Promise<{
      ok: boolean;
      treeSize: number;
      checkpointSize: number | null;
      failures: Array<{ submissionId: string | null; seq: number | null; reason: string }>;
    }> {
      await integrate();
      const failures: Array<{ submissionId: string | null; seq: number | null; reason: string }> = [];
      const leaves: Buffer[] = [];
      (await store.leavesWithRecords()).forEach((r, i) => {
        if (r.leafIndex !== i) failures.push({ submissionId: r.submissionId, seq: r.seq, reason: `the log skips leaf ${i}` });
        if (r.hash === null) failures.push({ submissionId: null, seq: null, reason: `leaf ${i} names a history record that is gone` });
        else if (r.hash !== r.rowHash)
          failures.push({ submissionId: r.submissionId, seq: r.seq, reason: 'the record differs from the one the transparency log holds' });
        leaves.push(leafHash(Buffer.from(r.rowHash, 'hex')));
      });
      const orphans = await store.recordsOutsideLog();
      if (orphans > 0) failures.push({ submissionId: null, seq: null, reason: `${orphans} history record(s) are not in the log` });
      const latest = await this.latestCheckpoint();
      if (latest) {
        try {
          const head = parseCheckpoint(openNote(latest.note, verifierKey(signer)));
          if (head.size > leaves.length)
            failures.push({ submissionId: null, seq: null, reason: `the latest checkpoint covers ${head.size} records; the log holds ${leaves.length}` });
          else if (!rootOfLeaves(leaves.slice(0, head.size)).equals(head.rootHash))
            failures.push({ submissionId: null, seq: null, reason: 'the log does not have the root the latest checkpoint signed' });
        } catch (e) {
          failures.push({ submissionId: null, seq: null, reason: `the latest checkpoint does not verify: ${(e as Error).message}` });
        }
      }
      return { ok: failures.length === 0, treeSize: leaves.length, checkpointSize: latest?.treeSize ?? null, failures };
    },

    /** RFC 9162 consistency proof between the trees of `from` and `to` leaves. */
    async consistency(from: number, to: number): Promise<ConsistencyView> {
      const current = await size();
      if (to > current) throw new LogRangeError({ code: 'log.to_beyond', params: { size: current, to } });
      if (from > to) throw new LogRangeError({ code: 'log.from_after_to' });
      const proof = await consistencyProof(nodeReader(store), from, to);
      return { from, to, proof: proof.map((h) => h.toString('hex')) };
    },
  };
}

export type TransparencyLog = ReturnType<typeof createTransparencyLog>;

/**
 * In `serve`: integrates queued records every `integrateMs`, and signs a checkpoint every
 * `checkpointSeconds` when the tree has grown since the last one. Failures are logged and retried
 * on the next tick; `stop` waits for a tick in progress.
 */
export function startTransparencyLog(
  tlog: TransparencyLog,
  opts: { integrateMs: number; checkpointSeconds: number; logger: { info(o: object, m: string): void; error(o: object, m: string): void } },
): Repeating {
  let lastCheckpointAt = 0;
  return repeatEvery(opts.integrateMs, async () => {
    try {
      await tlog.integrate();
      if (opts.checkpointSeconds > 0 && Date.now() - lastCheckpointAt >= opts.checkpointSeconds * 1000) {
        const latest = await tlog.latestCheckpoint();
        if (!latest || latest.treeSize < (await tlog.size())) {
          const c = await tlog.checkpoint();
          opts.logger.info({ treeSize: c.treeSize, rootHash: c.rootHash }, 'checkpoint signed');
        }
        lastCheckpointAt = Date.now();
      }
    } catch (e) {
      opts.logger.error({ err: e }, 'transparency log tick failed');
    }
  });
}
