/**
 * De Novo, version 4 (issue 9; reference/domain.md §7.1–§7.2): the machine, clock and signatures
 * of version 3 with every deadline saying what happens when it passes and on what source, every
 * goal and parameter citing its source, and the values §7.2 confirms no longer flagged: the
 * 180-day eSTAR hold (21 CFR 860.250(a)(2)), acceptance by default when the 15-day acceptance
 * review or technical screening is not completed (21 CFR 860.230(b); eSTAR for De Novo Requests,
 * Aug 2024) and eSTAR mandatory from 2025-10-01. Every window here is regulation that states both
 * the window and its consequence, so every deadline is `automatic`. State names are version 3's,
 * and the context is unchanged, so `puente workflow migrate` moves running requests as they are.
 */
import {
  ACCEPTANCE_REVIEW_DAYS,
  AI_RESPONSE_DAYS,
  ESTAR_HOLD_RESPONSE_DAYS,
  ESTAR_MANDATORY_FROM,
  RTA_RESPONSE_DAYS,
  TECHNICAL_SCREENING_DAYS,
  fdaDeNovoV3,
} from './fda-de-novo.js';
import { SOURCES } from './fda-sources.js';
import { reviseMachine, withDeadline } from './revise-machine.js';
import type { DeadlineSpec, GoalSpec, WorkflowDefinition } from './types.js';

const calendarDeadline = (d: Omit<DeadlineSpec, 'unit' | 'consequence'>): DeadlineSpec => ({ ...d, unit: 'calendar', consequence: 'automatic' });

/** The hard deadlines of version 4, by state path. */
export const DE_NOVO_V4_DEADLINES: Readonly<Record<string, DeadlineSpec>> = {
  technicalScreening: calendarDeadline({
    kind: 'technicalScreening',
    length: TECHNICAL_SCREENING_DAYS,
    event: 'SCREENING_TIMEOUT',
    description: 'Technical screening not completed in 15 days: the request is accepted for substantive review.',
    source: { ...SOURCES.deNovoAcceptance, title: `${SOURCES.deNovoAcceptance.title}; ${SOURCES.deNovoEstar.title}` },
  }),
  eStarHold: calendarDeadline({
    kind: 'eStarHoldResponse',
    length: ESTAR_HOLD_RESPONSE_DAYS,
    event: 'ESTAR_HOLD_TIMEOUT',
    description: 'Complete replacement eSTAR due within 180 days, otherwise FDA considers the request withdrawn (deleted).',
    source: SOURCES.deNovoRtaWithdrawn,
  }),
  acceptanceReview: calendarDeadline({
    kind: 'acceptanceReview',
    length: ACCEPTANCE_REVIEW_DAYS,
    event: 'ACCEPTANCE_TIMEOUT',
    description: 'Acceptance review not completed in 15 days: the request is considered accepted and under substantive review.',
    source: SOURCES.deNovoAcceptance,
  }),
  rtaHold: calendarDeadline({
    kind: 'rtaResponse',
    length: RTA_RESPONSE_DAYS,
    event: 'RTA_TIMEOUT',
    description: 'Complete response to the acceptance deficiencies due within 180 days, otherwise the request is considered withdrawn (deleted).',
    source: SOURCES.deNovoRtaWithdrawn,
  }),
  aiHold: calendarDeadline({
    kind: 'aiResponse',
    length: AI_RESPONSE_DAYS,
    event: 'AI_TIMEOUT',
    anchor: 'aiRequestedOn',
    description: 'Complete AI response due 180 days from the AI request, otherwise the request is considered withdrawn (deleted).',
    source: SOURCES.deNovoAiWithdrawn,
  }),
};

const GOAL_SOURCES: Readonly<Record<string, GoalSpec['source']>> = {
  decision: SOURCES.mdufaV,
  missedDecisionCommunication: SOURCES.deNovoReviewClock,
};

const v3 = fdaDeNovoV3;

export const fdaDeNovoV4: WorkflowDefinition = {
  ...v3,
  version: 4,
  machine: reviseMachine(v3.machine, Object.fromEntries(Object.entries(DE_NOVO_V4_DEADLINES).map(([path, d]) => [path, withDeadline(d)]))),
  // Version 3 described the now-confirmed values as UNCONFIRMED; the rules are unchanged.
  events: {
    ...v3.events,
    SCREEN_FAIL: {
      ...v3.events.SCREEN_FAIL!,
      description: `eSTAR incomplete: on hold until a complete replacement eSTAR arrives (${ESTAR_HOLD_RESPONSE_DAYS} days, 21 CFR 860.250(a)(2)).`,
    },
    SCREENING_TIMEOUT: {
      ...v3.events.SCREENING_TIMEOUT!,
      description: `Technical screening not completed within ${TECHNICAL_SCREENING_DAYS} calendar days: FDA accepts the request for substantive review (21 CFR 860.230(b)).`,
    },
  },
  inputSchema: {
    ...v3.inputSchema,
    properties: {
      format: {
        enum: ['eSTAR', 'eCopy'],
        description: `eSTAR is mandatory for De Novo requests from ${ESTAR_MANDATORY_FROM} unless exempt (eSTAR for De Novo Requests, Aug 2024).`,
      },
    },
  },
  goals: v3.goals.map((g) => ({ ...g, source: GOAL_SOURCES[g.kind] })),
  parameters: {
    aiResponseDays: {
      value: AI_RESPONSE_DAYS,
      unit: 'calendar days',
      note: 'considered withdrawn without a complete AI response',
      source: SOURCES.deNovoAiWithdrawn,
    },
    rtaResponseDays: {
      value: RTA_RESPONSE_DAYS,
      unit: 'calendar days',
      note: 'considered withdrawn without a complete RTA response',
      source: SOURCES.deNovoRtaWithdrawn,
    },
    eStarHoldResponseDays: {
      value: ESTAR_HOLD_RESPONSE_DAYS,
      unit: 'calendar days',
      note: 'the technical-screening hold is a deficiency notice under 860.230(c)(2): considered withdrawn after 180 days (domain.md §7.2)',
      source: SOURCES.deNovoRtaWithdrawn,
    },
    acceptanceReviewDays: {
      value: ACCEPTANCE_REVIEW_DAYS,
      unit: 'calendar days',
      note: 'then considered accepted (domain.md §7.2)',
      source: SOURCES.deNovoAcceptance,
    },
    technicalScreeningDays: {
      value: TECHNICAL_SCREENING_DAYS,
      unit: 'calendar days',
      note: 'eSTAR technical screening; not completed in time, the request is accepted (domain.md §7.2)',
      source: SOURCES.deNovoEstar,
    },
    estarMandatoryFrom: {
      value: ESTAR_MANDATORY_FROM,
      note: 'eSTAR mandatory for De Novo requests unless exempt; shown, not enforced (waivers exist)',
      source: SOURCES.deNovoEstar,
    },
  },
};
