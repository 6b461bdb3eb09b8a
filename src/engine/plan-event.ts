/**
 * Planning one workflow event (DESIGN §2, the hot path): who may send it, its payload and
 * effective date, what the machine decides, the hash-chained record and the submission after it.
 *
 * The planning steps are pure: the caller reads the facts first and passes them in.
 * {@link checkEvent} (role, payload, effective date) -> the caller reads the event's facts
 * (`loadEventFacts`) -> {@link decideEvent} (machine, signature, record) -> the caller reads the
 * clock history (`clockHistory`) -> {@link withClocks} (clocks, due dates). {@link planEventOn}
 * does the reading between the steps, exactly the reads the event needs and in that order, so a
 * step refused early reads nothing more.
 */
import { transition, type AnyMachineSnapshot } from 'xstate';
import type { WorkflowDefinition } from '../../workflows/index.js';
import type { EventFacts, WorkflowEvent } from '../../workflows/types.js';
import { EventNotAllowedError, ForbiddenError, InputError, fieldError } from '../errors.js';
import type { StoreSet } from '../store/stores.js';
import type { Actor, ClockEventRow, Submission, Transition } from '../store/types.js';
import { eventSchemaId } from '../validation.js';
import type { ClockFigures } from './clocks.js';
import { persisted, requireWorkflow, restore, statusOf, type EngineContext, type SendEventBody } from './context.js';
import { activeDeadline, handledEvents, statePathOf } from './definitions.js';
import { clockHistory, deadlineFor, dueDatesOf, figuresFrom } from './due-dates.js';
import { loadEventFacts } from './facts.js';
import { chainRecord, type SignatureManifestation } from './records.js';
import { dateIn, parseEffectiveAt } from './time.js';

/** A planned event: everything its writes need. */
export interface EventPlan {
  readonly w: WorkflowDefinition;
  /** The submission as the plan read it; the write is guarded by its version. */
  readonly before: Submission;
  /** The submission after the event. */
  readonly submission: Submission;
  readonly transition: Transition;
  readonly stateChanged: boolean;
  /** The clocks after the event (for the stored due dates and the response). */
  readonly figures: ClockFigures;
}

export interface PlanOptions {
  /** The command's server time: the record's `recordedAt`, and the default effective date. */
  readonly at: Date;
  /** The system's own events (timeouts, reliance) skip the payload schema check. */
  readonly trusted?: boolean;
  /** The signature manifestation of a signed step (its password already checked), or none. */
  readonly signature?: { meaning: string } | null;
}

/** An event that passed the checks that need nothing but the request and the submission. */
export interface CheckedEvent {
  readonly w: WorkflowDefinition;
  readonly body: SendEventBody;
  readonly data: Record<string, unknown>;
  readonly effectiveAt: string;
}

/** The effective date of an event on `s`: given (not in the future, not before the last one) or now. */
export function resolveEffectiveAt(w: WorkflowDefinition, s: Submission, raw: string | undefined, at: Date): string {
  if (raw === undefined) return at.toISOString();
  const parsed = parseEffectiveAt(raw, w.timeZone);
  if (!parsed) {
    throw new InputError({ code: 'engine.effective_at_not_date' }, [fieldError('/effectiveAt', { code: 'engine.effective_at_format' })]);
  }
  if (parsed.getTime() > at.getTime()) {
    throw new InputError({ code: 'engine.effective_at_future' }, [
      fieldError('/effectiveAt', { code: 'engine.after_server_time', params: { serverTime: at.toISOString() } }),
    ]);
  }
  const iso = parsed.toISOString();
  if (s.lastEffectiveAt && iso < s.lastEffectiveAt) {
    throw new InputError({ code: 'engine.effective_at_before_previous' }, [
      fieldError('/effectiveAt', { code: 'engine.before_previous', params: { previous: s.lastEffectiveAt } }),
    ]);
  }
  return iso;
}

/**
 * First step (pure): the event exists in `s`'s workflow version (422), `actor`'s role may send it
 * (403), its payload fits its schema (422) and its effective date is acceptable (422).
 */
export function checkEvent(ctx: EngineContext, s: Submission, actor: Actor, body: SendEventBody, opts: PlanOptions): CheckedEvent {
  const w = requireWorkflow(s);
  const spec = w.events[body.type];
  if (!spec) {
    throw new InputError({ code: 'engine.unknown_event', params: { type: body.type, workflow: w.id, version: w.version } }, [
      fieldError('/type', { code: 'validation.one_of_list', params: { values: Object.keys(w.events) } }),
    ]);
  }
  if (!spec.roles.includes(actor.role)) {
    throw new ForbiddenError(
      spec.roles.includes('system')
        ? { code: 'engine.system_only', params: { event: body.type, role: actor.role } }
        : { code: 'engine.roles_only', params: { event: body.type, roles: spec.roles, role: actor.role } },
    );
  }
  const data = body.data ?? {};
  if (!opts.trusted) ctx.validator.check(eventSchemaId(w, body.type), data, '/data', { code: 'invalid.event_data', params: { event: body.type } });
  return { w, body, data, effectiveAt: resolveEffectiveAt(w, s, body.effectiveAt, opts.at) };
}

