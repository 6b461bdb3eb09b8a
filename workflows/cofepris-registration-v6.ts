/**
 * COFEPRIS Registro Sanitario, version 6 (issue 9, reference/domain.md §7.1 and §7.3): the
 * resolution terms of RIS art. 179 in business days (LFPA art. 28), the afirmativa ficta of a
 * class I registration, the prevención of LFPA art. 17-A (once, in the first third of the term,
 * the applicant's term set by the authority, the resolution term suspended), the prórroga's
 * documents checked like the filing's, a denial that states its grounds, and every deadline,
 * goal and parameter with its source. Versions 1–5 stay as released for their submissions;
 * `upgradeContext` moves them here (state names are v5's, plus `registered.ficta`).
 *
 * Built on version 5's machine (workflows/cofepris-registration-v2.ts): its configuration with
 * the states this version changes replaced, and its guards and actions with the new ones added.
 */
import { assign, setup } from 'xstate';
import { PREVENCION_RESPONSE_BUSINESS_DAYS, REGISTRATION_VALIDITY_YEARS, RELIANCE_MAX_AGE_YEARS, addYears, dossierProblem } from './cofepris-registration.js';
import {
  ABBREVIATED_RESOLUTION_BUSINESS_DAYS,
  EQUIVALENCE_RESOLUTION_BUSINESS_DAYS,
  RENEWAL_WINDOW_DAYS,
  RENEWAL_WINDOW_UNIT,
  TPR_REVIEW_BUSINESS_DAYS,
  cofeprisRegistrationV5,
  initialContext,
  machineV2,
  submitProblems,
  type CofeprisContextV2,
  type CofeprisInputV2,
  type MxClass,
} from './cofepris-registration-v2.js';
import { closedState, dataOf, meta, text } from './common.js';
import type { CofeprisRegistrationV6Event } from './event-data.js';
import type { DeadlineSpec, EventSpec, GoalSpec, Parameter, RefusalReason, RuleSource, WorkflowDefinition, WorkflowEvent } from './types.js';
import { payload, reason } from './types.js';

// ---------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------

const RIS_179: RuleSource = {
  title: 'Reglamento de Insumos para la Salud',
  section: 'art. 179',
  citation: 'RIS art. 179 (DOF 4 Feb 1998, as amended)',
  date: '1998-02-04',
  url: 'https://juristas.mx/en/laws/reglamento-de-insumos-para-la-salud/articulo-179',
};
const LFPA_28: RuleSource = { title: 'Ley Federal de Procedimiento Administrativo', section: 'art. 28', citation: 'LFPA art. 28', date: '1994-08-04' };
const LFPA_17A: RuleSource = {
  title: 'Ley Federal de Procedimiento Administrativo',
  section: 'art. 17-A',
  citation: 'LFPA art. 17-A (reading UNCONFIRMED, reference/domain.md §7.3)',
  date: '2018-05-18',
};
const LINEAMIENTOS_25: RuleSource = {
  title: 'Lineamientos generales para la aplicación de la vía regulatoria abreviada',
  section: 'art. 25',
  citation: 'DOF 18 Jul 2025',
  date: '2025-07-18',
  url: 'https://sidof.segob.gob.mx/notas/docFuente/5763319',
};
const EQUIVALENCE_2010: RuleSource = {
  title: 'Acuerdo por el que se reconocen como equivalentes ... (FDA, Health Canada)',
  section: 'RIS art. 161 Bis',
  citation: 'DOF 26 Oct 2010',
  date: '2010-10-26',
};
const SIMPLIFICATION_2025: RuleSource = { title: 'Acuerdo de simplificación de trámites de la COFEPRIS', citation: 'DOF 4 Jul 2025', date: '2025-07-04' };
const LGS_376: RuleSource = { title: 'Ley General de Salud', section: 'art. 376', citation: 'LGS art. 376 (reform DOF 24 Feb 2005)', date: '2005-02-24' };
const SECONDARY_RENEWAL: RuleSource = {
  title: 'Registro sanitario ante la COFEPRIS (secondary)',
  citation: 'secondary summary of RIS arts. 190 Bis 3 and 4 (prórroga); the primary text is not confirmed (reference/domain.md §7.3)',
  date: '2024',
  url: 'https://contactaabogado.com/diccionario-juridico/derecho-mercantil/registro-sanitario-ante-la-cofepris-c3e4',
};
const SECONDARY_TARGETS: RuleSource = {
  title: 'rapath: Mexico standard route (secondary)',
  citation: 'secondary description of the Tercero Autorizado practice; no primary text (reference/domain.md §7.3)',
  date: '2024',
  url: 'https://rapath.github.io/mx/premarket/standard-route/',
};

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

