/**
 * Breakthrough Devices Program designation (a Q-Submission): request, FDA review with information
 * requests, then designated / denied / withdrawn; a designation may later be withdrawn. A
 * designation prioritizes the sponsor's marketing submissions (510(k), De Novo, PMA) linked to
 * it. Transition table: reference/domain.md §5.6; facts and sources: §1.6.
 */
import { assign, setup } from 'xstate';
import { FDA, closedState, dataOf, isoDate, meta, numberOf, recordingFacts, signedEvents, text, textList } from './common.js';
import type { FdaBreakthroughEvent } from './event-data.js';
import type { EventSpec, GoalSpec, WorkflowDefinition, WorkflowEvent } from './types.js';
import { payload, reason, type RefusalReason } from './types.js';

/**
 * Days FDA takes to decide a designation request. UNCONFIRMED (reference/domain.md §1.6 and §6
 * item 1: "commonly stated as 60 calendar days from receipt"; FDA's own text not retrieved).
 */
export const BREAKTHROUGH_DECISION_DAYS = 60;

/** Marketing pathways a designation can prioritize (domain.md §1.6: PMA, 510(k), De Novo). */
export const LINKABLE_WORKFLOWS: readonly string[] = ['fda-510k', 'fda-de-novo', 'fda-pma'];

/** The secondary criteria of the program; a designation needs at least one (domain.md §1.6). */
export const SECONDARY_CRITERIA = ['breakthroughTechnology', 'noApprovedAlternative', 'significantAdvantages', 'patientsBestInterest'] as const;

export interface FdaBreakthroughContext {
  /** Marketing submissions this designation names: the creation input's, then each accepted link. */
  linkedSubmissionIds: string[];
  /** Q-number of the designation (`Q` + 6 digits). */
  qNumber: string | null;
  decisionDate: string | null;
}

/**
 * The submissions a snapshot prioritizes: every linked one while the device is `designated`,
 * none otherwise. Pure; the engine shows `prioritized: true` on them.
 */
export function prioritizedSubmissionIds(state: string, context: unknown): string[] {
  return state === 'designated' ? [...(context as FdaBreakthroughContext).linkedSubmissionIds] : [];
}

/** Why LINK_SUBMISSION is refused, or null when the named submission may be linked. */
export function linkProblem(context: FdaBreakthroughContext, event: WorkflowEvent): RefusalReason | null {
  const id = String(event.data?.submissionId);
  const target = event.facts?.linkTarget;
  if (!target) return reason('refusal.link_unchecked', { submission: id });
  if (!target.exists) return reason('refusal.link_not_found', { submission: id });
  if (!target.sameOrganization) return reason('refusal.link_other_organization', { submission: id });
  if (!target.workflowId || !LINKABLE_WORKFLOWS.includes(target.workflowId)) {
    return reason('refusal.link_workflow', { submission: id, workflow: target.workflowId, linkable: LINKABLE_WORKFLOWS });
  }
  if (context.linkedSubmissionIds.includes(id)) return reason('refusal.link_already', { submission: id });
  return null;
}

const submissionId = { type: 'string', format: 'uuid' };
const secondaryCriteria = { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...SECONDARY_CRITERIA] } };

const events: Record<string, EventSpec> = {
  REQUEST_DESIGNATION: {
    roles: ['manufacturer'],
    description: `Request Breakthrough designation (a Q-Submission); FDA decides in about ${BREAKTHROUGH_DECISION_DAYS} days (UNCONFIRMED).`,
    schema: payload({ summary: text, secondaryCriteria }),
  },
  REQUEST_INFO: {
    roles: ['fda'],
    description: 'FDA asks for more information; the request stays under review.',
    schema: payload({ questions: textList }, ['questions']),
  },
  INFO_RESPONSE: { roles: ['manufacturer'], description: "The sponsor answers FDA's information request.", schema: payload({ summary: text }) },
  GRANT: {
    roles: ['fda'],
    description: 'Designated: meets the primary criterion and at least one secondary criterion; all later communications use the Q-number.',
    schema: payload({ qNumber: numberOf('qNumber'), secondaryCriteria, decisionDate: isoDate }, ['qNumber', 'secondaryCriteria']),
  },
  DENY: {
    roles: ['fda'],
    description: 'Designation denied; the sponsor may request again (new submission).',
    schema: payload({ reasons: textList, decisionDate: isoDate }),
  },
  WITHDRAW: { roles: ['manufacturer'], description: 'The sponsor withdraws the designation request.', schema: payload({ reason: text }) },
  WITHDRAW_DESIGNATION: {
    roles: ['fda', 'manufacturer'],
    description: "The designation is withdrawn (no longer meets the criteria, or at the sponsor's request); linked submissions lose priority.",
    schema: payload({ reason: text }, ['reason']),
  },
  LINK_SUBMISSION: {
    roles: ['manufacturer'],
    description: `Link a marketing submission (${LINKABLE_WORKFLOWS.join(', ')}) of the same organization; it is prioritized while the device is designated.`,
    schema: payload({ submissionId }, ['submissionId']),
  },
};

const goals: GoalSpec[] = [
  {
    kind: 'designationDecision',
    length: BREAKTHROUGH_DECISION_DAYS,
    unit: 'calendar',
    description: `Designation decision within ${BREAKTHROUGH_DECISION_DAYS} calendar days of receipt of the request (UNCONFIRMED).`,
  },
];