/** An event the machine accepted, before its clocks are computed. */
export interface DecidedEvent {
  readonly w: WorkflowDefinition;
  readonly before: Submission;
  readonly next: AnyMachineSnapshot;
  readonly transition: Transition;
  readonly stateChanged: boolean;
  /** The submission after the event, its due dates not yet recomputed. */
  readonly submission: Submission;
}

/**
 * Second step (pure, given the event's facts): the machine accepts the event in the current
 * state, or it is refused with the workflow's own explanation (409); a step the version marks as
 * signed must carry a signature (422); then the transition, the record (with the facts, on the
 * versions that record them) and the new submission.
 */
export function decideEvent(
  ctx: EngineContext,
  s: Submission,
  actor: Actor,
  checked: CheckedEvent,
  facts: EventFacts | undefined,
  opts: PlanOptions,
): DecidedEvent {
  const { w, body, data, effectiveAt } = checked;
  const event: WorkflowEvent = {
    type: body.type,
    data,
    effectiveDate: dateIn(new Date(effectiveAt), w.timeZone),
    ...(w.factsFor?.[body.type] ? { facts } : {}),
  };

  const current = restore(w, s);
  // A deadline left to the regulator's decision (domain.md §7.1) is decided once it passed, never
  // while the applicant's term runs.
  const spec = activeDeadline(current);
  // Decided on the dates alone: the `passed` mark is the sweeper's note for the views, not a key.
  if (spec?.consequence === 'decision' && spec.event === body.type && actor.role !== 'system' && s.deadline) {
    if (event.effectiveDate! <= s.deadline.dueDate && dateIn(opts.at, w.timeZone) <= s.deadline.dueDate)
      throw new EventNotAllowedError({
        code: 'refusal.refused',
        params: { event: body.type, state: s.state, reasons: [{ code: 'refusal.deadline_running', params: { dueDate: s.deadline.dueDate } }] },
      });
  }
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
  if (w.events[body.type]!.requiresSignature && !opts.signature) {
    throw new InputError({ code: 'engine.must_sign', params: { event: body.type } }, [fieldError('/signature', { code: 'engine.signature_required_field' })]);
  }
  const [next] = transition(w.machine, current, event as never);
  const to = statePathOf(next);
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
    // Issue 8: versions that record facts keep the facts the guard just decided on in the hashed
    // record, so an offline replay hands the machine the same event and re-decides the guard.
    ...(w.recordsFacts && w.factsFor?.[body.type] && facts ? { facts: { ...facts } } : {}),
  });
  const stateChanged = to !== s.state;
  const submission: Submission = {
    ...s,
    state: to,
    status: statusOf(to),
    snapshot: persisted(next),
    version: s.version + 1,
    headSeq: t.seq,
    headHash: t.hash,
    lastEffectiveAt: effectiveAt,
    stateSince: stateChanged ? effectiveAt : s.stateSince,
    deadline: stateChanged ? deadlineFor(ctx, w, next, effectiveAt) : s.deadline,
    updatedAt: recordedAt,
  };
  return { w, before: s, next, transition: t, stateChanged, submission };
}

/** Third step (pure, given the stored clock history): the clocks after the event and the due dates they set. */
export function withClocks(ctx: EngineContext, decided: DecidedEvent, history: readonly ClockEventRow[]): EventPlan {
  const t = decided.transition;
  const figures = figuresFrom(ctx, decided.w, decided.submission, [...history, { type: t.type, to: t.to, effectiveAt: t.effectiveAt }]);
  return {
    w: decided.w,
    before: decided.before,
    submission: { ...decided.submission, due: dueDatesOf(figures) },
    transition: t,
    stateChanged: decided.stateChanged,
    figures,
  };
}

/**
 * Documents a response attaches (`data.documents`, issue 13 §2) are the submission's own: each id
 * has its `DOCUMENT_ADDED` record in this submission's chain (422 at its pointer otherwise). Read
 * only when an event names documents, so other steps pay nothing.
 */
async function checkAttachedDocuments(conn: StoreSet, s: Submission, data: Record<string, unknown>): Promise<void> {
  const ids = data.documents;
  if (!Array.isArray(ids) || ids.length === 0) return;
  const found = await Promise.all(ids.map((id) => (typeof id === 'string' ? conn.documents.chained(s.id, id) : Promise.resolve(undefined))));
  const errors = ids.flatMap((id, i) =>
    found[i] ? [] : [fieldError(`/data/documents/${i}`, { code: 'engine.document_not_on_submission', params: { id: String(id) } })],
  );
  if (errors.length > 0) throw new InputError({ code: 'engine.documents_not_attached' }, errors);
}

/**
 * Plans one workflow event on `s`, reading on `conn` what the steps need (the event's facts,
 * the clock history): reads only, writes nothing.
 */
export async function planEventOn(ctx: EngineContext, conn: StoreSet, s: Submission, actor: Actor, body: SendEventBody, opts: PlanOptions): Promise<EventPlan> {
  const checked = checkEvent(ctx, s, actor, body, opts);
  await checkAttachedDocuments(conn, s, checked.data);
  const facts = checked.w.factsFor?.[body.type] ? await loadEventFacts(ctx, conn, checked.w, s, actor, body) : undefined;
  const decided = decideEvent(ctx, s, actor, checked, facts, opts);
  return withClocks(ctx, decided, await clockHistory(conn, decided.w, decided.submission));
}
