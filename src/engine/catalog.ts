/**
 * The workflow catalog as the API shows it, derived from the machine files alone: states with
 * their tags, clocks and deadlines; events with roles and payload schemas; a Mermaid diagram.
 */
import type { AnyStateNode } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import type { StateMeta, WorkflowDefinition } from '../../workflows/types.js';
import { definitionHash } from './definitions.js';

export interface StateDescription {
  path: string;
  type: string;
  description: string | null;
  tags: string[];
  clocks: string[];
  deadline: StateMeta['deadline'] | null;
  transitions: Array<{ event: string; targets: string[]; guard: string | null }>;
}

function nodePath(node: AnyStateNode): string {
  return node.path.join('.');
}

function guardName(guard: unknown): string | null {
  if (!guard) return null;
  if (typeof guard === 'string') return guard;
  const g = guard as { type?: string; name?: string; guards?: unknown[] };
  if (g.type === 'xstate.and' || Array.isArray((g as { guards?: unknown[] }).guards)) return 'and';
  return g.type ?? g.name ?? 'guard';
}

function describeStates(w: WorkflowDefinition): StateDescription[] {
  return getStateNodes(w.machine.root)
    .filter((n) => n.path.length > 0)
    .map((n) => {
      const meta = (n.meta ?? {}) as Partial<StateMeta>;
      // A state runs the clocks its ancestors' tags declare too (review.substantive runs fda-clock).
      const tags: string[] = [];
      for (let a: AnyStateNode | undefined = n; a; a = a.parent) for (const t of a.tags) if (!tags.includes(t)) tags.push(t);
      const transitions: StateDescription['transitions'] = [];
      for (const [event, defs] of n.transitions) {
        for (const d of defs) {
          // A targetless transition (context update only) keeps the state.
          const targets = d.target?.length ? d.target.map((t: AnyStateNode) => nodePath(t)) : [nodePath(n)];
          transitions.push({ event, targets, guard: guardName(d.guard) });
        }
      }
      return {
        path: nodePath(n),
        type: n.type,
        description: meta.description ?? null,
        tags,
        clocks: tags.filter((t) => t !== 'hold'),
        // What happens when it passes is always said: released versions fire their event (issue 9 §1).
        deadline: meta.deadline ? { consequence: 'automatic' as const, ...meta.deadline } : null,
        transitions,
      };
    });
}

const tagCache = new WeakMap<WorkflowDefinition, Map<string, string[]>>();

/** Every state path of a workflow with its tags, its ancestors' included (cached per version). */
export function stateTags(w: WorkflowDefinition): ReadonlyMap<string, readonly string[]> {
  let tags = tagCache.get(w);
  if (!tags) {
    tags = new Map(describeStates(w).map((st) => [st.path, st.tags]));
    tagCache.set(w, tags);
  }
  return tags;
}

export function summarizeWorkflow(w: WorkflowDefinition) {
  return { id: w.id, version: w.version, title: w.title, jurisdiction: w.jurisdiction, definitionHash: definitionHash(w) };
}

export function describeWorkflow(w: WorkflowDefinition) {
  return {
    ...summarizeWorkflow(w),
    timeZone: w.timeZone,
    initial: nodePath(w.machine.root.states[w.machine.root.initial?.target[0]?.key ?? ''] ?? w.machine.root),
    inputSchema: w.inputSchema,
    states: describeStates(w),
    events: Object.fromEntries(
      Object.entries(w.events).map(([type, e]) => [
        type,
        { roles: e.roles, description: e.description, schema: e.schema, requiresSignature: e.requiresSignature === true },
      ]),
    ),
    goals: w.goals,
    /** How the regulatory clock runs (receipt, restarts, end of review); null on versions without one. */
    clock: w.clock ?? null,
    parameters: w.parameters,
    dossier: w.dossierCatalog ?? {},
  };
}

const mermaidId = (path: string) => path.replace(/[^A-Za-z0-9]/g, '_');

/** Words for a diagram's states and events (a reader's language); codes when absent. */
export interface DiagramLabels {
  state(path: string): string;
  event(type: string): string;
}

/** A label Mermaid draws as it is: no quotes, colons, semicolons or markup characters. */
function mermaidText(text: string): string {
  return text
    .replace(/[":;#<>{}]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** States to mark on a diagram: where a submission has been, and where it is. */
export interface DiagramHighlight {
  readonly visited: readonly string[];
  readonly current: string;
}

/**
 * The machine as Mermaid `stateDiagram-v2` text; with `highlight`, the states a submission went
 * through and the one it is in are styled (`visited`, `current`). Only leaf states are styled:
 * Mermaid does not style composite states.
 */
export function mermaidDiagram(w: WorkflowDefinition, highlight?: DiagramHighlight, labels?: DiagramLabels): string {
  const stateLabel = (path: string) => mermaidText(labels?.state(path) ?? path);
  const eventLabel = (event: string) => mermaidText(labels?.event(event) ?? event);
  const lines = ['stateDiagram-v2'];
  const leaves = new Set<string>();
  const render = (node: AnyStateNode, indent: string) => {
    const children = Object.values(node.states) as AnyStateNode[];
    if (node.path.length > 0) {
      const id = mermaidId(nodePath(node));
      if (children.length) lines.push(`${indent}state "${stateLabel(nodePath(node))}" as ${id} {`);
      else {
        lines.push(`${indent}state "${stateLabel(nodePath(node))}" as ${id}`);
        leaves.add(nodePath(node));
      }
    }
    const inner = node.path.length > 0 && children.length ? `${indent}  ` : indent;
    if (children.length && node.initial) {
      const first = node.initial.target[0];
      if (first) lines.push(`${inner}[*] --> ${mermaidId(nodePath(first))}`);
    }
    for (const c of children) render(c, inner);
    if (node.path.length > 0 && children.length) lines.push(`${indent}}`);
    if (node.type === 'final') lines.push(`${indent}${mermaidId(nodePath(node))} --> [*]`);
  };
  render(w.machine.root, '  ');
  for (const n of getStateNodes(w.machine.root)) {
    for (const [event, defs] of n.transitions) {
      for (const d of defs) {
        for (const t of (d.target?.length ? d.target : [n]) as AnyStateNode[]) {
          const guard = guardName(d.guard);
          lines.push(`  ${mermaidId(nodePath(n))} --> ${mermaidId(nodePath(t))}: ${eventLabel(event)}${guard && !labels ? ` [${guard}]` : ''}`);
        }
      }
    }
  }
  if (highlight) {
    const visited = [...new Set(highlight.visited)].filter((p) => leaves.has(p) && p !== highlight.current);
    lines.push('  classDef visited fill:#dbeafe,stroke:#1d4ed8,color:#1e3a8a');
    lines.push('  classDef current fill:#fde68a,stroke:#b45309,stroke-width:3px,color:#78350f');
    if (visited.length) lines.push(`  class ${visited.map(mermaidId).join(',')} visited`);
    if (leaves.has(highlight.current)) lines.push(`  class ${mermaidId(highlight.current)} current`);
  }
  return `${lines.join('\n')}\n`;
}
