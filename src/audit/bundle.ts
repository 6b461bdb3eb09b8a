/**
 * The offline audit bundle (issue 6): one JSON file an auditor can check on another machine with
 * no database and no network — the submission's history records, the declarative definitions
 * of the workflow versions they ran under (by definition hash), a signed checkpoint of the
 * transparency log, an inclusion proof per record, and the log's public key.
 *
 * `verifyBundle` checks, independently of how the bundle was made:
 * 1. the hash chain (each record's hash recomputed from its canonical JSON, seq 1..n, prevHash);
 * 2. the checkpoint's signature (C2SP signed note) with the verifier key the auditor pins
 *    (`--key`; the bundle's own key is only used, with a warning, when none is given);
 * 3. every record's inclusion proof against the checkpoint's root (RFC 9162 §2.1.3.2);
 * 4. every definition's hash, recomputed from the bundled JSON, and that each record names one;
 * 5. the signature manifestation (21 CFR 11.50) of every record whose event requires one;
 * 6. a replay: the recorded workflow version (this puente's own catalog, identified by the same
 *    definition hash) re-run over the logged events must produce every recorded `to` state.
 *    Events whose guards read database facts (dossier, reference decisions, a linked submission):
 *    - on versions that record them (`recordsFacts`, issue 8) the record carries those facts in
 *      its hash (`facts`); the replay first checks them against what the chain itself says (the
 *      dossier kinds they count as on file were added by earlier `DOCUMENT_ADDED` records, an
 *      external reference is the one the submission was created with), then hands the machine
 *      the same event the server's machine received and re-decides the guard exactly. A step the
 *      recorded facts do not allow, or one missing its facts, is refused; facts on a record whose
 *      rules read none are refused too;
 *    - on older versions the facts are not in the record and cannot be re-evaluated offline: the
 *      replay checks that the event is handled in the recorded state and that the recorded
 *      target is one the machine allows, and says so.
 */
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateNode, type StateValue } from 'xstate';
import type { Knex } from 'knex';
import { WORKFLOWS } from '../../workflows/index.js';
import type { WorkflowDefinition, WorkflowEvent } from '../../workflows/types.js';
import { BOOKKEEPING_EVENTS } from '../engine/clocks.js';
import { declarativeDefinition, definitionHash, stateValue, statePath } from '../engine/definitions.js';
import { canonicalJson } from '../canonical-json.js';
import { GENESIS_HASH, recordHash, sha256Hex } from '../engine/hash.js';
import { factsContradictions } from '../engine/facts.js';
import { dateIn } from '../engine/time.js';
import { listTransitions } from '../store/history-store.js';
import type { Transition } from '../store/types.js';
import { leafHash, verifyInclusion } from './merkle.js';
import { NoteError, openNote, parseCheckpoint } from './note.js';
import type { CheckpointView, TransparencyLog } from './tlog.js';

export const BUNDLE_FORMAT = 'puente-audit-bundle/1';

export interface AuditBundle {
  format: typeof BUNDLE_FORMAT;
  createdAt: string;
  submissionId: string;
  records: Transition[];
  /** Declarative workflow definitions by definition hash (what `definitionHash` hashes). */
  definitions: Record<string, Record<string, unknown>>;
  checkpoint: CheckpointView;
  proofs: Array<{ transitionId: string; leafIndex: number; auditPath: string[] }>;
  publicKey: { pem: string; verifierKey: string; origin: string };
}

export interface BundleCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface BundleVerdict {
  ok: boolean;
  submissionId: string | null;
  records: number;
  checks: BundleCheck[];
  /** Located failures: the record (seq) and what is wrong with it. */
  failures: Array<{ seq: number | null; reason: string }>;
  warnings: string[];
}

