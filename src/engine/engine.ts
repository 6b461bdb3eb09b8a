/**
 * The engine: create, advance, describe and list submissions. One database transaction per
 * command; the machine is pure (restore snapshot -> `transition()` -> save), and the history row
 * is hash-chained in the same transaction as the state change (21 CFR 11.10(e), 11.10(f)).
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { v7 as uuidv7 } from 'uuid';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { isFavourableDecision, type CofeprisContext, type ReferenceInput } from '../../workflows/cofepris-registration.js';
import { WORKFLOWS, latestWorkflow, workflowVersion, type WorkflowDefinition } from '../../workflows/index.js';
import type { EventFacts, LinkTargetFacts, ReferenceFacts, Role, WorkflowEvent } from '../../workflows/types.js';
import {
  AppError,
  EventNotAllowedError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  InputError,
  NotFoundError,
  VersionMismatchError,
} from '../errors.js';
import type { CreateSubmission, Device, ListSubmissionsQuery, SendEvent } from '../generated/schema-types.js';
import type { Database } from '../store/db.js';
import { findIdempotentResponse, insertIdempotentResponse } from '../store/idempotency-store.js';
import {
  NO_DUE_DATES,
  clockEventsOf,
  dueCandidates,
  type ClockEventRow,
  type DueDates,
  findDocument,
  findSubmission,
  getBlob,
  insertDocument,
  insertSubmission,
  insertTransition,
  listDocuments,
  listTransitions,
  putBlob,
  relyingSubmissionIds,
  updateSubmission,
  writeGuardedSqlite,
  moveSubmissionToVersion,
  activeSubmissionIdsOn,
  activeDesignations,
  type Designation,
  type Actor,
  type Deadline,
  type Document,
  type Submission,
  type Transition,
} from '../store/submissions-store.js';
import { listSubmissionPage, submissionsByIds, type SubmissionListing } from '../store/submission-listing-store.js';
import { SCHEMA_BASE, eventSchemaId, inputSchemaId, type Validator } from '../validation.js';
import { mermaidDiagram } from './catalog.js';
import { canSee, loadVisible, visibilityScope } from './visibility.js';
import { DEFAULT_GOAL_DUE_SOON_DAYS, computeClocks, type ClockFigures } from './clocks.js';
import { checkProductCode, type ProductClassification, type ProductClassificationEntry } from '../reference/product-classification.js';
import { activeDeadline, allowedEventsFor, definitionHash, handledEvents, statePath, stateDescription, stateValue } from './definitions.js';
import { GENESIS_HASH, canonicalJson, recordHash, sha256Hex } from './hash.js';
import { createSignatures, type Signatures } from './signatures.js';
import { MexicanCalendar, addCalendarDays, dateIn, isRealDate, parseEffectiveAt, startOfDayIn } from './time.js';

/** How often a command is retried on fresh state after losing a version race. */
export const MAX_COMMAND_ATTEMPTS = 5;

/** A SQLITE_BUSY that took longer than this was a real wait on another writer, not a stale snapshot. */
const BUSY_RETRY_WINDOW_MS = 1000;

/** Each jurisdiction's time zone, for "today" in portfolio queries. */
const JURISDICTION_ZONES: ReadonlyMap<string, string> = new Map(WORKFLOWS.map((w) => [w.jurisdiction, w.timeZone]));

/** What one sweeper pass did. */
export interface SweepResult {
  /** Hard deadlines fired: the timeout event sent and the state it led to. */
  fired: Array<{ submissionId: string; event: string; kind: string; dueDate: string; state: string }>;
  /** Goals newly recorded as missed (`GOAL_MISSED` / `MMD_DUE` rows). */
  goalsMissed: Array<{ submissionId: string; goal: string; event: string; dueDate: string; seq: number }>;
  /** Due deadlines whose timeout a guard refused (logged; the submission is left as it is). */
  refused: Array<{ submissionId: string; reason: string }>;
}

/** What the portfolio queries and the sweeper need of a submission's clocks (migration 003). */
export function dueDatesOf(figures: ClockFigures): DueDates {
  // The sweeper's next look: a running open goal's due date, or a goal already missed while its
  // review is open that the history does not yet record (missed between two commands).
  let goalDate: string | null = null;
  for (const g of figures.goals) {
    const running = (g.status === 'on_track' || g.status === 'due_soon') && !g.paused;
    const unrecorded = g.status === 'missed' && g.metOn === null && !g.recorded;
    if ((running || unrecorded) && (goalDate === null || g.dueDate < goalDate)) goalDate = g.dueDate;
  }
  return {
    nextKey: figures.nextDue?.dueDate ?? NO_DUE_DATES.nextKey,
    nextKind: figures.nextDue?.kind ?? null,
    goalDate,
    goalMissed: figures.goals.some((g) => g.status === 'missed'),
  };
}

export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'puente', role: 'system', organization: null };

export interface EngineDeps {
  readonly db: Database;
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
  /** Passwords and re-authentication for electronic signatures; built on `db` when absent. */
  readonly signatures?: Signatures;
}

/**
 * The electronic signature manifestation kept in a history record (21 CFR 11.50): the signer's
 * printed name, the meaning, and when (the record's `recordedAt`). Inside the hashed record, so
 * it cannot be edited or moved to another record without breaking the chain (11.70).
 */
export interface SignatureManifestation {
  readonly name: string;
  readonly meaning: string;
  readonly signedAt: string;
}

export interface Idempotency {
  readonly key: string;
  /** SHA-256 of the canonical request (method, path, body). */
  readonly requestHash: string;
}

export interface CommandResult<T> {
  readonly status: number;
  readonly body: T;
  /** True when an Idempotency-Key replay returned the first response. */
  readonly replayed: boolean;
}

/** Request shapes, generated from `schemas/` (see src/generated/schema-types.ts). */
export type CreateSubmissionBody = Omit<CreateSubmission, 'input' | 'device'> & { device: Record<string, unknown> & Device; input: Record<string, unknown> };
export type SendEventBody = Omit<SendEvent, 'data' | 'signature'> & { data?: Record<string, unknown>; signature?: Record<string, unknown> & SendEvent['signature'] };
export type ListQuery = ListSubmissionsQuery;

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
  deadlines: Array<Deadline & { description: string }>;
  reference: Record<string, unknown> | null;
  decision: Record<string, unknown> | null;
  /** True while an active Breakthrough designation of the same organization names this submission. */
  prioritized: boolean;
  /** FDA's classification of `device.productCode` (US class, regulation, expected pathway), or null. */
  classification: { productCode: string; deviceName: string; usClass: string; regulationNumber: string | null; expectedPathway: string; exempt: boolean } | null;
  /** Only in the response that creates a submission: what the product classification found unusual. */
  warnings?: string[];
  dossier: { required: string[]; present: string[]; missing: string[] };
  createdAt: string;
  updatedAt: string;
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

