/**
 * What every engine module is given: the engine's dependencies, resolved once by
 * {@link engineContext} (defaults filled in), and the few helpers all of them share (the
 * built-in system actor, the workflow version of a submission, its restored machine snapshot).
 */
import { type AnyMachineSnapshot } from 'xstate';
import { workflowVersion, type WorkflowDefinition } from '../../workflows/index.js';
import type { CreateSubmission, Device, ListSubmissionsQuery, SendEvent } from '../generated/schema-types.js';
import type { ProductClassification } from '../reference/product-classification.js';
import type { Stores } from '../store/stores.js';
import type { Actor, Submission } from '../store/types.js';
import type { Validator } from '../validation.js';
import { DEFAULT_GOAL_DUE_SOON_DAYS } from './clocks.js';
import { createSignatures, type Signatures } from './signatures.js';
import { MexicanCalendar } from './time.js';

export interface EngineDeps {
  /** The stores (src/store/stores.ts): the engine's only way to the database. */
  readonly stores: Stores;
  readonly validator: Validator;
  /** Server time; injectable so tests can pin it. */
  readonly now?: () => Date;
  readonly calendar?: MexicanCalendar;
  /** Agencies the abbreviated route accepts (configuration); the machine's default when absent. */
  readonly referenceAuthorities?: readonly string[];
  /** FDA product classification (reference-data/foiclass.txt or FDA_PRODUCT_CLASSIFICATION_FILE). */
  readonly productClassification?: ProductClassification;
  /** An open goal with at most this many days left is `due_soon` (GOAL_DUE_SOON_DAYS). */
  readonly goalDueSoonDays?: number;
  /** Passwords and re-authentication for electronic signatures; built on `stores` when absent. */
  readonly signatures?: Signatures;
}

/** {@link EngineDeps} with every default filled in: the first argument of every engine function. */
export interface EngineContext {
  readonly stores: Stores;
  readonly validator: Validator;
  readonly now: () => Date;
  readonly calendar: MexicanCalendar;
  readonly referenceAuthorities?: readonly string[];
  readonly productClassification?: ProductClassification;
  readonly dueSoonDays: number;
  readonly signatures: Signatures;
}

/** Resolves the engine's dependencies once (at start-up, never per command). */
export function engineContext(deps: EngineDeps): EngineContext {
  const now = deps.now ?? (() => new Date());
  return {
    stores: deps.stores,
    validator: deps.validator,
    now,
    calendar: deps.calendar ?? new MexicanCalendar(),
    referenceAuthorities: deps.referenceAuthorities,
    productClassification: deps.productClassification,
    dueSoonDays: deps.goalDueSoonDays ?? DEFAULT_GOAL_DUE_SOON_DAYS,
    signatures: deps.signatures ?? createSignatures({ stores: deps.stores, validator: deps.validator, now }),
  };
}

/** The built-in actor of timers, the sweeper, reliance and migrations; no token can hold it. */
export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'puente', role: 'system', organization: null };

/** Request shapes, generated from `schemas/` (see src/generated/schema-types.ts). */
export type CreateSubmissionBody = Omit<CreateSubmission, 'input' | 'device'> & { device: Record<string, unknown> & Device; input: Record<string, unknown> };
export type SendEventBody = Omit<SendEvent, 'data' | 'signature'> & {
  data?: Record<string, unknown>;
  signature?: Record<string, unknown> & SendEvent['signature'];
};
export type ListQuery = ListSubmissionsQuery;

/** The catalog's definition of the workflow version `s` runs on. */
export function requireWorkflow(s: Submission): WorkflowDefinition {
  const w = workflowVersion(s.workflowId, s.workflowVersion);
  if (!w) throw new Error(`workflow ${s.workflowId}@${s.workflowVersion} is not in the catalog`);
  return w;
}

/** The machine snapshot of `s`, restored under `w`. */
export function restore(w: WorkflowDefinition, s: Submission): AnyMachineSnapshot {
  return w.machine.resolveState(s.snapshot as { value: never; context: never });
}

/** What is persisted of a snapshot: its value and context. */
export function persisted(snapshot: AnyMachineSnapshot): Submission['snapshot'] {
  return { value: snapshot.value, context: snapshot.context };
}

/** A submission's status from its state: `closed` (or any `closed.*`) is closed, anything else active. */
export function statusOf(state: string): Submission['status'] {
  return state === 'closed' || state.startsWith('closed.') ? 'closed' : 'active';
}

/** The xstate version persisted snapshots were made with (anchors.md: pin and record it). */
export const XSTATE_VERSION: string = (await import('xstate/package.json', { with: { type: 'json' } })).default.version;
