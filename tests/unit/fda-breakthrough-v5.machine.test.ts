/**
 * fda-breakthrough@5 (reference/domain.md §7.2, Breakthrough row): version 4's machine, facts and
 * signatures; the 60-day decision goal is statutory (FD&C Act § 515B(d)(1)) and no longer
 * flagged; FDA's information request around day 30 is a sourced parameter, not a deadline.
 */
import { describe, expect, it } from 'vitest';
import { fdaBreakthroughV4 } from '../../workflows/fda-breakthrough.js';
import { fdaBreakthroughV5 } from '../../workflows/fda-breakthrough-v5.js';
import { latestWorkflow } from '../../workflows/index.js';
import { deadlinesOf, versionDiff } from '../support/version-diff.js';

const w = fdaBreakthroughV5;

describe('fda-breakthrough@5 (domain.md §7.2, Breakthrough row)', () => {
  it('keeps the machine, facts, clock and signatures of version 4 and has no deadline', () => {
    // Issue 13 §2's version keeps this machine (responses with content, a signed withdrawal).
    expect(latestWorkflow('fda-breakthrough')!.machine).toBe(w.machine);
    expect(w.machine).toBe(fdaBreakthroughV4.machine);
    expect(versionDiff(fdaBreakthroughV4, w)).toEqual({ added: [], removed: [], lostStates: [] });
    expect([w.recordsFacts, w.factsFor, w.clock]).toEqual([fdaBreakthroughV4.recordsFacts, fdaBreakthroughV4.factsFor, fdaBreakthroughV4.clock]);
    for (const [type, spec] of Object.entries(fdaBreakthroughV4.events)) expect(w.events[type]?.requiresSignature, type).toBe(spec.requiresSignature);
    expect(deadlinesOf(w)).toEqual({});
  });

  it.each([
    ['goal designationDecision', () => w.goals[0], 60, '515B(d)(1)'],
    ['parameter decisionDays', () => w.parameters.decisionDays, 60, '515B(d)(1)'],
    ['parameter infoRequestDay', () => w.parameters.infoRequestDay, 30, 'Breakthrough Devices Program'],
  ] as const)('%s: %s on its source, not UNCONFIRMED', (_name, rule, value, cited) => {
    const r = rule() as { length?: number; value?: number; unconfirmed?: boolean; source?: { title: string; section?: string } };
    expect(r.length ?? r.value).toBe(value);
    expect(r.unconfirmed ?? false).toBe(false);
    expect(`${r.source?.title} ${r.source?.section}`).toContain(cited);
  });

  it('no event or goal still calls the 60 days UNCONFIRMED', () => {
    expect(JSON.stringify([w.events, w.goals, w.parameters])).not.toMatch(/UNCONFIRMED/);
  });
});
