/**
 * fda-hde@4 (reference/domain.md §7.1–§7.2, HDE row): version 3 plus the "returned for more
 * information" path of 21 CFR 814.102(b)(2) (OOPD returns the HUD request, the sponsor's answer
 * starts the 45 days again); the 75-day windows of 814.106 and 814.116(e)(2) stay automatic,
 * now with their sources; the 45 days of 814.102(b) are no longer flagged.
 */
import { describe, expect, it } from 'vitest';
import { fdaHdeV3 } from '../../workflows/fda-hde.js';
import { fdaHdeV4 } from '../../workflows/fda-hde-v4.js';
import { latestWorkflow } from '../../workflows/index.js';
import type { WorkflowEvent } from '../../workflows/types.js';
import { createMachineHarness, lenientAjv, pathOf } from '../support/machine-harness.js';
import { expectDeadlines, versionDiff } from '../support/version-diff.js';

const w = fdaHdeV4;
const DATA: Record<string, Record<string, unknown>> = {
  REQUEST_HUD: { estimatedAnnualPopulation: 2400 },
  HUD_RETURNED: { questions: ['Justify the population estimate'] },
  ISSUE_APPROVABLE: { conditions: ['Final labeling'] },
};
const h = createMachineHarness<Record<string, never>>({
  workflow: w,
  table: [],
  isFinal: (s) => s === 'approved' || s.startsWith('closed.'),
  event: (type): WorkflowEvent => ({ type, data: DATA[type] ?? {} }),
  eventTypes: Object.keys(w.events),
});

describe('fda-hde@4 (domain.md §7.2, HDE row)', () => {
  it('adds only the returned-for-information path; every version 3 state and transition stays', () => {
    // Issue 13 §2's version keeps this machine (responses with content, a signed withdrawal).
    expect(latestWorkflow('fda-hde')!.machine).toBe(w.machine);
    expect(versionDiff(fdaHdeV3, w)).toEqual({
      added: ['hudInfoHold / HUD_INFO_RESPONSE -> hudReview', 'hudInfoHold / WITHDRAW -> closed.withdrawn', 'hudReview / HUD_RETURNED -> hudInfoHold'],
      removed: [],
      lostStates: [],
    });
    expect(w.events.HUD_RETURNED?.roles).toEqual(['fda']);
    expect(w.events.HUD_INFO_RESPONSE?.roles).toEqual(['manufacturer']);
    expect(lenientAjv().validate(w.events.HUD_RETURNED!.schema, {})).toBe(false);
  });

  it.each([
    [['REQUEST_HUD', 'HUD_RETURNED', 'HUD_INFO_RESPONSE', 'HUD_RETURNED', 'HUD_INFO_RESPONSE', 'HUD_DESIGNATED'], 'hudDesignated'],
    [['REQUEST_HUD', 'HUD_RETURNED', 'HUD_INFO_RESPONSE', 'HUD_DENIED'], 'closed.hudDenied'],
    [['REQUEST_HUD', 'HUD_RETURNED', 'WITHDRAW'], 'closed.withdrawn'],
    [['REQUEST_HUD', 'HUD_DESIGNATED', 'SUBMIT_HDE', 'FILE', 'ISSUE_APPROVABLE', 'AMENDMENT_TIMEOUT'], 'closed.withdrawn'],
  ])('%j ends in %s', (events, state) => {
    expect(pathOf(h.run({}, events))).toBe(state);
  });

  it('the 75-day windows close the HDE automatically, each on the paragraph that says so', () => {
    expectDeadlines(w, [
      ['amendmentHold', 'AMENDMENT_TIMEOUT', 75, 'automatic', '814.106'],
      ['approvable', 'AMENDMENT_TIMEOUT', 75, 'automatic', '814.116(e)(2)'],
      ['notApprovable', 'AMENDMENT_TIMEOUT', 75, 'automatic', '814.116(e)(2)'],
    ]);
  });

  it('the 45 days count from the request and again from the answer to a returned request; all rules cite sources', () => {
    const goal = (kind: string) => w.goals.find((g) => g.kind === kind);
    expect(goal('hudDesignation')).toMatchObject({ length: 45, from: ['REQUEST_HUD'], source: { citation: '21 CFR 814.102(b)' } });
    expect(goal('hudDesignation')?.metBy).toContain('HUD_RETURNED');
    expect(goal('hudDesignationAfterReturn')).toMatchObject({ length: 45, from: ['HUD_INFO_RESPONSE'], source: { citation: '21 CFR 814.102(b)(2)' } });
    expect(Object.entries(w.parameters).filter(([, p]) => p.unconfirmed)).toEqual([]);
  });
});
