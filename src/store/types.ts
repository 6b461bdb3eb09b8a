/**
 * The domain shapes the stores hand out and take in: submissions, their history records,
 * documents and designations. Raw rows become these in the Knex stores and nowhere else; every
 * layer above the store speaks only these types.
 */
import type { Role } from '../../workflows/types.js';

export interface Organization {
  readonly id: string;
  readonly name: string;
}

export interface Actor {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly organization: Organization | null;
}

export interface Deadline {
  readonly kind: string;
  readonly dueDate: string;
  readonly event: string;
  /**
   * For a due date counted in Mexican business days: the calendar it was counted under (its
   * version and SHA-256, issue 9 §5, migration 014). Absent on other deadlines; null on one
   * stored before calendars were versioned.
   */
  readonly calendar?: CalendarStamp | null;
  /**
   * For a deadline left to a regulator's decision (`consequence: 'decision'`, issue 9 §1): the
   * `seq` of the `DEADLINE_PASSED` record the sweeper wrote when it passed (migration 016).
   */
  readonly passedSeq?: number;
}

/** A Mexican calendar's name: its file's version and a SHA-256 of what it counted (src/engine/time.ts). */
export interface CalendarStamp {
  readonly version: string;
  readonly sha256: string;
}

/**
 * Due dates derived from the history at each write (migration 003), for portfolio queries and
 * the sweeper; what the API shows is recomputed from the history on every read.
 */
export interface DueDates {
  /** The next date the submission faces (deadline or running goal), `9999-12-31` for none. */
  readonly nextKey: string;
  readonly nextKind: string | null;
  /** The earliest due date of a running, open goal. */
  readonly goalDate: string | null;
  /** Some goal was missed. */
  readonly goalMissed: boolean;
}

export const NO_DUE_DATES: DueDates = { nextKey: '9999-12-31', nextKind: null, goalDate: null, goalMissed: false };

export interface Submission {
  readonly id: string;
  readonly organization: Organization;
  readonly workflowId: string;
  readonly workflowVersion: number;
  readonly jurisdiction: string;
  readonly title: string;
  readonly device: Record<string, unknown>;
  readonly input: Record<string, unknown>;
  readonly state: string;
  readonly status: 'active' | 'closed';
  readonly snapshot: { value: unknown; context: unknown };
  readonly xstateVersion: string;
  readonly version: number;
  readonly referenceSubmissionId: string | null;
  readonly dossierPresent: readonly string[];
  /**
   * When it was filed: the `recordedAt` of its first filing record (`SUBMIT`, or a designation
   * request), null while a draft (migration 012, set by the history trigger). Regulators see a
   * submission from then on (DESIGN §3).
   */
  readonly filedAt?: string | null;
  readonly headSeq: number;
  readonly headHash: string;
  readonly lastEffectiveAt: string | null;
  readonly stateSince: string;
  readonly deadline: Deadline | null;
  readonly due: DueDates;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * The chain's own word on the row, read with it in one statement (a command's read only): the
   * record at `headSeq`, and whether a later record exists. The engine refuses to plan on a row
   * that disagrees with it (issue 8 §1).
   */
  readonly chainHead?: ChainHead;
}

/** What the history table says about a submission row's head (see {@link Submission.chainHead}). */
export interface ChainHead {
  /** The hash of the record at the row's `headSeq`, or null when there is none. */
  readonly hash: string | null;
  /** That record's `to` state. */
  readonly to: string | null;
  /** True when a record after `headSeq` exists (the row is behind its chain). */
  readonly behind: boolean;
}

/** A history record exactly as hashed and served (DESIGN §5). */
export interface Transition {
  readonly id: string;
  readonly submissionId: string;
  readonly seq: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly from: string | null;
  readonly to: string;
  readonly actor: Actor;
  readonly comment: string | null;
  readonly effectiveAt: string;
  readonly recordedAt: string;
  readonly signature: Record<string, unknown> | null;
  /**
   * The facts the step's guard decided on (dossier, reference decision, linked submission), on
   * records of workflow versions that record them (issue 8, migration 013); absent otherwise, so
   * older records hash as before.
   */
  readonly facts?: Record<string, unknown>;
  readonly workflow: { readonly id: string; readonly version: number; readonly definitionHash: string };
  readonly prevHash: string;
  readonly hash: string;
}

export interface Document {
  readonly id: string;
  readonly submissionId: string;
  readonly kind: string;
  readonly filename: string;
  readonly contentType: string;
  readonly sha256: string;
  readonly size: number;
  readonly uploadedBy: string;
  readonly createdAt: string;
}

/** Columns a submission write may change; identity columns never change. */
export type SubmissionChange = Pick<
  Submission,
  'state' | 'status' | 'snapshot' | 'version' | 'dossierPresent' | 'headSeq' | 'headHash' | 'lastEffectiveAt' | 'stateSince' | 'deadline' | 'due' | 'updatedAt'
>;

/** What the clocks read of a history row (src/engine/clocks.ts). */
export interface ClockEventRow {
  readonly type: string;
  readonly to: string;
  readonly effectiveAt: string;
  /** For a goal note (`GOAL_MISSED`, `MMD_DUE`): the goal it records. */
  readonly goal?: string;
}

/** An active submission that may prioritize others (a Breakthrough designation), as read for views. */
export interface Designation {
  readonly organizationId: string;
  readonly workflowId: string;
  readonly workflowVersion: number;
  readonly state: string;
  readonly context: unknown;
}
