/**
 * The submission and its documents as the API and the web show them to one caller: state,
 * allowed events, clocks and deadlines, reference and decision, prioritization, classification
 * and dossier.
 */
import type { CofeprisContext } from '../../workflows/cofepris-registration.js';
import type { DeadlineSpec, RuleSource } from '../../workflows/types.js';
import { WORKFLOWS, workflowVersion } from '../../workflows/index.js';
import { textOf } from '../messages/format.js';
import type { StoreSet } from '../store/stores.js';
import type { Actor, ClockEventRow, Deadline, Designation, Document, Submission } from '../store/types.js';
import type { ClockFigures } from './clocks.js';
import { requireWorkflow, restore, type EngineContext } from './context.js';
import { activeDeadline, allowedEventsFor, stateDescription } from './definitions.js';
import { figuresFrom, figuresOf } from './due-dates.js';
import { classificationOf, dossierOf, referenceFacts, type ReferenceLoader } from './facts.js';

/** The submission as the API shows it to one caller. */
export interface SubmissionView {
  id: string;
  workflow: { id: string; version: number };
  organization: { id: string; name: string };
  title: string;
  device: Record<string, unknown>;
  input: Record<string, unknown>;
  state: string;
  stateDescription: string | null;
  status: 'active' | 'closed';
  version: number;
  allowedEvents: string[];
  /** The running clocks of the state, and the day counts and goals derived from the history (issue 5). */
  clocks: { running: string[]; onHold: boolean; since: string } & ClockFigures;
  deadlines: DeadlineView[];
  reference: Record<string, unknown> | null;
  decision: Record<string, unknown> | null;
  /** True while an active Breakthrough designation of the same organization names this submission. */
  prioritized: boolean;
  /** FDA's classification of `device.productCode` (US class, regulation, expected pathway), or null. */
  classification: {
    productCode: string;
    deviceName: string;
    usClass: string;
    regulationNumber: string | null;
    expectedPathway: string;
    exempt: boolean;
  } | null;
  /** Only in the response that creates a submission: what the product classification found unusual. */
  warnings?: string[];
  dossier: { required: string[]; present: string[]; missing: string[] };
  createdAt: string;
  updatedAt: string;
}

/** A stored deadline as shown: what it is, what happens when it passes, and on what authority. */
export interface DeadlineView extends Omit<Deadline, 'passedSeq'> {
  description: string;
  /** `automatic`: the system sends `event` when it passes; `decision`: its passing is recorded and the regulator decides. */
  consequence: 'automatic' | 'decision';
  /** True once a `decision` deadline passed (its `DEADLINE_PASSED` record is in the history). */
  passed: boolean;
  unconfirmed?: boolean;
  source: RuleSource | null;
}

/** The view of a stored deadline under its spec (issue 9 §1–§2). */
export function deadlineView(d: Deadline, spec: DeadlineSpec): DeadlineView {
  const { passedSeq, ...stored } = d;
  return {
    ...stored,
    description: spec.description,
    consequence: spec.consequence ?? 'automatic',
    passed: passedSeq !== undefined,
    ...(spec.unconfirmed ? { unconfirmed: true } : {}),
    source: spec.source ?? null,
  };
}

export interface DocumentView {
  id: string;
  kind: string;
  filename: string;
  contentType: string;
  sha256: string;
  size: number;
  createdAt: string;
}

export function toDocumentView(d: Document): DocumentView {
  return { id: d.id, kind: d.kind, filename: d.filename, contentType: d.contentType, sha256: d.sha256, size: d.size, createdAt: d.createdAt };
}

/** Workflows whose submissions can prioritize others (Breakthrough designations). */
const DESIGNATING = WORKFLOWS.filter((w) => w.prioritizes !== undefined).map((w) => w.id);

/** Active designations of organizations; one query for many (fixed SQL: this runs on every read of an FDA submission). */
export async function designationsOf(conn: StoreSet, organizationIds: readonly string[]): Promise<Map<string, Designation[]>> {
  const out = new Map<string, Designation[]>();
  if (!DESIGNATING.length || !organizationIds.length) return out;
  for (const d of await conn.designations.active(DESIGNATING, [...new Set(organizationIds)])) {
    out.set(d.organizationId, [...(out.get(d.organizationId) ?? []), d]);
  }
  return out;
}

