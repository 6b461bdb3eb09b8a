/**
 * Shared vocabulary of the workflow catalog. Everything here is pure data and types: workflow
 * files import nothing with I/O (Temporal-style determinism), so a machine can be replayed by
 * an auditor's tool exactly as the server ran it.
 */
import type { AnyStateMachine } from 'xstate';

/** Roles of DESIGN §3, plus the built-in `system` actor that alone sends timer events. */
export type Role = 'manufacturer' | 'fda' | 'cofepris' | 'auditor' | 'admin' | 'system';

export const HUMAN_ROLES = ['manufacturer', 'fda', 'cofepris', 'auditor', 'admin'] as const;
export type HumanRole = (typeof HUMAN_ROLES)[number];

export type Jurisdiction = 'FDA' | 'COFEPRIS';

/** A JSON Schema (draft 2020-12) literal. Kept loose on purpose: ajv is the judge. */
export type JsonSchema = Record<string, unknown>;

/**
 * Where a rule comes from (issue 9 §2): the primary source a deadline, goal or parameter rests on.
 * Every deadline, goal and parameter of a current workflow version names one (a test enforces it);
 * released versions older than the field keep their definitions, and so their hashes.
 */
export interface RuleSource {
  /** The document's title: `21 CFR 814.37`, `Refuse to Accept Policy for 510(k)s`, `Reglamento de Insumos para la Salud`. */
  readonly title: string;
  /** The section, article or paragraph: `§ 814.37(c)(3)`, `§ III.F`, `art. 179`. */
  readonly section?: string;
  /** The formal citation where one exists: `21 CFR 814.37(c)(3)`, `FD&C Act § 523(a)(2)`, `DOF 2024-12-09`. */
  readonly citation?: string;
  /** Date of the text relied on (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`): issue, final guidance or DOF date. */
  readonly date: string;
  /** Where to read it. */
  readonly url?: string;
}

/** How an event may be sent and what its `data` must look like. */
export interface EventSpec {
  /** Who may send it. Timer events are `['system']`. */
  readonly roles: readonly Role[];
  readonly description: string;
  /** JSON Schema of `data`; every schema forbids unknown fields. */
  readonly schema: JsonSchema;
  /**
   * True when the sender must sign the step with a Part 11 electronic signature (21 CFR 11.50,
   * 11.200): the request carries `signature: { meaning, password }`, the server re-authenticates
   * the sender, and the history record holds the manifestation `{ name, meaning, signedAt }`.
   * Regulator decisions and the manufacturer's filings carry it (from the versions that declare
   * it); timer and reliance events of the `system` actor never do. Absent on released versions
   * older than the flag, so their definition hashes are unchanged.
   */
  readonly requiresSignature?: boolean;
}

/**
 * A hard, sponsor-side deadline attached to a state (DESIGN §7). The due date counts from the
 * `effectiveAt` of the transition that entered the state. When it passes, by `consequence`:
 * `automatic` (the default of released versions): the sweeper sends `event` as the `system`
 * actor; `decision` (issue 9 §1, domain.md §7.1: the source does not state both window and
 * consequence): the sweeper writes one `DEADLINE_PASSED` record, which changes no state, and
 * leaves `event` to the regulator's role.
 */
export interface DeadlineSpec {
  readonly kind: string;
  readonly length: number;
  readonly unit: 'calendar' | 'mx-business';
  readonly event: string;
  readonly description: string;
  /** True when reference/domain.md marks the length UNCONFIRMED. */
  readonly unconfirmed?: boolean;
  /**
   * What happens when it passes (see above). A terminal `automatic` deadline needs a confirmed
   * `source` stating both the window and the consequence (domain.md §7.1).
   */
  readonly consequence?: 'automatic' | 'decision';
  /** The primary source of the window and its consequence (required from the versions of issue 9). */
  readonly source?: RuleSource;
  /**
   * Take the length from this context field (a whole number the regulator set, e.g. the business
   * days a prevención gives the applicant), `length` when the field is not a positive integer.
   */
  readonly lengthFrom?: string;
  /**
   * Count from this context field (a `YYYY-MM-DD` date) instead of the state's entry; a negative
   * `length` counts back from it (e.g. the prórroga window opens 150 days before `validUntil`).
   */
  readonly anchor?: string;
}

