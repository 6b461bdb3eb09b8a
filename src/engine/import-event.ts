/**
 * One imported step (`npx puente import`, tracker issue 16 §4): an event of a submission's past,
 * replayed through the same planning and write as {@link sendEvent} (role, payload schema,
 * effective date, machine guards, clocks, hash chain, reliance cascade), as the import actor of
 * its role.
 *
 * The one difference from sendEvent is the signature of a step the workflow version marks as
 * signed: the original was signed outside puente (the sponsor's filing, the agency's letter), so
 * nobody's password is checked here. The record carries the import actor's manifestation with the
 * meaning `authorship` (the authorship of the transcribed record), and its comment names the file,
 * the line and who imported it. Only the command line reaches this function; no HTTP route does.
 */
import type { Actor, Transition } from '../store/types.js';
import { SCHEMA_BASE } from '../validation.js';
import { requireWorkflow, type EngineContext, type SendEventBody } from './context.js';
import { agreeingWithChain } from './chain-head.js';
import { planEventOn } from './plan-event.js';
import { runCommand } from './run-command.js';
import { loadVisible } from './visibility.js';
import { writeEvent } from './write-event.js';

/** The meaning of an imported signed step's manifestation (schemas/signature.json's enum). */
export const IMPORTED_SIGNATURE_MEANING = 'authorship';

/** Applies the imported event `body` to submission `id` as `actor`; answers its history record. */
export async function applyImportedEvent(ctx: EngineContext, actor: Actor, id: string, body: SendEventBody): Promise<Transition> {
  ctx.validator.check(`${SCHEMA_BASE}send-event.json`, body);
  const result = await runCommand(ctx, {
    actor,
    outcome: 'applied',
    plan: async (stores, inTransaction) => {
      const s = agreeingWithChain(await loadVisible(stores, actor, id, inTransaction));
      const signed = requireWorkflow(s).events[body.type]?.requiresSignature === true;
      const at = ctx.now();
      const event = await planEventOn(ctx, stores, s, actor, body, { at, signature: signed ? { meaning: IMPORTED_SIGNATURE_MEANING } : null });
      return { at, event };
    },
    write: async (tx, plan) => {
      await writeEvent(ctx, tx, plan.event, { at: plan.at });
      return plan.event.transition;
    },
  });
  return result.body;
}
