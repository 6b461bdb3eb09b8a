/**
 * 510(k) premarket notification (21 CFR 807 subpart E): Traditional, Special and Abbreviated
 * variants, eSTAR or legacy eCopy. Transition table: DESIGN §4; timings and sources:
 * reference/domain.md §1.1 and §5.1.
 */
import { assign, setup } from 'xstate';
import type { EventSpec, GoalSpec, StateMeta, WorkflowDefinition } from './types.js';
import { payload } from './types.js';
import { FDA, clockedGoals, closedState, dataOf, feeVerifiedByFormat, signedEvents } from './common.js';
import type { Fda510kEvent } from './event-data.js';

/** Sponsor response window after an AI request: 180 calendar days, then the 510(k) is deleted. */
export const AI_RESPONSE_DAYS = 180;
/** Sponsor response window after a Refuse-to-Accept: 180 days, then considered withdrawn. */
export const RTA_RESPONSE_DAYS = 180;

export interface Fda510kContext {
  format: 'eSTAR' | 'eCopy';
  variant: 'traditional' | 'special' | 'abbreviated';
  kNumber: string | null;
  decisionDate: string | null;
}

const text = { type: 'string', minLength: 1, maxLength: 4000 };
const textList = { type: 'array', minItems: 1, maxItems: 200, items: text };
const isoDate = { type: 'string', format: 'date' };

const events: Record<string, EventSpec> = {
  SUBMIT: { roles: ['manufacturer'], description: 'Send the 510(k) to FDA (CDRH Document Control Center receipt).', schema: payload() },
  FEE_VERIFIED: {
    roles: ['fda'],
    description: 'User fee paid and submission valid: screening (eSTAR) or acceptance review (eCopy) starts.',
    schema: payload(),
  },
  FEE_UNPAID: { roles: ['fda'], description: 'User fee not received: the submission is put on user-fee hold.', schema: payload() },
  FEE_PAID: { roles: ['manufacturer'], description: 'The sponsor paid the MDUFA user fee.', schema: payload({ receipt: text }) },
  SCREEN_PASS: { roles: ['fda'], description: 'eSTAR technical screening passed: substantive review starts.', schema: payload() },
  SCREEN_FAIL: { roles: ['fda'], description: 'eSTAR incomplete: on hold until a complete replacement arrives.', schema: payload({ reasons: textList }) },
  REPLACEMENT_SUBMITTED: {
    roles: ['manufacturer'],
    description: 'A complete replacement eSTAR; screening restarts (FDA-day clock restarts).',
    schema: payload(),
  },
  ACCEPT: { roles: ['fda'], description: 'Acceptance review (RTA checklist) passed: substantive review starts.', schema: payload() },
  REFUSE_TO_ACCEPT: { roles: ['fda'], description: 'Refuse to Accept: administratively incomplete.', schema: payload({ reasons: textList }) },
  RTA_RESPONSE: {
    roles: ['manufacturer'],
    description: 'The sponsor answered the RTA; acceptance review restarts (FDA-day clock restarts).',
    schema: payload({ summary: text }),
  },
  RTA_TIMEOUT: { roles: ['system'], description: `No RTA response within ${RTA_RESPONSE_DAYS} days: considered withdrawn.`, schema: payload() },
  SUBSTANTIVE_INTERACTION: { roles: ['fda'], description: 'Substantive Interaction: FDA continues in interactive review.', schema: payload({ summary: text }) },
  REQUEST_AI: {
    roles: ['fda'],
    description: `Additional Information request: the FDA-day clock pauses; ${AI_RESPONSE_DAYS} calendar days to respond.`,
    schema: payload({ deficiencies: textList }, ['deficiencies']),
  },
  AI_RESPONSE: { roles: ['manufacturer'], description: 'Complete response to the AI request: the FDA-day clock resumes.', schema: payload({ summary: text }) },
  AI_TIMEOUT: { roles: ['system'], description: `No complete AI response within ${AI_RESPONSE_DAYS} calendar days: deleted (FDA code DE).`, schema: payload() },
  DECIDE_SE: {
    roles: ['fda'],
    description: 'Substantially equivalent: cleared.',
    schema: payload({ kNumber: { type: 'string', pattern: '^K[0-9]{6}$' }, decisionDate: isoDate }, ['kNumber', 'decisionDate']),
  },
  DECIDE_NSE: { roles: ['fda'], description: 'Not substantially equivalent.', schema: payload({ reason: text, decisionDate: isoDate }) },
  WITHDRAW: { roles: ['manufacturer'], description: 'The sponsor withdraws the 510(k) (FDA code WD).', schema: payload({ reason: text }) },
  RESCIND_SE: {
    roles: ['fda'],
    description: 'FDA rescinds the SE decision (code RE); relying COFEPRIS registrations are notified.',
    schema: payload({ reason: text }),
  },
};