/** True when an active designation of the same organization prioritizes `s` (Breakthrough). */
function isPrioritized(s: Submission, designations: readonly Designation[]): boolean {
  return designations.some((d) => workflowVersion(d.workflowId, d.workflowVersion)?.prioritizes?.(d.state, d.context).includes(s.id) ?? false);
}

function classificationView(ctx: EngineContext, s: Submission): SubmissionView['classification'] {
  const e = classificationOf(ctx, s);
  return e
    ? {
        productCode: e.productCode,
        deviceName: e.deviceName,
        usClass: e.deviceClass,
        regulationNumber: e.regulationNumber,
        expectedPathway: e.expectedPathway,
        exempt: e.exempt,
      }
    : null;
}

/** What a caller that already read some of it passes to {@link describe} (a listing page, a command). */
export interface DescribeInputs {
  /** The page's references, preloaded. */
  readonly loadReference?: ReferenceLoader;
  /** The page's designations, preloaded. */
  readonly designations?: Map<string, Designation[]>;
  /** The stored clock history, or the figures a command already computed. */
  readonly clock?: { history?: readonly ClockEventRow[]; figures?: ClockFigures };
}

/** The view of `s` for `actor`, reading on `conn` whatever `inputs` does not already hold. */
export async function describe(ctx: EngineContext, conn: StoreSet, actor: Actor, s: Submission, inputs: DescribeInputs = {}): Promise<SubmissionView> {
  const { loadReference, designations, clock } = inputs;
  const w = requireWorkflow(s);
  // Only FDA marketing pathways can be prioritized; skip the lookup for everything else.
  const prioritizable = w.jurisdiction === 'FDA' && !w.prioritizes && DESIGNATING.length > 0;
  const prioritized = prioritizable
    ? isPrioritized(s, (designations ?? (await designationsOf(conn, [s.organization.id]))).get(s.organization.id) ?? [])
    : false;
  const snap = restore(w, s);
  let reference: Record<string, unknown> | null = null;
  let decision: Record<string, unknown> | null = null;
  if (w.decisionOf) {
    const d = w.decisionOf(s.state, s.snapshot.context);
    decision = d.decision ? { ...d } : null;
  }
  if (s.input.reference) {
    const facts = await referenceFacts(ctx, conn, s, loadReference);
    const rctx = s.snapshot.context as CofeprisContext;
    reference = {
      ...(s.input.reference as Record<string, unknown>),
      // The API's view says them in English (a plain string, as before).
      label: textOf(facts.label),
      decision: facts.decision,
      decisionDate: facts.decisionDate,
      favourable: facts.favourable,
      status: textOf(facts.status),
      invalidated: rctx.referenceInvalidated === true,
    };
  }
  // A COFEPRIS registration on any route: its number and validity once granted.
  const registration = s.snapshot.context as Partial<CofeprisContext>;
  if (w.jurisdiction === 'COFEPRIS' && registration.registrationNumber) {
    decision = { registrationNumber: registration.registrationNumber, grantedOn: registration.grantedOn ?? null, validUntil: registration.validUntil ?? null };
  }
  const tags = [...snap.tags] as string[];
  const spec = activeDeadline(snap);
  const deadlines = s.deadline && spec ? [deadlineView(s.deadline, spec)] : [];
  // Day counts and goals, derived from the history (a command passes what it computed).
  const figures = clock?.figures ?? (clock?.history ? figuresFrom(ctx, w, s, clock.history) : await figuresOf(ctx, conn, w, s));
  return {
    id: s.id,
    workflow: { id: s.workflowId, version: s.workflowVersion },
    organization: s.organization,
    title: s.title,
    device: s.device,
    input: s.input,
    state: s.state,
    stateDescription: stateDescription(snap) ?? null,
    status: s.status,
    version: s.version,
    allowedEvents: allowedEventsFor(w, snap, actor.role),
    clocks: { running: tags.filter((t) => t !== 'hold'), onHold: tags.includes('hold'), since: s.stateSince, ...figures },
    deadlines,
    reference,
    decision,
    prioritized,
    classification: classificationView(ctx, s),
    dossier: dossierOf(w, s),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
