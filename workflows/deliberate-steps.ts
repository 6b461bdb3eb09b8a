/**
 * Deliberate steps (issue 13 §2): the released machines of issue 9, as their next versions, with
 * two rules on what a party sends.
 *
 * - A response carries content. An answer to what the regulator asked (an AI request, an RTA, a
 *   prevención, a major deficiency letter, a request for information) states what it brings in
 *   `summary`, or names the documents it attaches (`documents`: ids of documents already added to
 *   the submission; the engine checks each against the submission's own `DOCUMENT_ADDED` records).
 *   An empty response no longer moves a submission out of its hold.
 * - A party's terminal step is signed. Withdrawing an FDA submission (the sponsor's written
 *   request) and desisting from a COFEPRIS trámite (LFPA art. 57 fr. II, a written act of the
 *   applicant) end the record; like a filing or a decision they carry a Part 11 signature, so the
 *   sender re-enters their password and the record shows the manifestation. The regulators'
 *   terminal decisions (denials, refusals) are signed since version 3 and state their grounds.
 *
 * The machines, clocks, goals and deadlines are the previous versions' unchanged, so
 * `puente workflow migrate` moves running submissions without touching their context.
 */
import { cofeprisRegistrationV6 } from './cofepris-registration-v6.js';
import { signedEvents, text } from './common.js';
import { fda510kV4 } from './fda-510k-v4.js';
import { fdaBreakthroughV5 } from './fda-breakthrough-v5.js';
import { fdaDeNovoV4 } from './fda-de-novo-v4.js';
import { fdaHdeV4 } from './fda-hde-v4.js';
import { fdaPmaV4 } from './fda-pma-v4.js';
import { fdaPresubV4 } from './fda-presub-v4.js';
import type { EventSpec, JsonSchema, WorkflowDefinition } from './types.js';

/** A response's text: at least one character that is not a space. */
export const responseText: JsonSchema = { ...text, pattern: '\\S' };

/** Documents a response attaches: ids of the submission's documents (checked by the engine). */
export const attachedDocuments: JsonSchema = {
  type: 'array',
  minItems: 1,
  maxItems: 50,
  items: { type: 'string', format: 'uuid' },
  description: 'Ids of documents already added to this submission that the response attaches.',
};

/**
 * A response event's payload: its released fields, a non-blank `summary`, optional `documents`,
 * and `summary` required unless documents are attached (if/then, so a missing summary is reported
 * at `/data/summary`, not as an unexplained `anyOf`).
 */
function withContent(spec: EventSpec): EventSpec {
  const schema = spec.schema as { properties?: Record<string, JsonSchema>; required?: string[] };
  return {
    ...spec,
    description: `${spec.description} The response states what it brings (summary) or attaches documents already added to the submission.`,
    schema: {
      ...spec.schema,
      properties: { ...schema.properties, summary: responseText, documents: attachedDocuments },
      required: schema.required ?? [],
      if: { not: { required: ['documents'] } },
      then: { required: ['summary'] },
    },
  };
}

export interface DeliberateSteps {
  /** The new version number. */
  readonly version: number;
  /** Events that answer a regulator's request: content required. */
  readonly responses: readonly string[];
  /** A party's terminal steps that now carry a Part 11 signature. */
  readonly signed: readonly string[];
}

/** `w`'s next version with content-bearing responses and signed terminal steps (see above). */
export function deliberateSteps(w: WorkflowDefinition, steps: DeliberateSteps): WorkflowDefinition {
  if (steps.version <= w.version) throw new Error(`deliberateSteps: ${w.id}@${steps.version} does not follow @${w.version}`);
  const events: Record<string, EventSpec> = { ...w.events };
  for (const type of steps.responses) {
    const spec = events[type];
    if (!spec) throw new Error(`deliberateSteps: ${w.id} has no event ${type}`);
    if (!spec.roles.includes('manufacturer')) throw new Error(`deliberateSteps: ${type} is not the applicant's response`);
    events[type] = withContent(spec);
  }
  return { ...w, version: steps.version, events: signedEvents(events, steps.signed) };
}

// ---------------------------------------------------------------------------------------------
// The versions (issue 13 §2).
// ---------------------------------------------------------------------------------------------

export const fda510kV5 = deliberateSteps(fda510kV4, { version: 5, responses: ['RTA_RESPONSE', 'AI_RESPONSE'], signed: ['WITHDRAW'] });
export const fdaDeNovoV5 = deliberateSteps(fdaDeNovoV4, { version: 5, responses: ['RTA_RESPONSE', 'AI_RESPONSE'], signed: ['WITHDRAW'] });
export const fdaPmaV5 = deliberateSteps(fdaPmaV4, {
  version: 5,
  responses: ['RTA_RESPONSE', 'FILING_AMENDMENT', 'MAJOR_AMENDMENT', 'APPROVABLE_RESPONSE', 'AMENDMENT'],
  signed: ['WITHDRAW'],
});
export const fdaHdeV5 = deliberateSteps(fdaHdeV4, { version: 5, responses: ['HUD_INFO_RESPONSE', 'AMENDMENT'], signed: ['WITHDRAW'] });
export const fdaPresubV5 = deliberateSteps(fdaPresubV4, { version: 5, responses: ['RESPONSE'], signed: ['WITHDRAW'] });
export const fdaBreakthroughV6 = deliberateSteps(fdaBreakthroughV5, { version: 6, responses: ['INFO_RESPONSE'], signed: ['WITHDRAW'] });
export const cofeprisRegistrationV7 = deliberateSteps(cofeprisRegistrationV6, { version: 7, responses: ['RESPOND_PREVENCION'], signed: ['DESIST'] });
