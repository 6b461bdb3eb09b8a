/**
 * HDE, version 4 (issue 9; reference/domain.md §7.1–§7.2): version 3 with the HUD designation
 * rules of 21 CFR 814.102 and the sources of every rule.
 *  - OOPD acts on a HUD designation request within 45 days of receipt (814.102(b)); one of its
 *    actions is to return the request for more information (814.102(b)(2)), modelled as
 *    `HUD_RETURNED` (FDA) into `hudInfoHold`; the sponsor's `HUD_INFO_RESPONSE` is a new receipt,
 *    and the 45 days count again from it (goal `hudDesignationAfterReturn`).
 *  - The 75-day windows are regulation with their consequence: an amendment request not answered
 *    in writing within 75 days, the HDE is considered withdrawn voluntarily (814.106); likewise an
 *    approvable or not approvable letter (814.116(e)(2)). So they stay `automatic`.
 * Every state of version 3 keeps its name and the context is unchanged: `puente workflow migrate`
 * moves running submissions as they are.
 */
import { meta, text, textList } from './common.js';
import { HDE_AMENDMENT_RESPONSE_DAYS, HDE_FILING_DAYS, HDE_REVIEW_DAYS, HUD_DESIGNATION_REVIEW_DAYS, HUD_POPULATION_LIMIT, fdaHdeV3 } from './fda-hde.js';
import { SOURCES } from './fda-sources.js';
import { patchNode, reviseMachine, withDeadline } from './revise-machine.js';
import type { DeadlineSpec, GoalSpec, RuleSource, WorkflowDefinition } from './types.js';
import { payload } from './types.js';

const answerDeadline = (description: string, source: RuleSource): DeadlineSpec => ({
  kind: 'amendmentResponse',
  length: HDE_AMENDMENT_RESPONSE_DAYS,
  unit: 'calendar',
  event: 'AMENDMENT_TIMEOUT',
  consequence: 'automatic',
  description,
  source,
});

/** The hard deadlines of version 4, by state path. */
export const HDE_V4_DEADLINES: Readonly<Record<string, DeadlineSpec>> = {
  amendmentHold: answerDeadline(
    'Written answer to the amendment request due within 75 days, otherwise the HDE is considered withdrawn voluntarily.',
    SOURCES.hdeAmendment,
  ),
  approvable: answerDeadline(
    'Written answer to the approvable letter due within 75 days, otherwise the HDE is considered withdrawn voluntarily.',
    SOURCES.hdeLetterResponse,
  ),
  notApprovable: answerDeadline(
    'Written answer to the not approvable letter due within 75 days, otherwise the HDE is considered withdrawn voluntarily.',
    SOURCES.hdeLetterResponse,
  ),
};

const withdrawable = { WITHDRAW: { target: '#fda-hde.closed.withdrawn' } } as const;

const machine = reviseMachine(fdaHdeV3.machine, {
  hudReview: patchNode({ on: { HUD_RETURNED: 'hudInfoHold' } }),
  hudInfoHold: () => ({
    tags: ['hold'],
    meta: meta({ description: 'OOPD returned the HUD designation request for more information: the sponsor answers it.' }),
    on: { HUD_INFO_RESPONSE: 'hudReview', ...withdrawable },
  }),
  ...Object.fromEntries(Object.entries(HDE_V4_DEADLINES).map(([path, d]) => [path, withDeadline(d)])),
});

const v3 = fdaHdeV3;
const designationMetBy = ['HUD_DESIGNATED', 'HUD_DENIED', 'HUD_RETURNED'];

const GOALS: Readonly<Record<string, Partial<GoalSpec>>> = {
  hudDesignation: {
    description: `OOPD designates, denies or returns the HUD request for more information within ${HUD_DESIGNATION_REVIEW_DAYS} days of receipt.`,
    metBy: designationMetBy,
    source: SOURCES.hudDesignation,
  },
  filing: { source: SOURCES.hdeFiling },
  decision: { source: SOURCES.hdeReview },
};

export const fdaHdeV4: WorkflowDefinition = {
  ...v3,
  version: 4,
  machine,
  events: {
    ...v3.events,
    HUD_RETURNED: {
      roles: ['fda'],
      description: 'OOPD returns the HUD designation request for more information (21 CFR 814.102(b)(2)); the 45 days count again from the answer.',
      schema: payload({ questions: textList }, ['questions']),
    },
    HUD_INFO_RESPONSE: {
      roles: ['manufacturer'],
      description: "The sponsor answers OOPD's request for more information: the HUD request is under review again (45 days from this answer).",
      schema: payload({ summary: text }),
    },
  },
  goals: [
    ...v3.goals.map((g) => ({ ...g, ...GOALS[g.kind] })),
    {
      kind: 'hudDesignationAfterReturn',
      length: HUD_DESIGNATION_REVIEW_DAYS,
      unit: 'calendar',
      description: `After a returned request, OOPD acts within ${HUD_DESIGNATION_REVIEW_DAYS} days of the sponsor's answer (counted from the first answer).`,
      from: ['HUD_INFO_RESPONSE'],
      metBy: designationMetBy,
      source: SOURCES.hudReturned,
    },
  ],
  parameters: {
    hudPopulationLimit: {
      value: HUD_POPULATION_LIMIT,
      unit: 'individuals per year',
      note: 'a HUD serves not more than 8,000 individuals in the US per year',
      source: SOURCES.hudPopulation,
    },
    hudDesignationReviewDays: {
      value: HUD_DESIGNATION_REVIEW_DAYS,
      unit: 'calendar days',
      note: 'OOPD acts on a designation request within 45 days of receipt, and again from the answer to a returned request (domain.md §7.2)',
      source: SOURCES.hudDesignation,
    },
    hdeFilingDays: { value: HDE_FILING_DAYS, unit: 'days', note: 'filing decision within 30 days of receipt', source: SOURCES.hdeFiling },
    hdeReviewDays: {
      value: HDE_REVIEW_DAYS,
      unit: 'days',
      note: 'decision within 75 days of receipt of an HDE accepted for filing',
      source: SOURCES.hdeReview,
    },
    amendmentResponseDays: {
      value: HDE_AMENDMENT_RESPONSE_DAYS,
      unit: 'calendar days',
      note: 'written answer to an amendment request (814.106) or an approvable / not approvable letter (814.116(e)(2)), otherwise considered withdrawn',
      source: SOURCES.hdeAmendment,
    },
  },
};
