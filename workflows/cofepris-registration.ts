/**
 * COFEPRIS Registro Sanitario (LGS arts. 204, 376; RIS art. 83) on the reliance routes: the
 * 2010 equivalence acuerdo (DOF 26 Oct 2010, FDA decisions recognised) and the 2025 abbreviated
 * route (Lineamientos, DOF 18 Jul 2025, in force 1 Sep 2025). Table: DESIGN §4; facts and sources:
 * reference/domain.md §2 and §5.7.
 */
import { and, assign, setup } from 'xstate';
import { COFEPRIS, closedState, dataOf, meta, text, textList } from './common.js';
import type { CofeprisRegistrationEvent } from './event-data.js';
import type { DeadlineSpec, DossierItem, EventSpec, GoalSpec, ReferenceFacts, RefusalReason, WorkflowDefinition, WorkflowEvent } from './types.js';
import { payload, reason } from './types.js';

/** Registrations are valid for 5 years (LGS art. 376, reform of 24 Feb 2005). */
export const REGISTRATION_VALIDITY_YEARS = 5;
/** The abbreviated route refuses FDA decisions older than this many years (issue #2 rule). */
export const RELIANCE_MAX_AGE_YEARS = 5;
/** The 2025 abbreviated route applies to applications from this date (Lineamientos, transitorio). */
export const ABBREVIATED_ROUTE_START = '2025-09-01';
/**
 * Business days the applicant has to answer a prevención. UNCONFIRMED (reference/domain.md §2.4,
 * open item 7): LFPA art. 17-A is commonly read as 5 días hábiles; COFEPRIS may allow longer.
 */
export const PREVENCION_RESPONSE_BUSINESS_DAYS = 5;
/**
 * Whether the 2025 route needs an apostilled reference authorization for devices. UNCONFIRMED
 * (§2.3: explicit for medicines, probable for devices); kept as a named switch.
 */
export const ABBREVIATED_REQUIRES_APOSTILLE = true;

export type Route = 'equivalence' | 'abbreviated';

export type ReferenceInput = { submissionId: string } | { agency: 'FDA'; number: string; decisionDate: string; decision: string };

export interface CofeprisContext {
  route: Route;
  reference: ReferenceInput;
  referenceInvalidated: boolean;
  registrationNumber: string | null;
  grantedOn: string | null;
  validUntil: string | null;
}

/** The administrative part of every COFEPRIS dossier (reference/domain.md §2.3); later versions keep it. */
export const ADMINISTRATIVE_DOSSIER: readonly DossierItem[] = [
  { kind: 'application-form', title: 'Application form signed by the legal representative (RIS art. 153)' },
  { kind: 'fee-receipt', title: 'Proof of payment of derechos (LFD art. 195-A)' },
  { kind: 'power-of-attorney', title: 'Power of attorney of the legal representative in Mexico (LGS art. 262)' },
  { kind: 'operating-notice', title: 'Aviso de funcionamiento and aviso de responsable sanitario' },
  { kind: 'label-ifu-es', title: 'Spanish label project and IFU (NOM-137-SSA1-2008)' },
  { kind: 'technical-monograph', title: 'Technical monograph of the manufacturer' },
  { kind: 'certificate-of-analysis', title: 'Certificate of analysis' },
];
/** Dossier items for the reliance routes: reference/domain.md §2.3 (union of sources). */
const RELIANCE_DOSSIER: DossierItem[] = [
  ...ADMINISTRATIVE_DOSSIER,
  { kind: 'cfg', title: 'FDA Certificate to Foreign Government (or CFS)' },
  { kind: 'fda-decision-letter', title: 'FDA letter evidencing the clearance or approval relied on' },
  { kind: 'manufacturer-letter', title: 'Letter of representation from the manufacturer' },
  { kind: 'qms-certificate', title: 'Quality system evidence (ISO 13485 / MDSAP)' },
];
/** What the 2025 abbreviated route adds to the reliance dossier (the apostille apart). */
export const ABBREVIATED_EXTRA: readonly DossierItem[] = [
  { kind: 'inspection-report', title: 'Last establishment inspection report' },
  { kind: 'technovigilance-summary', title: 'Summary of the last technovigilance / post-market report' },
];
export const APOSTILLE: DossierItem = { kind: 'apostille', title: 'Apostille of the reference authorization (UNCONFIRMED for devices)' };

