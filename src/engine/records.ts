/**
 * History records: each one is hash-chained to the one before it (21 CFR 11.10(e)), and carries
 * the signature manifestation of a signed step (11.50).
 */
import { v7 as uuidv7 } from 'uuid';
import type { WorkflowDefinition } from '../../workflows/index.js';
import type { Submission, Transition } from '../store/types.js';
import { definitionHash } from './definitions.js';
import { recordHash } from './hash.js';

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
