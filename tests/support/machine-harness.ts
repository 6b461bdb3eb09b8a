/**
 * One harness for the workflow machine tests, fed by each workflow's transition table transcribed
 * by hand from reference/domain.md (never from the machine):
 * - every state reachable from the initial state (found by `xstate/graph`) is visited, and in each
 *   one every declared event type is sent with the pure `transition()`; the table says whether it
 *   is accepted and where it leads, and a refusal must leave state and context as they were and
 *   `can()` must agree;
 * - the states the machine reaches are exactly those the table reaches (BFS over the table alone),
 *   and the machine's leaf states are exactly the table's;
 * - the fixture events are one valid event per declared type, as the server's validator sees them;
 * - roles, clock tags and unknown-field refusal are checked from tables the test file declares.
 *
 * A row's `from` is a state path, `x.*` (any state under `x`) or `*` (any state that is not final);
 * `to: 'self'` means the event is accepted, the state stays and the context records it. When the
 * table depends on more than the state (the creation input, an earlier event), the test file says
 * so with `applies` and a `memo` folded over the accepted events.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { getShortestPaths, getStateNodes } from 'xstate/graph';
import { describeWorkflow } from '../../src/engine/catalog.js';
import { statePath } from '../../src/engine/definitions.js';
import { createValidator, eventSchemaId } from '../../src/validation.js';
import type { Role, WorkflowDefinition, WorkflowEvent } from '../../workflows/types.js';

/** One row of a transition table: in `from`, `event` leads to `to`. */
export interface TableRow {
  readonly from: string;
  readonly event: string;
  readonly to: string;
}

export interface MachineSpec<Input, Row extends TableRow = TableRow, Memo = null> {
  readonly workflow: WorkflowDefinition;
  /** The transition table; events it does not list in a state must be refused there. */
  readonly table: readonly Row[];
  /** Final outcomes (`*` rows do not apply there). */
  readonly isFinal: (state: string) => boolean;
  /** One valid event of each declared type (what is sent in every state), for this input. */
  readonly event: (type: string, input: Input) => WorkflowEvent;
  /** The fixture event types (to compare with the declared ones). */
  readonly eventTypes: readonly string[];
  readonly initialState?: string;
  /** Whether a row applies beyond its state and event: the creation input, the history (`memo`). */
  readonly applies?: (row: Row, input: Input, memo: Memo) => boolean;
  /** What the table remembers of the accepted events, when it depends on them. */
  readonly memo?: { readonly initial: Memo; after(memo: Memo, event: WorkflowEvent): Memo; key?(memo: Memo): string };
  /** The machine's creation input for a test input (default: the test input itself). */
  readonly machineInput?: (input: Input) => unknown;
  /** The events xstate/graph may send from a snapshot (default all), to keep an unbounded context finite. */
  readonly graphEvents?: (snapshot: AnyMachineSnapshot, all: readonly WorkflowEvent[]) => readonly WorkflowEvent[];
}

/** A snapshot the machine reaches, with the events of the shortest path and the table's memo there. */
export interface Reached<Memo> {
  readonly snapshot: AnyMachineSnapshot;
  readonly events: readonly WorkflowEvent[];
  readonly memo: Memo;
}

export interface Mismatch {
  readonly event: string;
  readonly expected: string | null;
  readonly actual: string;
  readonly detail?: string;
}

export const pathOf = (s: AnyMachineSnapshot): string => statePath(s.value);

/** ajv as the workflow's own schemas are written (formats on, strict off), for schema-level tests. */
export function lenientAjv(): Ajv2020 {
  const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
  return addFormats(new Ajv2020({ allErrors: true, strict: false }));
}

export interface RoleTestOptions {
  readonly described?: boolean;
  readonly anyOrder?: boolean;
  readonly declaresTitle?: string | false;
}

/** Each event of `workflow` may be sent by exactly these roles (and, with `described`, has a description). */
export function roleTests(workflow: WorkflowDefinition, roles: Readonly<Record<string, readonly Role[]>>, opts: RoleTestOptions = {}): void {
  const order = (r: readonly Role[]) => (opts.anyOrder ? [...r].sort() : [...r]);
  if (opts.declaresTitle !== false) {
    it(opts.declaresTitle ?? 'declares exactly these events', () => {
      expect(Object.keys(workflow.events).sort()).toEqual(Object.keys(roles).sort());
    });
  }
  for (const [type, want] of Object.entries(roles)) {
    it(`${type} may be sent by ${want.join(', ')} only${opts.described ? ', and is described' : ''}`, () => {
      expect(order(workflow.events[type]?.roles ?? [])).toEqual(order(want));
      if (opts.described) expect(workflow.events[type]?.description).toMatch(/\S{3}/);
    });
  }
}

/**
 * A roles table written by role, the events of each in one string (`{ manufacturer: 'SUBMIT WITHDRAW', fda: 'ACCEPT HOLD' }`),
 * turned into what `roleTests` takes: each event with the roles that list it, in the order the roles are given.
 */
