/** Sending a workflow event to a submission (POST /v1/submissions/:id/events, the web's event forms). */
import { InputError, VersionMismatchError, fieldError } from '../errors.js';
import type { Actor, Transition } from '../store/types.js';
import { SCHEMA_BASE } from '../validation.js';
import { SYSTEM_ACTOR, type EngineContext, type SendEventBody } from './context.js';
import { agreeingWithChain } from './chain-head.js';
import { planEventOn } from './plan-event.js';
import { VersionRace, recordableEventType, recordingRefusals, runCommand, type CommandOrigin, type CommandResult, type Idempotency } from './run-command.js';
import { describe, type SubmissionView } from './views.js';
import { cascades, writeEvent } from './write-event.js';
import { loadVisible } from './visibility.js';

export interface SendEventOptions {
  /** The version the sender read (If-Match, the form's version): 412 when the submission moved on. */
  readonly ifMatch?: number;
  readonly idempotency?: Idempotency;
  /** Where the command came from, so a refusal is recorded (absent: not recorded). */
  readonly origin?: CommandOrigin;
}

/** What an applied event answers: the submission after it, and its history record. */
export interface EventApplied {
  readonly submission: SubmissionView;
  readonly transition: Transition;
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
async function checkSignature(ctx: EngineContext, actor: Actor, id: string, body: SendEventBody, opts: SendEventOptions): Promise<{ meaning: string } | null> {
  if (opts.idempotency && (await ctx.stores.idempotency.find(actor.id, opts.idempotency.key))) return null;
  if (!body.signature) return null; // a step that needs one is refused by planning (422 at /signature)
  if (actor.role === 'system')
    throw new InputError({ code: 'engine.system_does_not_sign' }, [fieldError('/signature', { code: 'engine.system_signature_field' })]);
  const s = agreeingWithChain(await loadVisible(ctx.stores, actor, id));
  if (opts.ifMatch !== undefined && opts.ifMatch !== s.version) throw new VersionMismatchError(s.version, opts.ifMatch);
  const manifestation = { meaning: body.signature.meaning };
  await planEventOn(ctx, ctx.stores, s, actor, body, { at: ctx.now(), signature: manifestation });
  await ctx.signatures.reauthenticateToSign(actor, body.signature.password, '/signature/password', { submissionId: id, eventType: body.type });
  return manifestation;
}

/**
 * Sends `body` to submission `id` as `actor`: planned on the read pool (visibility 404, If-Match
 * 412, role 403, payload 422, machine 409), then written guarded by the version it read, with the
 * reliance cascade when the event invalidates a reference. Refusals (403, 409, 412) are recorded
 * when `opts.origin` says where the command came from. Outcome `applied`.
 */
export function sendEvent(
  ctx: EngineContext,
  actor: Actor,
  id: string,
  body: SendEventBody,
  opts: SendEventOptions = {},
): Promise<CommandResult<EventApplied>> {
  return recordingRefusals(ctx, actor, opts.origin, { submissionId: id, eventType: recordableEventType(body?.type) }, async () => {
    ctx.validator.check(`${SCHEMA_BASE}send-event.json`, body);
    const signature = await checkSignature(ctx, actor, id, body, opts);
    return runCommand(ctx, {
      actor,
      outcome: 'applied',
      idempotency: opts.idempotency,
      plan: async (stores, inTransaction) => {
        const s = agreeingWithChain(await loadVisible(stores, actor, id, inTransaction));
        if (opts.ifMatch !== undefined && opts.ifMatch !== s.version) throw new VersionMismatchError(s.version, opts.ifMatch);
        const at = ctx.now();
        const event = await planEventOn(ctx, stores, s, actor, body, { at, signature });
        return { at, event, view: await describe(ctx, stores, actor, event.submission, { clock: { figures: event.figures } }) };
      },
      write: async (tx, plan) => {
        await writeEvent(ctx, tx, plan.event, { ifMatch: opts.ifMatch, at: plan.at });
        return { submission: plan.view, transition: plan.event.transition };
      },
      direct: async (plan) => {
        // Nothing else to write (no relying registration to notify): the store's one commit of an
        // event, a single trip to the writer where the database allows it.
        const { event } = plan;
        if (cascades(event)) return null;
        if (!(await ctx.stores.history.commitEvent(event.before.id, event.before.version, event.submission, event.transition))) {
          if (opts.ifMatch !== undefined) {
            const fresh = await ctx.stores.submissions.find(id);
            throw new VersionMismatchError(fresh?.version ?? event.before.version, opts.ifMatch);
          }
          throw new VersionRace();
        }
        return { submission: plan.view, transition: event.transition };
      },
    });
  });
}

/** Sends an event as the built-in system actor (timers, tests). */
export function sendSystemEvent(ctx: EngineContext, id: string, body: SendEventBody): Promise<CommandResult<EventApplied>> {
  return sendEvent(ctx, SYSTEM_ACTOR, id, body);
}