/** A soft performance goal (MDUFA targets and the like): missing it changes no state. */
export interface GoalSpec {
  readonly kind: string;
  readonly length: number;
  readonly unit: 'fda-days' | 'calendar' | 'mx-business';
  readonly description: string;
  /**
   * Limits the goal to some creation inputs, e.g. `{ variant: 'special' }`; an input field the
   * submission does not have matches the value `ClockSpec.absentInput` names for it.
   */
  readonly when?: Readonly<Record<string, string>>;
  /**
   * Versions that declare a `clock` only. Events that meet the goal (e.g. `SUBSTANTIVE_INTERACTION`
   * or `REQUEST_AI` for a Substantive Interaction goal); the end of the review (`ClockSpec.stop`)
   * always does. Absent: only the end of the review meets it (decision goals).
   */
  readonly metBy?: readonly string[];
  /**
   * Count a `calendar` or `mx-business` goal from the first of these events instead of the
   * receipt (e.g. a HUD designation request). `fda-days` goals always run on the review clock.
   */
  readonly from?: readonly string[];
  /** The goal applies only once one of these events is on record (e.g. `REFER_TO_PANEL`). */
  readonly requires?: readonly string[];
  /** The goal no longer applies once one of these events is on record. */
  readonly excludedBy?: readonly string[];
  /**
   * What a missed goal writes to the history (a row that changes no state): `GOAL_MISSED` by
   * default, `MMD_DUE` for the Missed MDUFA Decision communication.
   */
  readonly missedEvent?: 'GOAL_MISSED' | 'MMD_DUE';
  /**
   * A goal whose miss has a legal consequence a primary source states (RIS art. 179: a class I
   * registro sanitario not resolved in its term is deemed granted, afirmativa ficta): when it is
   * missed while the review is open, the sweeper sends this event as the `system` actor, dated the
   * day after the due date, instead of writing `GOAL_MISSED`. The goal's count is the clock's
   * (holds excluded), so a suspension such as a prevención moves it.
   */
  readonly fires?: string;
  /** The primary source of the goal (required from the versions of issue 9). */
  readonly source?: RuleSource;
  /** True when the length is not settled by a primary source (say what is unknown in `description`). */
  readonly unconfirmed?: boolean;
}

/**
 * How a workflow's regulatory clock runs (DESIGN §7), read off its history: receipt, the end of
 * the review, and what restarts the count. Days on hold (states tagged `hold`) never count.
 */
export interface ClockSpec {
  /** The clock the workflow's goals run on: FDA days, or Mexican business days. */
  readonly kind: 'fda' | 'mx';
  /** Receipt: the first of these events starts every count (e.g. `SUBMIT`). */
  readonly start: readonly string[];
  /**
   * Events that restart the review count from their own date: a replacement after a refusal to
   * accept or a failed eSTAR screening, the user fee paid (FDA counts from the accepted receipt).
   */
  readonly restart?: readonly string[];
  /** Events that end the review (decisions, withdrawals, timeouts): every count stops at the first. */
  readonly stop: readonly string[];
  /** Values a goal's `when` matches for input fields a submission does not have. */
  readonly absentInput?: Readonly<Record<string, string>>;
}

/** Meta carried by state nodes: a human description and an optional hard deadline. */
export interface StateMeta {
  readonly description: string;
  readonly deadline?: DeadlineSpec;
}

/** The clocks a state can run (state tags, DESIGN §7), and the marker for holds. */
export type ClockTag = 'fda-clock' | 'mx-clock' | 'hold';

/** One document the dossier of a route must hold (reference/domain.md §2.3). */
export interface DossierItem {
  readonly kind: string;
  readonly title: string;
}

/**
 * Facts the engine computes from the database before sending an event, and hands to the pure
 * machine inside the event (`event.facts`), so guards stay pure and replayable.
 */
export interface EventFacts {
  /** Dossier kinds still missing for the route (COFEPRIS `SUBMIT`). */
  readonly dossierMissing?: readonly string[];
  /** What the engine found about the reference authorization a registration relies on. */
  readonly reference?: ReferenceFacts;
  /** What the engine found about the submission named in the event's `data.submissionId` (links). */
  readonly linkTarget?: LinkTargetFacts;
  /**
   * Reference authorities the abbreviated route accepts, from configuration (IMDRF Management
   * Committee and full MDSAP members by default), as agency codes like `FDA`, `HealthCanada`.
   */
  readonly referenceAuthorities?: readonly string[];
}

/** A submission another one names (a Breakthrough designation linking its marketing submission). */
export interface LinkTargetFacts {
  /** False when no such submission exists or the caller may not see it. */
  readonly exists: boolean;
  readonly workflowId: string | null;
  /** True when it belongs to the same organization as the submission sending the event. */
  readonly sameOrganization: boolean;
  /** Its state path, e.g. `review.substantive`. */
  readonly state: string | null;
}