export function rolesByEvent(byRole: Readonly<Partial<Record<Role, string>>>): Record<string, Role[]> {
  const out: Record<string, Role[]> = {};
  for (const [role, types] of Object.entries(byRole) as Array<[Role, string]>)
    for (const type of types.split(/\s+/).filter(Boolean)) (out[type] ??= []).push(role);
  return out;
}

/**
 * A clock-tags table written by tag, the states of each in one string, plus the states with no tag:
 * `tagsByState({ hold: 'a b' }, 'c')` is `{ a: ['hold'], b: ['hold'], c: [] }` (several tags: in the order given).
 */
export function tagsByState(byTag: Readonly<Record<string, string>>, untagged = ''): Record<string, string[]> {
  const words = (x: string) => x.split(/\s+/).filter(Boolean);
  const out: Record<string, string[]> = Object.fromEntries(words(untagged).map((state) => [state, []]));
  for (const [tag, states] of Object.entries(byTag)) for (const state of words(states)) (out[state] ??= []).push(tag);
  return out;
}

/** The fixture event of each type, by type (what `MachineSpec.event` takes); a type with no fixture throws. */
export function eventLookup(events: Readonly<Record<string, WorkflowEvent>>): (type: string) => WorkflowEvent {
  return (type) => events[type] ?? fail(`no test event for ${type}`);
}

function fail(message: string): never {
  throw new Error(message);
}

export type MachineHarness<Input, Row extends TableRow, Memo> = ReturnType<typeof createMachineHarness<Input, Row, Memo>>;

