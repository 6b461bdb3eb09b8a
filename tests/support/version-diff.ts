/**
 * What a new workflow version changed against the released one it revises, read off the catalog
 * view of both machines (never off the new file's own declarations): the transitions it added
 * and removed (`from / EVENT -> to`), and the states of the old version missing from the new one
 * (`puente workflow migrate` needs every old state to keep its name).
 */
import { expect } from 'vitest';
import { describeWorkflow } from '../../src/engine/catalog.js';
import type { DeadlineSpec, WorkflowDefinition } from '../../workflows/types.js';

const rows = (w: WorkflowDefinition): Set<string> =>
  new Set(
    describeWorkflow(w).states.flatMap((s) =>
      s.transitions.map((t) => `${s.path} / ${t.event}${t.guard ? ` [${t.guard}]` : ''} -> ${t.targets.join(',') || 'self'}`),
    ),
  );

export function versionDiff(from: WorkflowDefinition, to: WorkflowDefinition) {
  const a = rows(from);
  const b = rows(to);
  const statesOf = (w: WorkflowDefinition) => describeWorkflow(w).states.map((s) => s.path);
  return {
    added: [...b].filter((r) => !a.has(r)).sort(),
    removed: [...a].filter((r) => !b.has(r)).sort(),
    lostStates: statesOf(from).filter((p) => !statesOf(to).includes(p)),
  };
}

/** The deadline of each state that has one, by path. */
export function deadlinesOf(w: WorkflowDefinition): Record<string, DeadlineSpec> {
  return Object.fromEntries(describeWorkflow(w).states.flatMap((s) => (s.deadline ? [[s.path, s.deadline as DeadlineSpec]] : [])));
}

/**
 * Each row: the state, its timeout event, length in days, consequence and the citation of its
 * source; exactly these states have deadlines, none flagged unconfirmed, and a `decision` one can
 * be sent by the regulator.
 */
export function expectDeadlines(w: WorkflowDefinition, table: ReadonlyArray<readonly [string, string, number, 'automatic' | 'decision', string]>): void {
  const found = deadlinesOf(w);
  expect(Object.keys(found).sort()).toEqual(table.map(([path]) => path).sort());
  for (const [path, event, length, consequence, citation] of table) {
    expect(found[path], path).toMatchObject({ event, length, consequence });
    expect(found[path]?.unconfirmed ?? false, path).toBe(false);
    expect(`${found[path]?.source?.citation ?? ''} ${found[path]?.source?.title ?? ''}`, path).toContain(citation);
    expect(w.events[event]?.roles, `${path}: ${event}`).toContain(consequence === 'decision' ? 'fda' : 'system');
  }
}