/** The reference authorization as found in the database at the moment of the command. */
export interface ReferenceFacts {
  /**
   * What to call the reference, as data (`K261234 (fda-510k 0193...)`, `submission 0193...`,
   * `H-123 (external HealthCanada decision)` in English), or a plain identifier.
   */
  readonly label: ReferenceText | string;
  /** Decision as recorded: `SE`, `granted`, `approved`, `NSE`, ... or null while undecided. */
  readonly decision: string | null;
  /** `YYYY-MM-DD` of the FDA decision, or null. */
  readonly decisionDate: string | null;
  /** True when the decision is favourable and still stands (not rescinded or withdrawn). */
  readonly favourable: boolean;
  /** Its standing, as data (`decision SE of 2025-01-10`, `it is in state review.substantive`, ...). */
  readonly status: ReferenceText | string;
  /** External references must be backed by an uploaded FDA decision letter. */
  readonly external: boolean;
  readonly letterOnFile: boolean;
  /** Issuing authority code: `FDA`, `HealthCanada`, `PMDA`, or another reference authority. */
  readonly agency: string;
  /** The issuing authority's device class (`1`–`3` for FDA, `I`–`IV` for Health Canada / PMDA), or null when unknown. */
  readonly deviceClass: string | null;
  /**
   * How the authorization was obtained: `ordinary`, or an extraordinary kind the abbreviated
   * route refuses (`emergency`, `accelerated`, `conditional`, `reliance`, `judicial`).
   */
  readonly authorizationType: string;
}

/** An FDA decision as a reliance route sees it. */
export interface FdaDecision {
  readonly number: string | null;
  readonly decision: string | null;
  readonly decisionDate: string | null;
  /** Cleared, granted or approved, and still standing. */
  readonly favourable: boolean;
}

/** The event shape every machine accepts. */
export interface WorkflowEvent {
  readonly type: string;
  readonly data?: Record<string, unknown>;
  readonly facts?: EventFacts;
  /** Calendar date (`YYYY-MM-DD`, in the workflow's jurisdiction) the action took effect. */
  readonly effectiveDate?: string;
}

/**
 * Where a migrating submission stands (`upgradeContext`): its state and the date it entered it, in
 * the workflow's time zone, for a field the new version counts from (e.g. the date of an AI request).
 */
export interface UpgradeAt {
  readonly state: string;
  /** `YYYY-MM-DD` the submission entered `state`. */
  readonly stateSinceDate: string;
}

/** A pathway: the machine plus everything the API derives from it. */
export interface WorkflowDefinition {
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly jurisdiction: Jurisdiction;
  /** JSON Schema of the creation `input`. */
  readonly inputSchema: JsonSchema;
  readonly events: Readonly<Record<string, EventSpec>>;
  readonly goals: readonly GoalSpec[];
  /**
   * How the regulatory clock runs (issue 5). Versions without one show no day counts or goal
   * status; `puente workflow migrate` moves their submissions to a version that has one.
   */
  readonly clock?: ClockSpec;
  readonly machine: AnyStateMachine;
  /** Every dossier checklist the pathway can require, by the input value that selects it (catalog view). */
  readonly dossierCatalog?: Readonly<Record<string, readonly DossierItem[]>>;
  /** Facts the engine must compute for an event (see EventFacts). */
  readonly factsFor?: Readonly<Record<string, readonly (keyof EventFacts)[]>>;
  /**
   * True from the versions that record facts (issue 8): the history record of every event in
   * `factsFor` carries, inside its hashed record, the facts its guard decided on (`facts`), so an
   * offline replay (`audit verify-bundle`) re-decides the guard exactly. Absent on released
   * versions older than the flag, so their definition hashes and chains are unchanged.
   */
  readonly recordsFacts?: true;
  /** The dossier checklist for a creation input; empty when the pathway keeps none. */
  dossier(input: Record<string, unknown>): readonly DossierItem[];
  /** For FDA pathways: the decision a COFEPRIS registration could rely on, read from a snapshot. */
  decisionOf?(state: string, context: unknown): FdaDecision;
  /**
   * Workflows a creation `input.linkedSubmissionId` may name (Breakthrough: the marketing
   * submission it prioritizes); the engine checks it exists in the same organization.
   */
  readonly linkableWorkflows?: readonly string[];
  /**
   * For designation pathways (Breakthrough): the submissions a snapshot currently prioritizes;
   * the engine shows `prioritized: true` on them.
   */
  prioritizes?(state: string, context: unknown): readonly string[];
  /**
   * For `puente workflow migrate`: the context a submission carries into this version from an
   * older one (fields added since get their defaults). Absent = the context moves unchanged.
   */
  upgradeContext?(context: unknown, fromVersion: number, at?: UpgradeAt): unknown;
  /** States whose entry invalidates relying registrations (reliance, DESIGN §4). */
  readonly invalidatesReliance?: (state: string) => boolean;
  /** Named parameters, including every UNCONFIRMED value, as shown by the catalog. */
  readonly parameters: Readonly<Record<string, Parameter>>;
  /**
   * Why a guard refused `event` in `snapshot`, as reasons (codes of the message catalog,
   * `src/messages/`, with their parameters) for the `409` detail. Only called when the state
   * handles the event but no transition was taken; empty or undefined = no reason to give.
   */
  explainRefusal?(context: unknown, event: WorkflowEvent): readonly RefusalReason[] | undefined;
  /** IANA time zone of the jurisdiction: dates on its letters are calendar dates there. */
  readonly timeZone: string;
}