const goals: GoalSpec[] = [
  { kind: 'substantiveInteraction', length: 60, unit: 'fda-days', description: 'MDUFA V: Substantive Interaction by FDA day 60.' },
  { kind: 'decision', length: 90, unit: 'fda-days', description: 'MDUFA V: decision within 90 FDA days (95% goal).', when: { variant: 'traditional' } },
  { kind: 'decision', length: 90, unit: 'fda-days', description: 'Abbreviated 510(k): same 90 FDA-day goal as Traditional.', when: { variant: 'abbreviated' } },
  {
    kind: 'decision',
    length: 30,
    unit: 'fda-days',
    description: 'Special 510(k): FDA intends to decide within 30 days of receipt.',
    when: { variant: 'special' },
  },
  { kind: 'missedDecisionCommunication', length: 100, unit: 'fda-days', description: 'No decision by FDA day 100: Missed MDUFA Decision communication.' },
];

const meta = (m: StateMeta) => m;
const withdrawable = { WITHDRAW: { target: '#fda-510k.closed.withdrawn' } } as const;

export const machine = setup({
  types: {
    context: {} as Fda510kContext,
    events: {} as Fda510kEvent,
    input: {} as { format: Fda510kContext['format']; variant: Fda510kContext['variant'] },
  },
  guards: {
    isEstar: ({ context }) => context.format === 'eSTAR',
    isEcopy: ({ context }) => context.format === 'eCopy',
  },
  actions: {
    recordClearance: assign({
      kNumber: ({ event }) => dataOf(event, 'DECIDE_SE').kNumber,
      decisionDate: ({ event }) => dataOf(event, 'DECIDE_SE').decisionDate,
    }),
    recordNse: assign({ decisionDate: ({ event }) => dataOf(event, 'DECIDE_NSE').decisionDate ?? null }),
  },
}).createMachine({
  id: 'fda-510k',
  initial: 'draft',
  context: ({ input }) => ({ format: input.format, variant: input.variant, kNumber: null, decisionDate: null }),
  states: {
    draft: {
      meta: meta({ description: 'Being prepared by the sponsor; FDA has not received it.' }),
      on: { SUBMIT: 'received', ...withdrawable },
    },
    received: {
      meta: meta({ description: 'Received by FDA; user fee and submission validity are being checked.' }),
      on: {
        FEE_VERIFIED: feeVerifiedByFormat(),
        FEE_UNPAID: 'userFeeHold',
        ...withdrawable,
      },
    },
    userFeeHold: {
      tags: ['hold'],
      meta: meta({ description: 'User fee hold: the review clock does not start until the fee is paid.' }),
      on: { FEE_PAID: 'received', ...withdrawable },
    },
    technicalScreening: {
      tags: ['fda-clock'],
      meta: meta({ description: 'eSTAR technical screening (about 15 calendar days).' }),
      on: { SCREEN_PASS: 'review.substantive', SCREEN_FAIL: 'eStarHold', ...withdrawable },
    },
    eStarHold: {
      tags: ['hold'],
      meta: meta({ description: 'eSTAR incomplete: on hold until a complete replacement is submitted.' }),
      on: { REPLACEMENT_SUBMITTED: 'technicalScreening', ...withdrawable },
    },
    acceptanceReview: {
      tags: ['fda-clock'],
      meta: meta({ description: 'Acceptance review against the RTA checklist (15 calendar days).' }),
      on: { ACCEPT: 'review.substantive', REFUSE_TO_ACCEPT: 'rtaHold', ...withdrawable },
    },
    rtaHold: {
      tags: ['hold'],
      meta: meta({
        description: 'Refused to accept: the sponsor must supply the missing elements.',
        deadline: {
          kind: 'rtaResponse',
          length: RTA_RESPONSE_DAYS,
          unit: 'calendar',
          event: 'RTA_TIMEOUT',
          description: 'RTA response due, otherwise the 510(k) is considered withdrawn.',
        },
      }),
      on: { RTA_RESPONSE: 'acceptanceReview', RTA_TIMEOUT: 'closed.withdrawn', ...withdrawable },
    },
    review: {
      tags: ['fda-clock'],
      initial: 'substantive',
      meta: meta({ description: 'Under substantive review.' }),
      on: {
        REQUEST_AI: 'aiHold',
        DECIDE_SE: { target: 'cleared', actions: 'recordClearance' },
        DECIDE_NSE: { target: 'closed.nse', actions: 'recordNse' },
        ...withdrawable,
      },
      states: {
        substantive: {
          meta: meta({ description: 'Substantive review before the Substantive Interaction.' }),
          on: { SUBSTANTIVE_INTERACTION: 'interactive' },
        },
        interactive: { meta: meta({ description: 'Interactive review after the Substantive Interaction.' }) },
      },
    },
    aiHold: {
      tags: ['hold'],
      meta: meta({
        description: 'On hold for Additional Information: the FDA-day clock is paused.',
        deadline: {
          kind: 'aiResponse',
          length: AI_RESPONSE_DAYS,
          unit: 'calendar',
          event: 'AI_TIMEOUT',
          description: 'Complete AI response due, otherwise the 510(k) is deleted.',
        },
      }),
      on: { AI_RESPONSE: 'review.substantive', AI_TIMEOUT: 'closed.deleted', ...withdrawable },
    },
    cleared: {
      meta: meta({ description: 'Substantially equivalent (SE): cleared for marketing.' }),
      on: { RESCIND_SE: 'closed.rescinded' },
    },
    closed: closedState({
      nse: 'Not substantially equivalent (NSE).',
      withdrawn: 'Withdrawn (by the sponsor, or no RTA response in time).',
      deleted: 'Deleted: no complete AI response within 180 days.',
      rescinded: 'SE decision rescinded by FDA.',
    }),
  },
});