/** Builds the bundle of one submission from the database (the caller checks visibility). */
export async function buildBundle(db: Knex, tlog: TransparencyLog, submissionId: string, now: () => Date = () => new Date()): Promise<AuditBundle> {
  const records = await listTransitions(db, submissionId);
  if (records.length === 0) throw new Error(`no submission ${submissionId}`);
  // A checkpoint that covers every record of the bundle.
  await tlog.integrate();
  let checkpoint = await tlog.latestCheckpoint();
  const indexes = await Promise.all(records.map((r) => tlog.leafIndexOf(r.id)));
  if (indexes.some((i) => i === null)) throw new Error('some records are not in the transparency log');
  if (!checkpoint || indexes.some((i) => i! >= checkpoint!.treeSize)) checkpoint = await tlog.checkpoint();
  const proofs = [];
  for (let i = 0; i < records.length; i++) {
    const p = await tlog.inclusion(indexes[i]!, checkpoint.treeSize);
    proofs.push({ transitionId: records[i]!.id, leafIndex: p.leafIndex, auditPath: p.auditPath });
  }
  const definitions: Record<string, Record<string, unknown>> = {};
  for (const r of records) {
    const w = WORKFLOWS.find((x) => x.id === r.workflow.id && x.version === r.workflow.version && definitionHash(x) === r.workflow.definitionHash);
    if (w) definitions[r.workflow.definitionHash] = declarativeDefinition(w);
  }
  return { format: BUNDLE_FORMAT, createdAt: now().toISOString(), submissionId, records, definitions, checkpoint, proofs, publicKey: tlog.publicKey() };
}

const hexBytes = (h: string) => Buffer.from(h, 'hex');

/** Checks a bundle with no database and no network; `verifierKey` pins the log's key. */
export function verifyBundle(raw: unknown, opts: { verifierKey?: string } = {}): BundleVerdict {
  const failures: BundleVerdict['failures'] = [];
  const warnings: string[] = [];
  const checks: BundleCheck[] = [];
  const check = (name: string, problems: BundleVerdict['failures'], okDetail: string) => {
    failures.push(...problems);
    checks.push({ name, ok: problems.length === 0, detail: problems.length ? `${problems.length} problem(s)` : okDetail });
  };
  const b = raw as Partial<AuditBundle>;
  if (!b || typeof b !== 'object' || b.format !== BUNDLE_FORMAT || !Array.isArray(b.records) || !b.checkpoint || !Array.isArray(b.proofs) || !b.definitions) {
    return {
      ok: false,
      submissionId: null,
      records: 0,
      checks: [{ name: 'format', ok: false, detail: `not a ${BUNDLE_FORMAT} file` }],
      failures: [{ seq: null, reason: 'not an audit bundle' }],
      warnings,
    };
  }
  const records = b.records as unknown as Array<Record<string, unknown> & Transition>;

  // 1. Hash chain.
  const chain: BundleVerdict['failures'] = [];
  let prev = GENESIS_HASH;
  records.forEach((r, i) => {
    if (r.submissionId !== b.submissionId) chain.push({ seq: r.seq, reason: 'belongs to another submission' });
    if (r.seq !== i + 1) chain.push({ seq: r.seq, reason: `expected seq ${i + 1}` });
    if (r.prevHash !== prev) chain.push({ seq: r.seq, reason: 'prevHash does not match the previous record' });
    let recomputed = '';
    try {
      recomputed = recordHash(r);
    } catch {
      /* not canonicalizable */
    }
    if (recomputed !== r.hash) chain.push({ seq: r.seq, reason: 'hash does not match the record' });
    prev = r.hash;
  });
  check('hash chain', chain, `${records.length} records recompute and link`);

  // 2. Checkpoint signature.
  const key = opts.verifierKey ?? b.publicKey?.verifierKey;
  if (!opts.verifierKey) warnings.push("no --key given: the checkpoint was checked with the bundle's own key; pin the log's published key to trust it");
  let root: Buffer | null = null;
  let treeSize = 0;
  const sig: BundleVerdict['failures'] = [];
  try {
    const head = parseCheckpoint(openNote(String(b.checkpoint.note), String(key)));
    if (head.size !== b.checkpoint.treeSize || head.rootHash.toString('hex') !== b.checkpoint.rootHash)
      sig.push({ seq: null, reason: 'the checkpoint fields differ from its signed note' });
    root = head.rootHash;
    treeSize = head.size;
  } catch (e) {
    sig.push({ seq: null, reason: `checkpoint signature: ${e instanceof NoteError ? e.message : 'unreadable'}` });
  }
  check('checkpoint signature', sig, `signed by ${String(key).split('+')[0]}, ${treeSize} records`);

  // 3. Inclusion proofs.
  const incl: BundleVerdict['failures'] = [];
  const proofs = new Map(b.proofs.map((p) => [p.transitionId, p]));
  for (const r of records) {
    const p = proofs.get(r.id);
    if (!p) incl.push({ seq: r.seq, reason: 'no inclusion proof' });
    else if (!root || !verifyInclusion(leafHash(hexBytes(r.hash)), p.leafIndex, treeSize, p.auditPath.map(hexBytes), root)) {
      incl.push({ seq: r.seq, reason: `not proven in the log at leaf ${p.leafIndex}` });
    }
  }
  check('inclusion proofs', incl, `${records.length} records in the signed tree`);

  // 4. Definitions.
  const defs: BundleVerdict['failures'] = [];
  for (const [hash, def] of Object.entries(b.definitions)) {
    if (sha256Hex(canonicalJson(def)) !== hash) defs.push({ seq: null, reason: `definition ${hash.slice(0, 12)}… does not hash to its name` });
  }
  for (const r of records)
    if (!b.definitions[r.workflow.definitionHash]) defs.push({ seq: r.seq, reason: `no definition ${r.workflow.definitionHash.slice(0, 12)}…` });
  check('rules', defs, `${Object.keys(b.definitions).length} workflow definition(s) recompute`);

  // 5. Signature manifestations.
  const signed: BundleVerdict['failures'] = [];
  for (const r of records) {
    const def = b.definitions[r.workflow.definitionHash] as { events?: Record<string, { requiresSignature?: boolean }> } | undefined;
    const needs = def?.events?.[r.type]?.requiresSignature === true;
    const s = r.signature as { name?: unknown; meaning?: unknown; signedAt?: unknown } | null;
    if (s !== null && (typeof s.name !== 'string' || typeof s.meaning !== 'string' || s.signedAt !== r.recordedAt))
      signed.push({ seq: r.seq, reason: 'malformed signature manifestation' });
    else if (needs && !s) signed.push({ seq: r.seq, reason: `${r.type} requires a signature and has none` });
    if (s && 'password' in (s as object)) signed.push({ seq: r.seq, reason: 'the signature holds a password' });
  }
  check('signatures', signed, `${records.filter((r) => r.signature).length} signed record(s)`);

  // 6. Replay.
  const replay = replayRecords(records);
  check('replay', replay.failures, replay.detail);
  if (replay.structural) warnings.push(replay.structural);

  return { ok: failures.length === 0, submissionId: String(b.submissionId), records: records.length, checks, failures, warnings };
}

