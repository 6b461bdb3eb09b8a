/**
 * COFEPRIS Registro Sanitario, version 2: every route (standard, third-party pre-review,
 * equivalence 2010/2012, abbreviated 2025), renewal (prórroga) and modifications of a granted
 * registration. Version 1 (`./cofepris-registration.ts`, reliance routes only) stays in the
 * catalog unchanged: submissions keep the version they started on (DESIGN §4).
 *
 * Table: DESIGN §4 (core path, ids, outcomes, reliance paragraph); facts and sources:
 * reference/domain.md §2 (routes, dossier, timelines, validity) and §5.7 (state table rows 3–21,
 * route-eligibility guards). Values marked UNCONFIRMED there are named parameters here.
 *
 * Left out on purpose: the technovigilance region of §5.7 (rows T1–T7). It is a *parallel*
 * region of `registered`, and the engine stores one dotted state path per submission
 * (`statePath` assumes a single region), so it belongs in its own workflow or a later engine.
 */
import { assign, setup } from 'xstate';
import {
  ABBREVIATED_EXTRA,
  ABBREVIATED_REQUIRES_APOSTILLE,
  ABBREVIATED_ROUTE_START,
  PREVENCION_RESPONSE_BUSINESS_DAYS,
  REGISTRATION_VALIDITY_YEARS,
  RELIANCE_MAX_AGE_YEARS,
  ADMINISTRATIVE_DOSSIER as ADMINISTRATIVE,
  APOSTILLE,
  addYears,
  dossierProblem,
  events as eventsV1,
  prevencionDeadline,
  reviewStates,
  routeProblem,
  type CofeprisContext,
} from './cofepris-registration.js';
import { COFEPRIS, NUMBER_PATTERNS, clockedGoals, closedState, dataOf, isoDate, meta, recordingFacts, signedEvents, text, textList } from './common.js';
import type { CofeprisRegistrationV2Event } from './event-data.js';
import type { DeadlineSpec, DossierItem, EventSpec, GoalSpec, JsonSchema, ReferenceFacts, RefusalReason, WorkflowDefinition, WorkflowEvent } from './types.js';
import { payload, reason } from './types.js';

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

export const ROUTES = ['standard', 'third-party', 'equivalence', 'abbreviated'] as const;
export type RouteV2 = (typeof ROUTES)[number];
/** Routes that rely on another authority's decision (2010/2012 acuerdos, 2025 Lineamientos). */
export const RELIANCE_ROUTES: readonly RouteV2[] = ['equivalence', 'abbreviated'];

/** RIS art. 83 classes plus the low-risk lists (Acuerdos 31/12/2011, 22/12/2014; DOF 07/07/2025). */
export const MX_CLASSES = ['low-risk', 'I', 'II', 'III'] as const;
export type MxClass = (typeof MX_CLASSES)[number];

/**
 * IMDRF Management Committee members, as agency codes (reference/domain.md §2.2: the 2025
 * abbreviated route accepts "IMDRF Management Committee members and full MDSAP members").
 * Membership per IMDRF / RAPS (Dec 2022: Australia, Brazil, Canada, China, EU, Japan, Russia,
 * Singapore, South Korea, UK, US) and Swissmedic (member since 14 Mar 2025). The list changes
 * over time and COFEPRIS's own ARR list was not retrieved: UNCONFIRMED, so configuration
 * (`facts.referenceAuthorities`) overrides it.
 */
export const IMDRF_MC_MEMBERS = [
  'FDA', // United States
  'HealthCanada', // Canada
  'PMDA', // Japan (MHLW/PMDA)
  'TGA', // Australia
  'ANVISA', // Brazil
  'NMPA', // China
  'EU', // European Union (European Commission)
  'MFDS', // Republic of Korea
  'HSA', // Singapore
  'MHRA', // United Kingdom
  'Roszdravnadzor', // Russian Federation
  'Swissmedic', // Switzerland
] as const;
/** MDSAP full members (the Regulatory Authority Council): TGA, ANVISA, Health Canada, MHLW/PMDA, FDA (mdsap.global). */
export const MDSAP_FULL_MEMBERS = ['TGA', 'ANVISA', 'HealthCanada', 'PMDA', 'FDA'] as const;
/** Every agency code a reference authorization may name. */
export const REFERENCE_AGENCIES: readonly string[] = [...new Set<string>([...IMDRF_MC_MEMBERS, ...MDSAP_FULL_MEMBERS])];
/** Reference authorities of the abbreviated route when configuration names none (IMDRF MC ∪ MDSAP full members). */
export const DEFAULT_REFERENCE_AUTHORITIES: readonly string[] = REFERENCE_AGENCIES;

/**
 * The equivalence acuerdos: DOF 26 Oct 2010 (FDA 510(k)/§514 and Subchapter H, any class;
 * Health Canada) and DOF 25 Jan 2012 (Japan MHLW/PMDA). Health Canada and PMDA Class I are
 * excluded (domain.md §2.2, Emergo chart). `null` = every class, even an unknown one.
 */
export const EQUIVALENCE_ELIGIBLE_CLASSES: Readonly<Record<string, readonly string[] | null>> = {
  FDA: null,
  HealthCanada: ['II', 'III', 'IV'],
  PMDA: ['II', 'III', 'IV'],
};

/**
 * How the reference authorization was obtained. The 2025 Lineamientos exclude extraordinary
 * approvals (emergency, reliance-derived, conditional, accelerated, judicial): domain.md §2.2.
 */
export const AUTHORIZATION_TYPES = ['ordinary', 'emergency', 'accelerated', 'conditional', 'reliance', 'judicial'] as const;