/**
 * RIS art. 179: COFEPRIS resolves class I in 30 days (else the request is deemed granted), class
 * II in 35, class III in 60; days are business days (LFPA art. 28). The low-risk lists (Acuerdos
 * 31/12/2011, 22/12/2014) are products of low risk that art. 179 does not name: they take the
 * class I term (the lowest class; the old secondary low-risk target was 20), but not the
 * afirmativa ficta, which art. 179 gives only to class I (UNCONFIRMED: `lowRiskTerm`).
 */
export const RESOLUTION_BUSINESS_DAYS: Readonly<Record<MxClass, number>> = { 'low-risk': 30, I: 30, II: 35, III: 60 };
/** RIS art. 179: with a favourable dictamen of a Tercero Autorizado, COFEPRIS grants in at most 15 days. */
export const THIRD_PARTY_RESOLUTION_BUSINESS_DAYS = 15;
/** LFPA art. 17-A: the applicant's term to answer a prevención is set by the authority, at least 5 business days. */
export const PREVENCION_MIN_BUSINESS_DAYS = PREVENCION_RESPONSE_BUSINESS_DAYS;
/** An upper bound on the term a prevención may set (a plausibility check of the input, not a rule of LFPA art. 17-A). */
export const PREVENCION_MAX_BUSINESS_DAYS = 60;
/**
 * The equivalence acuerdos' end: reports that the 2025 simplification removed some of them are
 * UNCONFIRMED (domain.md §7.3), so the route stays open (`null`) until a date is confirmed; a
 * SUBMIT on or after the date, when one is set, is refused (`refusal.equivalence_ended`).
 */
export const EQUIVALENCE_ROUTE_EFFECTIVE_UNTIL: string | null = null;