/**
 * Dossier kinds that back an external reference authorization: FDA's decision letter, or the
 * authorization document of another reference authority.
 */
export const LETTER_KIND = { FDA: 'fda-decision-letter', other: 'reference-authorization' } as const;

/** Thrown inside a transaction when the version check lost a race; retried on fresh state. */
class VersionRace extends Error {}

function isRetryable(e: unknown): boolean {
  if (e instanceof VersionRace) return true;
  const err = e as { code?: string; message?: string };
  if (err.code === '23505' || err.code === '40001' || err.code === '40P01') return true; // pg unique / serialization / deadlock
  if (err.code === 'SQLITE_BUSY') return true;
  return err.code === 'SQLITE_CONSTRAINT' && /UNIQUE/.test(err.message ?? '');
}

function requireWorkflow(s: Submission): WorkflowDefinition {
  const w = workflowVersion(s.workflowId, s.workflowVersion);
  if (!w) throw new Error(`workflow ${s.workflowId}@${s.workflowVersion} is not in the catalog`);
  return w;
}

function restore(w: WorkflowDefinition, s: Submission): AnyMachineSnapshot {
  return w.machine.resolveState(s.snapshot as { value: never; context: never });
}

export function persisted(snapshot: AnyMachineSnapshot): Submission['snapshot'] {
  return { value: snapshot.value, context: snapshot.context };
}

export function statusOf(state: string): Submission['status'] {
  return state === 'closed' || state.startsWith('closed.') ? 'closed' : 'active';
}

function toDocumentView(d: Document): DocumentView {
  return { id: d.id, kind: d.kind, filename: d.filename, contentType: d.contentType, sha256: d.sha256, size: d.size, createdAt: d.createdAt };
}

/** SHA-256 of the canonical form of a request, for Idempotency-Key comparison. */
export function requestHash(parts: Record<string, unknown>): string {
  return sha256Hex(canonicalJson(parts));
}

/** Builds the hash-chained record that follows `s`'s head. */
export function chainRecord(
  s: Submission,
  w: WorkflowDefinition,
  r: Pick<Transition, 'type' | 'data' | 'from' | 'to' | 'actor' | 'comment' | 'effectiveAt' | 'recordedAt' | 'signature'>,
): Transition {
  const body = {
    id: uuidv7(),
    submissionId: s.id,
    seq: s.headSeq + 1,
    ...r,
    workflow: { id: w.id, version: w.version, definitionHash: definitionHash(w) },
    prevHash: s.headHash,
  };
  return { ...body, hash: recordHash(body) };
}

