/**
 * What the engine derives from a workflow definition: its hash (recorded on every history row
 * so an auditor knows which rules applied), state paths, deadlines and the events a role may send.
 */
import { getNextTransitions, type AnyMachineSnapshot, type StateValue } from 'xstate';
import type { DeadlineSpec, Role, StateMeta, WorkflowDefinition } from '../../workflows/types.js';
import { canonicalJson, sha256Hex } from './hash.js';

const hashes = new WeakMap<WorkflowDefinition, string>();

/**
 * SHA-256 of the canonical JSON of everything declarative about a workflow: the machine's
 * definition (states, transitions, guard names, tags, meta), event roles and schemas, goals,
 * parameters and dossier checklists. Guard bodies are code; they are pinned by the version number.
 */
export function definitionHash(w: WorkflowDefinition): string {
  let h = hashes.get(w);
  if (!h) {
    h = sha256Hex(canonicalJson(declarativeDefinition(w)));
    hashes.set(w, h);
  }
  return h;
}

/**
 * The JSON value `definitionHash` hashes: what an audit bundle carries, so that an outside
 * verifier recomputes the hash of the rules each record names without puente's code.
 */
export function declarativeDefinition(w: WorkflowDefinition): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({
      id: w.id,
      version: w.version,
      machine: w.machine.toJSON(),
      events: w.events,
      goals: w.goals,
      // Only versions that declare a clock carry the key, so older versions keep their hashes.
      ...(w.clock ? { clock: w.clock } : {}),
      // Likewise for the versions that record their guards' facts (issue 8): which events' records
      // must carry them, so an offline verifier knows without puente's code.
      ...(w.recordsFacts ? { recordsFacts: true, factsFor: w.factsFor } : {}),
      parameters: w.parameters,
      inputSchema: w.inputSchema,
      dossier: w.dossierCatalog ?? null,
    }),
  ) as Record<string, unknown>;
}

/** The dotted state path of a snapshot (xstate types `snapshot.value` loosely). */
export function statePathOf(snapshot: AnyMachineSnapshot): string {
  return statePath(snapshot.value as StateValue);
}

/** `{ review: 'substantive' }` -> `review.substantive`. Machines here have one region. */
export function statePath(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value)[0] ?? [];
  if (key === undefined) return '';
  return child === undefined || (typeof child === 'object' && Object.keys(child).length === 0) ? key : `${key}.${statePath(child)}`;
}

/** The inverse of statePath, for restoring a snapshot from its stored path. */
export function stateValue(path: string): StateValue {
  const parts = path.split('.');
  let value: StateValue = parts.pop()!;
  while (parts.length) value = { [parts.pop()!]: value };
  return value;
}

/** Event types the active state nodes handle, in document order (guards not evaluated). */
export function handledEvents(snapshot: AnyMachineSnapshot): string[] {
  const out: string[] = [];
  for (const t of getNextTransitions(snapshot) as ReadonlyArray<{ eventType?: string }>) if (t.eventType && !out.includes(t.eventType)) out.push(t.eventType);
  return out;
}

/** Events of `handledEvents` that `role` may send. */
export function allowedEventsFor(w: WorkflowDefinition, snapshot: AnyMachineSnapshot, role: Role): string[] {
  return handledEvents(snapshot).filter((type) => w.events[type]?.roles.includes(role));
}

/** The deepest active state's hard deadline, if any. */
export function activeDeadline(snapshot: AnyMachineSnapshot): DeadlineSpec | undefined {
  const metas = Object.values(snapshot.getMeta() as Record<string, StateMeta | undefined>);
  for (let i = metas.length - 1; i >= 0; i--) {
    const d = metas[i]?.deadline;
    if (d) return d;
  }
  return undefined;
}

/** Human description of the deepest active state. */
export function stateDescription(snapshot: AnyMachineSnapshot): string | undefined {
  const metas = Object.values(snapshot.getMeta() as Record<string, StateMeta | undefined>);
  return metas[metas.length - 1]?.description;
}
