/**
 * `npm run fixtures:snapshots`: writes tests/fixtures/snapshots/<id>@<version>.json for every
 * workflow version that has none yet: a snapshot persisted the way the store keeps it (after a
 * few events from the initial state), the xstate version that made it, and the next event with
 * the state it must lead to. tests/unit/snapshot-fixtures.test.ts restores and advances each one,
 * so an xstate upgrade or a machine edit that would break stored submissions fails CI. Existing
 * fixtures are never rewritten (they stand for submissions already in databases).
 */
import fs from 'node:fs';
import path from 'node:path';
import { initialTransition, transition, type AnyMachineSnapshot, type StateValue } from 'xstate';
import { XSTATE_VERSION, persisted } from '../src/engine/engine.js';
import { statePath } from '../src/engine/definitions.js';
import { WORKFLOWS } from '../workflows/index.js';
import type { EventFacts, JsonSchema, WorkflowDefinition, WorkflowEvent } from '../workflows/types.js';

const DIR = path.resolve(import.meta.dirname, '../tests/fixtures/snapshots');

/** A value satisfying a (simple) JSON Schema: enough for creation inputs and event payloads. */
export function sample(schema: JsonSchema): unknown {
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0] as unknown;
  if (Array.isArray(schema.oneOf)) return sample(schema.oneOf[0] as JsonSchema);
  if (Array.isArray(schema.anyOf)) return sample(schema.anyOf[0] as JsonSchema);
  const type: unknown = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object' || schema.properties) {
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const out: Record<string, unknown> = {};
    for (const k of (schema.required ?? []) as string[]) out[k] = sample(props[k] ?? {});
    return out;
  }
  if (type === 'array') return [sample((schema.items ?? { type: 'string' }) as JsonSchema)];
  if (type === 'boolean') return true;
  if (type === 'integer' || type === 'number') return typeof schema.minimum === 'number' ? schema.minimum : 1;
  if (schema.format === 'date') return '2026-01-15';
  if (typeof schema.pattern === 'string') {
    const examples = ['K123456', 'DEN123456', 'P123456', 'H123456', 'Q123456', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'];
    const found = examples.find((e) => new RegExp(schema.pattern as string).test(e));
    if (found) return found;
  }
  return 'sample';
}

/** Facts as the engine would find them for a complete, well-founded application. */
const GOOD_FACTS: EventFacts = {
  dossierMissing: [],
  reference: {
    label: 'K123456',
    decision: 'SE',
    decisionDate: '2025-12-01',
    favourable: true,
    status: 'ok',
    external: false,
    letterOnFile: true,
    agency: 'FDA',
    deviceClass: '2',
    authorizationType: 'ordinary',
  },
  linkTarget: { exists: true, workflowId: 'fda-510k', sameOrganization: true, state: 'draft' },
};

function eventFor(w: WorkflowDefinition, type: string): WorkflowEvent {
  return {
    type,
    data: sample(w.events[type]!.schema) as Record<string, unknown>,
    effectiveDate: '2026-01-15',
    ...(w.factsFor?.[type] ? { facts: GOOD_FACTS } : {}),
  };
}

/** Events a person (not the system) may send, in declared order. */
function candidates(w: WorkflowDefinition): string[] {
  return Object.entries(w.events)
    .filter(([, e]) => !e.roles.every((r) => r === 'system'))
    .map(([type]) => type);
}

function build(w: WorkflowDefinition) {
  const input = sample(w.inputSchema) as Record<string, unknown>;
  let [snap] = initialTransition(w.machine, input as never) as [AnyMachineSnapshot, unknown];
  const path: string[] = [];
  const seen = new Set([statePath(snap.value as StateValue)]);
  // Walk a few steps forward through states not seen yet, stopping short of a final state.
  for (let step = 0; step < 3; step++) {
    const type = candidates(w).find((t) => {
      if (!snap.can(eventFor(w, t))) return false;
      const [next] = transition(w.machine, snap, eventFor(w, t) as never) as [AnyMachineSnapshot, unknown];
      const p = statePath(next.value as StateValue);
      return next.status === 'active' && p !== 'closed' && !p.startsWith('closed.') && !seen.has(p);
    });
    if (!type) break;
    [snap] = transition(w.machine, snap, eventFor(w, type) as never) as [AnyMachineSnapshot, unknown];
    seen.add(statePath(snap.value as StateValue));
    path.push(type);
  }
  const nextType = candidates(w).find((t) => snap.can(eventFor(w, t)));
  if (!nextType) throw new Error(`${w.id}@${w.version}: no event to advance from ${statePath(snap.value as StateValue)}`);
  const next = eventFor(w, nextType);
  const [after] = transition(w.machine, snap, next as never) as [AnyMachineSnapshot, unknown];
  return {
    workflow: w.id,
    version: w.version,
    xstateVersion: XSTATE_VERSION,
    input,
    eventsSoFar: path,
    state: statePath(snap.value as StateValue),
    snapshot: JSON.parse(JSON.stringify(persisted(snap))) as unknown,
    next: { event: next, expectedState: statePath(after.value as StateValue) },
  };
}

fs.mkdirSync(DIR, { recursive: true });
let written = 0;
for (const w of WORKFLOWS) {
  const file = path.join(DIR, `${w.id}@${w.version}.json`);
  if (fs.existsSync(file)) continue;
  fs.writeFileSync(file, `${JSON.stringify(build(w), null, 2)}\n`);
  written++;
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
console.log(written ? `${written} new fixture(s)` : 'every workflow version already has its fixture');