/**
 * One reason a guard refused an event, as data: a code of the message catalog (`src/messages/`
 * renders it in English or Spanish) and its parameters (ids, dates, numbers; never sentences).
 */
export interface RefusalReason {
  readonly code: RefusalCode;
  readonly params?: Readonly<Record<string, unknown>>;
}

export type RefusalCode =
  | 'refusal.reference_unchecked'
  | 'refusal.reference_not_favourable'
  | 'refusal.reference_letter_missing'
  | 'refusal.reference_date_unknown'
  | 'refusal.reference_too_old'
  | 'refusal.abbreviated_not_yet'
  | 'refusal.dossier_unchecked'
  | 'refusal.dossier_incomplete'
  | 'refusal.equivalence_agency'
  | 'refusal.equivalence_class'
  | 'refusal.abbreviated_authority'
  | 'refusal.abbreviated_identical'
  | 'refusal.abbreviated_extraordinary'
  | 'refusal.tpr_report_first'
  | 'refusal.tpr_report_missing'
  | 'refusal.tpr_wrong_route'
  | 'refusal.reference_invalidated'
  | 'refusal.fda_reference_invalidated'
  | 'refusal.route_without_reference'
  | 'refusal.registration_expired'
  | 'refusal.registration_valid_until'
  | 'refusal.link_unchecked'
  | 'refusal.link_not_found'
  | 'refusal.link_other_organization'
  | 'refusal.link_workflow'
  | 'refusal.link_already'
  | 'refusal.no_ai_request'
  | 'refusal.hud_population_missing'
  | 'refusal.hud_population_limit'
  | 'refusal.pma_number_missing'
  | 'refusal.pma_original_suffix'
  | 'refusal.pma_resubmitted_number'
  | 'refusal.pma_supplement_number'
  | 'refusal.pma_supplement_of_other'
  | 'refusal.real_time_mdl'
  | 'refusal.no_meeting_requested'
  | 'refusal.deadline_running'
  | 'refusal.already_traditional'
  | 'refusal.ecopy_hold_estar'
  | 'refusal.prevencion_once'
  | 'refusal.prevencion_late'
  | 'refusal.equivalence_ended'
  | 'refusal.ficta_not_class_i';

/**
 * A phrase about a reference authorization (its label or status), as data: a code of the
 * message catalog and its parameters, rendered in the reader's language like a refusal reason.
 */
export interface ReferenceText {
  readonly code: ReferenceTextCode;
  readonly params?: Readonly<Record<string, unknown>>;
}

export type ReferenceTextCode =
  | 'reference.submission'
  | 'reference.tracked'
  | 'reference.external'
  | 'reference.decision_of'
  | 'reference.in_state'
  | 'reference.decision_is'
  | 'reference.does_not_exist';

/** A refusal reason (shorthand for the workflow files). */
export function reason(code: RefusalCode, params?: Readonly<Record<string, unknown>>): RefusalReason {
  return params ? { code, params } : { code };
}

export interface Parameter {
  readonly value: number | boolean | string;
  readonly unit?: string;
  readonly note: string;
  /** True when reference/domain.md marks the value UNCONFIRMED; `note` then says what is unknown. */
  readonly unconfirmed?: boolean;
  /** The primary source of the value (required from the versions of issue 9). */
  readonly source?: RuleSource;
}

/** Helper for the shared event payload shape: an object that forbids unknown fields. */
export function payload(properties: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema {
  return { type: 'object', additionalProperties: false, properties, required };
}
