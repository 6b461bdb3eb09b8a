/** Reading one submission the caller may see (404 otherwise): its view, workflow version, history and diagram. */
import type { Actor, Transition } from '../store/types.js';
import { mermaidDiagram, type DiagramLabels } from './catalog.js';
import { requireWorkflow, type EngineContext } from './context.js';
import { describe, type SubmissionView } from './views.js';
import { loadVisible } from './visibility.js';
import { openRequestsOf, relyingOn, stepsOf, type OpenRequest, type RelyingView, type StepView } from './next-steps.js';

/** GET /v1/submissions/:id */
export async function getSubmission(ctx: EngineContext, actor: Actor, id: string): Promise<SubmissionView & SubmissionDetail> {
  const s = await loadVisible(ctx.stores, actor, id);
  const w = requireWorkflow(s);
  const view = await describe(ctx, ctx.stores, actor, s);
  const steps = await stepsOf(ctx, ctx.stores, actor, w, s);
  // The history is read only while a hold may have a request open.
  const openRequests = view.clocks.onHold ? openRequestsOf(w, s, await ctx.stores.history.list(id)) : [];
  return { ...view, steps, openRequests, reliedOnBy: await relyingOn(ctx.stores, actor, s) };
}

/** What one submission's page adds to its view (issue 13 of the guide §3–§4): not on the event path. */
export interface SubmissionDetail {
  /** Every step the current state takes, who may take it, and whether a guard would refuse it now. */
  steps: StepView[];
  /** The regulator's requests the applicant must answer in the current hold. */
  openRequests: OpenRequest[];
  /** For an FDA submission: the registrations relying on it that the caller may see. */
  reliedOnBy: RelyingView[];
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
export async function submissionDiagram(ctx: EngineContext, actor: Actor, id: string, labels?: DiagramLabels): Promise<string> {
  const s = await loadVisible(ctx.stores, actor, id);
  const visited = (await ctx.stores.history.list(id)).flatMap((t) => (t.from ? [t.from, t.to] : [t.to]));
  return mermaidDiagram(requireWorkflow(s), { visited, current: s.state }, labels);
}
