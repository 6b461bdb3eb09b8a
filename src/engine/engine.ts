/**
 * The engine: create, advance, describe and list submissions. One database transaction per
 * command; the machine is pure (restore snapshot -> `transition()` -> save), and the history row
 * is hash-chained in the same transaction as the state change (21 CFR 11.10(e), 11.10(f)).
 *
 * Each responsibility is its own module of named functions taking the {@link EngineContext}:
 *
 * - run-command.ts      transaction, retries, Idempotency-Key, refused-command record, outcomes
 * - plan-event.ts       planning one event (pure steps; the workflow's refusal explanation)
 * - write-event.ts      the guarded write of a planned event and the reliance cascade
 * - visibility.ts       who sees which submission: the one policy (its SQL form in the store)
 * - facts.ts            dossier, classification, reference and link facts for guards and views
 * - due-dates.ts        deadlines, clock figures, stored due dates
 * - views.ts            SubmissionView / DocumentView
 * - create-submission.ts, send-event.ts, documents.ts   the commands
 * - reads.ts, listing.ts                                the reads
 * - sweeper.ts, migrate-workflow.ts                     the system's own jobs
 *
 * {@link createEngine} binds them to their dependencies once, for callers that hold one engine
 * (`services.engine.sendEvent(...)`).
 */
import type { WorkflowDefinition } from '../../workflows/index.js';
import type { DiagramLabels } from './catalog.js';
import type { Actor } from '../store/types.js';
import { engineContext, type CreateSubmissionBody, type EngineDeps, type ListQuery, type SendEventBody } from './context.js';
import { createSubmission } from './create-submission.js';
import { addDocument, listDocuments, readDocument, type NewDocument } from './documents.js';
import { insights } from './insights.js';
import { describeByIds, listSubmissions, visibleRevisions } from './listing.js';
import { migrateWorkflow } from './migrate-workflow.js';
import { recomputeCalendar } from './recompute-calendar.js';
import { refreshDueDates } from './refresh-due-dates.js';
import { getSubmission, history, submissionDiagram, submissionWorkflow } from './reads.js';
import { recordableEventType, recordingRefusals, type CommandOrigin, type Idempotency } from './run-command.js';
import { sendEvent, sendSystemEvent, type SendEventOptions } from './send-event.js';
import { sweep } from './sweeper.js';

export { SYSTEM_ACTOR, XSTATE_VERSION, engineContext, persisted, statusOf } from './context.js';
export type { CreateSubmissionBody, EngineContext, EngineDeps, ListQuery, SendEventBody } from './context.js';
export { dueDatesOf } from './due-dates.js';
export { LETTER_KIND } from './facts.js';
export { chainRecord, type SignatureManifestation } from './records.js';
export { MAX_COMMAND_ATTEMPTS, REFUSAL_CODES, requestHash } from './run-command.js';
export type { CommandOrigin, CommandOutcome, CommandResult, Idempotency } from './run-command.js';
export type { EventApplied, SendEventOptions } from './send-event.js';
export type { MigrationResult } from './migrate-workflow.js';
export type { RecomputeResult } from './recompute-calendar.js';
export type { SweepResult } from './sweeper.js';
export type { DocumentView, SubmissionView } from './views.js';
export type { Insights, InsightsQuery } from './insights.js';
export type { NewDocument } from './documents.js';

/** The engine's functions bound to one set of dependencies (resolved once, here). */
export function createEngine(deps: EngineDeps) {
  const ctx = engineContext(deps);
  return {
    /** POST /v1/submissions (create-submission.ts) */
    createSubmission: (actor: Actor, body: CreateSubmissionBody, opts?: { idempotency?: Idempotency; origin?: CommandOrigin }) =>
      createSubmission(ctx, actor, body, opts),
    /** POST /v1/submissions/:id/events (send-event.ts) */
    sendEvent: (actor: Actor, id: string, body: SendEventBody, opts?: SendEventOptions) => sendEvent(ctx, actor, id, body, opts),
    /** An event from the built-in system actor (timers, tests). */
    sendSystemEvent: (id: string, body: SendEventBody) => sendSystemEvent(ctx, id, body),
    /** `puente workflow migrate` (migrate-workflow.ts) */
    migrateWorkflow: (from: WorkflowDefinition, to: WorkflowDefinition, opts: { dryRun: boolean; by: string }) => migrateWorkflow(ctx, from, to, opts),
    /** `puente calendar recompute` (recompute-calendar.ts, issue 9 §5) */
    recomputeCalendar: (opts: { dryRun: boolean; by: string }) => recomputeCalendar(ctx, opts),
    /** One sweeper pass (sweeper.ts) */
    sweep: (opts?: { limit?: number }) => sweep(ctx, opts),
    /** GET /v1/submissions/:id */
    getSubmission: (actor: Actor, id: string) => getSubmission(ctx, actor, id),
    /** GET /v1/submissions */
    listSubmissions: (actor: Actor, query: ListQuery) => listSubmissions(ctx, actor, query),
    /** Where every submission `actor` may see is (version, chain head, deadline), newest first (listing.ts; the calendar feed). */
    visibleRevisions: (actor: Actor) => visibleRevisions(ctx, actor),
    /** Submissions `actor` may see, by id, described as GET /v1/submissions/:id would (listing.ts). */
    describeSubmissions: (actor: Actor, ids: readonly string[]) => describeByIds(ctx, actor, ids),
    /** GET /v1/insights (insights.ts) */
    insights: (actor: Actor, query: Record<string, unknown>) => insights(ctx, actor, query),
    /**
     * The workflow version of a visible submission, read before a write (the web's event and
     * upload forms): a 404 here is the write's refusal and is recorded like one.
     */
    submissionWorkflow: (actor: Actor, id: string, write?: { origin: CommandOrigin; eventType: unknown }) =>
      write
        ? recordingRefusals(ctx, actor, write.origin, { submissionId: id, eventType: recordableEventType(write.eventType) }, () =>
            submissionWorkflow(ctx, actor, id),
          )
        : submissionWorkflow(ctx, actor, id),
    /** GET /v1/submissions/:id/history */
    history: (actor: Actor, id: string) => history(ctx, actor, id),
    /** GET /v1/submissions/:id/diagram */
    submissionDiagram: (actor: Actor, id: string, labels?: DiagramLabels) => submissionDiagram(ctx, actor, id, labels),
    refreshDueDates: () => refreshDueDates(ctx),
    /** POST /v1/submissions/:id/documents (documents.ts) */
    addDocument: (actor: Actor, id: string, doc: NewDocument, opts?: { idempotency?: Idempotency; origin?: CommandOrigin }) =>
      addDocument(ctx, actor, id, doc, opts),
    /** GET /v1/submissions/:id/documents */
    listDocuments: (actor: Actor, id: string) => listDocuments(ctx, actor, id),
    /** GET /v1/submissions/:id/documents/:documentId */
    readDocument: (actor: Actor, id: string, documentId: string) => readDocument(ctx, actor, id, documentId),
  };
}

export type Engine = ReturnType<typeof createEngine>;

/** Roles that exist as people; `system` is not among them. */
export type { Role } from '../../workflows/types.js';
