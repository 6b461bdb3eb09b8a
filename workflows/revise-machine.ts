/**
 * A released machine revised for its next version: the same guards and actions, its state
 * nodes changed where a new version changes them (a deadline's consequence and source, a new
 * state, a new transition). Released versions stay as they are (their hashes are pinned); the
 * new version reuses everything it does not change instead of restating it.
 */
import { createMachine, type AnyStateMachine } from 'xstate';

/** A state node of a machine config, as far as a revision reads it. */
export interface StateNodeConfig {
  readonly on?: Readonly<Record<string, unknown>>;
  readonly states?: Readonly<Record<string, StateNodeConfig>>;
  readonly [key: string]: unknown;
}

/** How a revision changes one state node (by dotted path): `undefined` in, when the state is new. */
export type NodeRevision = (node: StateNodeConfig | undefined) => StateNodeConfig;

function reviseNode(node: StateNodeConfig, path: readonly string[], revise: NodeRevision): StateNodeConfig {
  const [head, ...rest] = path as [string, ...string[]];
  const child = node.states?.[head];
  const next = rest.length === 0 ? revise(child) : reviseNode(child ?? {}, rest, revise);
  return { ...node, states: { ...node.states, [head]: next } };
}

/**
 * `machine` with each named state node revised (paths like `review.substantive`; a path that does
 * not exist adds the state) and, when given, a new `context` factory. Implementations (guards,
 * actions) are the released machine's.
 */
export function reviseMachine(machine: AnyStateMachine, revisions: Readonly<Record<string, NodeRevision>>, opts: { context?: unknown } = {}): AnyStateMachine {
  let config = machine.config as unknown as StateNodeConfig;
  for (const [path, revise] of Object.entries(revisions)) config = reviseNode(config, path.split('.'), revise);
  if (opts.context !== undefined) config = { ...config, context: opts.context };
  return createMachine(config as never, machine.implementations as never);
}

/** A revision that merges `patch` into an existing node (its `on` merged with `patch.on`). */
export const patchNode =
  (patch: StateNodeConfig): NodeRevision =>
  (node) => {
    if (!node) throw new Error('patchNode: no such state');
    return { ...node, ...patch, ...(patch.on ? { on: { ...node.on, ...patch.on } } : {}) };
  };

/** A revision that sets the deadline (and keeps the description) of an existing node's meta. */
export const withDeadline =
  (deadline: unknown): NodeRevision =>
  (node) => {
    if (!node) throw new Error('withDeadline: no such state');
    return { ...node, meta: { ...(node.meta as object), deadline } };
  };