export function createMachineHarness<Input, Row extends TableRow = TableRow, Memo = null>(spec: MachineSpec<Input, Row, Memo>) {
  const { workflow } = spec;
  const machine = workflow.machine;
  const initialState = spec.initialState ?? 'draft';
  const declared = Object.keys(workflow.events);
  const memoOf = spec.memo ?? { initial: null as Memo, after: (m: Memo) => m };
  const memoKey = (m: Memo): string => (spec.memo?.key ? spec.memo.key(m) : JSON.stringify(m));
  const toMachine = spec.machineInput ?? ((input: Input) => input);

  function rowMatches(row: Row, state: string, event: string, input: Input, memo: Memo): boolean {
    if (row.event !== event) return false;
    if (spec.applies && !spec.applies(row, input, memo)) return false;
    if (row.from === '*') return !spec.isFinal(state);
    if (row.from.endsWith('.*')) return state.startsWith(row.from.slice(0, -1));
    return row.from === state;
  }

  /** Where the table says `event` leads from `state`, or null when it must be refused. */
  function expectedNext(state: string, event: string, input: Input, memo: Memo = memoOf.initial): string | null {
    const rows = spec.table.filter((r) => rowMatches(r, state, event, input, memo));
    if (rows.length > 1) throw new Error(`ambiguous expectation table for ${state} / ${event}`);
    return rows[0]?.to ?? null;
  }

  /** Every state the table reaches from the initial state for this input (BFS over the table alone). */
  function tableReachable(input: Input): Set<string> {
    const key = (s: string, m: Memo) => `${s}|${memoKey(m)}`;
    const seen = new Set([key(initialState, memoOf.initial)]);
    const states = new Set([initialState]);
    const queue: Array<[string, Memo]> = [[initialState, memoOf.initial]];
    while (queue.length) {
      const [s, m] = queue.shift()!;
      for (const type of declared) {
        const to = expectedNext(s, type, input, m);
        if (!to || to === 'self') continue;
        const next = memoOf.after(m, spec.event(type, input));
        if (seen.has(key(to, next))) continue;
        seen.add(key(to, next));
        states.add(to);
        queue.push([to, next]);
      }
    }
    return states;
  }

  /** All reachable snapshots (distinct by state value and context), via xstate/graph. */
  function reachable(input: Input): Array<Reached<Memo>> {
    const all = spec.eventTypes.map((t) => spec.event(t, input));
    const events = spec.graphEvents ? (s: AnyMachineSnapshot) => [...spec.graphEvents!(s, all)] : all;
    return getShortestPaths(machine, { events: events as never, input: toMachine(input) }).map((p) => {
      const path = p.steps.map((s) => s.event as WorkflowEvent).filter((e) => !e.type.startsWith('xstate.'));
      return { snapshot: p.state as AnyMachineSnapshot, events: path, memo: path.reduce((m, e) => memoOf.after(m, e), memoOf.initial) };
    });
  }

  /** Leaf state nodes (atomic or final) of the machine, as dotted paths. */
  const leafPaths = getStateNodes(machine.root)
    .filter((n) => Object.keys(n.states).length === 0)
    .map((n) => n.path.join('.'))
    .sort();

  /** Every state a row names (and the initial state and the final outcomes given). */
  function tableStates(extra: readonly string[] = []): string[] {
    const out = new Set<string>([initialState, ...extra]);
    for (const row of spec.table) {
      if (row.to !== 'self') out.add(row.to);
      if (row.from !== '*' && !row.from.endsWith('.*')) out.add(row.from);
    }
    return [...out].sort();
  }

  /** Sends every declared event to a reached snapshot and lists what disagrees with the table. */
  function checkEveryEvent(r: Reached<Memo>, input: Input): Mismatch[] {
    const { snapshot } = r;
    const from = pathOf(snapshot);
    const out: Mismatch[] = [];
    for (const type of declared) {
      const event = spec.event(type, input);
      const expected = expectedNext(from, type, input, r.memo);
      const [next] = transition(machine, snapshot, event);
      const actual = pathOf(next);
      const contextChanged = JSON.stringify(next.context) !== JSON.stringify(snapshot.context);
      if (expected === null) {
        if (actual !== from) out.push({ event: type, expected: `refused (stay ${from})`, actual });
        else if (contextChanged) out.push({ event: type, expected: 'refused, context unchanged', actual, detail: JSON.stringify(next.context) });
        else if (snapshot.can(event)) out.push({ event: type, expected: 'can() false', actual: 'can() true' });
      } else if (expected === 'self') {
        if (actual !== from) out.push({ event: type, expected: `stay in ${from}`, actual });
        else if (!contextChanged) out.push({ event: type, expected: 'recorded in context', actual: 'context unchanged' });
        else if (!snapshot.can(event)) out.push({ event: type, expected: 'can() true', actual: 'can() false' });
      } else if (actual !== expected) out.push({ event: type, expected, actual });
      else if (!snapshot.can(event)) out.push({ event: type, expected: 'can() true', actual: 'can() false' });
    }
    return out;
  }

  /** The machine after `events` from its initial state; each must be accepted (`can()`). */
  function run(input: Input, events: ReadonlyArray<string | WorkflowEvent>): AnyMachineSnapshot {
    let [s] = initialTransition(machine, toMachine(input)) as [AnyMachineSnapshot, unknown];
    for (const e of events) {
      const event = typeof e === 'string' ? spec.event(e, input) : e;
      expect(s.can(event), `${event.type} in ${pathOf(s)}`).toBe(true);
      [s] = transition(machine, s, event);
    }
    return s;
  }

  const label = `${workflow.id}@${workflow.version}`;

  return {
    machine,
    workflow,
    spec,
    leafPaths,
    expectedNext,
    tableReachable,
    tableStates,
    reachable,
    checkEveryEvent,
    run,

    /** The fixture events are the declared types, each valid for the server; the table names only declared events. */
    describeFixtures(inputs: readonly Input[] = [{} as Input], name = `${workflow.id} test fixtures`): void {
      describe(name, () => {
        it('has one test event for every declared event type, each valid against its payload schema', () => {
          expect([...spec.eventTypes].sort()).toEqual([...declared].sort());
          const validator = createValidator([workflow]);
          for (const input of inputs) {
            for (const type of declared)
              expect(() => validator.check(eventSchemaId(workflow, type), spec.event(type, input).data ?? {}, '/data'), type).not.toThrow();
          }
        });

        it('the expectation table only names declared events', () => {
          for (const row of spec.table) expect(declared, `${row.from} / ${row.event}`).toContain(row.event);
        });
      });
    },

    /**
     * For one input: the machine reaches exactly the table's states, and in each reached state
     * (every context found) every declared event is allowed or refused as the table says.
     */
    tableTests(input: Input, reached: Array<Reached<Memo>> = reachable(input)): void {
      it('reaches exactly the states the table reaches', () => {
        expect([...new Set(reached.map((r) => pathOf(r.snapshot)))].sort()).toEqual([...tableReachable(input)].sort());
      });
      const byPath = new Map<string, Array<Reached<Memo>>>();
      for (const r of reached) byPath.set(pathOf(r.snapshot), [...(byPath.get(pathOf(r.snapshot)) ?? []), r]);
      for (const [path, group] of [...byPath.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        it(`in ${path}, every declared event is allowed or refused as the table says`, () => {
          for (const r of group) expect(checkEveryEvent(r, input), `${label} context ${JSON.stringify(r.snapshot.context)}`).toEqual([]);
        });
      }
    },

    /** Each event may be sent by exactly these roles (and, with `described`, has a description). */
    roleTests(roles: Readonly<Record<string, readonly Role[]>>, opts: RoleTestOptions = {}): void {
      roleTests(workflow, roles, opts);
    },

    /** Every event payload schema says additionalProperties: false, and ajv refuses an unknown field. */
    expectUnknownFieldsRefused(ajv: Ajv2020 = lenientAjv()): void {
      for (const [type, s] of Object.entries(workflow.events)) {
        expect(s.schema.additionalProperties, type).toBe(false);
        expect(ajv.validate(s.schema, { ...(spec.event(type, {} as Input).data ?? {}), unexpected: 1 }), type).toBe(false);
      }
    },

    /** Every leaf state runs exactly the clocks (tags) given, and the table covers every leaf. */
    expectTags(tags: Readonly<Record<string, readonly string[]>>): void {
      const byPath = new Map(describeWorkflow(workflow).states.map((s) => [s.path, s]));
      expect(Object.keys(tags).sort()).toEqual(leafPaths);
      for (const [path, want] of Object.entries(tags)) expect([...(byPath.get(path)?.tags ?? [])].sort(), path).toEqual([...want].sort());
    },
  };
}