export const machine = setup({
  types: {
    context: {} as FdaBreakthroughContext,
    events: {} as FdaBreakthroughEvent,
    // An all-optional input type accepts `{}`, but setup() infers the machine's input from this assertion.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    input: {} as { linkedSubmissionId?: string },
  },
  guards: {
    linkable: ({ context, event }) => linkProblem(context, event) === null,
  },
  actions: {
    recordLink: assign({ linkedSubmissionIds: ({ context, event }) => [...context.linkedSubmissionIds, dataOf(event, 'LINK_SUBMISSION').submissionId] }),
    recordGrant: assign({
      qNumber: ({ event }) => dataOf(event, 'GRANT').qNumber,
      decisionDate: ({ event }) => dataOf(event, 'GRANT').decisionDate ?? event.effectiveDate ?? null,
    }),
    recordDenial: assign({ decisionDate: ({ event }) => dataOf(event, 'DENY').decisionDate ?? event.effectiveDate ?? null }),
  },
}).createMachine({
  id: 'fda-breakthrough',
  initial: 'draft',
  context: ({ input }) => ({
    linkedSubmissionIds: input?.linkedSubmissionId ? [input.linkedSubmissionId] : [],
    qNumber: null,
    decisionDate: null,
  }),
  states: {
    draft: {
      meta: meta({ description: 'The sponsor prepares the designation request.' }),
      on: { REQUEST_DESIGNATION: 'underReview', WITHDRAW: 'closed.withdrawn' },
    },
    underReview: {
      tags: ['fda-clock'],
      meta: meta({ description: 'FDA reviews the designation request.' }),
      on: {
        // Information requests and answers keep the request under review (domain.md §5.6 row 2);
        // the explicit self-target makes them accepted events with a history row.
        REQUEST_INFO: { target: 'underReview' },
        INFO_RESPONSE: { target: 'underReview' },
        GRANT: { target: 'designated', actions: 'recordGrant' },
        DENY: { target: 'closed.denied', actions: 'recordDenial' },
        WITHDRAW: 'closed.withdrawn',
        LINK_SUBMISSION: { guard: 'linkable', actions: 'recordLink' },
      },
    },
    designated: {
      meta: meta({ description: 'Designated a Breakthrough Device: linked marketing submissions get prioritized review.' }),
      on: {
        WITHDRAW_DESIGNATION: 'closed.designationWithdrawn',
        LINK_SUBMISSION: { guard: 'linkable', actions: 'recordLink' },
      },
    },
    closed: closedState({
      denied: 'Designation denied.',
      withdrawn: 'Request withdrawn by the sponsor.',
      designationWithdrawn: 'Designation withdrawn; linked submissions are no longer prioritized.',
    }),
  },
});

const DECISIONS: Readonly<Record<string, string>> = {
  designated: 'designated',
  'closed.denied': 'denied',
  'closed.designationWithdrawn': 'designationWithdrawn',
};

export const fdaBreakthrough: WorkflowDefinition = {
  linkableWorkflows: LINKABLE_WORKFLOWS,
  id: 'fda-breakthrough',
  version: 1,
  title: 'Breakthrough Devices Program designation',
  ...FDA,
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      linkedSubmissionId: { ...submissionId, description: `A ${LINKABLE_WORKFLOWS.join(' / ')} submission of the same organization to prioritize.` },
    },
  },
  events,
  goals,
  machine,
  factsFor: { LINK_SUBMISSION: ['linkTarget'] },
  dossier: () => [],
  // A designation authorizes no marketing: shown as a decision, never favourable for reliance.
  decisionOf(state, context) {
    const c = context as FdaBreakthroughContext;
    return { number: c.qNumber, decision: DECISIONS[state] ?? null, decisionDate: c.decisionDate, favourable: false };
  },
  prioritizes: prioritizedSubmissionIds,
  explainRefusal(context, event) {
    const problem = event.type === 'LINK_SUBMISSION' ? linkProblem(context as FdaBreakthroughContext, event) : null;
    return problem ? [problem] : undefined;
  },
  parameters: {
    decisionDays: {
      value: BREAKTHROUGH_DECISION_DAYS,
      unit: 'calendar days',
      note: 'reference/domain.md §1.6 and §6 item 1: "commonly stated as 60 calendar days"; FDA text not retrieved',
      unconfirmed: true,
    },
    linkableWorkflows: { value: LINKABLE_WORKFLOWS.join(', '), note: 'reference/domain.md §1.6: devices reviewed by PMA, 510(k) or De Novo' },
  },
};

// ---------------------------------------------------------------------------------------------
// Version 2: the same machine, with its regulatory clock declared (receipt, restarts, the end
// of the review, and what meets each goal). Version 1 stays as released for its submissions.
// ---------------------------------------------------------------------------------------------

export const fdaBreakthroughV2: WorkflowDefinition = {
  ...fdaBreakthrough,
  version: 2,
  clock: { kind: 'fda', start: ['REQUEST_DESIGNATION'], stop: ['GRANT', 'DENY', 'WITHDRAW'] },
};

// ---------------------------------------------------------------------------------------------
// Version 3: Part 11 electronic signatures (issue 6). The sponsor signs its request; FDA signs
// the grant and the denial, and whoever withdraws a designation signs that. Otherwise v2.
// ---------------------------------------------------------------------------------------------

export const fdaBreakthroughV3: WorkflowDefinition = {
  ...fdaBreakthroughV2,
  version: 3,
  events: signedEvents(fdaBreakthroughV2.events, ['REQUEST_DESIGNATION', 'GRANT', 'DENY', 'WITHDRAW_DESIGNATION']),
};

// ---------------------------------------------------------------------------------------------
// Version 4: the guard's facts in the record (issue 8). LINK_SUBMISSION records what its guard
// read of the linked submission (exists, organization, workflow) inside the hashed history
// record, so an auditor's offline replay re-decides it. Otherwise v3.
// ---------------------------------------------------------------------------------------------

export const fdaBreakthroughV4: WorkflowDefinition = recordingFacts(fdaBreakthroughV3, 4);
