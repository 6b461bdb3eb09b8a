/**
 * Pieces every pathway shares: payload schema fragments, decision-number patterns and the
 * state-meta helper. Pure data, like every workflow file.
 */
import type { GoalSpec, JsonSchema, StateMeta } from './types.js';

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

/** Typed state meta (description and optional hard deadline). */
export const meta = (m: StateMeta): StateMeta => m;

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