const parameters: Record<string, Parameter> = {
  ...cofeprisRegistrationV5.parameters,
  registrationValidityYears: { value: REGISTRATION_VALIDITY_YEARS, unit: 'years', note: 'LGS art. 376: 5 years, renewable', source: LGS_376 },
  prorrogaExtensionYears: { value: REGISTRATION_VALIDITY_YEARS, unit: 'years', note: 'LGS art. 376: renewable for equal periods', source: LGS_376 },
  renewalWindowDays: {
    value: RENEWAL_WINDOW_DAYS,
    unit: 'days before validUntil',
    note: 'prórroga window: "150 days before expiry" is a secondary source; "at least" vs "within" and the article are UNCONFIRMED (domain.md §7.3)',
    unconfirmed: true,
    source: SECONDARY_RENEWAL,
  },
  renewalWindowUnit: {
    value: RENEWAL_WINDOW_UNIT,
    note: 'natural (calendar) vs business days of the prórroga window: UNCONFIRMED',
    unconfirmed: true,
    source: SECONDARY_RENEWAL,
  },
  relianceMaxAgeYears: {
    value: RELIANCE_MAX_AGE_YEARS,
    unit: 'years',
    note: 'abbreviated route: age limit of the reference decision; secondary source only (domain.md §7.3), kept as a guard',
    unconfirmed: true,
    source: LINEAMIENTOS_25,
  },
  equivalenceRouteEffectiveUntil: {
    value: EQUIVALENCE_ROUTE_EFFECTIVE_UNTIL ?? 'open',
    note: 'end of the 2010/2012 equivalence acuerdos: whether the 2025 simplification removed them is UNCONFIRMED; "open" = no end; a SUBMIT on or after a set date is refused',
    unconfirmed: true,
    source: SIMPLIFICATION_2025,
  },
  abbreviatedRequiresApostille: {
    ...cofeprisRegistrationV5.parameters.abbreviatedRequiresApostille!,
    note: 'the Lineamientos 2025 require an apostilled reference authorization for medicines; the same rule for devices is probable but UNCONFIRMED (domain.md §7.3)',
    source: LINEAMIENTOS_25,
  },
  resolutionClassIDays: { value: RESOLUTION_BUSINESS_DAYS.I, unit: 'mx business days', note: 'RIS art. 179; afirmativa ficta when it passes', source: RIS_179 },
  resolutionClassIIDays: { value: RESOLUTION_BUSINESS_DAYS.II, unit: 'mx business days', note: 'RIS art. 179', source: RIS_179 },
  resolutionClassIIIDays: { value: RESOLUTION_BUSINESS_DAYS.III, unit: 'mx business days', note: 'RIS art. 179', source: RIS_179 },
  resolutionDayType: { value: 'business', note: 'LFPA art. 28: terms in days are business days', source: LFPA_28 },
  lowRiskTerm: {
    value: RESOLUTION_BUSINESS_DAYS['low-risk'],
    unit: 'mx business days',
    note: 'low-risk lists take the class I term (art. 179 does not name them) without the afirmativa ficta: UNCONFIRMED',
    unconfirmed: true,
    source: RIS_179,
  },
  thirdPartyResolutionDays: {
    value: THIRD_PARTY_RESOLUTION_BUSINESS_DAYS,
    unit: 'mx business days',
    note: 'RIS art. 179: at most 15 days with a favourable dictamen of a Tercero Autorizado',
    source: RIS_179,
  },
  abbreviatedResolutionDays: {
    value: ABBREVIATED_RESOLUTION_BUSINESS_DAYS,
    unit: 'mx business days',
    note: 'Lineamientos 2025, art. 25',
    source: LINEAMIENTOS_25,
  },
  equivalenceResolutionDays: {
    value: EQUIVALENCE_RESOLUTION_BUSINESS_DAYS,
    unit: 'mx business days',
    note: '"30 days" (Health Secretary, 2010); article and day type UNCONFIRMED',
    unconfirmed: true,
    source: EQUIVALENCE_2010,
  },
  simplificationAcuerdoChange: {
    value: 'none applied',
    note: 'any change of these terms by the 2025 simplification acuerdo is UNCONFIRMED and not applied',
    unconfirmed: true,
    source: SIMPLIFICATION_2025,
  },
  thirdPartyReviewDays: {
    value: TPR_REVIEW_BUSINESS_DAYS,
    unit: 'mx business days',
    note: 'authorized third-party practice (secondary)',
    unconfirmed: true,
    source: SECONDARY_TARGETS,
  },
  prevencionResponseDays: {
    value: PREVENCION_MIN_BUSINESS_DAYS,
    unit: 'mx business days (minimum)',
    note: 'LFPA art. 17-A reading: the authority sets the term in business days, not under 5 (UNCONFIRMED); puente counts it under its Mexican calendar from the prevención; 5 for a prevención migrated from v5 without a term',
    unconfirmed: true,
    source: LFPA_17A,
  },
  prevencionOnce: {
    value: true,
    note: 'LFPA art. 17-A reading: "por una sola vez", per procedure (the prórroga is its own)',
    unconfirmed: true,
    source: LFPA_17A,
  },
  prevencionFirstThird: {
    value: '1/3 of the resolution term, counted in weekdays from the filing',
    note: 'LFPA art. 17-A reading: only in the first third of the resolution term (UNCONFIRMED). The machine has no calendar: it counts Monday–Friday, so next to holidays it may refuse a prevención the calendar would allow; no check where no term applies (no class, prórroga)',
    unconfirmed: true,
    source: LFPA_17A,
  },
  prevencionLapse: {
    value: 'decision',
    note: 'LFPA art. 17-A reading: an unanswered prevención leads to the desechamiento; whether it is automatic is UNCONFIRMED, so COFEPRIS decides (PREVENCION_TIMEOUT)',
    unconfirmed: true,
    source: LFPA_17A,
  },
  afirmativaFictaNumber: {
    value: 'none until COFEPRIS records it',
    note: 'a class I afirmativa ficta has no registration number until COFEPRIS issues the constancia (RECORD_FICTA_CERTIFICATE); validity 5 years from the day it took effect (LGS art. 376)',
    source: RIS_179,
  },
};
// Replaced by the cited parameters above (secondary class targets of versions 2–5).
for (const old of ['standardTargetLowRiskDays', 'standardTargetClassIDays', 'standardTargetClassIIDays', 'standardTargetClassIIIDays']) delete parameters[old];
for (const [name, p] of Object.entries(parameters)) {
  if (!p.source)
    parameters[name] = { ...p, source: name.startsWith('abbreviated') || name === 'defaultReferenceAuthorities' ? LINEAMIENTOS_25 : EQUIVALENCE_2010 };
}

// ---------------------------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------------------------

