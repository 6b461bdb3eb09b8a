/**
 * What a submission's reader needs to act (issue 13 §3–§4 of the guide, tracker issue 18): every
 * step the current state takes with who may take it and whether it would pass now (guards that
 * read the database decided on the facts as they are), the requests the regulator left open, and
 * the registrations that already rely on an FDA decision. Read on `GET /v1/submissions/:id` only:
 * never on the event path.
 */
import { HUMAN_ROLES, type HumanRole, type RefusalReason, type WorkflowDefinition } from '../../workflows/types.js';
import type { StoreSet } from '../store/stores.js';
import type { Actor, Submission, Transition } from '../store/types.js';
import { describeWorkflow } from './catalog.js';
import { restore, type EngineContext } from './context.js';
import { handledEvents } from './definitions.js';
import { loadEventFacts } from './facts.js';
import { dateIn } from './time.js';
import { canSee } from './visibility.js';

/** One step the current state takes. */
export interface StepView {
  readonly event: string;
  /** The people who may take it (the `system` actor's timer events are not listed). */
  readonly roles: readonly HumanRole[];
  /** True when the caller's role may take it. */
  readonly mine: boolean;
  /** True when a guard would refuse it now whatever is entered: `reasons` say why. */
  readonly blocked: boolean;
  readonly reasons: readonly RefusalReason[];
  /** True when it ends the submission (withdrawn, denied, desisted...): the web asks for confirmation. */
  readonly ends: boolean;
  readonly requiresSignature: boolean;
}

/** A request of the regulator the applicant must answer, from the record that opened it. */
export interface OpenRequest {
  readonly event: string;
  readonly seq: number;
  readonly effectiveAt: string;
  /** The request's items by field (`deficiencies`, `reasons`, `items`...). */
  readonly items: Readonly<Record<string, readonly string[]>>;
}

export interface RelyingView {
  readonly id: string;
  readonly title: string;
  readonly state: string;
  readonly workflow: { id: string; version: number };
}

/**
 * Refusal codes that depend on what the sender enters (a number, a population, a linked id): a
 * step refused with only these with no data is not blocked, it waits for the data.
 */
const DATA_REASONS: ReadonlySet<string> = new Set([
  'refusal.pma_number_missing',
  'refusal.pma_original_suffix',
  'refusal.pma_resubmitted_number',
  'refusal.pma_supplement_number',
  'refusal.pma_supplement_of_other',
  'refusal.hud_population_missing',
  'refusal.hud_population_limit',
  'refusal.link_unchecked',
  'refusal.link_not_found',
  'refusal.link_other_organization',
  'refusal.link_workflow',
  'refusal.registration_valid_until',
]);

const isHuman = (r: string): r is HumanRole => (HUMAN_ROLES as readonly string[]).includes(r);

const ending = new WeakMap<WorkflowDefinition, ReadonlySet<string>>();

/**
 * Events that can end a submission of `w` (a transition into a final or `closed.*` state):
 * withdrawals, desistance, denials. The web asks for a confirmation before sending one.
 */
export function endingEvents(w: WorkflowDefinition): ReadonlySet<string> {
  let set = ending.get(w);
  if (!set) {
    const states = describeWorkflow(w).states;
    const final = new Set(states.filter((st) => st.type === 'final' || st.path.startsWith('closed')).map((st) => st.path));
    set = new Set(states.flatMap((st) => st.transitions.filter((t) => t.targets.some((x) => final.has(x))).map((t) => t.event)));
    ending.set(w, set);
  }
  return set;
}

/** Every human step of the state `s` is in, checked against the facts as they are now. */
export async function stepsOf(ctx: EngineContext, conn: StoreSet, actor: Actor, w: WorkflowDefinition, s: Submission): Promise<StepView[]> {
  if (s.status !== 'active') return [];
  const snap = restore(w, s);
  const today = dateIn(ctx.now(), w.timeZone);
  const out: StepView[] = [];
  for (const type of handledEvents(snap)) {
    const spec = w.events[type];
    const roles = (spec?.roles ?? []).filter(isHuman);
    if (!spec || roles.length === 0) continue;
    let reasons: readonly RefusalReason[] = [];
    try {
      const body = { type, data: {} };
      const facts = await loadEventFacts(ctx, conn, w, s, actor, body);
      const event = { type, data: {}, effectiveDate: today, ...(facts ? { facts } : {}) };
      if (!snap.can(event)) reasons = (w.explainRefusal?.(snap.context, event) ?? []).filter((r) => !DATA_REASONS.has(r.code));
    } catch {
      reasons = []; // a guard that needs the data to decide: not blocked, it waits for the data
    }
    out.push({
      event: type,
      roles,
      mine: (roles as readonly string[]).includes(actor.role),
      blocked: reasons.length > 0,
      reasons,
      ends: endingEvents(w).has(type),
      requiresSignature: spec.requiresSignature === true,
    });
  }
  return out;
}

/**
 * The regulator's requests still open: the record that put the submission in its current hold
 * (an AI request, a refusal to accept, a failed screening, a prevención, a deficiency letter), with
 * its lists of items. Empty when the state is not a hold or its record carries no list.
 */
export function openRequestsOf(w: WorkflowDefinition, s: Submission, history: readonly Transition[]): OpenRequest[] {
  if (s.status !== 'active' || !restore(w, s).hasTag('hold')) return [];
  // The newest entry into this state that says what is asked (an entry that only sends the
  // submission back to the same hold, e.g. an incomplete response, keeps the earlier request).
  for (let i = history.length - 1; i >= 0; i--) {
    const r = history[i]!;
    if (r.to !== s.state || r.from === s.state) continue;
    const items: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(r.data ?? {})) if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'string')) items[k] = v;
    if (Object.keys(items).length) return [{ event: r.type, seq: r.seq, effectiveAt: r.effectiveAt, items }];
  }
  return [];
}

/** The active registrations relying on `s` that `actor` may see. */
export async function relyingOn(conn: StoreSet, actor: Actor, s: Submission): Promise<RelyingView[]> {
  if (s.jurisdiction !== 'FDA') return [];
  const out: RelyingView[] = [];
  for (const id of await conn.submissions.relyingIds(s.id)) {
    const r = await conn.submissions.find(id);
    if (r && (await canSee(conn, actor, r))) out.push({ id: r.id, title: r.title, state: r.state, workflow: { id: r.workflowId, version: r.workflowVersion } });
  }
  return out;
}