export function dossierFor(route: Route): DossierItem[] {
  if (route === 'abbreviated') {
    return [...RELIANCE_DOSSIER, ...ABBREVIATED_EXTRA, ...(ABBREVIATED_REQUIRES_APOSTILLE ? [APOSTILLE] : [])];
  }
  return RELIANCE_DOSSIER;
}

/** Adds whole calendar years to a `YYYY-MM-DD` date (29 Feb rolls to 28 Feb). */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  return `${String(y + years).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/**
 * Why the reference authorization cannot support this registration on `onDate`, or null when it
 * can. Pure: the engine only gathers the facts.
 */
export function relianceProblem(route: Route, ref: ReferenceFacts | undefined, onDate: string | undefined): RefusalReason | null {
  if (!ref) return reason('refusal.reference_unchecked');
  if (!ref.favourable) return reason('refusal.reference_not_favourable', { reference: ref.label, agency: 'FDA', referenceStatus: ref.status });
  if (ref.external && !ref.letterOnFile) {
    return reason('refusal.reference_letter_missing', { reference: ref.label, kind: 'fda-decision-letter' });
  }
  if (route === 'abbreviated') {
    if (!ref.decisionDate) return reason('refusal.reference_date_unknown', { reference: ref.label });
    const limit = addYears(ref.decisionDate, RELIANCE_MAX_AGE_YEARS);
    if (onDate && onDate > limit) {
      return reason('refusal.reference_too_old', { reference: ref.label, decisionDate: ref.decisionDate, years: RELIANCE_MAX_AGE_YEARS, onDate });
    }
  }
  return null;
}

/** Why a route is not open on `onDate` (the abbreviated route before it started), or null. */
export function routeProblem(route: string, onDate: string | undefined): RefusalReason | null {
  if (route === 'abbreviated' && onDate && onDate < ABBREVIATED_ROUTE_START) {
    return reason('refusal.abbreviated_not_yet', { start: ABBREVIATED_ROUTE_START, onDate });
  }
  return null;
}

/** Why the dossier does not allow filing (from the engine's `dossierMissing` fact), or null. */
export function dossierProblem(event: WorkflowEvent): RefusalReason | null {
  const missing = event.facts?.dossierMissing;
  if (!missing) return reason('refusal.dossier_unchecked');
  return missing.length ? reason('refusal.dossier_incomplete', { kinds: missing }) : null;
}

/**
 * The applicant's deadline to answer a prevención (LFPA art. 17-A; length UNCONFIRMED), after
 * which PREVENCION_TIMEOUT fires; `description` says what lapses.
 */
export function prevencionDeadline(description: string): DeadlineSpec {
  return {
    kind: 'prevencionResponse',
    length: PREVENCION_RESPONSE_BUSINESS_DAYS,
    unit: 'mx-business',
    event: 'PREVENCION_TIMEOUT',
    description,
    unconfirmed: true,
  };
}

/** Version 1's events; later versions reuse the specs they keep unchanged. */
export const events = {
  SUBMIT: {
    roles: ['manufacturer'],
    description: 'File the application (DIGIPRiS / CIS). Refused while the dossier is incomplete or the reference FDA decision cannot be relied on.',
    schema: payload({ folio: { type: 'string', minLength: 1, maxLength: 64 } }),
  },
  START_REVIEW: { roles: ['cofepris'], description: 'COFEPRIS starts the review.', schema: payload() },
  ISSUE_PREVENCION: {
    roles: ['cofepris'],
    description: `Prevención (LFPA art. 17-A): missing data or requirements; the applicant has ${PREVENCION_RESPONSE_BUSINESS_DAYS} business days (UNCONFIRMED).`,
    schema: payload({ items: textList }, ['items']),
  },
  RESPOND_PREVENCION: { roles: ['manufacturer'], description: 'The registration holder answers the prevención.', schema: payload({ summary: text }) },
  PREVENCION_TIMEOUT: { roles: ['system'], description: 'No answer to the prevención in time: the application is desechada.', schema: payload() },
  GRANT: {
    roles: ['cofepris'],
    description: `Registro sanitario granted, valid ${REGISTRATION_VALIDITY_YEARS} years (LGS art. 376).`,
    schema: payload({ registrationNumber: { type: 'string', minLength: 1, maxLength: 64 } }, ['registrationNumber']),
  },
  DENY: { roles: ['cofepris'], description: 'Resolución negativa.', schema: payload({ reason: text }) },
  DESIST: { roles: ['manufacturer'], description: 'Desistimiento: the registration holder withdraws the application.', schema: payload({ reason: text }) },
  REVOKE: { roles: ['cofepris'], description: 'The registration is revoked (LGS art. 376).', schema: payload({ reason: text }, ['reason']) },
  REFERENCE_INVALIDATED: {
    roles: ['system'],
    description: 'The FDA decision relied on was rescinded or withdrawn (sent by puente in the same transaction).',
    schema: payload({
      referenceSubmissionId: { type: 'string' },
      referenceState: { type: 'string' },
      reason: { type: 'string' },
    }),
  },
} satisfies Record<string, EventSpec>;

const goals: GoalSpec[] = [
  {
    kind: 'resolution',
    length: 30,
    unit: 'mx-business',
    description: 'Abbreviated route: resolution within 30 business days (Lineamientos 2025, art. 25).',
    when: { route: 'abbreviated' },
  },
  {
    kind: 'resolution',
    length: 30,
    unit: 'mx-business',
    description: 'Equivalence route: "30 days" (2010 statement; article and day type UNCONFIRMED).',
    when: { route: 'equivalence' },
  },
];

const desistable = { DESIST: { target: '#cofepris-registration.closed.withdrawn' } } as const;

/**
 * Filed, under review and prevención: version 1's states, kept by later versions. `onReliance`
 * is the guard a REFERENCE_INVALIDATED must pass (later versions have routes without a reference).
 */
export function reviewStates<R extends { readonly guard?: 'reliesOnReference' }>(onReliance: R) {
  const flag = { ...onReliance, actions: 'flagInvalidated' } as const;
  const flagAndReview = { ...onReliance, target: 'underReview', actions: 'flagInvalidated' } as const;
  return {
    submitted: {
      tags: ['mx-clock'],
      meta: meta({ description: 'Filed; folio assigned; waiting for COFEPRIS to start the review.' }),
      on: { START_REVIEW: 'underReview', REFERENCE_INVALIDATED: flagAndReview, ...desistable },
    },
    underReview: {
      tags: ['mx-clock'],
      meta: meta({ description: 'Administrative and technical review by COFEPRIS.' }),
      on: {
        ISSUE_PREVENCION: 'prevencion',
        GRANT: { guard: 'referenceStands', target: 'registered', actions: 'recordGrant' },
        DENY: 'closed.denied',
        REFERENCE_INVALIDATED: flag,
        ...desistable,
      },
    },
    prevencion: {
      tags: ['hold'],
      meta: meta({
        description: 'Prevención issued: the applicant must supply what is missing.',
        deadline: prevencionDeadline('Answer to the prevención due, otherwise the application is desechada.'),
      }),
      on: {
        RESPOND_PREVENCION: 'underReview',
        PREVENCION_TIMEOUT: 'closed.desechado',
        REFERENCE_INVALIDATED: flagAndReview,
        ...desistable,
      },
    },
  } as const;
}

export const machine = setup({
  types: {
    context: {} as CofeprisContext,
    events: {} as CofeprisRegistrationEvent,
    input: {} as { route: Route; reference: ReferenceInput },
  },
  guards: {
    dossierComplete: ({ event }) => dossierProblem(event) === null,
    routeOpen: ({ context, event }) => routeProblem(context.route, event.effectiveDate) === null,
    referenceValid: ({ context, event }) => relianceProblem(context.route, event.facts?.reference, event.effectiveDate) === null,
    referenceStands: ({ context }) => !context.referenceInvalidated,
  },
  actions: {
    flagInvalidated: assign({ referenceInvalidated: () => true }),
    recordGrant: assign({
      registrationNumber: ({ event }) => dataOf(event, 'GRANT').registrationNumber,
      grantedOn: ({ event }) => event.effectiveDate ?? null,
      validUntil: ({ event }) => (event.effectiveDate ? addYears(event.effectiveDate, REGISTRATION_VALIDITY_YEARS) : null),
    }),
  },
}).createMachine({
  id: 'cofepris-registration',
  initial: 'preparing',
  context: ({ input }) => ({
    route: input.route,
    reference: input.reference,
    referenceInvalidated: false,
    registrationNumber: null,
    grantedOn: null,
    validUntil: null,
  }),
  states: {
    preparing: {
      meta: meta({ description: 'The registration holder prepares the dossier.' }),
      on: {
        SUBMIT: { guard: and(['routeOpen', 'dossierComplete', 'referenceValid']), target: 'submitted' },
        REFERENCE_INVALIDATED: { actions: 'flagInvalidated' },
        ...desistable,
      },
    },
    ...reviewStates({}),
    registered: {
      meta: meta({ description: 'Registro sanitario granted.' }),
      on: { REVOKE: 'closed.revoked', REFERENCE_INVALIDATED: { actions: 'flagInvalidated' } },
    },
    closed: closedState({
      denied: 'Resolución negativa.',
      withdrawn: 'Desistimiento by the registration holder.',
      desechado: 'Desechado: the prevención was not answered in time.',
      expired: 'Registration expired without prórroga.',
      revoked: 'Registration revoked.',
    }),
  },
});

const referenceSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['submissionId'],
      properties: { submissionId: { type: 'string', minLength: 1, maxLength: 64, description: 'An fda-* submission of the same organization.' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['agency', 'number', 'decisionDate', 'decision'],
      properties: {
        agency: { const: 'FDA' },
        number: { type: 'string', pattern: '^(K[0-9]{6}|DEN[0-9]{6}|P[0-9]{6}(/S[0-9]{3})?|H[0-9]{6})$', description: 'K, DEN, P or H number.' },
        decisionDate: { type: 'string', format: 'date' },
        decision: { enum: ['SE', 'NSE', 'granted', 'declined', 'approved', 'denied'] },
      },
    },
  ],
};

const FAVOURABLE = new Set(['SE', 'granted', 'approved']);

export const cofeprisRegistration: WorkflowDefinition = {
  id: 'cofepris-registration',
  version: 1,
  title: 'COFEPRIS registro sanitario relying on an FDA decision',
  ...COFEPRIS,
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['route', 'reference'],
    properties: {
      route: { enum: ['equivalence', 'abbreviated'], description: 'standard and third-party routes come with the full catalog.' },
      reference: referenceSchema,
    },
  },
  events,
  goals,
  machine,
  factsFor: { SUBMIT: ['dossierMissing', 'reference'] },
  dossier: (input) => dossierFor(input.route as Route),
  dossierCatalog: { equivalence: dossierFor('equivalence'), abbreviated: dossierFor('abbreviated') },
  explainRefusal(context, event) {
    const c = context as CofeprisContext;
    if (event.type === 'SUBMIT') {
      const reasons = [
        routeProblem(c.route, event.effectiveDate),
        dossierProblem(event),
        relianceProblem(c.route, event.facts?.reference, event.effectiveDate),
      ].filter((p): p is RefusalReason => p !== null);
      return reasons.length ? reasons : undefined;
    }
    if (event.type === 'GRANT' && c.referenceInvalidated) return [reason('refusal.fda_reference_invalidated')];
    return undefined;
  },
  parameters: {
    registrationValidityYears: { value: REGISTRATION_VALIDITY_YEARS, unit: 'years', note: 'LGS art. 376' },
    relianceMaxAgeYears: { value: RELIANCE_MAX_AGE_YEARS, unit: 'years', note: 'abbreviated route: FDA decision age limit' },
    abbreviatedRouteStart: { value: ABBREVIATED_ROUTE_START, note: 'Lineamientos DOF 18 Jul 2025' },
    prevencionResponseDays: { value: PREVENCION_RESPONSE_BUSINESS_DAYS, unit: 'mx business days', note: 'LFPA art. 17-A reading', unconfirmed: true },
    abbreviatedRequiresApostille: { value: ABBREVIATED_REQUIRES_APOSTILLE, note: 'device rule', unconfirmed: true },
  },
};

/** True for an external decision value that a reliance route may use. */
export function isFavourableDecision(decision: string): boolean {
  return FAVOURABLE.has(decision);
}