export interface CofeprisContextV6 extends CofeprisContextV2 {
  /** Date the application was filed (SUBMIT): the first third of the term counts from it. */
  filedOn: string | null;
  /** The prevención of the application, once issued (LFPA art. 17-A: once per procedure). */
  prevencion: { issuedOn: string | null; termBusinessDays: number } | null;
  /** The prevención of the pending prórroga (a procedure of its own), once issued. */
  prorrogaPrevencion: { issuedOn: string | null; termBusinessDays: number } | null;
  /**
   * The business days the authority gave to answer the open prevención: puente counts the
   * deadline from the prevención's entry under its Mexican calendar (`lengthFrom`). Null for a
   * prevención migrated from v5, which keeps v5's 5 business days.
   */
  prevencionTermBusinessDays: number | null;
  /** True when the registration was granted by afirmativa ficta (RIS art. 179, class I). */
  afirmativaFicta: boolean;
  /** The grounds of a denial (fundamentación y motivación). */
  denial: { fundamentacion: string; motivacion: string; deniedOn: string | null } | null;
}

export function initialContextV6(input: CofeprisInputV2): CofeprisContextV6 {
  return {
    ...initialContext(input),
    filedOn: null,
    prevencion: null,
    prorrogaPrevencion: null,
    prevencionTermBusinessDays: null,
    afirmativaFicta: false,
    denial: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Pure rules
// ---------------------------------------------------------------------------------------------

/** The resolution term COFEPRIS has for this registration, in business days, or null when none is known. */
export function resolutionTerm(c: Pick<CofeprisContextV2, 'route' | 'mxClass'>): number | null {
  switch (c.route) {
    case 'abbreviated':
      return ABBREVIATED_RESOLUTION_BUSINESS_DAYS;
    case 'equivalence':
      return EQUIVALENCE_RESOLUTION_BUSINESS_DAYS;
    case 'third-party':
      return THIRD_PARTY_RESOLUTION_BUSINESS_DAYS;
    case 'standard':
      return c.mxClass ? RESOLUTION_BUSINESS_DAYS[c.mxClass] : null;
  }
}

/** Monday–Friday days after `from` up to and including `to` (no calendar: holidays count). */
export function weekdaysBetween(from: string, to: string): number {
  const day = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 86_400_000;
  let n = 0;
  for (let t = day(from) + 1; t <= day(to); t++) {
    const wd = (t + 4) % 7; // 1970-01-01 was a Thursday
    if (wd !== 0 && wd !== 6) n++;
  }
  return n;
}

/** Why a prevención cannot be issued (LFPA art. 17-A reading), as reasons; `prorroga` for the prórroga's. */
export function prevencionProblems(c: CofeprisContextV6, event: WorkflowEvent, prorroga: boolean): RefusalReason[] {
  const out: RefusalReason[] = [];
  const earlier = prorroga ? c.prorrogaPrevencion : c.prevencion;
  if (earlier) out.push(reason('refusal.prevencion_once', { issuedOn: earlier.issuedOn }));
  const on = event.effectiveDate;
  const term = prorroga ? null : resolutionTerm(c);
  if (on && term !== null && c.filedOn && weekdaysBetween(c.filedOn, on) > term / 3) {
    out.push(reason('refusal.prevencion_late', { filedOn: c.filedOn, onDate: on, termDays: term, thirdDays: Math.floor(term / 3) }));
  }
  return out;
}

/** Every reason SUBMIT is refused: version 5's, and the equivalence route after its end date. */
export function submitProblemsV6(c: CofeprisContextV6, event: WorkflowEvent, until: string | null = EQUIVALENCE_ROUTE_EFFECTIVE_UNTIL): RefusalReason[] {
  const out = submitProblems(c, event);
  if (c.route === 'equivalence' && until !== null && event.effectiveDate && event.effectiveDate >= until) {
    out.push(reason('refusal.equivalence_ended', { until, onDate: event.effectiveDate }));
  }
  return out;
}

const fictaApplies = (c: Pick<CofeprisContextV2, 'route' | 'mxClass'>) => (c.route === 'standard' || c.route === 'third-party') && c.mxClass === 'I';

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

const prevencionData = payload(
  {
    items: { type: 'array', minItems: 1, maxItems: 200, items: text },
    termBusinessDays: {
      type: 'integer',
      minimum: PREVENCION_MIN_BUSINESS_DAYS,
      maximum: PREVENCION_MAX_BUSINESS_DAYS,
      description:
        'The term the authority sets for the answer, in business days: at least 5 (LFPA art. 17-A, reading UNCONFIRMED). puente counts its last day under its Mexican calendar from the day of the prevención.',
    },
  },
  ['items', 'termBusinessDays'],
);

const events: Record<string, EventSpec> = {
  ...cofeprisRegistrationV5.events,
  ISSUE_PREVENCION: {
    roles: ['cofepris'],
    description:
      'Prevención (LFPA art. 17-A, reading UNCONFIRMED) on the application or the prórroga: once per procedure, within the first third of the resolution term; the authority sets the term in business days (at least 5), which puente counts under its Mexican calendar from the day of the prevención. The resolution term is suspended while it is open.',
    schema: prevencionData,
  },
  PREVENCION_TIMEOUT: {
    roles: ['cofepris'],
    description:
      'COFEPRIS desecha the application (or treats the prórroga request as not filed) because the prevención was not answered in its term; refused while the term runs.',
    schema: payload({ reason: text }),
    requiresSignature: true,
  },
  DENY: {
    roles: ['cofepris'],
    description: 'Resolución negativa, stating its grounds: the legal provisions applied (fundamentación) and the reasons (motivación).',
    schema: payload({ fundamentacion: text, motivacion: text }, ['fundamentacion', 'motivacion']),
    requiresSignature: true,
  },
  AFIRMATIVA_FICTA: {
    roles: ['system'],
    description:
      'Afirmativa ficta (RIS art. 179): the class I term passed without a resolution, so the request is deemed granted. Recorded by puente, not a COFEPRIS resolution.',
    schema: payload(),
  },
  RECORD_FICTA_CERTIFICATE: {
    roles: ['cofepris'],
    description: 'COFEPRIS records the constancia of the afirmativa ficta and the registration number it assigns.',
    schema: payload({ registrationNumber: { type: 'string', minLength: 1, maxLength: 64 } }, ['registrationNumber']),
    requiresSignature: true,
  },
  SUBMIT_PRORROGA: {
    ...cofeprisRegistrationV5.events.SUBMIT_PRORROGA!,
    description:
      'The registration holder requests the prórroga (RIS arts. 190 Bis 3 and 4; DIGIPRiS) before the registration expires; refused while the dossier is incomplete.',
  },
};

// ---------------------------------------------------------------------------------------------
// Goals (RIS art. 179; the class I one fires the afirmativa ficta)
// ---------------------------------------------------------------------------------------------

const classGoal = (route: 'standard' | 'third-party', mxClass: MxClass): GoalSpec => {
  const ficta = mxClass === 'I';
  return {
    kind: ficta ? 'resolutionFicta' : 'resolution',
    length: RESOLUTION_BUSINESS_DAYS[mxClass],
    unit: 'mx-business',
    description: ficta
      ? `Class I: COFEPRIS resolves in ${RESOLUTION_BUSINESS_DAYS.I} business days; otherwise the request is deemed granted (afirmativa ficta, RIS art. 179; LFPA art. 28).`
      : mxClass === 'low-risk'
        ? `Low-risk list: the class I term of ${RESOLUTION_BUSINESS_DAYS.I} business days, without afirmativa ficta (RIS art. 179 does not name the lists: UNCONFIRMED).`
        : `Class ${mxClass}: COFEPRIS resolves in ${RESOLUTION_BUSINESS_DAYS[mxClass]} business days (RIS art. 179; LFPA art. 28).`,
    when: { route, mxClass },
    source: RIS_179,
    ...(ficta ? { fires: 'AFIRMATIVA_FICTA' } : {}),
    ...(mxClass === 'low-risk' ? { unconfirmed: true } : {}),
  };
};

const goals: GoalSpec[] = [
  {
    kind: 'resolution',
    length: ABBREVIATED_RESOLUTION_BUSINESS_DAYS,
    unit: 'mx-business',
    description: 'Abbreviated route: resolution within 30 business days (Lineamientos 2025, art. 25).',
    when: { route: 'abbreviated' },
    source: LINEAMIENTOS_25,
  },
  {
    kind: 'resolution',
    length: EQUIVALENCE_RESOLUTION_BUSINESS_DAYS,
    unit: 'mx-business',
    description: 'Equivalence route: "30 days" (2010 statement; article and day type UNCONFIRMED).',
    when: { route: 'equivalence' },
    source: EQUIVALENCE_2010,
    unconfirmed: true,
  },
  {
    kind: 'thirdPartyReview',
    length: TPR_REVIEW_BUSINESS_DAYS,
    unit: 'mx-business',
    description: 'Third-party route: the authorized third party reviews in about 30 business days (practice, secondary).',
    when: { route: 'third-party' },
    from: ['SEND_TO_TPR'],
    metBy: ['TPR_FAVORABLE_REPORT'],
    source: SECONDARY_TARGETS,
    unconfirmed: true,
  },
  {
    kind: 'resolution',
    length: THIRD_PARTY_RESOLUTION_BUSINESS_DAYS,
    unit: 'mx-business',
    description: 'Third-party route: with the favourable dictamen, COFEPRIS grants within 15 business days (RIS art. 179).',
    when: { route: 'third-party' },
    source: RIS_179,
  },
  ...(['I', 'II', 'III', 'low-risk'] as const).map((c) => classGoal('standard', c)),
  // The third party's dictamen shortens the term; class I keeps its afirmativa ficta at 30 days.
  classGoal('third-party', 'I'),
];

// ---------------------------------------------------------------------------------------------
// Machine: version 5's, with the states this version changes
// ---------------------------------------------------------------------------------------------

const ID = 'cofepris-registration';

const prevencionDeadlineV6 = (description: string): DeadlineSpec => ({
  kind: 'prevencionResponse',
  // The business days the authority set, counted by puente from the prevención under its Mexican
  // calendar (the due date names the calendar; `puente calendar recompute` moves it, issue 9 §5);
  // 5 (the LFPA art. 17-A floor, v5's term) for a prevención migrated without one. The engine
  // refuses PREVENCION_TIMEOUT while the term runs; LFPA art. 17-A leaves the lapse to COFEPRIS.
  lengthFrom: 'prevencionTermBusinessDays',
  length: PREVENCION_MIN_BUSINESS_DAYS,
  unit: 'mx-business',
  event: 'PREVENCION_TIMEOUT',
  description,
  consequence: 'decision',
  unconfirmed: true,
  source: LFPA_17A,
});

const RENEWAL_WINDOW: DeadlineSpec = {
  kind: 'renewalWindow',
  anchor: 'validUntil',
  length: -RENEWAL_WINDOW_DAYS,
  unit: RENEWAL_WINDOW_UNIT,
  event: 'RENEWAL_WINDOW_OPENS',
  description: `The prórroga window opens ${RENEWAL_WINDOW_DAYS} days before the registration expires (secondary source; natural vs business days and "at least" vs "within" UNCONFIRMED).`,
  unconfirmed: true,
  consequence: 'automatic',
  source: SECONDARY_RENEWAL,
};

const EXPIRY: DeadlineSpec = {
  kind: 'registrationExpiry',
  anchor: 'validUntil',
  length: 0,
  unit: 'calendar',
  event: 'EXPIRE',
  description: 'The registration expires on this date unless a prórroga is filed before it (LGS art. 376: valid 5 years, renewable on request).',
  consequence: 'automatic',
  source: LGS_376,
};

interface AnyConfig {
  readonly on?: Record<string, unknown>;
  readonly states?: Record<string, AnyConfig>;
  readonly [key: string]: unknown;
}
/** A state of version 5's configuration, by name under `parent`. */
const st = (parent: AnyConfig, name: string): AnyConfig => parent.states![name]!;
const v5 = machineV2.config as unknown as AnyConfig;
const v5States = v5.states!;
const v5Registered = st(v5, 'registered');
const fictaOn = { AFIRMATIVA_FICTA: { guard: 'fictaApplies', target: '#cofepris-registration.registered.ficta', actions: 'recordFicta' } };
const withMeta = (state: AnyConfig, m: { description: string; deadline?: DeadlineSpec }) => ({ ...state, meta: meta(m) });
const submitV6 = { guard: 'filingAcceptable', target: 'submitted', actions: ['recordFolio', 'recordFiling'] };

const states = {
  ...v5States,
  preparing: { ...st(v5, 'preparing'), on: { ...st(v5, 'preparing').on, SUBMIT: submitV6 } },
  readyToSubmit: { ...st(v5, 'readyToSubmit'), on: { ...st(v5, 'readyToSubmit').on, SUBMIT: submitV6 } },
  submitted: { ...st(v5, 'submitted'), on: { ...st(v5, 'submitted').on, ...fictaOn } },
  underReview: {
    ...st(v5, 'underReview'),
    on: {
      ...st(v5, 'underReview').on,
      ISSUE_PREVENCION: { guard: 'prevencionAllowed', target: 'prevencion', actions: 'recordPrevencion' },
      DENY: { target: 'closed.denied', actions: 'recordDenial' },
      ...fictaOn,
    },
  },
  prevencion: withMeta(
    {
      ...st(v5, 'prevencion'),
      on: { ...st(v5, 'prevencion').on, PREVENCION_TIMEOUT: { target: 'closed.desechado' } },
    },
    {
      description: 'Prevención issued: the applicant must supply what is missing in the term the authority set; the resolution term is suspended.',
      deadline: prevencionDeadlineV6(
        'Answer to the prevención due within the business days the authority set, counted from the prevención; once the term has passed COFEPRIS decides whether to desechar.',
      ),
    },
  ),
  registered: {
    ...v5Registered,
    meta: meta({ description: 'Registro sanitario granted (valid 5 years, renewable by prórroga), by resolution or by afirmativa ficta.' }),
    states: {
      ...v5Registered.states,
      current: withMeta(st(v5Registered, 'current'), {
        description: 'Registered and current; the prórroga window has not opened yet.',
        deadline: RENEWAL_WINDOW,
      }),
      // RIS art. 179: deemed granted, recorded by puente; no number until COFEPRIS issues the constancia.
      ficta: {
        meta: meta({
          description:
            'AFIRMATIVA FICTA: registered because COFEPRIS did not resolve the class I request in its term (RIS art. 179); no registration number until COFEPRIS records the constancia.',
          deadline: RENEWAL_WINDOW,
        }),
        on: {
          ...st(v5Registered, 'current').on,
          RECORD_FICTA_CERTIFICATE: { target: 'current', actions: 'recordFictaNumber' },
        },
      },
      renewalDue: withMeta(
        {
          ...st(v5Registered, 'renewalDue'),
          on: {
            ...st(v5Registered, 'renewalDue').on,
            SUBMIT_PRORROGA: { guard: 'prorrogaAcceptable', target: 'renewalUnderReview', actions: 'recordProrrogaFiled' },
          },
        },
        { description: 'The prórroga window is open: the registration expires unless a prórroga is filed in time.', deadline: EXPIRY },
      ),
      renewalUnderReview: {
        ...st(v5Registered, 'renewalUnderReview'),
        on: {
          ...st(v5Registered, 'renewalUnderReview').on,
          ISSUE_PREVENCION: { guard: 'prorrogaPrevencionAllowed', target: 'renewalPrevencion', actions: 'recordProrrogaPrevencion' },
        },
      },
      renewalPrevencion: withMeta(
        {
          ...st(v5Registered, 'renewalPrevencion'),
          on: {
            ...st(v5Registered, 'renewalPrevencion').on,
            PREVENCION_TIMEOUT: { target: 'renewalDue', actions: 'clearProrrogaFiled' },
          },
        },
        {
          description: 'Prevención on the prórroga: the registration holder must supply what is missing in the term the authority set.',
          deadline: prevencionDeadlineV6(
            'Answer to the prevención due within the business days the authority set, counted from the prevención; once the term has passed COFEPRIS decides whether the prórroga request is treated as not filed.',
          ),
        },
      ),
      modificationUnderReview: withMeta(st(v5Registered, 'modificationUnderReview'), {
        description: 'A modification of the registration conditions is under review by COFEPRIS.',
        deadline: EXPIRY,
      }),
    },
  },
  closed: closedState({
    denied: 'Resolución negativa, with its fundamentación y motivación.',
    withdrawn: 'Desistimiento by the registration holder.',
    desechado: 'Desechado: COFEPRIS desechó the application after the prevención went unanswered in its term.',
    expired: 'Registration expired: no prórroga filed in time, or the prórroga was denied.',
    revoked: 'Registration revoked.',
  }),
};

const issued = (event: CofeprisRegistrationV6Event) => {
  const { termBusinessDays } = dataOf(event, 'ISSUE_PREVENCION');
  return { issuedOn: event.effectiveDate ?? null, termBusinessDays };
};

export const machineV6 = setup({
  types: { context: {} as CofeprisContextV6, events: {} as CofeprisRegistrationV6Event, input: {} as CofeprisInputV2 },
  guards: {
    ...(machineV2.implementations.guards as Record<string, never>),
    filingAcceptable: ({ context, event }) => submitProblemsV6(context, event).length === 0,
    prevencionAllowed: ({ context, event }) => prevencionProblems(context, event, false).length === 0,
    prorrogaPrevencionAllowed: ({ context, event }) => prevencionProblems(context, event, true).length === 0,
    prorrogaAcceptable: ({ context, event }) =>
      !!event.effectiveDate && !!context.validUntil && event.effectiveDate < context.validUntil && dossierProblem(event) === null,
    fictaApplies: ({ context }) => fictaApplies(context),
  },
  actions: {
    ...(machineV2.implementations.actions as Record<string, never>),
    recordFiling: assign({ filedOn: ({ event }) => event.effectiveDate ?? null }),
    recordPrevencion: assign(({ event }) => {
      const p = issued(event);
      return { prevencion: p, prevencionTermBusinessDays: p.termBusinessDays };
    }),
    recordProrrogaPrevencion: assign(({ event }) => {
      const p = issued(event);
      return { prorrogaPrevencion: p, prevencionTermBusinessDays: p.termBusinessDays };
    }),
    recordDenial: assign({
      denial: ({ event }) => {
        const { fundamentacion, motivacion } = dataOf(event, 'DENY');
        return { fundamentacion, motivacion, deniedOn: event.effectiveDate ?? null };
      },
    }),
    // Deemed granted on the day after the term (the sweeper's date): valid 5 years from it.
    recordFicta: assign({
      afirmativaFicta: () => true,
      registrationNumber: () => null,
      grantedOn: ({ event }) => event.effectiveDate ?? null,
      validUntil: ({ event }) => (event.effectiveDate ? addYears(event.effectiveDate, REGISTRATION_VALIDITY_YEARS) : null),
    }),
    recordFictaNumber: assign({ registrationNumber: ({ event }) => dataOf(event, 'RECORD_FICTA_CERTIFICATE').registrationNumber }),
    // A new prórroga is a new procedure: its prevención may be issued once again.
    recordProrrogaFiled: assign({ prorrogaFiledOn: ({ event }) => event.effectiveDate ?? null, prorrogaPrevencion: () => null }),
  },
}).createMachine({
  id: ID,
  initial: 'preparing',
  context: ({ input }) => initialContextV6(input),
  states: states as unknown as undefined,
});

// ---------------------------------------------------------------------------------------------
// Definition
// ---------------------------------------------------------------------------------------------

export const cofeprisRegistrationV6: WorkflowDefinition = {
  ...cofeprisRegistrationV5,
  version: 6,
  title: 'COFEPRIS registro sanitario: terms of RIS art. 179, afirmativa ficta, prevención of LFPA art. 17-A',
  events,
  goals,
  machine: machineV6,
  clock: { kind: 'mx', start: ['SUBMIT'], stop: ['GRANT', 'DENY', 'PREVENCION_TIMEOUT', 'DESIST', 'AFIRMATIVA_FICTA'] },
  factsFor: { ...cofeprisRegistrationV5.factsFor, SUBMIT_PRORROGA: ['dossierMissing'] },
  recordsFacts: true,
  parameters,
  explainRefusal(context, event) {
    const c = context as CofeprisContextV6;
    const some = (r: RefusalReason[]) => (r.length ? r : undefined);
    switch (event.type) {
      case 'SUBMIT':
        return some(submitProblemsV6(c, event));
      case 'ISSUE_PREVENCION':
        return some(prevencionProblems(c, event, c.prorrogaFiledOn !== null));
      case 'SUBMIT_PRORROGA': {
        if (c.validUntil && event.effectiveDate && event.effectiveDate >= c.validUntil) return [reason('refusal.registration_expired', { date: c.validUntil })];
        const dossier = dossierProblem(event);
        return dossier ? [dossier] : undefined;
      }
      case 'AFIRMATIVA_FICTA':
        return [reason('refusal.ficta_not_class_i', { route: c.route, mxClass: c.mxClass })];
      default:
        return cofeprisRegistrationV5.explainRefusal?.(context, event);
    }
  },
  // `puente workflow migrate` from v1–v5: earlier versions bring their fields (v1 through v2's
  // upgrade), the new ones get their defaults. A registration already in `prevencion` keeps its
  // state without a term set by the authority: its prevencionTermBusinessDays stays null, so its
  // deadline keeps v5's 5 business days from its entry (recounted by the migration), after which
  // COFEPRIS decides whether it lapses; filedOn is unknown (the first third is then not checked).
  // Versions 1–5 did not record a prevención in the context, so one issued before the migration
  // does not count against the one allowed.
  upgradeContext(context, fromVersion) {
    const v2 = (fromVersion === 1 ? cofeprisRegistrationV5.upgradeContext!(context, 1) : context) as CofeprisContextV2 & Partial<CofeprisContextV6>;
    return { ...initialContextV6({ route: v2.route }), ...v2 } satisfies CofeprisContextV6;
  },
};
