/**
 * Issue 9 §1–§2 (reference/domain.md §7.1): every deadline, goal and parameter of a current
 * workflow version names its primary source, says what happens when it passes, and a terminal
 * event fires by itself only on a confirmed rule. Released versions older than the rule are frozen
 * (tests/unit/frozen-versions.test.ts) and migrate to the current ones.
 */
import { describe, expect, it } from 'vitest';
import { describeWorkflow } from '../../src/engine/catalog.js';
import { latestWorkflows } from '../../workflows/index.js';
import type { RuleSource } from '../../workflows/types.js';

const DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/** What is wrong with a source, or null: a title, a date, and a section or citation to find the text. */
function sourceProblem(source: RuleSource | undefined): string | null {
  if (!source) return 'has no source';
  if (!source.title.trim()) return 'names a source without a title';
  if (!DATE.test(source.date)) return `dates its source "${source.date}" (YYYY, YYYY-MM or YYYY-MM-DD)`;
  if (!source.section && !source.citation) return 'cites no section or citation';
  return null;
}

const current = latestWorkflows().map((w) => [`${w.id}@${w.version}`, w] as const);

describe.each(current)('%s: every rule cites its source (issue 9 §2)', (_key, w) => {
  const states = describeWorkflow(w).states;

  it.each(states.filter((st) => st.deadline).map((st) => [st.path, st.deadline!] as const))('deadline of %s', (_path, d) => {
    expect(sourceProblem(d.source), `deadline ${d.kind}`).toBeNull();
    expect(d.consequence, `deadline ${d.kind} says what happens when it passes`).toMatch(/^(automatic|decision)$/);
  });

  it.each(w.goals.map((g, i) => [`${g.kind}#${i}`, g] as const))('goal %s', (_k, g) => {
    expect(sourceProblem(g.source), `goal ${g.kind}`).toBeNull();
  });

  it.each(Object.entries(w.parameters))('parameter %s', (name, p) => {
    expect(sourceProblem(p.source), `parameter ${name}`).toBeNull();
    if (p.unconfirmed) expect(p.note.length, `${name} says what is unknown`).toBeGreaterThan(20);
  });

  it('fires a terminal event by itself only on a confirmed rule (domain.md §7.1)', () => {
    for (const st of states) {
      const d = st.deadline;
      if (!d || d.consequence !== 'automatic') continue;
      const targets = st.transitions.filter((t) => t.event === d.event).flatMap((t) => t.targets);
      const terminal = targets.some((t) => states.find((x) => x.path === t)?.type === 'final' || t.startsWith('closed.'));
      if (terminal) expect(d.unconfirmed ?? false, `${st.path}: ${d.kind} closes the submission on an unconfirmed window`).toBe(false);
    }
  });

  it('a deadline left to a decision can be decided by the regulator', () => {
    const regulator = w.jurisdiction === 'FDA' ? 'fda' : 'cofepris';
    for (const st of states) {
      if (st.deadline?.consequence === 'decision') expect(w.events[st.deadline.event]?.roles, `${st.path}: ${st.deadline.event}`).toContain(regulator);
    }
  });
});
