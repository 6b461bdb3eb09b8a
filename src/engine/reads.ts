/** Reading one submission the caller may see (404 otherwise): its view, workflow version, history and diagram. */
import type { Actor, Transition } from '../store/types.js';
import { mermaidDiagram } from './catalog.js';
import { requireWorkflow, type EngineContext } from './context.js';
import { describe, type SubmissionView } from './views.js';
import { loadVisible } from './visibility.js';

/** GET /v1/submissions/:id */
export async function getSubmission(ctx: EngineContext, actor: Actor, id: string): Promise<SubmissionView> {
  const s = await loadVisible(ctx.stores, actor, id);
  return describe(ctx, ctx.stores, actor, s);
}

/**
 * The workflow version of a submission the caller may see (404 otherwise): what the web form
 * needs to read an event's fields, without describing the whole submission.
 */
export async function submissionWorkflow(ctx: EngineContext, actor: Actor, id: string): Promise<{ id: string; version: number }> {
  const s = await loadVisible(ctx.stores, actor, id);
  return { id: s.workflowId, version: s.workflowVersion };
}

/** GET /v1/submissions/:id/history */
export async function history(ctx: EngineContext, actor: Actor, id: string): Promise<Transition[]> {
  await loadVisible(ctx.stores, actor, id);
  return ctx.stores.history.list(id);
}

/** GET /v1/submissions/:id/diagram: its workflow version's diagram with its path and state marked. */
export async function submissionDiagram(ctx: EngineContext, actor: Actor, id: string): Promise<string> {
  const s = await loadVisible(ctx.stores, actor, id);
  const visited = (await ctx.stores.history.list(id)).flatMap((t) => (t.from ? [t.from, t.to] : [t.to]));
  return mermaidDiagram(requireWorkflow(s), { visited, current: s.state });
}
