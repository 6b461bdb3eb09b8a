/**
 * fda-de-novo@4 (reference/domain.md §7.1–§7.2): the machine of version 3 transition for
 * transition, with every deadline automatic on the regulation that states its window and
 * consequence (21 CFR 860.230(b), 860.250(a)(1)–(2)), and the values §7.2 confirms (eSTAR hold
 * 180, acceptance by default at 15 days, eSTAR mandatory from 2025-10-01) no longer flagged.
 */
import { describe, expect, it } from 'vitest';
import { fdaDeNovoV3 } from '../../workflows/fda-de-novo.js';
import { fdaDeNovoV4 } from '../../workflows/fda-de-novo-v4.js';
import { latestWorkflow } from '../../workflows/index.js';
import { createMachineHarness, pathOf } from '../support/machine-harness.js';
import { expectDeadlines, versionDiff } from '../support/version-diff.js';

const w = fdaDeNovoV4;
const h = createMachineHarness<{ format: 'eSTAR' | 'eCopy' }>({
  workflow: w,
  table: [],
  isFinal: (s) => s === 'granted' || s.startsWith('closed.'),
  event: (type) => ({ type, data: type === 'REQUEST_AI' ? { deficiencies: ['Bench data'] } : {} }),
  eventTypes: Object.keys(w.events),
});

describe('fda-de-novo@4 (domain.md §7.2, De Novo row)', () => {
  it('is the latest De Novo version, with version 3 transitions, states and signatures unchanged', () => {
    // Issue 13 §2's version keeps this machine (responses with content, a signed withdrawal).
    expect(latestWorkflow('fda-de-novo')!.machine).toBe(w.machine);
    expect(versionDiff(fdaDeNovoV3, w)).toEqual({ added: [], removed: [], lostStates: [] });
    const signed = (x: typeof w) => Object.keys(x.events).filter((t) => x.events[t]!.requiresSignature);
    expect(signed(w)).toEqual(signed(fdaDeNovoV3));
    expect(w.clock).toEqual(fdaDeNovoV3.clock);
  });

  it('every deadline fires its event automatically, on the CFR paragraph that states window and consequence', () => {
    expectDeadlines(w, [
      ['technicalScreening', 'SCREENING_TIMEOUT', 15, 'automatic', '860.230(b)'],
      ['eStarHold', 'ESTAR_HOLD_TIMEOUT', 180, 'automatic', '860.250(a)(2)'],
      ['acceptanceReview', 'ACCEPTANCE_TIMEOUT', 15, 'automatic', '860.230(b)'],
      ['rtaHold', 'RTA_TIMEOUT', 180, 'automatic', '860.250(a)(2)'],
      ['aiHold', 'AI_TIMEOUT', 180, 'automatic', '860.250(a)(1)'],
    ]);
  });

  it.each([
    ['eSTAR', ['SUBMIT', 'FEE_VERIFIED', 'SCREEN_FAIL', 'ESTAR_HOLD_TIMEOUT'], 'closed.deleted'],
    ['eSTAR', ['SUBMIT', 'FEE_VERIFIED', 'SCREENING_TIMEOUT'], 'review.substantive'],
    ['eCopy', ['SUBMIT', 'FEE_VERIFIED', 'ACCEPTANCE_TIMEOUT', 'REQUEST_AI', 'AI_TIMEOUT'], 'closed.deleted'],
  ] as const)('%s: %j ends in %s', (format, events, state) => {
    expect(pathOf(h.run({ format }, events))).toBe(state);
  });

  it('goals and parameters cite their sources; nothing is flagged UNCONFIRMED any more', () => {
    expect(w.goals.map((g) => [g.kind, g.length, g.source?.title])).toEqual([
      ['decision', 150, expect.stringMatching(/MDUFA V/)],
      ['missedDecisionCommunication', 180, expect.stringMatching(/De Novo Classification Requests/)],
    ]);
    expect(Object.entries(w.parameters).filter(([, p]) => p.unconfirmed)).toEqual([]);
    expect(w.parameters.estarMandatoryFrom).toMatchObject({ value: '2025-10-01', source: { date: '2024-08' } });
    const text = JSON.stringify([w.events, w.inputSchema]);
    expect(text).not.toMatch(/UNCONFIRMED/);
  });
});