/** Decisions as recorded for an FDA reference (v1 vocabulary) and for any other authority. */
const FDA_DECISIONS = ['SE', 'NSE', 'granted', 'declined', 'approved', 'denied'] as const;
const OTHER_DECISIONS = ['approved', 'denied'] as const;
/** 510(k), De Novo, PMA (with supplements) or HDE numbers: the FDA decisions a registration may rely on. */
const FDA_DECISION_NUMBER = `^(${[NUMBER_PATTERNS.kNumber, NUMBER_PATTERNS.denNumber, NUMBER_PATTERNS.pNumber, NUMBER_PATTERNS.hNumber]
  .map((p) => p.slice(1, -1))
  .join('|')})$`;

/** Dossier kinds that back an external reference (the engine's LETTER_KIND, same values). */
export const REFERENCE_LETTER_KIND = { FDA: 'fda-decision-letter', other: 'reference-authorization' } as const;
/** The authorized third party's favourable technical report (ITF), uploaded by the holder. */
export const TPR_REPORT_KIND = 'third-party-technical-report';

// ---------------------------------------------------------------------------------------------
// Parameters (named; UNCONFIRMED ones flagged in `parameters` below)
// ---------------------------------------------------------------------------------------------

/** A prórroga renews for an equal period (LGS art. 376: "renewable for equal periods"). */
export const PRORROGA_EXTENSION_YEARS = REGISTRATION_VALIDITY_YEARS;
/**
 * The prórroga is requested "150 days before expiry" (domain.md §2.5, secondary): natural vs
 * business days and "at least" vs "within" are UNCONFIRMED (open item 10). Modelled as a window
 * that opens this many days before `validUntil` and closes at it.
 */
export const RENEWAL_WINDOW_DAYS = 150;
/** Unit of RENEWAL_WINDOW_DAYS: natural (calendar) days; business days are the alternative (UNCONFIRMED). */
export const RENEWAL_WINDOW_UNIT: 'calendar' | 'mx-business' = 'calendar';
/** Abbreviated route: resolution within 30 business days (Lineamientos 2025, art. 25). */
export const ABBREVIATED_RESOLUTION_BUSINESS_DAYS = 30;
/** Equivalence route: "30 days" (Health Secretary, 2010); article and day type UNCONFIRMED (open item 8). */
export const EQUIVALENCE_RESOLUTION_BUSINESS_DAYS = 30;
/**
 * Standard route resolution targets by class, in business days: the upper end of the ranges
 * rapath gives (Annex-1 low risk 20; I 20–30; II 30–60; III 60–180). Secondary "targets",
 * UNCONFIRMED; practice is 1–2 years (domain.md §2.4).
 */
export const STANDARD_RESOLUTION_TARGETS: Readonly<Record<MxClass, number>> = { 'low-risk': 20, I: 30, II: 60, III: 180 };
/** The authorized third party's review: about 30 business days with weekly findings (practice, secondary). */
export const TPR_REVIEW_BUSINESS_DAYS = 30;

// ---------------------------------------------------------------------------------------------
// Context and input
// ---------------------------------------------------------------------------------------------

export type ReferenceInputV2 =
  | { submissionId: string }
  | {
      agency: string;
      number: string;
      decisionDate: string;
      decision: string;
      deviceClass?: string;
      authorizationType?: (typeof AUTHORIZATION_TYPES)[number];
    };

export interface CofeprisInputV2 {
  route: RouteV2;
  reference?: ReferenceInputV2;
  mxClass?: MxClass;
  identicalDevice?: true;
}

export interface Modification {
  kind: 'administrative' | 'technical';
  description: string;
  submittedOn: string | null;
}

export interface CofeprisContextV2 {
  route: RouteV2;
  reference: ReferenceInputV2 | null;
  mxClass: MxClass | null;
  /** The registration holder attests the device is identical to the one the reference authorized. */
  identicalDevice: boolean;
  referenceInvalidated: boolean;
  /** Folio COFEPRIS assigned on filing, when the holder recorded it. */
  folio: string | null;
  /** Third-party route: who reviews, how many rounds of findings, and the favourable report. */
  thirdParty: string | null;
  tprFindingRounds: number;
  tprReport: { reportNumber: string | null; recordedOn: string | null } | null;
  registrationNumber: string | null;
  grantedOn: string | null;
  /** Date the registration expires (5 years after the grant, then after each prórroga). */
  validUntil: string | null;
  /** True once RENEWAL_WINDOW_OPENS fired for the current validity period. */
  renewalWindowOpen: boolean;
  prorrogaFiledOn: string | null;
  prorrogas: Array<{ grantedOn: string | null; previousValidUntil: string | null; validUntil: string | null }>;
  pendingModification: Modification | null;
  modifications: Array<Modification & { approvedOn: string | null }>;
  rejectedModifications: number;
}

// ---------------------------------------------------------------------------------------------
// Dossier by route (domain.md §2.3; standard route: RIS arts. 179–180)
// ---------------------------------------------------------------------------------------------

const MANUFACTURER_AND_QMS: DossierItem[] = [
  { kind: 'manufacturer-letter', title: 'Letter of representation from the manufacturer' },
  { kind: 'qms-certificate', title: 'Quality system evidence (ISO 13485 / MDSAP / NOM-241-SSA1)' },
];
/** The full technical dossier of the standard route (RIS art. 179; foreign products art. 180). */
const TECHNICAL: DossierItem[] = [
  { kind: 'device-description', title: 'Description of the structure, materials, parts and functions of the device (RIS art. 179)' },
  { kind: 'manufacturing-process', title: 'Description of the manufacturing process (RIS art. 179)' },
  { kind: 'lab-test-reports', title: 'Laboratory tests verifying the specifications (performance, biocompatibility, safety) (RIS art. 179)' },
  { kind: 'clinical-evidence', title: 'Scientific and technical information showing safety and efficacy (clinical evaluation) (RIS art. 179)' },
  { kind: 'bibliographic-references', title: 'Bibliographic references (RIS art. 179)' },
  { kind: 'cfs', title: 'Certificate of free sale from the country of origin, for imported devices (RIS art. 180)' },
];
const TPR_REPORT: DossierItem = { kind: TPR_REPORT_KIND, title: 'Favourable technical report (ITF) of the authorized third party' };

