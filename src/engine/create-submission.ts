/** Creating a submission (POST /v1/submissions, the web's new-submission form). */
import { v7 as uuidv7 } from 'uuid';
import { initialTransition } from 'xstate';
import type { ReferenceInput } from '../../workflows/cofepris-registration.js';
import { latestWorkflow } from '../../workflows/index.js';
import { ForbiddenError, InputError, fieldError } from '../errors.js';
import { checkProductCode } from '../reference/product-classification.js';
import { NO_DUE_DATES, type Actor, type Submission } from '../store/types.js';
import { SCHEMA_BASE, inputSchemaId } from '../validation.js';
import { XSTATE_VERSION, persisted, statusOf, type CreateSubmissionBody, type EngineContext } from './context.js';
import { statePathOf } from './definitions.js';
import { deadlineFor, dueDatesOf, figuresFrom } from './due-dates.js';
import { GENESIS_HASH } from './hash.js';
import { chainRecord } from './records.js';
import { recordingRefusals, runCommand, type CommandOrigin, type CommandResult, type Idempotency } from './run-command.js';
import { describe, type SubmissionView } from './views.js';

/**
 * Creates a submission of the latest version of `body.workflow` for the manufacturer `actor`'s
 * organization, with its `CREATED` history record. Only manufacturers create (403, recorded as a
 * refusal when `origin` says where the command came from); the input must fit the workflow's
 * schema and name only submissions of the same organization (422). Outcome `created`.
 */
export function createSubmission(
  ctx: EngineContext,
  actor: Actor,
  body: CreateSubmissionBody,
  opts: { idempotency?: Idempotency; origin?: CommandOrigin; /** The CREATED record's comment (the import names its file and line). */ comment?: string } = {},
): Promise<CommandResult<SubmissionView>> {
  return recordingRefusals(ctx, actor, opts.origin, { submissionId: null, eventType: 'CREATED' }, async () => {
    ctx.validator.check(`${SCHEMA_BASE}create-submission.json`, body);
    const w = latestWorkflow(body.workflow);
    if (!w)
      throw new InputError({ code: 'engine.unknown_workflow', params: { workflowId: body.workflow } }, [
        fieldError('/workflow', { code: 'engine.not_a_workflow_id' }),
      ]);
    if (actor.role !== 'manufacturer' || !actor.organization) {
      throw new ForbiddenError({ code: 'engine.only_manufacturers_create', params: { role: actor.role } });
    }
    const org = actor.organization;
    ctx.validator.check(inputSchemaId(w), body.input, '/input', { code: 'invalid.input', params: { workflow: w.id } });
    // FDA product classification: refuses a pathway the code cannot take (422 at
    // /device/productCode), and warns where it is unusual (exempt codes, ...).
    const warnings = ctx.productClassification ? checkProductCode(ctx.productClassification, w.id, body.device.productCode, body.input) : [];
    return runCommand(ctx, {
      actor,
      outcome: 'created',
      idempotency: opts.idempotency,
      write: async (tx) => {
        let referenceSubmissionId: string | null = null;
        const ref = body.input.reference as ReferenceInput | undefined;
        if (ref && 'submissionId' in ref) {
          const target = await tx.submissions.find(ref.submissionId);
          if (!target || target.organization.id !== org.id || target.jurisdiction !== 'FDA') {
            throw new InputError({ code: 'engine.reference_not_fda' }, [
              fieldError('/input/reference/submissionId', { code: 'engine.reference_not_fda_field' }),
            ]);
          }
          referenceSubmissionId = target.id;
        }
        const linked = body.input.linkedSubmissionId;
        if (typeof linked === 'string') {
          const target = await tx.submissions.find(linked);
          if (!target || target.organization.id !== org.id || !w.linkableWorkflows?.includes(target.workflowId)) {
            throw new InputError({ code: 'engine.link_not_nameable' }, [
              fieldError('/input/linkedSubmissionId', { code: 'engine.link_not_nameable_field', params: { workflows: w.linkableWorkflows ?? [] } }),
            ]);
          }
        }
        const iso = ctx.now().toISOString();
        const [initial] = initialTransition(w.machine, body.input as never);
        const state = statePathOf(initial);
        const draft: Submission = {
          id: uuidv7(),
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
          comment: opts.comment ?? null,
          effectiveAt: iso,
          recordedAt: iso,
          signature: null,
        });
        const unsized: Submission = { ...draft, version: 1, headSeq: t.seq, headHash: t.hash, deadline: deadlineFor(ctx, w, initial, iso) };
        const figures = figuresFrom(ctx, w, unsized, [{ type: t.type, to: t.to, effectiveAt: t.effectiveAt }]);
        const created: Submission = { ...unsized, due: dueDatesOf(figures) };
        await tx.submissions.insert(created);
        await tx.history.insert(t);
        return { ...(await describe(ctx, tx, actor, created, { clock: { figures } })), ...(warnings.length ? { warnings } : {}) };
      },
    });
  });
}
