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
 * database; undefined when the event needs none. On versions that record facts they go into the
 * step's hashed record as they are (plain JSON: codes, ids, dates, booleans).
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
  if (wanted.includes('linkTarget')) {
    const target = await linkTargetFacts(conn, s, actor, body.data?.submissionId);
    // Versions that record their facts (issue 8) keep what the guard reads: no guard reads the
    // linked submission's state, and in the record it would show a regulator the state of a
    // submission not yet filed (DESIGN §9).
    facts.linkTarget = w.recordsFacts ? { ...target, state: null } : target;
  }
  return facts;
}

/**
 * What the history itself says against facts a record claims its guard read (issue 8): an
 * auditor's replay (`audit verify-bundle`) checks these before re-deciding the guard on them.
 * `input` is the creation input (the `CREATED` record's), `added` the dossier kinds of the
 * `DOCUMENT_ADDED` records before the step. A dossier kind the facts count as on file (required
 * and not missing, or the reference letter) must have been added; an external reference must be
 * the one the submission was created with. A tracked reference's decision lives in another
 * submission's chain and cannot be checked here. Returns one sentence per contradiction.
 */
export function factsContradictions(
  w: WorkflowDefinition,
  input: Record<string, unknown>,
  added: ReadonlySet<string>,
  facts: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  const claimed = new Set<string>();
  const missing = facts.dossierMissing;
  if (Array.isArray(missing)) for (const d of w.dossier(input)) if (!missing.includes(d.kind)) claimed.add(d.kind);
  const ref = facts.reference as Partial<ReferenceFacts> | undefined;
  if (ref && typeof ref === 'object') {
    if (ref.letterOnFile === true) claimed.add(ref.agency === 'FDA' ? LETTER_KIND.FDA : LETTER_KIND.other);
    const named = input.reference as Record<string, unknown> | undefined;
    if (named && typeof named === 'object') {
      if ('submissionId' in named) {
        if (ref.external !== false) out.push('the recorded reference is external, but the submission names a tracked FDA submission');
      } else {
        const decision = String(named.decision);
        if (ref.external !== true) out.push('the recorded reference is a tracked submission, but the submission names an external decision');
        if (ref.decision !== decision)
          out.push(`the recorded reference decision ${String(ref.decision)} is not the ${decision} of the reference the submission names`);
        if (ref.decisionDate !== named.decisionDate)
          out.push(
            `the recorded reference decision date ${String(ref.decisionDate)} is not the ${String(named.decisionDate)} of the reference the submission names`,
          );
        if (ref.agency !== ((named.agency as string | undefined) ?? 'FDA'))
          out.push(`the recorded reference agency ${String(ref.agency)} is not the one the submission names`);
        if (ref.favourable !== isFavourableDecision(decision)) out.push(`the recorded reference favourability does not follow from its decision ${decision}`);
      }
    }
  }
  for (const kind of claimed) if (!added.has(kind)) out.push(`the recorded facts count ${kind} as on file, but no DOCUMENT_ADDED before the step adds it`);
  return out;
}