/** The issuing agency of a creation input's reference: FDA for a tracked fda-* submission. */
export function referenceAgency(reference: ReferenceInputV2 | null | undefined): string | null {
  if (!reference) return null;
  return 'submissionId' in reference ? 'FDA' : reference.agency;
}

function relianceDossier(agency: string | null): DossierItem[] {
  const fda = agency === null || agency === 'FDA';
  return [
    ...ADMINISTRATIVE,
    fda
      ? { kind: 'cfg', title: 'FDA Certificate to Foreign Government (or CFS)' }
      : { kind: 'cfs', title: "Certificate of free sale (or equivalent) from the reference authority's country" },
    fda
      ? { kind: REFERENCE_LETTER_KIND.FDA, title: 'FDA letter evidencing the clearance or approval relied on' }
      : { kind: REFERENCE_LETTER_KIND.other, title: 'Authorization of the reference authority relied on' },
    ...MANUFACTURER_AND_QMS,
  ];
}

/** The dossier checklist of a creation input (route, and the reference's agency on reliance routes). */
export function dossierForV2(input: Pick<CofeprisInputV2, 'route' | 'reference'>): DossierItem[] {
  switch (input.route) {
    case 'standard':
      return [...ADMINISTRATIVE, ...MANUFACTURER_AND_QMS, ...TECHNICAL];
    case 'third-party':
      return [...ADMINISTRATIVE, ...MANUFACTURER_AND_QMS, ...TECHNICAL, TPR_REPORT];
    case 'equivalence':
      return relianceDossier(referenceAgency(input.reference));
    case 'abbreviated':
      return [...relianceDossier(referenceAgency(input.reference)), ...ABBREVIATED_EXTRA, ...(ABBREVIATED_REQUIRES_APOSTILLE ? [APOSTILLE] : [])];
  }
}

// ---------------------------------------------------------------------------------------------
// Pure rules (guards read only context, event data, event facts and the effective date)
// ---------------------------------------------------------------------------------------------

export function isRelianceRoute(route: RouteV2): boolean {
  return RELIANCE_ROUTES.includes(route);
}

/**
 * Why the reference authorization cannot support a registration on `route`, as a list of reasons
 * (empty = eligible). Standard and third-party routes need no reference. Pure: the engine only
 * gathers the facts (reference/domain.md §5.7, route-eligibility guards).
 */
export function eligibilityProblems(
  route: RouteV2,
  ref: ReferenceFacts | undefined,
  opts: { identicalDevice: boolean; referenceAuthorities?: readonly string[]; onDate?: string },
): RefusalReason[] {
  if (!isRelianceRoute(route)) return [];
  if (!ref) return [reason('refusal.reference_unchecked')];
  const out: RefusalReason[] = [];
  if (!ref.favourable) out.push(reason('refusal.reference_not_favourable', { reference: ref.label, agency: ref.agency, referenceStatus: ref.status }));
  if (ref.external && !ref.letterOnFile) {
    const kind = ref.agency === 'FDA' ? REFERENCE_LETTER_KIND.FDA : REFERENCE_LETTER_KIND.other;
    out.push(reason('refusal.reference_letter_missing', { reference: ref.label, kind }));
  }
  if (route === 'equivalence') {
    // Acuerdos of 26 Oct 2010 (FDA, Health Canada) and 25 Jan 2012 (Japan): domain.md §2.2.
    if (!(ref.agency in EQUIVALENCE_ELIGIBLE_CLASSES)) {
      out.push(reason('refusal.equivalence_agency', { agency: ref.agency }));
    } else {
      const classes = EQUIVALENCE_ELIGIBLE_CLASSES[ref.agency];
      if (classes && !(ref.deviceClass !== null && classes.includes(ref.deviceClass))) {
        out.push(reason('refusal.equivalence_class', { agency: ref.agency, classes, referenceClass: ref.deviceClass }));
      }
    }
  }
  if (route === 'abbreviated') {
    // Lineamientos, DOF 18 Jul 2025: ARR = IMDRF MC members and full MDSAP members; identical
    // device; ordinary authorization; (issue #2 rule) decision at most 5 years old.
    const authorities = opts.referenceAuthorities ?? DEFAULT_REFERENCE_AUTHORITIES;
    if (!authorities.includes(ref.agency)) {
      out.push(reason('refusal.abbreviated_authority', { agency: ref.agency, authorities }));
    }
    if (!opts.identicalDevice) out.push(reason('refusal.abbreviated_identical'));
    if (ref.authorizationType !== 'ordinary') {
      out.push(reason('refusal.abbreviated_extraordinary', { reference: ref.label, authorizationType: ref.authorizationType }));
    }
    if (!ref.decisionDate) out.push(reason('refusal.reference_date_unknown', { reference: ref.label }));
    else {
      const limit = addYears(ref.decisionDate, RELIANCE_MAX_AGE_YEARS);
      if (opts.onDate && opts.onDate > limit) {
        out.push(
          reason('refusal.reference_too_old', { reference: ref.label, decisionDate: ref.decisionDate, years: RELIANCE_MAX_AGE_YEARS, onDate: opts.onDate }),
        );
      }
    }
  }
  return out;
}

/** Every reason SUBMIT is refused (empty = the application may be filed). */
export function submitProblems(context: CofeprisContextV2, event: WorkflowEvent): RefusalReason[] {
  const out: RefusalReason[] = [];
  if (context.route === 'third-party' && !context.tprReport) {
    out.push(reason('refusal.tpr_report_first', { sendEvent: 'SEND_TO_TPR', reportEvent: 'TPR_FAVORABLE_REPORT' }));
  }
  const route = routeProblem(context.route, event.effectiveDate);
  if (route) out.push(route);
  const dossier = dossierProblem(event);
  if (dossier) out.push(dossier);
  out.push(
    ...eligibilityProblems(context.route, event.facts?.reference, {
      identicalDevice: context.identicalDevice,
      referenceAuthorities: event.facts?.referenceAuthorities,
      onDate: event.effectiveDate,
    }),
  );
  return out;
}

