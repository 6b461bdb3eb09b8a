/**
 * History records: each one is hash-chained to the one before it (21 CFR 11.10(e)), and carries
 * the signature manifestation of a signed step (11.50).
 */
import { v7 as uuidv7 } from 'uuid';
import type { WorkflowDefinition } from '../../workflows/index.js';
import type { Submission, Transition } from '../store/types.js';
import { definitionHash } from './definitions.js';
import { recordHash } from './hash.js';
import { SYSTEM_ACTOR } from './context.js';

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

/**
 * Builds the hash-chained record that follows `s`'s head. `r.facts`, the facts a guard decided
 * on, is kept only when given (versions that record facts, issue 8), as plain JSON.
 */
export function chainRecord(
  s: Pick<Submission, 'id' | 'headSeq' | 'headHash'>,
  w: WorkflowDefinition,
  r: Pick<Transition, 'type' | 'data' | 'from' | 'to' | 'actor' | 'comment' | 'effectiveAt' | 'recordedAt' | 'signature' | 'facts'>,
): Transition {
  const { facts, ...rest } = r;
  const body = {
    id: uuidv7(),
    submissionId: s.id,
    seq: s.headSeq + 1,
    ...rest,
    // A JSON round trip: what the store keeps and serves back is exactly what was hashed.
    ...(facts ? { facts: JSON.parse(JSON.stringify(facts)) as Record<string, unknown> } : {}),
    workflow: { id: w.id, version: w.version, definitionHash: definitionHash(w) },
    prevHash: s.headHash,
  };
  return { ...body, hash: recordHash(body) };
}

/**
 * A note of the `system` actor that changes no state (a goal missed, a deadline passed, a
 * calendar recomputed): recorded at `recordedAt`, effective at `effectiveAt` or, when that is
 * later, at `recordedAt` (a note never takes effect after it was written).
 */
export function systemNote(
  s: Pick<Submission, 'id' | 'headSeq' | 'headHash' | 'state'>,
  w: WorkflowDefinition,
  note: { type: string; data: Record<string, unknown>; effectiveAt: string; recordedAt: string },
): Transition {
  const { type, data, effectiveAt, recordedAt } = note;
  return chainRecord(s, w, {
    type,
    data,
    from: s.state,
    to: s.state,
    actor: SYSTEM_ACTOR,
    comment: null,
    effectiveAt: effectiveAt < recordedAt ? effectiveAt : recordedAt,
    recordedAt,
    signature: null,
  });
}