export const fda510k: WorkflowDefinition = {
  id: 'fda-510k',
  version: 1,
  title: '510(k) premarket notification',
  ...FDA,
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['format', 'variant'],
    properties: {
      format: { enum: ['eSTAR', 'eCopy'], description: 'eSTAR is mandatory for 510(k)s since 2023-10-01 unless exempt.' },
      variant: { enum: ['traditional', 'special', 'abbreviated'] },
    },
  },
  events,
  goals,
  machine,
  dossier: () => [],
  decisionOf(state, context) {
    const c = context as Fda510kContext;
    const decision = state === 'cleared' ? 'SE' : state === 'closed.nse' ? 'NSE' : state === 'closed.rescinded' ? 'RE' : null;
    return { number: c.kNumber, decision, decisionDate: c.decisionDate, favourable: state === 'cleared' };
  },
  // A reference that is rescinded, withdrawn, deleted or found NSE can never again support reliance.
  invalidatesReliance: (state) => state.startsWith('closed.'),
  parameters: {
    aiResponseDays: { value: AI_RESPONSE_DAYS, unit: 'calendar days', note: 'reference/domain.md §1.1 (reguvirta)' },
    rtaResponseDays: { value: RTA_RESPONSE_DAYS, unit: 'calendar days', note: 'reference/domain.md §1.1 (RTA guidance)' },
  },
};

// ---------------------------------------------------------------------------------------------
// Version 2: the same machine, with its regulatory clock declared (receipt, restarts, the end
// of the review, and what meets each goal). Version 1 stays as released for its submissions.
// ---------------------------------------------------------------------------------------------

export const fda510kV2: WorkflowDefinition = {
  ...fda510k,
  version: 2,
  clock: {
    kind: 'fda',
    start: ['SUBMIT'],
    // FDA counts from the receipt that is accepted: the fee paid, or the replacement after a
    // refusal to accept or a failed eSTAR screening (domain.md §1.0, "RTA → clock resets").
    restart: ['FEE_PAID', 'RTA_RESPONSE', 'REPLACEMENT_SUBMITTED'],
    stop: ['DECIDE_SE', 'DECIDE_NSE', 'WITHDRAW', 'AI_TIMEOUT', 'RTA_TIMEOUT'],
  },
  goals: clockedGoals(goals, {
    // An AI request is FDA's Substantive Interaction when it comes first.
    substantiveInteraction: { metBy: ['SUBSTANTIVE_INTERACTION', 'REQUEST_AI'] },
    missedDecisionCommunication: { missedEvent: 'MMD_DUE' },
  }),
};

// ---------------------------------------------------------------------------------------------
// Version 3: Part 11 electronic signatures (issue 6). The sponsor signs its filing and FDA signs
// every decision (SE, NSE, rescission); the machine, clock and goals are version 2's.
// ---------------------------------------------------------------------------------------------

export const fda510kV3: WorkflowDefinition = {
  ...fda510kV2,
  version: 3,
  events: signedEvents(fda510kV2.events, ['SUBMIT', 'DECIDE_SE', 'DECIDE_NSE', 'RESCIND_SE']),
};