export function createEngine(deps: EngineDeps) {
  const { db, validator } = deps;
  const knex = db.knex;
  const reader = db.reader;
  const now = deps.now ?? (() => new Date());
  const calendar = deps.calendar ?? new MexicanCalendar();
  const dueSoonDays = deps.goalDueSoonDays ?? DEFAULT_GOAL_DUE_SOON_DAYS;
  const signatures = deps.signatures ?? createSignatures({ db, validator, now });

  // ---------------------------------------------------------------- commands

  /**
   * Runs one command in one transaction, with its Idempotency-Key record in the same
   * transaction, retrying on fresh state when it lost a version race.
   *
   * `plan` does the command's reading and computing; `write` its writes. Without an
   * Idempotency-Key the plan runs before the transaction, on the read pool, so the single
   * writer is held only for the guarded writes: every write is conditional on the version the
   * plan read, and a lost race plans again, inside the transaction. With a key, the plan runs inside the
   * transaction after the replay check (a replay must answer what the first request answered,
   * not plan again on the state that request left).
   */
  async function plannedCommand<P, T>(
    actor: Actor,
    idem: Idempotency | undefined,
    plan: ((conn: Knex, inTransaction: boolean) => Promise<P>) | null,
    write: (trx: Knex.Transaction, plan: P) => Promise<{ status: number; body: T }>,
    direct?: (plan: P) => Promise<{ status: number; body: T } | null>,
  ): Promise<CommandResult<T>> {
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      try {
        // Optimistic on the first attempt only: after a lost race the plan runs in the transaction
        // (serialized behind the writer on SQLite, the row locked on PostgreSQL), so a busy
        // submission still makes progress.
        const early = plan && !idem && attempt === 1 ? await plan(reader, false) : undefined;
        // A planned command that needs nothing but its own guarded writes: one trip to the writer.
        if (early !== undefined && direct) {
          const done = await direct(early);
          if (done) return { ...done, replayed: false };
        }
        return await knex.transaction(async (trx) => {
          if (idem) {
            const prior = await findIdempotentResponse(trx, actor.id, idem.key);
            if (prior) {
              if (prior.requestHash !== idem.requestHash) throw new IdempotencyKeyReusedError();
              return { status: prior.statusCode, body: prior.body as T, replayed: true };
            }
          }
          const p = plan ? (early ?? (await plan(trx, true))) : (undefined as P);
          const result = await write(trx, p);
          if (idem) {
            await insertIdempotentResponse(trx, { userId: actor.id, key: idem.key, requestHash: idem.requestHash, statusCode: result.status, body: result.body, now: now().toISOString() });
          }
          return { ...result, replayed: false };
        });
      } catch (e) {
        // A lock that was busy for the whole busy timeout is not retried: the client gets 503
        // with Retry-After instead of waiting several timeouts (a stale-snapshot BUSY is quick).
        const timedOut = (e as { code?: string }).code === 'SQLITE_BUSY' && Date.now() - started >= BUSY_RETRY_WINDOW_MS;
        if (attempt < MAX_COMMAND_ATTEMPTS && isRetryable(e) && !timedOut) continue;
        if (e instanceof VersionRace) {
          throw new EventNotAllowedError(`The submission changed ${MAX_COMMAND_ATTEMPTS} times while this command ran; read it again and retry`);
        }
        throw e;
      }
    }
  }

  /** A command that reads and writes inside its transaction. */
  function command<T>(actor: Actor, idem: Idempotency | undefined, work: (trx: Knex.Transaction) => Promise<{ status: number; body: T }>) {
    return plannedCommand<undefined, T>(actor, idem, null, (trx) => work(trx));
  }

  function dossierOf(w: WorkflowDefinition, s: Pick<Submission, 'input' | 'dossierPresent'>) {
    const required = w.dossier(s.input).map((d) => d.kind);
    const present = [...s.dossierPresent];
    return { required, present, missing: required.filter((k) => !present.includes(k)) };
  }

  function deadlineFor(w: WorkflowDefinition, snapshot: AnyMachineSnapshot, effectiveAt: string): Deadline | null {
    const spec = activeDeadline(snapshot);
    if (!spec) return null;
    // From the state's entry, or from a date in the context (e.g. 150 days before validUntil).
    const anchor = spec.anchor ? (snapshot.context as Record<string, unknown>)[spec.anchor] : undefined;
    if (spec.anchor && (typeof anchor !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(anchor))) return null;
    const start = typeof anchor === 'string' ? anchor : dateIn(new Date(effectiveAt), w.timeZone);
    const dueDate = spec.unit === 'mx-business' ? calendar.addBusinessDays(start, spec.length) : addCalendarDays(start, spec.length);
    return { kind: spec.kind, dueDate, event: spec.event };
  }

  /** The US device class of a tracked FDA submission's product code, when the classification knows it. */
  function usClassOf(target: Submission): string | null {
    return classificationOf(target)?.deviceClass ?? null;
  }

  /** The FDA product classification entry of a submission's device, when the table knows its code. */
  function classificationOf(s: Pick<Submission, 'device'>): ProductClassificationEntry | undefined {
    const code = s.device.productCode;
    return typeof code === 'string' ? deps.productClassification?.lookup(code) : undefined;
  }

  /** Loads the FDA submissions a registration may rely on; listings pass a preloaded page. */
  type ReferenceLoader = (id: string) => Promise<Submission | undefined>;

  async function referenceFacts(trx: Knex, s: Submission, load: ReferenceLoader = (id) => findSubmission(trx, id)): Promise<ReferenceFacts> {
    const ref = s.input.reference as ReferenceInput & { agency?: string; deviceClass?: string; authorizationType?: string };
    if ('submissionId' in ref) {
      const letterOnFile = s.dossierPresent.includes(LETTER_KIND.FDA);
      const tracked = { external: false, letterOnFile, agency: 'FDA', authorizationType: 'ordinary' } as const;
      const target = await load(ref.submissionId);
      if (!target) {
        return { ...tracked, label: `submission ${ref.submissionId}`, decision: null, decisionDate: null, favourable: false, status: 'it does not exist', deviceClass: null };
      }
      const tw = requireWorkflow(target);
      const d = tw.decisionOf?.(target.state, target.snapshot.context) ?? { number: null, decision: null, decisionDate: null, favourable: false };
      return {
        ...tracked,
        label: `${d.number ?? target.title} (${target.workflowId} ${target.id})`,
        decision: d.decision,
        decisionDate: d.decisionDate,
        favourable: d.favourable,
        status: d.favourable ? `decision ${d.decision} of ${d.decisionDate}` : `it is in state ${target.state}`,
        deviceClass: usClassOf(target),
      };
    }
    const favourable = isFavourableDecision(ref.decision);
    const agency = ref.agency ?? 'FDA';
    return {
      label: `${ref.number} (external ${agency} decision)`,
      decision: ref.decision,
      decisionDate: ref.decisionDate,
      favourable,
      status: favourable ? `decision ${ref.decision} of ${ref.decisionDate}` : `the decision is ${ref.decision}`,
      external: true,
      letterOnFile: s.dossierPresent.includes(agency === 'FDA' ? LETTER_KIND.FDA : LETTER_KIND.other),
      agency,
      deviceClass: ref.deviceClass ?? null,
      authorizationType: ref.authorizationType ?? 'ordinary',
    };
  }

  async function factsFor(conn: Knex, w: WorkflowDefinition, s: Submission, actor: Actor, body: SendEventBody): Promise<EventFacts | undefined> {
    const wanted = w.factsFor?.[body.type];
    if (!wanted) return undefined;
    const facts: { -readonly [K in keyof EventFacts]: EventFacts[K] } = {};
    if (wanted.includes('dossierMissing')) facts.dossierMissing = dossierOf(w, s).missing;
    if (wanted.includes('reference') && s.input.reference) facts.reference = await referenceFacts(conn, s);
    if ((wanted.includes('reference') || wanted.includes('referenceAuthorities')) && deps.referenceAuthorities) {
      facts.referenceAuthorities = deps.referenceAuthorities;
    }
    if (wanted.includes('linkTarget')) facts.linkTarget = await linkTargetFacts(conn, s, actor, body.data?.submissionId);
    return facts;
  }

  /** What a link event's `data.submissionId` names, as the sender may see it. */
  async function linkTargetFacts(conn: Knex, s: Submission, actor: Actor, id: unknown): Promise<LinkTargetFacts> {
    const target = typeof id === 'string' ? await findSubmission(conn, id) : undefined;
    if (!target || !(await canSee(conn, actor, target))) return { exists: false, workflowId: null, sameOrganization: false, state: null };
    return { exists: true, workflowId: target.workflowId, sameOrganization: target.organization.id === s.organization.id, state: target.state };
  }

  function resolveEffectiveAt(w: WorkflowDefinition, s: Submission, raw: string | undefined, at: Date): string {
    if (raw === undefined) return at.toISOString();
    const parsed = parseEffectiveAt(raw, w.timeZone);
    if (!parsed) {
      throw new InputError('effectiveAt is not a date', [{ path: '/effectiveAt', message: 'must be an RFC 3339 date-time with offset, or YYYY-MM-DD' }]);
    }
    if (parsed.getTime() > at.getTime()) {
      throw new InputError('effectiveAt is in the future', [{ path: '/effectiveAt', message: `must not be after the server time ${at.toISOString()}` }]);
    }
    const iso = parsed.toISOString();
    if (s.lastEffectiveAt && iso < s.lastEffectiveAt) {
      throw new InputError('effectiveAt is before the previous regulatory event', [
        { path: '/effectiveAt', message: `must not be before the previous regulatory event (${s.lastEffectiveAt})` },
      ]);
    }
    return iso;
  }

  interface EventPlan {
    w: WorkflowDefinition;
    before: Submission;
    submission: Submission;
    transition: Transition;
    stateChanged: boolean;
    /** The clocks after the event (for the stored due dates and the response). */
    figures: ClockFigures;
  }

  /**
   * Plans one workflow event on `s` (role, payload, effective date, machine, history record):
   * reads only (reference facts), writes nothing.
   */
  async function planEvent(
    conn: Knex,
    s: Submission,
    actor: Actor,
    body: SendEventBody,
    opts: { at: Date; trusted?: boolean; signature?: { meaning: string } | null },
  ): Promise<EventPlan> {
    const w = requireWorkflow(s);
    const spec = w.events[body.type];
    if (!spec) {
      throw new InputError(`Unknown event ${body.type} for ${w.id}@${w.version}`, [
        { path: '/type', message: `must be one of ${Object.keys(w.events).join(', ')}` },
      ]);
    }
    if (!spec.roles.includes(actor.role)) {
      const who = spec.roles.includes('system') ? 'only puente itself (the system actor)' : `only ${spec.roles.join(', ')}`;
      throw new ForbiddenError(`${body.type} may be sent by ${who}, not by role ${actor.role}`);
    }
    const data = body.data ?? {};
    if (!opts.trusted) validator.check(eventSchemaId(w, body.type), data, '/data', `The data of ${body.type}`);
    const effectiveAt = resolveEffectiveAt(w, s, body.effectiveAt, opts.at);
    const event: WorkflowEvent = {
      type: body.type,
      data,
      effectiveDate: dateIn(new Date(effectiveAt), w.timeZone),
      ...(w.factsFor?.[body.type] ? { facts: await factsFor(conn, w, s, actor, body) } : {}),
    };

    const current = restore(w, s);
    if (!current.can(event)) {
      const handled = handledEvents(current).includes(body.type);
      const reason = handled ? w.explainRefusal?.(current.context, event) : undefined;
      throw new EventNotAllowedError(
        reason?.length
          ? { code: 'refusal.refused', params: { event: body.type, state: s.state, reasons: reason } }
          : { code: 'refusal.not_allowed', params: { event: body.type, state: s.state, workflow: w.id } },
      );
    }
    // 21 CFR 11.200: the version this submission runs on marks the event as one a person signs.
    // Checked last, so a step refused anyway says why first (409, 403, bad data).
    if (spec.requiresSignature && !opts.signature) {
      throw new InputError(`${body.type} must be signed: send signature { meaning, password } (21 CFR 11.50, 11.200)`, [
        { path: '/signature', message: 'is required for this event: { "meaning": "approval" | "review" | "responsibility" | "authorship", "password" }' },
      ]);
    }
    const [next] = transition(w.machine, current, event as never);
    const to = statePath(next.value);
    const recordedAt = opts.at.toISOString();
    const t = chainRecord(s, w, {
      type: body.type,
      data,
      from: s.state,
      to,
      actor,
      comment: body.comment ?? null,
      effectiveAt,
      recordedAt,
      // The manifestation only: the password given to sign never reaches the record.
      signature: opts.signature ? ({ name: actor.name, meaning: opts.signature.meaning, signedAt: recordedAt } satisfies SignatureManifestation) : null,
    });
    const stateChanged = to !== s.state;
    const updated: Submission = {
      ...s,
      state: to,
      status: statusOf(to),
      snapshot: persisted(next),
      version: s.version + 1,
      headSeq: t.seq,
      headHash: t.hash,
      lastEffectiveAt: effectiveAt,
      stateSince: stateChanged ? effectiveAt : s.stateSince,
      deadline: stateChanged ? deadlineFor(w, next, effectiveAt) : s.deadline,
      updatedAt: recordedAt,
    };
    const figures = await figuresOf(conn, w, updated, [{ type: t.type, to: t.to, effectiveAt: t.effectiveAt }]);
    return { w, before: s, submission: { ...updated, due: dueDatesOf(figures) }, transition: t, stateChanged, figures };
  }

  /**
   * Writes a planned event inside `trx`: the update guarded by the version the plan started
   * from, the history row, and reliance invalidation of relying registrations.
   */
  async function writeEvent(trx: Knex, plan: EventPlan, opts: { ifMatch?: number; at: Date }): Promise<void> {
    const { w, before: s, submission: updated, transition: t } = plan;
    if (!(await updateSubmission(trx, s.id, s.version, updated))) {
      if (opts.ifMatch !== undefined) {
        const fresh = await findSubmission(trx, s.id);
        throw new VersionMismatchError(fresh?.version ?? s.version, opts.ifMatch);
      }
      throw new VersionRace();
    }
    await insertTransition(trx, t);

    // Reliance (DESIGN §4): a reference that can no longer be relied on is announced to every
    // active registration relying on it, in this same transaction.
    const to = updated.state;
    if (plan.stateChanged && w.invalidatesReliance?.(to)) {
      for (const relyingId of await relyingSubmissionIds(trx, s.id)) {
        const relying = await findSubmission(trx, relyingId, { forUpdate: true });
        if (!relying || relying.status !== 'active') continue;
        const rw = requireWorkflow(relying);
        if (!rw.events.REFERENCE_INVALIDATED) continue;
        const eff = relying.lastEffectiveAt && relying.lastEffectiveAt > t.effectiveAt ? relying.lastEffectiveAt : t.effectiveAt;
        const snap = restore(rw, relying);
        const invalidation = { type: 'REFERENCE_INVALIDATED', data: { referenceSubmissionId: s.id, referenceState: to, reason: `${w.title} ${s.id} entered ${to} (${t.type})` } };
        if (!snap.can(invalidation)) continue;
        const p = await planEvent(trx, relying, SYSTEM_ACTOR, { ...invalidation, effectiveAt: eff }, { at: opts.at, trusted: true });
        await writeEvent(trx, p, { at: opts.at });
      }
    }
  }

  /**
   * Electronic signature of a command (issue 6), before its transaction: scrypt is slow and
   * must never hold the writer. The command is planned once on the read pool first, so a step
   * that is refused anyway (404, 412, 403, bad data, 409, a missing signature) costs no password
   * check; then the sender re-authenticates with the password (401 `signature_invalid`, counted
   * towards the lock; 423 `signature_locked`). Returns what the record's manifestation says, or
   * null for an unsigned step. An Idempotency-Key replay skips all of it: the first request was
   * checked, and a replay answers its response without looking at the password again.
   */
  async function checkSignature(actor: Actor, id: string, body: SendEventBody, opts: { ifMatch?: number; idempotency?: Idempotency }): Promise<{ meaning: string } | null> {
    if (opts.idempotency && (await findIdempotentResponse(reader, actor.id, opts.idempotency.key))) return null;
    if (!body.signature) return null; // a step that needs one is refused by planEvent (422 at /signature)
    if (actor.role === 'system') throw new InputError('The system actor does not sign', [{ path: '/signature', message: 'must be absent for the system actor' }]);
    const s = await loadVisible(reader, actor, id);
    if (opts.ifMatch !== undefined && opts.ifMatch !== s.version) throw new VersionMismatchError(s.version, opts.ifMatch);
    const manifestation = { meaning: body.signature.meaning };
    await planEvent(reader, s, actor, body, { at: now(), signature: manifestation });
    await signatures.reauthenticate(actor, body.signature.password, '/signature/password');
    return manifestation;
  }

  // ---------------------------------------------------------------- views

  /** Workflows whose submissions can prioritize others (Breakthrough designations). */
  const DESIGNATING = WORKFLOWS.filter((w) => w.prioritizes).map((w) => w.id);

  /** Active designations of organizations; one query for many (fixed SQL: this runs on every read of an FDA submission). */
  async function designationsOf(conn: Knex, organizationIds: readonly string[]): Promise<Map<string, Designation[]>> {
    const out = new Map<string, Designation[]>();
    if (!DESIGNATING.length || !organizationIds.length) return out;
    for (const d of await activeDesignations(conn, DESIGNATING, [...new Set(organizationIds)])) {
      out.set(d.organizationId, [...(out.get(d.organizationId) ?? []), d]);
    }
    return out;
  }

  /** True when an active designation of the same organization prioritizes `s` (Breakthrough). */
  function isPrioritized(s: Submission, designations: readonly Designation[]): boolean {
    return designations.some((d) => workflowVersion(d.workflowId, d.workflowVersion)?.prioritizes?.(d.state, d.context).includes(s.id) ?? false);
  }

  function classificationView(s: Submission): SubmissionView['classification'] {
    const e = classificationOf(s);
    return e
      ? { productCode: e.productCode, deviceName: e.deviceName, usClass: e.deviceClass, regulationNumber: e.regulationNumber, expectedPathway: e.expectedPathway, exempt: e.exempt }
      : null;
  }

  /**
   * The clocks of `s` under workflow version `w`: its stored history (or `history`) plus the
   * records a command is about to write (`pending`), at the current time.
   */
  async function figuresOf(conn: Knex, w: WorkflowDefinition, s: Submission, pending: readonly ClockEventRow[] = [], history?: readonly ClockEventRow[]): Promise<ClockFigures> {
    let h: readonly ClockEventRow[] = history ?? (w.clock ? (await clockEventsOf(conn, [s.id])).get(s.id)! : []);
    if (pending.length) h = [...h, ...pending];
    return computeClocks(w, s.input, h, { now: now(), calendar, dueSoonDays, deadlines: s.deadline ? [s.deadline] : [] });
  }

  async function describe(
    trx: Knex,
    actor: Actor,
    s: Submission,
    loadReference?: ReferenceLoader,
    designations?: Map<string, Designation[]>,
    clock?: { history?: readonly ClockEventRow[]; figures?: ClockFigures },
  ): Promise<SubmissionView> {
    const w = requireWorkflow(s);
    // Only FDA marketing pathways can be prioritized; skip the lookup for everything else.
    const prioritizable = w.jurisdiction === 'FDA' && !w.prioritizes && DESIGNATING.length > 0;
    const prioritized = prioritizable
      ? isPrioritized(s, (designations ?? (await designationsOf(trx, [s.organization.id]))).get(s.organization.id) ?? [])
      : false;
    const snap = restore(w, s);
    let reference: Record<string, unknown> | null = null;
    let decision: Record<string, unknown> | null = null;
    if (w.decisionOf) {
      const d = w.decisionOf(s.state, s.snapshot.context);
      decision = d.decision ? { ...d } : null;
    }
    if (s.input.reference) {
      const facts = await referenceFacts(trx, s, loadReference);
      const ctx = s.snapshot.context as CofeprisContext;
      reference = {
        ...(s.input.reference as Record<string, unknown>),
        label: facts.label,
        decision: facts.decision,
        decisionDate: facts.decisionDate,
        favourable: facts.favourable,
        status: facts.status,
        invalidated: ctx.referenceInvalidated === true,
      };
    }
    // A COFEPRIS registration on any route: its number and validity once granted.
    const registration = s.snapshot.context as Partial<CofeprisContext>;
    if (w.jurisdiction === 'COFEPRIS' && registration.registrationNumber) {
      decision = { registrationNumber: registration.registrationNumber, grantedOn: registration.grantedOn ?? null, validUntil: registration.validUntil ?? null };
    }
    const tags = [...snap.tags] as string[];
    const spec = activeDeadline(snap);
    const deadlines = s.deadline && spec ? [{ ...s.deadline, description: spec.description }] : [];
    // Day counts and goals, derived from the history (a command passes what it computed).
    const figures = clock?.figures ?? (await figuresOf(trx, w, s, [], clock?.history));
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
      classification: classificationView(s),
      dossier: dossierOf(w, s),
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    };
  }

  // ---------------------------------------------------------------- public API

  return {
    /** POST /v1/submissions */
    async createSubmission(actor: Actor, body: CreateSubmissionBody, idem?: Idempotency): Promise<CommandResult<SubmissionView>> {
      validator.check(`${SCHEMA_BASE}create-submission.json`, body);
      const w = latestWorkflow(body.workflow);
      if (!w) throw new InputError(`Unknown workflow ${body.workflow}`, [{ path: '/workflow', message: 'is not a workflow id of GET /v1/workflows' }]);
      if (actor.role !== 'manufacturer' || !actor.organization) {
        throw new ForbiddenError(`Only manufacturers create submissions, not role ${actor.role}`);
      }
      const org = actor.organization;
      validator.check(inputSchemaId(w), body.input, '/input', `The input of ${w.id}`);
      // FDA product classification: refuses a pathway the code cannot take (422 at
      // /device/productCode), and warns where it is unusual (exempt codes, ...).
      const warnings = deps.productClassification ? checkProductCode(deps.productClassification, w.id, body.device.productCode) : [];
      return command(actor, idem, async (trx) => {
        let referenceSubmissionId: string | null = null;
        const ref = body.input.reference as ReferenceInput | undefined;
        if (ref && 'submissionId' in ref) {
          const target = await findSubmission(trx, ref.submissionId);
          if (!target || target.organization.id !== org.id || target.jurisdiction !== 'FDA') {
            throw new InputError('The reference submission is not an FDA submission of your organization', [
              { path: '/input/reference/submissionId', message: 'must name an fda-* submission of your organization' },
            ]);
          }
          referenceSubmissionId = target.id;
        }
        const linked = body.input.linkedSubmissionId;
        if (typeof linked === 'string') {
          const target = await findSubmission(trx, linked);
          if (!target || target.organization.id !== org.id || !w.linkableWorkflows?.includes(target.workflowId)) {
            throw new InputError('The linked submission is not one this workflow can name', [
              { path: '/input/linkedSubmissionId', message: `must name a ${(w.linkableWorkflows ?? []).join(', ')} submission of your organization` },
            ]);
          }
        }
        const at = now();
        const iso = at.toISOString();
        const [initial] = initialTransition(w.machine, body.input as never);
        const state = statePath(initial.value);
        const id = uuidv7();
        const draft: Submission = {
          id,
          organization: org,
          workflowId: w.id,
          workflowVersion: w.version,
          jurisdiction: w.jurisdiction,
          title: body.title,
          device: body.device,
          input: body.input,
          state,
          status: statusOf(state),
          snapshot: persisted(initial),
          xstateVersion: XSTATE_VERSION,
          version: 0,
          referenceSubmissionId,
          dossierPresent: [],
          headSeq: 0,
          headHash: GENESIS_HASH,
          lastEffectiveAt: null,
          stateSince: iso,
          deadline: null,
          due: NO_DUE_DATES,
          createdAt: iso,
          updatedAt: iso,
        };
        const t = chainRecord(draft, w, {
          type: 'CREATED',
          data: { title: body.title, device: body.device, input: body.input, ...(warnings.length ? { warnings } : {}) },
          from: null,
          to: state,
          actor,
          comment: null,
          effectiveAt: iso,
          recordedAt: iso,
          signature: null,
        });
        const unsized: Submission = { ...draft, version: 1, headSeq: t.seq, headHash: t.hash, deadline: deadlineFor(w, initial, iso) };
        const figures = await figuresOf(trx, w, unsized, [], [{ type: t.type, to: t.to, effectiveAt: t.effectiveAt }]);
        const created: Submission = { ...unsized, due: dueDatesOf(figures) };
        await insertSubmission(trx, created);
        await insertTransition(trx, t);
        return { status: 201, body: { ...(await describe(trx, actor, created, undefined, undefined, { figures })), ...(warnings.length ? { warnings } : {}) } };
      });
    },

    /** POST /v1/submissions/:id/events */
    async sendEvent(actor: Actor, id: string, body: SendEventBody, opts: { ifMatch?: number; idempotency?: Idempotency } = {}) {
      validator.check(`${SCHEMA_BASE}send-event.json`, body);
      const signature = await checkSignature(actor, id, body, opts);
      return plannedCommand(
        actor,
        opts.idempotency,
        async (conn, inTransaction) => {
          const s = await loadVisible(conn, actor, id, inTransaction);
          if (opts.ifMatch !== undefined && opts.ifMatch !== s.version) throw new VersionMismatchError(s.version, opts.ifMatch);
          const at = now();
          const event = await planEvent(conn, s, actor, body, { at, signature });
          return { at, event, view: await describe(conn, actor, event.submission, undefined, undefined, { figures: event.figures }) };
        },
        async (trx, plan) => {
          await writeEvent(trx, plan.event, { ifMatch: opts.ifMatch, at: plan.at });
          return { status: 200, body: { submission: plan.view, transition: plan.event.transition } };
        },
        async (plan) => {
          // SQLite, and nothing else to write (no relying registration to notify): one script.
          const { event } = plan;
          if (db.dialect !== 'sqlite' || (event.stateChanged && event.w.invalidatesReliance?.(event.submission.state))) return null;
          if (!(await writeGuardedSqlite(knex, event.before.id, event.before.version, event.submission, event.transition))) {
            if (opts.ifMatch !== undefined) {
              const fresh = await findSubmission(reader, id);
              throw new VersionMismatchError(fresh?.version ?? event.before.version, opts.ifMatch);
            }
            throw new VersionRace();
          }
          return { status: 200, body: { submission: plan.view, transition: event.transition } };
        },
      );
    },

    /**
     * `puente workflow migrate`: moves every active submission on `from` whose current state
     * exists in `to` (same workflow id) to `to`, each in its own transaction with a `MIGRATED`
     * history record (recorded under the new version's rules, naming both definition hashes).
     * Submissions whose state is not in `to` are listed and left alone. `dryRun` writes nothing.
     */
    async migrateWorkflow(from: WorkflowDefinition, to: WorkflowDefinition, opts: { dryRun: boolean; by: string }) {
      if (from.id !== to.id) throw new InputError('A migration stays within one workflow', [{ path: '/to', message: `must be a version of ${from.id}` }]);
      if (from.version === to.version) throw new InputError('Nothing to migrate: same version', [{ path: '/to', message: 'must differ from --from' }]);
      const moved: Array<{ id: string; state: string }> = [];
      const left: Array<{ id: string; state: string; reason: string }> = [];
      for (const id of await activeSubmissionIdsOn(reader, from.id, from.version)) {
        type Outcome = { id: string; state: string; reason?: string } | null;
        const result = await command<Outcome>(SYSTEM_ACTOR, undefined, async (trx) => {
          const s = await findSubmission(trx, id, { forUpdate: true });
          if (!s || s.workflowVersion !== from.version || s.status !== 'active') return { status: 204, body: null };
          let next: AnyMachineSnapshot;
          try {
            const context = to.upgradeContext ? to.upgradeContext(s.snapshot.context, from.version) : s.snapshot.context;
            next = to.machine.resolveState({ value: stateValue(s.state), context: context as never });
            // The same state, or (when it became compound) its initial descendant.
            const path = statePath(next.value);
            if (path !== s.state && !path.startsWith(`${s.state}.`)) throw new Error('state differs');
          } catch {
            return { status: 409, body: { id, state: s.state, reason: `state ${s.state} does not exist in ${to.id}@${to.version}` } };
          }
          if (opts.dryRun) return { status: 200, body: { id, state: statePath(next.value) } };
          const at = now().toISOString();
          const state = statePath(next.value);
          const t = chainRecord(s, to, {
            type: 'MIGRATED',
            data: {
              from: { version: from.version, definitionHash: definitionHash(from) },
              to: { version: to.version, definitionHash: definitionHash(to) },
              by: opts.by,
            },
            from: s.state,
            to: state,
            actor: SYSTEM_ACTOR,
            comment: null,
            effectiveAt: at,
            recordedAt: at,
            signature: null,
          });
          // The new version's deadline for this state, counted from when the state was entered.
          const deadline = deadlineFor(to, next, s.stateSince);
          const moved = { ...s, state, snapshot: persisted(next), version: s.version + 1, headSeq: t.seq, headHash: t.hash, updatedAt: at, deadline };
          // The target version's clock (perhaps the first this submission has) sets its due dates.
          const change = { ...moved, due: dueDatesOf(await figuresOf(trx, to, moved)) };
          if (!(await moveSubmissionToVersion(trx, s.id, s.version, to.version, change))) throw new VersionRace();
          await insertTransition(trx, t);
          return { status: 200, body: { id, state } };
        });
        const body = result.body;
        if (!body) continue;
        if (body.reason !== undefined) left.push({ id: body.id, state: body.state, reason: body.reason });
        else moved.push({ id: body.id, state: body.state });
      }
      return { from: `${from.id}@${from.version}`, to: `${to.id}@${to.version}`, dryRun: opts.dryRun, moved, left };
    },

    /**
     * One pass of the sweeper (issue 5, DESIGN §7). Every active submission whose hard deadline
     * has passed receives its `*_TIMEOUT` event from the system actor, dated on the due date; every
     * goal missed while its review is still open gets one `GOAL_MISSED` (or `MMD_DUE`) record,
     * which changes no state. Each submission is its own transaction: the row is locked (skipped
     * when another sweeper holds it, PostgreSQL) and re-read, and the version check makes a second
     * sweeper's attempt a no-op, so each deadline fires and each goal is noted exactly once.
     *
     * A deadline that counts a response window (from the state's entry) passes once its due date is
     * over in the workflow's time zone; one anchored on a date (the renewal window opening 150 days
     * before `validUntil`) fires on its due date.
     */
    async sweep(opts: { limit?: number } = {}): Promise<SweepResult> {
      const limit = opts.limit ?? 1000;
      // Every jurisdiction's today is on or before UTC's today (the Americas): a superset, each
      // candidate then checked against its own zone.
      const utcToday = dateIn(now(), 'UTC');
      const result: SweepResult = { fired: [], goalsMissed: [], refused: [] };
      for (const id of await dueCandidates(reader, 'deadline_due_date', utcToday, limit)) {
        try {
          const r = await command<SweepResult['fired'][number] | null>(SYSTEM_ACTOR, undefined, async (trx) => {
            const s = await findSubmission(trx, id, { forUpdate: true, skipLocked: true });
            if (!s || s.status !== 'active' || !s.deadline) return { status: 204, body: null };
            const w = requireWorkflow(s);
            const anchored = activeDeadline(restore(w, s))?.anchor !== undefined;
            const today = dateIn(now(), w.timeZone);
            if (anchored ? today < s.deadline.dueDate : today <= s.deadline.dueDate) return { status: 204, body: null };
            const start = startOfDayIn(s.deadline.dueDate, w.timeZone).toISOString();
            const effectiveAt = s.lastEffectiveAt && s.lastEffectiveAt > start ? s.lastEffectiveAt : start;
            const at = now();
            const plan = await planEvent(trx, s, SYSTEM_ACTOR, { type: s.deadline.event, effectiveAt }, { at, trusted: true });
            await writeEvent(trx, plan, { at });
            return { status: 200, body: { submissionId: s.id, event: s.deadline.event, kind: s.deadline.kind, dueDate: s.deadline.dueDate, state: plan.submission.state } };
          });
          if (r.body) result.fired.push(r.body);
        } catch (e) {
          // A guard that refuses the timeout (the machine knows better) leaves the submission as it is.
          if (!(e instanceof EventNotAllowedError)) throw e;
          result.refused.push({ submissionId: id, reason: e.message });
        }
      }
      for (const id of await dueCandidates(reader, 'goal_due_date', utcToday, limit)) {
        const r = await command<SweepResult['goalsMissed']>(SYSTEM_ACTOR, undefined, async (trx) => {
          const s = await findSubmission(trx, id, { forUpdate: true, skipLocked: true });
          if (!s || s.status !== 'active') return { status: 204, body: [] };
          const w = requireWorkflow(s);
          const figures = await figuresOf(trx, w, s);
          const missed = figures.goals.filter((g) => g.status === 'missed' && g.metOn === null && !g.recorded);
          let current = s;
          const records: Transition[] = [];
          for (const g of missed) {
            const at = now().toISOString();
            // Missed once its due date is over: dated at the start of the next day there.
            const effectiveAt = startOfDayIn(addCalendarDays(g.dueDate, 1), w.timeZone).toISOString();
            const t = chainRecord(current, w, {
              type: g.missedEvent,
              data: { goal: g.kind, description: g.description, length: g.length, unit: g.unit, startedOn: g.startedOn, dueDate: g.dueDate, elapsed: g.elapsed },
              from: current.state,
              to: current.state,
              actor: SYSTEM_ACTOR,
              comment: null,
              effectiveAt: effectiveAt < at ? effectiveAt : at,
              recordedAt: at,
              signature: null,
            });
            records.push(t);
            current = { ...current, version: current.version + 1, headSeq: t.seq, headHash: t.hash, updatedAt: at };
          }
          // Recomputed even when nothing was missed: a goal that is no longer open moves the date on.
          const noted = { ...figures, goals: figures.goals.map((g) => (missed.includes(g) ? { ...g, recorded: true } : g)) };
          const change = { ...current, due: dueDatesOf(noted) };
          if (!(await updateSubmission(trx, s.id, s.version, change))) throw new VersionRace();
          for (const t of records) await insertTransition(trx, t);
          return { status: 200, body: missed.map((g, i) => ({ submissionId: s.id, goal: g.kind, event: g.missedEvent, dueDate: g.dueDate, seq: records[i]!.seq })) };
        });
        result.goalsMissed.push(...r.body);
      }
      return result;
    },

    /** Sends an event as the built-in system actor (timers, tests, the sweeper of a later issue). */
    async sendSystemEvent(id: string, body: SendEventBody) {
      return this.sendEvent(SYSTEM_ACTOR, id, body);
    },

    /** GET /v1/submissions/:id */
    async getSubmission(actor: Actor, id: string): Promise<SubmissionView> {
      const s = await loadVisible(reader, actor, id);
      return describe(reader, actor, s);
    },

    /** GET /v1/submissions */
    async listSubmissions(actor: Actor, query: ListQuery): Promise<{ items: SubmissionView[]; nextCursor: string | null }> {
      validator.check(`${SCHEMA_BASE}list-submissions-query.json`, query, '', 'The query string');
      const limit = query.limit ? Number(query.limit) : 50;
      if (query.dueBefore && !isRealDate(query.dueBefore)) throw new InputError('dueBefore is not a date', [{ path: '/dueBefore', message: 'must be a real calendar date YYYY-MM-DD' }]);
      const byNextDue = query.sort === 'nextDue';
      let after: SubmissionListing['after'];
      if (query.cursor) {
        // Keyset pagination: the cursor names the last row of the previous page in the sort order.
        const raw = Buffer.from(query.cursor, 'base64url').toString('utf8');
        const invalid = () => new InputError('The cursor is invalid', [{ path: '/cursor', message: 'is not a cursor returned by this endpoint with the same sort' }]);
        if (byNextDue) {
          const m = /^(\d{4}-\d{2}-\d{2})\|([0-9a-f-]{36})$/.exec(raw);
          if (!m) throw invalid();
          after = { nextKey: m[1]!, id: m[2]! };
        } else {
          if (!/^[0-9a-f-]{36}$/.test(raw)) throw invalid();
          after = { id: raw };
        }
      }
      const at = now();
      const rows = await listSubmissionPage(reader, {
        scope: visibilityScope(actor),
        workflow: query.workflow,
        state: query.state,
        status: query.status,
        organization: query.organization,
        overdue: query.overdue ? { value: query.overdue === 'true', todayOf: new Map([...JURISDICTION_ZONES].map(([j, zone]) => [j, dateIn(at, zone)])) } : undefined,
        dueBefore: query.dueBefore,
        text: query.q,
        order: byNextDue ? 'nextDue' : 'id',
        after,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      // One query for every reference on the page, not one per registration.
      const refIds = [...new Set(page.map((s) => s.referenceSubmissionId).filter((x): x is string => x !== null))];
      const refs = new Map((await submissionsByIds(reader, refIds)).map((r) => [r.id, r]));
      const loadReference = async (refId: string) => refs.get(refId);
      const items: SubmissionView[] = [];
      const designations = await designationsOf(reader, page.filter((s) => s.jurisdiction === 'FDA').map((s) => s.organization.id));
      const histories = await clockEventsOf(reader, page.filter((s) => requireWorkflow(s).clock).map((s) => s.id));
      for (const s of page) items.push(await describe(reader, actor, s, loadReference, designations, { history: histories.get(s.id) ?? [] }));
      const last = page[page.length - 1];
      const cursorOf = (r: Submission) => (byNextDue ? `${r.due.nextKey}|${r.id}` : r.id);
      return { items, nextCursor: rows.length > limit && last ? Buffer.from(cursorOf(last), 'utf8').toString('base64url') : null };
    },

    /**
     * The workflow version of a submission the caller may see (404 otherwise): what the web form
     * needs to read an event's fields, without describing the whole submission.
     */
    async submissionWorkflow(actor: Actor, id: string): Promise<{ id: string; version: number }> {
      const s = await loadVisible(reader, actor, id);
      return { id: s.workflowId, version: s.workflowVersion };
    },

    /** GET /v1/submissions/:id/history */
    async history(actor: Actor, id: string): Promise<Transition[]> {
      await loadVisible(reader, actor, id);
      return listTransitions(reader, id);
    },

    /** GET /v1/submissions/:id/diagram: its workflow version's diagram with its path and state marked. */
    async submissionDiagram(actor: Actor, id: string): Promise<string> {
      const s = await loadVisible(reader, actor, id);
      const visited = (await listTransitions(reader, id)).flatMap((t) => (t.from ? [t.from, t.to] : [t.to]));
      return mermaidDiagram(requireWorkflow(s), { visited, current: s.state });
    },

    /** POST /v1/submissions/:id/documents: bytes stored by SHA-256, and a DOCUMENT_ADDED record. */
    async addDocument(
      actor: Actor,
      id: string,
      doc: { kind: string; filename: string; contentType: string; bytes: Buffer },
      idem?: Idempotency,
    ): Promise<CommandResult<DocumentView>> {
      validator.check(`${SCHEMA_BASE}upload-document-query.json`, { kind: doc.kind, filename: doc.filename }, '', 'The query string');
      if (doc.bytes.length === 0) throw new InputError('The document is empty', [{ path: '', message: 'the request body must hold the document bytes' }]);
      return command(actor, idem, async (trx) => {
        const s = await loadVisible(trx, actor, id, true);
        const may = (actor.role === 'manufacturer') || (actor.role === 'fda' && s.jurisdiction === 'FDA') || (actor.role === 'cofepris' && s.jurisdiction === 'COFEPRIS');
        if (!may) throw new ForbiddenError(`Role ${actor.role} may not add documents to this submission`);
        const w = requireWorkflow(s);
        const at = now();
        const iso = at.toISOString();
        const sha256 = createHash('sha256').update(doc.bytes).digest('hex');
        await putBlob(trx, sha256, doc.bytes);
        const document: Document = {
          id: uuidv7(), submissionId: s.id, kind: doc.kind, filename: doc.filename, contentType: doc.contentType,
          sha256, size: doc.bytes.length, uploadedBy: actor.id, createdAt: iso,
        };
        await insertDocument(trx, document);
        const t = chainRecord(s, w, {
          type: 'DOCUMENT_ADDED',
          data: { documentId: document.id, kind: doc.kind, filename: doc.filename, sha256, size: document.size },
          from: s.state,
          to: s.state,
          actor,
          comment: null,
          effectiveAt: iso,
          recordedAt: iso,
          signature: null,
        });
        const dossierPresent = s.dossierPresent.includes(doc.kind) ? s.dossierPresent : [...s.dossierPresent, doc.kind].sort();
        const ok = await updateSubmission(trx, s.id, s.version, {
          ...s, version: s.version + 1, headSeq: t.seq, headHash: t.hash, dossierPresent, updatedAt: iso,
        });
        if (!ok) throw new VersionRace();
        await insertTransition(trx, t);
        return { status: 201, body: toDocumentView(document) };
      });
    },

    async listDocuments(actor: Actor, id: string): Promise<DocumentView[]> {
      await loadVisible(reader, actor, id);
      return (await listDocuments(reader, id)).map(toDocumentView);
    },

    /** The document's bytes, served only after their SHA-256 is checked again. */
    async readDocument(actor: Actor, id: string, documentId: string): Promise<{ document: DocumentView; bytes: Buffer }> {
      await loadVisible(reader, actor, id);
      const d = await findDocument(reader, id, documentId);
      if (!d) throw new NotFoundError(`No document ${documentId} in submission ${id}`);
      const bytes = await getBlob(reader, d.sha256);
      if (!bytes || sha256Hex(bytes) !== d.sha256) {
        throw new AppError('integrity_failure', `Document ${documentId} failed its SHA-256 check; the stored bytes differ from what was uploaded`);
      }
      return { document: toDocumentView(d), bytes };
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;

/** The xstate version persisted snapshots were made with (anchors.md: pin and record it). */
export const XSTATE_VERSION: string = (await import('xstate/package.json', { with: { type: 'json' } })).default.version;

/** Roles that exist as people; `system` is not among them. */
export type { Role };