function tprReportProblem(event: WorkflowEvent): RefusalReason | null {
  const missing = event.facts?.dossierMissing;
  if (!missing) return reason('refusal.dossier_unchecked');
  return missing.includes(TPR_REPORT_KIND) ? reason('refusal.tpr_report_missing', { kind: TPR_REPORT_KIND }) : null;
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

const shortText: JsonSchema = { type: 'string', minLength: 1, maxLength: 200 };

const events: Record<string, EventSpec> = {
  SUBMIT: {
    roles: ['manufacturer'],
    description:
      'File the application (DIGIPRiS / CIS). Refused while the dossier is incomplete, before the third party reported (third-party route), or while the reference authorization is not eligible for the route.',
    schema: eventsV1.SUBMIT.schema,
  },
  SEND_TO_TPR: {
    roles: ['manufacturer'],
    description: 'Third-party route: the registration holder hands the dossier to an authorized third party (Tercero Autorizado) for pre-review.',
    schema: payload({ thirdParty: shortText }, ['thirdParty']),
  },
  TPR_FINDINGS: {
    roles: ['manufacturer'],
    description: "The registration holder records a round of the third party's findings (the third party is not a puente user).",
    schema: payload({ findings: textList }, ['findings']),
  },
  TPR_FAVORABLE_REPORT: {
    roles: ['manufacturer'],
    description: "The registration holder records the third party's favourable technical report (ITF); refused until the report is uploaded.",
    schema: payload({ reportNumber: shortText, issuedOn: isoDate }),
  },
  START_REVIEW: eventsV1.START_REVIEW,
  ISSUE_PREVENCION: {
    roles: ['cofepris'],
    description: `Prevención (LFPA art. 17-A) on the application or the prórroga: missing data or requirements; the applicant has ${PREVENCION_RESPONSE_BUSINESS_DAYS} business days (UNCONFIRMED).`,
    schema: payload({ items: textList }, ['items']),
  },
  RESPOND_PREVENCION: eventsV1.RESPOND_PREVENCION,
  PREVENCION_TIMEOUT: {
    roles: ['system'],
    description: 'No answer to the prevención in time: the application is desechada (a prórroga request is treated as not filed).',
    schema: payload(),
  },
  GRANT: eventsV1.GRANT,
  DENY: eventsV1.DENY,
  DESIST: eventsV1.DESIST,
  REVOKE: eventsV1.REVOKE,
  REFERENCE_INVALIDATED: {
    roles: ['system'],
    description: 'Reliance routes: the decision relied on was rescinded or withdrawn (sent by puente in the same transaction).',
    schema: eventsV1.REFERENCE_INVALIDATED.schema,
  },
  RENEWAL_WINDOW_OPENS: {
    roles: ['system'],
    description: `The prórroga window opens ${RENEWAL_WINDOW_DAYS} days before the registration expires (day type UNCONFIRMED).`,
    schema: payload(),
  },
  SUBMIT_PRORROGA: {
    roles: ['manufacturer'],
    description: 'The registration holder requests the prórroga (RIS arts. 190 Bis 3 and 4; DIGIPRiS) before the registration expires.',
    schema: payload({ folio: { type: 'string', minLength: 1, maxLength: 64 } }),
  },
  GRANT_PRORROGA: {
    roles: ['cofepris'],
    description: `Prórroga granted: the registration is valid ${PRORROGA_EXTENSION_YEARS} more years (LGS art. 376).`,
    schema: payload({ reason: text }),
  },
  DENY_PRORROGA: { roles: ['cofepris'], description: 'Prórroga denied: the registration expires.', schema: payload({ reason: text }) },
  EXPIRE: {
    roles: ['system'],
    description: 'The registration reached its expiry date without a prórroga filed in time (LGS art. 376).',
    schema: payload(),
  },
  SUBMIT_MODIFICATION: {
    roles: ['manufacturer'],
    description: 'The registration holder requests an administrative or technical modification of the registration conditions.',
    schema: payload({ kind: { enum: ['administrative', 'technical'] }, description: text }, ['kind', 'description']),
  },
  APPROVE_MODIFICATION: { roles: ['cofepris'], description: 'COFEPRIS approves the modification.', schema: payload({ reason: text }) },
  REJECT_MODIFICATION: {
    roles: ['cofepris'],
    description: 'COFEPRIS rejects the modification; the registration is unchanged.',
    schema: payload({ reason: text }),
  },
};

// ---------------------------------------------------------------------------------------------
// Goals (soft: missing one changes no state)
// ---------------------------------------------------------------------------------------------

const goals: GoalSpec[] = [
  {
    kind: 'resolution',
    length: ABBREVIATED_RESOLUTION_BUSINESS_DAYS,
    unit: 'mx-business',
    description: 'Abbreviated route: resolution within 30 business days (Lineamientos 2025, art. 25).',
    when: { route: 'abbreviated' },
  },
  {
    kind: 'resolution',
    length: EQUIVALENCE_RESOLUTION_BUSINESS_DAYS,
    unit: 'mx-business',
    description: 'Equivalence route: "30 days" (2010 statement; article and day type UNCONFIRMED).',
    when: { route: 'equivalence' },
  },
  {
    kind: 'thirdPartyReview',
    length: TPR_REVIEW_BUSINESS_DAYS,
    unit: 'mx-business',
    description: 'Third-party route: the authorized third party reviews in about 30 business days (practice, secondary).',
    when: { route: 'third-party' },
  },
  // Standard class-based targets (secondary, UNCONFIRMED); the third-party route is a standard
  // application pre-reviewed by the third party, so the same targets apply to COFEPRIS's part.
  ...(['standard', 'third-party'] as const).flatMap((route) =>
    MX_CLASSES.map((mxClass): GoalSpec => ({
      kind: 'resolution',
      length: STANDARD_RESOLUTION_TARGETS[mxClass],
      unit: 'mx-business',
      description: `${route === 'standard' ? 'Standard' : 'Third-party'} route, class ${mxClass}: target ${STANDARD_RESOLUTION_TARGETS[mxClass]} business days (secondary target, UNCONFIRMED; practice 1–2 years).`,
      when: { route, mxClass },
    })),
  ),
];

// ---------------------------------------------------------------------------------------------
// Machine
// ---------------------------------------------------------------------------------------------

/** The context of a new registration (also the defaults a migrated v1 registration gets). */
export function initialContext(input: CofeprisInputV2): CofeprisContextV2 {
  return {
    route: input.route,
    reference: input.reference ?? null,
    mxClass: input.mxClass ?? null,
    identicalDevice: input.identicalDevice === true,
    referenceInvalidated: false,
    folio: null,
    thirdParty: null,
    tprFindingRounds: 0,
    tprReport: null,
    registrationNumber: null,
    grantedOn: null,
    validUntil: null,
    renewalWindowOpen: false,
    prorrogaFiledOn: null,
    prorrogas: [],
    pendingModification: null,
    modifications: [],
    rejectedModifications: 0,
  };
}

const ID = 'cofepris-registration';
const desistable = { DESIST: { target: `#${ID}.closed.withdrawn` } } as const;
const eventDate = (event: WorkflowEvent) => event.effectiveDate ?? null;
/** The registration expires on `validUntil` unless a prórroga is filed before it. */
const EXPIRY_DEADLINE: DeadlineSpec = {
  kind: 'registrationExpiry',
  anchor: 'validUntil',
  length: 0,
  unit: 'calendar',
  event: 'EXPIRE',
  description: 'The registration expires on this date unless a prórroga is filed before it (LGS art. 376).',
};

export const machineV2 = setup({
  types: {
    context: {} as CofeprisContextV2,
    events: {} as CofeprisRegistrationV2Event,
    input: {} as CofeprisInputV2,
  },
  guards: {
    filingAcceptable: ({ context, event }) => submitProblems(context, event).length === 0,
    isThirdPartyRoute: ({ context }) => context.route === 'third-party',
    tprReportOnFile: ({ event }) => tprReportProblem(event) === null,
    reliesOnReference: ({ context }) => isRelianceRoute(context.route),
    referenceStands: ({ context }) => !context.referenceInvalidated,
    // validUntil is the expiry date: a prórroga filed before it is in time; from it on, expired.
    prorrogaInTime: ({ context, event }) => !!event.effectiveDate && !!context.validUntil && event.effectiveDate < context.validUntil,
    validityEnded: ({ context, event }) => !!event.effectiveDate && !!context.validUntil && event.effectiveDate >= context.validUntil,
    renewalWindowOpen: ({ context }) => context.renewalWindowOpen,
  },
  actions: {
    flagInvalidated: assign({ referenceInvalidated: () => true }),
    recordFolio: assign({ folio: ({ context, event }) => dataOf(event, 'SUBMIT').folio ?? context.folio }),
    recordThirdParty: assign({ thirdParty: ({ event }) => dataOf(event, 'SEND_TO_TPR').thirdParty }),
    countFindings: assign({ tprFindingRounds: ({ context }) => context.tprFindingRounds + 1 }),
    recordTprReport: assign({
      tprReport: ({ event }) => ({ reportNumber: dataOf(event, 'TPR_FAVORABLE_REPORT').reportNumber ?? null, recordedOn: eventDate(event) }),
    }),
    recordGrant: assign({
      registrationNumber: ({ event }) => dataOf(event, 'GRANT').registrationNumber,
      grantedOn: ({ event }) => eventDate(event),
      validUntil: ({ event }) => (event.effectiveDate ? addYears(event.effectiveDate, REGISTRATION_VALIDITY_YEARS) : null),
    }),
    openRenewalWindow: assign({ renewalWindowOpen: () => true }),
    recordProrrogaFiled: assign({ prorrogaFiledOn: ({ event }) => eventDate(event) }),
    clearProrrogaFiled: assign({ prorrogaFiledOn: () => null }),
    // LGS art. 376: renewable for equal periods, counted from the current expiry date.
    extendValidity: assign(({ context, event }) => {
      const validUntil = context.validUntil ? addYears(context.validUntil, PRORROGA_EXTENSION_YEARS) : null;
      return {
        validUntil,
        renewalWindowOpen: false,
        prorrogaFiledOn: null,
        prorrogas: [...context.prorrogas, { grantedOn: eventDate(event), previousValidUntil: context.validUntil, validUntil }],
      };
    }),
    recordModificationRequest: assign({
      pendingModification: ({ event }) => {
        const { kind, description } = dataOf(event, 'SUBMIT_MODIFICATION');
        return { kind, description, submittedOn: eventDate(event) };
      },
    }),
    approveModification: assign(({ context, event }) => ({
      pendingModification: null,
      modifications: context.pendingModification
        ? [...context.modifications, { ...context.pendingModification, approvedOn: eventDate(event) }]
        : context.modifications,
    })),
    rejectModification: assign(({ context }) => ({ pendingModification: null, rejectedModifications: context.rejectedModifications + 1 })),
  },
}).createMachine({
  id: ID,
  initial: 'preparing',
  context: ({ input }) => initialContext(input),
  states: {
    preparing: {
      meta: meta({ description: 'The registration holder prepares the dossier.' }),
      on: {
        SUBMIT: { guard: 'filingAcceptable', target: 'submitted', actions: 'recordFolio' },
        SEND_TO_TPR: { guard: 'isThirdPartyRoute', target: 'thirdPartyReview', actions: 'recordThirdParty' },
        REFERENCE_INVALIDATED: { guard: 'reliesOnReference', actions: 'flagInvalidated' },
        ...desistable,
      },
    },
    // The authorized third party (Tercero Autorizado) is not a puente user: the registration
    // holder, who contracts it, records its acts. Its favourable report (ITF) is the evidence,
    // so TPR_FAVORABLE_REPORT is accepted only once that document is uploaded (and hashed into
    // the chain by DOCUMENT_ADDED). COFEPRIS's clock does not run: nothing is filed yet.
    thirdPartyReview: {
      meta: meta({ description: 'Pre-review of the dossier by an authorized third party (about 30 business days, weekly findings).' }),
      on: {
        TPR_FINDINGS: { actions: 'countFindings' },
        TPR_FAVORABLE_REPORT: { guard: 'tprReportOnFile', target: 'readyToSubmit', actions: 'recordTprReport' },
        ...desistable,
      },
    },
    readyToSubmit: {
      meta: meta({ description: "The third party's favourable report is on file; the application can be filed through the third-party lane." }),
      on: {
        SUBMIT: { guard: 'filingAcceptable', target: 'submitted', actions: 'recordFolio' },
        ...desistable,
      },
    },
    ...reviewStates({ guard: 'reliesOnReference' } as const),
    registered: {
      initial: 'current',
      meta: meta({ description: 'Registro sanitario granted (valid 5 years, renewable by prórroga).' }),
      on: {
        REVOKE: `#${ID}.closed.revoked`,
        // Reliance: the registration stands; the flag shows the reference no longer does.
        REFERENCE_INVALIDATED: { guard: 'reliesOnReference', actions: 'flagInvalidated' },
      },
      states: {
        current: {
          meta: meta({
            description: 'Registered and current; the prórroga window has not opened yet.',
            deadline: {
              kind: 'renewalWindow',
              anchor: 'validUntil',
              length: -RENEWAL_WINDOW_DAYS,
              unit: RENEWAL_WINDOW_UNIT,
              event: 'RENEWAL_WINDOW_OPENS',
              description: `The prórroga window opens ${RENEWAL_WINDOW_DAYS} days before the registration expires (natural vs business days UNCONFIRMED).`,
              unconfirmed: true,
            },
          }),
          on: {
            RENEWAL_WINDOW_OPENS: { target: 'renewalDue', actions: 'openRenewalWindow' },
            SUBMIT_MODIFICATION: { target: 'modificationUnderReview', actions: 'recordModificationRequest' },
          },
        },
        renewalDue: {
          meta: meta({
            description: 'The prórroga window is open: the registration expires unless a prórroga is filed in time.',
            deadline: EXPIRY_DEADLINE,
          }),
          on: {
            SUBMIT_PRORROGA: { guard: 'prorrogaInTime', target: 'renewalUnderReview', actions: 'recordProrrogaFiled' },
            SUBMIT_MODIFICATION: { target: 'modificationUnderReview', actions: 'recordModificationRequest' },
            EXPIRE: { guard: 'validityEnded', target: `#${ID}.closed.expired` },
          },
        },
        // A prórroga filed in time keeps the registration in force until COFEPRIS resolves it
        // (assumed: no expiry deadline here; domain.md §5.7 row 19 expires only without one).
        renewalUnderReview: {
          tags: ['mx-clock'],
          meta: meta({ description: 'Prórroga filed in time; under review by COFEPRIS.' }),
          on: {
            ISSUE_PREVENCION: 'renewalPrevencion',
            GRANT_PRORROGA: { target: 'current', actions: 'extendValidity' },
            DENY_PRORROGA: `#${ID}.closed.expired`,
          },
        },
        renewalPrevencion: {
          tags: ['hold'],
          meta: meta({
            description: 'Prevención on the prórroga: the registration holder must supply what is missing.',
            deadline: prevencionDeadline('Answer to the prevención due, otherwise the prórroga request is treated as not filed.'),
          }),
          on: {
            RESPOND_PREVENCION: 'renewalUnderReview',
            // Desechada: as if never filed. The registration's own expiry (EXPIRE on validUntil,
            // already due if that date has passed) then governs.
            PREVENCION_TIMEOUT: { target: 'renewalDue', actions: 'clearProrrogaFiled' },
          },
        },
        // RIS / LGS art. 376: the product or its conditions may change only with authorization.
        // One modification at a time; a pending one does not stop the registration expiring.
        modificationUnderReview: {
          tags: ['mx-clock'],
          meta: meta({
            description: 'A modification of the registration conditions is under review by COFEPRIS.',
            deadline: EXPIRY_DEADLINE,
          }),
          on: {
            APPROVE_MODIFICATION: [
              { guard: 'renewalWindowOpen', target: 'renewalDue', actions: 'approveModification' },
              { target: 'current', actions: 'approveModification' },
            ],
            REJECT_MODIFICATION: [
              { guard: 'renewalWindowOpen', target: 'renewalDue', actions: 'rejectModification' },
              { target: 'current', actions: 'rejectModification' },
            ],
            EXPIRE: { guard: 'validityEnded', target: `#${ID}.closed.expired` },
          },
        },
      },
    },
    closed: closedState({
      denied: 'Resolución negativa.',
      withdrawn: 'Desistimiento by the registration holder.',
      desechado: 'Desechado: the prevención was not answered in time.',
      expired: 'Registration expired: no prórroga filed in time, or the prórroga was denied.',
      revoked: 'Registration revoked.',
    }),
  },
});

// ---------------------------------------------------------------------------------------------
// Creation input schema
// ---------------------------------------------------------------------------------------------

const trackedReference: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['submissionId'],
  properties: {
    submissionId: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'A tracked fda-* submission (510(k), De Novo, PMA or HDE) of the same organization.',
    },
  },
};

