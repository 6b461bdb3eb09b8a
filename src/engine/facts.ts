/**
 * Facts the workflows' guards and the views read about a submission beyond its own snapshot: its
 * dossier, its FDA product classification, the reference decision a registration relies on
 * (DESIGN §4, reliance) and the submission a link event names.
 */
import { isFavourableDecision, type ReferenceInput } from '../../workflows/cofepris-registration.js';
import type { WorkflowDefinition } from '../../workflows/index.js';
import type { EventFacts, LinkTargetFacts, ReferenceFacts } from '../../workflows/types.js';
import type { ProductClassificationEntry } from '../reference/product-classification.js';
import type { StoreSet } from '../store/stores.js';
import type { Actor, Submission } from '../store/types.js';
import { requireWorkflow, type EngineContext, type SendEventBody } from './context.js';
import { canSee } from './visibility.js';

/**
 * Dossier kinds that back an external reference authorization: FDA's decision letter, or the
 * authorization document of another reference authority.
 */
export const LETTER_KIND = { FDA: 'fda-decision-letter', other: 'reference-authorization' } as const;

/** The dossier kinds `w` requires of `s`, those on file, and those missing. */
export function dossierOf(w: WorkflowDefinition, s: Pick<Submission, 'input' | 'dossierPresent'>) {
  const required = w.dossier(s.input).map((d) => d.kind);
  const present = [...s.dossierPresent];
  return { required, present, missing: required.filter((k) => !present.includes(k)) };
}

/** The FDA product classification entry of a submission's device, when the table knows its code. */
export function classificationOf(ctx: EngineContext, s: Pick<Submission, 'device'>): ProductClassificationEntry | undefined {
  const code = s.device.productCode;
  return typeof code === 'string' ? ctx.productClassification?.lookup(code) : undefined;
}

/** Loads the FDA submissions a registration may rely on; listings pass a preloaded page. */
export type ReferenceLoader = (id: string) => Promise<Submission | undefined>;

/** What the reference of registration `s` says: the tracked FDA submission's decision, or the external one. */
export async function referenceFacts(
  ctx: EngineContext,
  conn: StoreSet,
  s: Submission,
  load: ReferenceLoader = (id) => conn.submissions.find(id),
): Promise<ReferenceFacts> {
  const ref = s.input.reference as ReferenceInput & { agency?: string; deviceClass?: string; authorizationType?: string };
  if ('submissionId' in ref) {
    const letterOnFile = s.dossierPresent.includes(LETTER_KIND.FDA);
    const tracked = { external: false, letterOnFile, agency: 'FDA', authorizationType: 'ordinary' } as const;
    const target = await load(ref.submissionId);
    if (!target) {
      return {
        ...tracked,
        label: { code: 'reference.submission', params: { id: ref.submissionId } },
        decision: null,
        decisionDate: null,
        favourable: false,
        status: { code: 'reference.does_not_exist' },
        deviceClass: null,
      };
    }
    const tw = requireWorkflow(target);
    const d = tw.decisionOf?.(target.state, target.snapshot.context) ?? { number: null, decision: null, decisionDate: null, favourable: false };
    return {
      ...tracked,
      label: { code: 'reference.tracked', params: { number: d.number ?? target.title, workflowId: target.workflowId, id: target.id } },
      decision: d.decision,
      decisionDate: d.decisionDate,
      favourable: d.favourable,
      status: d.favourable
        ? { code: 'reference.decision_of', params: { decision: d.decision, decisionDate: d.decisionDate } }
        : { code: 'reference.in_state', params: { state: target.state } },
      // The US device class of the tracked FDA submission's product code, when the classification knows it.
      deviceClass: classificationOf(ctx, target)?.deviceClass ?? null,
    };
  }
  const favourable = isFavourableDecision(ref.decision);
  const agency = ref.agency ?? 'FDA';
  return {
    label: { code: 'reference.external', params: { number: ref.number, agency } },
    decision: ref.decision,
    decisionDate: ref.decisionDate,
    favourable,
    status: favourable
      ? { code: 'reference.decision_of', params: { decision: ref.decision, decisionDate: ref.decisionDate } }
      : { code: 'reference.decision_is', params: { decision: ref.decision } },
    external: true,
    letterOnFile: s.dossierPresent.includes(agency === 'FDA' ? LETTER_KIND.FDA : LETTER_KIND.other),
    agency,
    deviceClass: ref.deviceClass ?? null,
    authorizationType: ref.authorizationType ?? 'ordinary',
  };
}

/** What a link event's `data.submissionId` names, as the sender may see it. */
async function linkTargetFacts(conn: StoreSet, s: Submission, actor: Actor, id: unknown): Promise<LinkTargetFacts> {
  const target = typeof id === 'string' ? await conn.submissions.find(id) : undefined;
  if (!target || !(await canSee(conn, actor, target))) return { exists: false, workflowId: null, sameOrganization: false, state: null };
  return { exists: true, workflowId: target.workflowId, sameOrganization: target.organization.id === s.organization.id, state: target.state };
}

/**
 * The facts `w` asks for before deciding `body.type` on `s` (`w.factsFor`), read from the
 * database; undefined when the event needs none.
 */
export async function loadEventFacts(
  ctx: EngineContext,
  conn: StoreSet,
  w: WorkflowDefinition,
  s: Submission,
  actor: Actor,
  body: SendEventBody,
): Promise<EventFacts | undefined> {
  const wanted = w.factsFor?.[body.type];
  if (!wanted) return undefined;
  const facts: { -readonly [K in keyof EventFacts]: EventFacts[K] } = {};
  if (wanted.includes('dossierMissing')) facts.dossierMissing = dossierOf(w, s).missing;
  if (wanted.includes('reference') && s.input.reference) facts.reference = await referenceFacts(ctx, conn, s);
  if ((wanted.includes('reference') || wanted.includes('referenceAuthorities')) && ctx.referenceAuthorities) {
    facts.referenceAuthorities = ctx.referenceAuthorities;
  }
  if (wanted.includes('linkTarget')) facts.linkTarget = await linkTargetFacts(conn, s, actor, body.data?.submissionId);
  return facts;
}
