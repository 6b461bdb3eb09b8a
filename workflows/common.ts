/**
 * Pieces every pathway shares: payload schema fragments, decision-number patterns and the
 * state-meta helper. Pure data, like every workflow file.
 */
import { assertEvent } from 'xstate';
import type { EventSpec, GoalSpec, JsonSchema, Jurisdiction, StateMeta, WorkflowDefinition, WorkflowEvent } from './types.js';

/** A free-text field of a payload. */
export const text: JsonSchema = { type: 'string', minLength: 1, maxLength: 4000 };
/** A non-empty list of free-text items (deficiencies, reasons, prevención items). */
export const textList: JsonSchema = { type: 'array', minItems: 1, maxItems: 200, items: text };
/** A calendar date `YYYY-MM-DD`. */
export const isoDate: JsonSchema = { type: 'string', format: 'date' };

/**
 * Decision and submission numbers, by pattern (FDA numbering: K = 510(k), DEN = De Novo,
 * P = PMA with `/S###` for supplements, H = HDE, Q = Q-Submission / Breakthrough request).
 */
export const NUMBER_PATTERNS = {
  kNumber: '^K[0-9]{6}$',
  denNumber: '^DEN[0-9]{6}$',
  pNumber: '^P[0-9]{6}(/S[0-9]{3})?$',
  hNumber: '^H[0-9]{6}$',
  qNumber: '^Q[0-9]{6}$',
} as const;

export const numberOf = (kind: keyof typeof NUMBER_PATTERNS): JsonSchema => ({ type: 'string', pattern: NUMBER_PATTERNS[kind] });

/**
 * A machine's events as a union discriminated by `type`, each with `data` typed by its schema
 * (the maps `npm run generate` writes to event-data.ts). The engine checks `data` against that
 * schema before the machine sees it and always sends it (`{}` when a request has none); an
 * action or guard reads it with `dataOf(event, 'TYPE')`.
 */
export type EventOf<M> = {
  [T in keyof M & string]: Omit<WorkflowEvent, 'type' | 'data'> & { readonly type: T; readonly data: M[T] };
}[keyof M & string];

/**
 * The data of `event`, typed by the schema of event `type`: what an action or guard wired to
 * that event reads instead of casting. Throws (xstate's `assertEvent`) when the machine wires it
 * to another event, a programming error.
 */
export function dataOf<E extends { readonly type: string; readonly data: unknown }, T extends E['type']>(
  event: E,
  type: T,
): (E & { readonly type: T })['data'] {
  assertEvent(event, type);
  return event.data;
}

/** The regulator of a pathway and the time zone its letters are dated in. */
export const FDA = { jurisdiction: 'FDA', timeZone: 'America/New_York' } as const satisfies { jurisdiction: Jurisdiction; timeZone: string };
export const COFEPRIS = { jurisdiction: 'COFEPRIS', timeZone: 'America/Mexico_City' } as const satisfies { jurisdiction: Jurisdiction; timeZone: string };

/**
 * FDA intake of a pathway filed as eSTAR or eCopy (guards `isEstar` / `isEcopy`): once the fee is
 * verified, eSTAR goes to technical screening and eCopy to acceptance review.
 */
export const feeVerifiedByFormat = () => [
  { guard: 'isEstar' as const, target: 'technicalScreening' },
  { guard: 'isEcopy' as const, target: 'acceptanceReview' },
];

/** Typed state meta (description and optional hard deadline). */
export const meta = (m: StateMeta): StateMeta => m;

/**
 * The `closed` state every pathway ends in: one final state per outcome, by name with its
 * description (in this order); a transition to `closed` itself enters `withdrawn`.
 */
export function closedState<K extends string>(outcomes: Readonly<Record<K | 'withdrawn', string>>) {
  const states = Object.fromEntries(
    Object.entries<string>(outcomes).map(([name, description]) => [name, { type: 'final' as const, meta: meta({ description }) }]),
  ) as Record<K | 'withdrawn', { type: 'final'; meta: StateMeta }>;
  return { initial: 'withdrawn', meta: meta({ description: 'Closed.' }), states };
}

/** The decision an approval pathway's state shows (PMA and HDE share the vocabulary); only `approved` is favourable. */
export const APPROVAL_DECISIONS: Readonly<Record<string, string>> = {
  approved: 'approved',
  approvable: 'approvable',
  notApprovable: 'notApprovable',
  'closed.denied': 'denied',
  'closed.approvalWithdrawn': 'approvalWithdrawn',
};

/**
 * A released version's goals with the rules its clocked successor adds (issue 5): which events
 * meet a goal, where it starts, when it applies. Goals not named keep their declaration.
 */
export function clockedGoals(
  goals: readonly GoalSpec[],
  rules: Readonly<Record<string, Pick<GoalSpec, 'metBy' | 'from' | 'requires' | 'excludedBy' | 'missedEvent'>>>,
): GoalSpec[] {
  return goals.map((g) => ({ ...g, ...(rules[g.kind] ?? {}) }));
}

/**
 * A released version's events with `requiresSignature: true` on the named ones (issue 6, 21 CFR
 * 11.50 / 11.200): regulator decisions and the manufacturer's filings. A name the workflow does
 * not have, or one only the `system` actor sends, is a programming error and throws at load.
 */
export function signedEvents(events: Readonly<Record<string, EventSpec>>, signed: readonly string[]): Record<string, EventSpec> {
  for (const type of signed) {
    const spec = events[type];
    if (!spec) throw new Error(`signedEvents: no event ${type}`);
    if (spec.roles.includes('system')) throw new Error(`signedEvents: ${type} is sent by the system actor, which never signs`);
  }
  return Object.fromEntries(Object.entries(events).map(([type, spec]) => [type, signed.includes(type) ? { ...spec, requiresSignature: true } : spec]));
}

/**
 * A released version whose successor records its guards' facts (issue 8): the same machine and
 * rules with `recordsFacts`, so the history record of every event in `factsFor` carries the facts
 * its guard decided on. A workflow without `factsFor` has nothing to record: a programming error.
 */
export function recordingFacts(w: WorkflowDefinition, version: number): WorkflowDefinition {
  if (!w.factsFor || Object.keys(w.factsFor).length === 0) throw new Error(`recordingFacts: ${w.id} reads no facts`);
  if (version <= w.version) throw new Error(`recordingFacts: ${w.id}@${version} does not follow @${w.version}`);
  return { ...w, version, recordsFacts: true };
}