const externalReference: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['agency', 'number', 'decisionDate', 'decision'],
  properties: {
    agency: { enum: [...REFERENCE_AGENCIES], description: 'Issuing authority (IMDRF Management Committee or MDSAP member code).' },
    number: { type: 'string', minLength: 1, maxLength: 64, pattern: '\\S', description: 'FDA: K, DEN, P or H number; others: the licence / approval number.' },
    decisionDate: isoDate,
    decision: { enum: [...FDA_DECISIONS], description: 'FDA: SE / granted / approved (favourable) or NSE / declined / denied; others: approved or denied.' },
    deviceClass: { type: 'string', minLength: 1, maxLength: 8, description: "The issuing authority's class: FDA 1–3; Health Canada and PMDA I–IV." },
    authorizationType: { enum: [...AUTHORIZATION_TYPES], default: 'ordinary' },
  },
  allOf: [
    {
      if: { properties: { agency: { const: 'FDA' } } },
      then: { properties: { number: { type: 'string', pattern: FDA_DECISION_NUMBER }, deviceClass: { enum: ['1', '2', '3'] } } },
      else: { properties: { decision: { enum: [...OTHER_DECISIONS] } } },
    },
    {
      if: { properties: { agency: { enum: ['HealthCanada', 'PMDA'] } } },
      then: { properties: { deviceClass: { enum: ['I', 'II', 'III', 'IV'] } } },
    },
  ],
};

const inputSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['route'],
  properties: {
    route: {
      enum: [...ROUTES],
      description:
        'standard (vía ordinaria), third-party (pre-reviewed by a Tercero Autorizado), equivalence (2010/2012 acuerdos), abbreviated (2025 reliance route).',
    },
    // if/then/else rather than oneOf: a wrong external reference is reported field by field,
    // not as "matches neither alternative".
    reference: {
      type: 'object',
      description: 'The authorization relied on: required on equivalence and abbreviated, forbidden on standard and third-party.',
      if: { required: ['submissionId'] },
      then: trackedReference,
      else: externalReference,
    },
    mxClass: { enum: [...MX_CLASSES], description: 'Mexican class (RIS art. 83) or low-risk list.' },
    identicalDevice: { const: true, description: 'Attestation that the device is identical to the one the reference authorized (required on abbreviated).' },
  },
  allOf: [
    {
      if: { properties: { route: { enum: [...RELIANCE_ROUTES] } } },
      then: { required: ['reference'] },
      else: { properties: { reference: { not: {}, description: 'standard and third-party routes rely on no reference authorization' } } },
    },
    {
      if: { properties: { route: { const: 'abbreviated' } } },
      then: { required: ['identicalDevice'] },
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Definition
// ---------------------------------------------------------------------------------------------

export const cofeprisRegistrationV2: WorkflowDefinition = {
  id: ID,
  version: 2,
  title: 'COFEPRIS registro sanitario: all routes, prórroga and modifications',
  ...COFEPRIS,
  inputSchema,
  events,
  goals,
  machine: machineV2,
  factsFor: {
    SUBMIT: ['dossierMissing', 'reference', 'referenceAuthorities'],
    TPR_FAVORABLE_REPORT: ['dossierMissing'],
  },
  dossier: (input) => dossierForV2(input as unknown as CofeprisInputV2),
  dossierCatalog: {
    standard: dossierForV2({ route: 'standard' }),
    'third-party': dossierForV2({ route: 'third-party' }),
    equivalence: dossierForV2({ route: 'equivalence', reference: { submissionId: 'fda' } }),
    'equivalence (reference of another authority)': dossierForV2({
      route: 'equivalence',
      reference: { agency: 'HealthCanada', number: '-', decisionDate: '2000-01-01', decision: 'approved' },
    }),
    abbreviated: dossierForV2({ route: 'abbreviated', reference: { submissionId: 'fda' } }),
    'abbreviated (reference of another authority)': dossierForV2({
      route: 'abbreviated',
      reference: { agency: 'HealthCanada', number: '-', decisionDate: '2000-01-01', decision: 'approved' },
    }),
  },
  explainRefusal(context, event) {
    const c = context as CofeprisContextV2;
    const why = (problems: Array<RefusalReason | null>) => {
      const reasons = problems.filter((p): p is RefusalReason => p !== null);
      return reasons.length ? reasons : undefined;
    };
    switch (event.type) {
      case 'SUBMIT':
        return why(submitProblems(c, event));
      case 'SEND_TO_TPR':
        return c.route === 'third-party' ? undefined : [reason('refusal.tpr_wrong_route', { event: 'SEND_TO_TPR', route: c.route })];
      case 'TPR_FAVORABLE_REPORT':
        return why([tprReportProblem(event)]);
      case 'GRANT':
        return c.referenceInvalidated ? [reason('refusal.reference_invalidated')] : undefined;
      case 'REFERENCE_INVALIDATED':
        return isRelianceRoute(c.route) ? undefined : [reason('refusal.route_without_reference', { route: c.route })];
      case 'SUBMIT_PRORROGA':
        return c.validUntil && event.effectiveDate && event.effectiveDate >= c.validUntil
          ? [reason('refusal.registration_expired', { date: c.validUntil })]
          : undefined;
      case 'EXPIRE':
        return c.validUntil ? [reason('refusal.registration_valid_until', { date: c.validUntil })] : undefined;
      default:
        return undefined;
    }
  },
  // `puente workflow migrate` from v1: the v1 fields carry over, the new ones get their defaults.
  // A v1 abbreviated registration never attested the identical device, so identicalDevice stays
  // false (nothing is attested on the holder's behalf): one still in `preparing` cannot be filed
  // on v2 and needs a new v2 registration; filed or registered ones are unaffected.
  upgradeContext(context, fromVersion) {
    if (fromVersion !== 1) return context;
    const v1 = context as CofeprisContext;
    return {
      ...initialContext({ route: v1.route, reference: v1.reference }),
      referenceInvalidated: v1.referenceInvalidated,
      registrationNumber: v1.registrationNumber,
      grantedOn: v1.grantedOn,
      validUntil: v1.validUntil,
    } satisfies CofeprisContextV2;
  },
  parameters: {
    registrationValidityYears: { value: REGISTRATION_VALIDITY_YEARS, unit: 'years', note: 'LGS art. 376' },
    prorrogaExtensionYears: { value: PRORROGA_EXTENSION_YEARS, unit: 'years', note: 'LGS art. 376: renewable for equal periods' },
    renewalWindowDays: {
      value: RENEWAL_WINDOW_DAYS,
      unit: 'days before validUntil',
      note: 'domain.md §2.5 (secondary); "at least" vs "within" open item 10',
      unconfirmed: true,
    },
    renewalWindowUnit: { value: RENEWAL_WINDOW_UNIT, note: 'natural (calendar) vs business days, open item 10', unconfirmed: true },
    relianceMaxAgeYears: { value: RELIANCE_MAX_AGE_YEARS, unit: 'years', note: 'abbreviated route: reference decision age limit' },
    abbreviatedRouteStart: { value: ABBREVIATED_ROUTE_START, note: 'Lineamientos DOF 18 Jul 2025' },
    defaultReferenceAuthorities: {
      value: DEFAULT_REFERENCE_AUTHORITIES.join(','),
      note: 'abbreviated route when configuration names none: IMDRF Management Committee ∪ MDSAP full members (domain.md §2.2); membership list as of 2025',
      unconfirmed: true,
    },
    equivalenceAgencies: { value: 'FDA:any,HealthCanada:II-IV,PMDA:II-IV', note: 'acuerdos DOF 26 Oct 2010 and 25 Jan 2012 (domain.md §2.2)' },
    prevencionResponseDays: { value: PREVENCION_RESPONSE_BUSINESS_DAYS, unit: 'mx business days', note: 'LFPA art. 17-A reading', unconfirmed: true },
    abbreviatedRequiresApostille: { value: ABBREVIATED_REQUIRES_APOSTILLE, note: 'device rule', unconfirmed: true },
    abbreviatedResolutionDays: { value: ABBREVIATED_RESOLUTION_BUSINESS_DAYS, unit: 'mx business days', note: 'Lineamientos 2025, art. 25' },
    equivalenceResolutionDays: {
      value: EQUIVALENCE_RESOLUTION_BUSINESS_DAYS,
      unit: 'mx business days',
      note: '2010 statement; article and day type',
      unconfirmed: true,
    },
    standardTargetLowRiskDays: {
      value: STANDARD_RESOLUTION_TARGETS['low-risk'],
      unit: 'mx business days',
      note: 'rapath standard route (secondary target)',
      unconfirmed: true,
    },
    standardTargetClassIDays: { value: STANDARD_RESOLUTION_TARGETS.I, unit: 'mx business days', note: 'rapath: 20–30 (secondary target)', unconfirmed: true },
    standardTargetClassIIDays: { value: STANDARD_RESOLUTION_TARGETS.II, unit: 'mx business days', note: 'rapath: 30–60 (secondary target)', unconfirmed: true },
    standardTargetClassIIIDays: {
      value: STANDARD_RESOLUTION_TARGETS.III,
      unit: 'mx business days',
      note: 'rapath: 60–180 (secondary target)',
      unconfirmed: true,
    },
    thirdPartyReviewDays: { value: TPR_REVIEW_BUSINESS_DAYS, unit: 'mx business days', note: 'authorized third-party practice (secondary)', unconfirmed: true },
  },
};

// ---------------------------------------------------------------------------------------------
// Version 3: the same machine, with its regulatory clock declared (receipt, restarts, the end
// of the review, and what meets each goal). Version 2 stays as released for its submissions.
// ---------------------------------------------------------------------------------------------

export const cofeprisRegistrationV3: WorkflowDefinition = {
  ...cofeprisRegistrationV2,
  version: 3,
  clock: {
    kind: 'mx',
    // From filing to the resolution; a prevención (tagged hold) pauses it.
    start: ['SUBMIT'],
    stop: ['GRANT', 'DENY', 'PREVENCION_TIMEOUT', 'DESIST'],
  },
  goals: clockedGoals(goals, { thirdPartyReview: { from: ['SEND_TO_TPR'], metBy: ['TPR_FAVORABLE_REPORT'] } }),
};

// ---------------------------------------------------------------------------------------------
// Version 4: Part 11 electronic signatures (issue 6). The registration holder signs its filings
// (application, prórroga, modification); COFEPRIS signs every resolution (grant, denial,
// revocation, prórroga granted or denied, modification approved or rejected). Otherwise v3.
// ---------------------------------------------------------------------------------------------

export const cofeprisRegistrationV4: WorkflowDefinition = {
  ...cofeprisRegistrationV3,
  version: 4,
  events: signedEvents(cofeprisRegistrationV3.events, [
    'SUBMIT',
    'SUBMIT_PRORROGA',
    'SUBMIT_MODIFICATION',
    'GRANT',
    'DENY',
    'REVOKE',
    'GRANT_PRORROGA',
    'DENY_PRORROGA',
    'APPROVE_MODIFICATION',
    'REJECT_MODIFICATION',
  ]),
};

// ---------------------------------------------------------------------------------------------
// Version 5: the guards' facts in the record (issue 8). SUBMIT (dossier, reference decision,
// reference authorities) and TPR_FAVORABLE_REPORT (dossier) record the facts their guards read
// inside the hashed history record, so an auditor's offline replay re-decides them. Otherwise v4.
// ---------------------------------------------------------------------------------------------

export const cofeprisRegistrationV5: WorkflowDefinition = recordingFacts(cofeprisRegistrationV4, 5);