/** Replays the records over this puente's own workflow versions (see the module comment). */
function replayRecords(records: readonly Transition[]): { failures: BundleVerdict['failures']; detail: string; structural: string | null } {
  const failures: BundleVerdict['failures'] = [];
  const structuralAt: number[] = [];
  let w: WorkflowDefinition | undefined;
  let snap: AnyMachineSnapshot | undefined;
  let exact = true;
  /** The creation input and the dossier kinds added so far: what the recorded facts are checked against. */
  let input: Record<string, unknown> = {};
  const added = new Set<string>();
  const versionOf = (r: Transition) =>
    WORKFLOWS.find((x) => x.id === r.workflow.id && x.version === r.workflow.version && definitionHash(x) === r.workflow.definitionHash);
  for (const r of records) {
    const rules = r.type === 'CREATED' || r.type === 'MIGRATED' ? versionOf(r) : w;
    if ('facts' in r && !(rules && recordsFactsOf(rules, r.type))) failures.push({ seq: r.seq, reason: `${r.type} carries facts its rules do not read` });
    if (r.type === 'CREATED') {
      input = isObject(r.data.input) ? r.data.input : {};
      w = versionOf(r);
      if (!w)
        return { failures: [{ seq: r.seq, reason: `the rules ${r.workflow.id}@${r.workflow.version} are not in this puente` }], detail: '', structural: null };
      snap = initialTransition(w.machine, (r.data as { input?: unknown }).input as never)[0] as AnyMachineSnapshot;
      if (statePath(snap.value as StateValue) !== r.to)
        failures.push({ seq: r.seq, reason: `the machine starts in ${statePath(snap.value as StateValue)}, not ${r.to}` });
      continue;
    }
    if (!w || !snap) {
      failures.push({ seq: r.seq, reason: 'the history does not start with CREATED' });
      break;
    }
    if (r.from !== statePath(snap.value as StateValue))
      failures.push({ seq: r.seq, reason: `recorded from ${r.from}, the machine was in ${statePath(snap.value as StateValue)}` });
    if (r.type === 'MIGRATED') {
      const to = versionOf(r);
      if (!to) {
        failures.push({ seq: r.seq, reason: `the rules ${r.workflow.id}@${r.workflow.version} are not in this puente` });
        break;
      }
      w = to;
      snap = w.machine.resolveState({ value: stateValue(r.to), context: snap.context as never }) as AnyMachineSnapshot;
      continue;
    }
    if (BOOKKEEPING_EVENTS.has(r.type)) {
      if (r.to !== r.from) failures.push({ seq: r.seq, reason: `${r.type} changed the state` });
      // A reviewer's upload is correspondence (`data.correspondence`), never a dossier item.
      if (r.type === 'DOCUMENT_ADDED' && typeof r.data.kind === 'string' && r.data.correspondence !== true) added.add(r.data.kind);
      continue;
    }
    const needsFacts = (w.factsFor?.[r.type]?.length ?? 0) > 0;
    // Issue 8: the facts the guard decided on, from the hashed record, checked against the chain.
    const facts = recordsFactsOf(w, r.type) ? r.facts : undefined;
    if (recordsFactsOf(w, r.type)) {
      if (!isObject(facts)) failures.push({ seq: r.seq, reason: `${r.type} does not record the facts its guard read` });
      else for (const reason of factsContradictions(w, input, added, facts)) failures.push({ seq: r.seq, reason });
    }
    const event: WorkflowEvent = {
      type: r.type,
      data: r.data,
      effectiveDate: dateIn(new Date(r.effectiveAt), w.timeZone),
      ...(isObject(facts) ? { facts } : {}),
    };
    if (exact && (!needsFacts || isObject(facts))) {
      if (!snap.can(event)) {
        if (!needsFacts) {
          failures.push({ seq: r.seq, reason: `${r.type} is not allowed in ${statePath(snap.value as StateValue)}` });
          continue;
        }
        // The guard, given the very facts recorded, refuses: the record claims a step that did not happen.
        const handled = possibleTargets(snap, r.type).length > 0;
        const codes = handled ? (w.explainRefusal?.(snap.context, event) ?? []).map((x) => x.code) : [];
        failures.push({
          seq: r.seq,
          reason: handled
            ? `${r.type} is refused by its guard on the recorded facts${codes.length ? ` (${codes.join(', ')})` : ''}`
            : `${r.type} is not allowed in ${statePath(snap.value as StateValue)}`,
        });
        // From here on the context is the recorded state's, as after any step not replayed.
        exact = false;
        snap = w.machine.resolveState({ value: stateValue(r.to), context: snap.context as never }) as AnyMachineSnapshot;
        continue;
      }
      snap = transition(w.machine, snap, event as never)[0] as AnyMachineSnapshot;
      if (statePath(snap.value as StateValue) !== r.to)
        failures.push({ seq: r.seq, reason: `${r.type} leads to ${statePath(snap.value as StateValue)}, not ${r.to}` });
      continue;
    }
    // Facts from the database at the time: the guard cannot be re-run here; the step must still
    // be one the machine has, and from here on the context is the recorded state's.
    exact = false;
    structuralAt.push(r.seq);
    const targets = possibleTargets(snap, r.type);
    if (!targets.length) failures.push({ seq: r.seq, reason: `${r.type} is not handled in ${statePath(snap.value as StateValue)}` });
    else if (!targets.some((t) => r.to === t || r.to.startsWith(`${t}.`)))
      failures.push({ seq: r.seq, reason: `${r.type} cannot lead from ${r.from} to ${r.to}` });
    snap = w.machine.resolveState({ value: stateValue(r.to), context: snap.context as never }) as AnyMachineSnapshot;
  }
  const n = records.length;
  return {
    failures,
    detail: structuralAt.length
      ? `${n - structuralAt.length} of ${n} records replayed exactly, ${structuralAt.length} checked against the machine's transitions`
      : `${n} records replayed exactly`,
    structural: structuralAt.length
      ? `records ${structuralAt.join(', ')} depend on facts read from the database when they were made (dossier, reference decision): their guards were not re-run`
      : null,
  };
}

/** True when records of `type` under `w` carry the facts their guard read (issue 8). */
function recordsFactsOf(w: WorkflowDefinition, type: string): boolean {
  return w.recordsFacts === true && (w.factsFor?.[type]?.length ?? 0) > 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every target the active state nodes declare for `type` (guards ignored). */
function possibleTargets(snap: AnyMachineSnapshot, type: string): string[] {
  const out: string[] = [];
  for (const node of snap._nodes as AnyStateNode[]) {
    for (const t of node.transitions.get(type) ?? []) {
      const targets = t.target?.length ? t.target : [node];
      for (const target of targets as AnyStateNode[]) out.push(target.path.join('.'));
    }
  }
  return out;
}
