/**
 * A submission row before its first record, as the engine's create-submission builds it (version
 * and head 0, the genesis hash), for tests that write records through the store themselves.
 */
import { GENESIS_HASH } from '../../src/engine/hash.js';
import { NO_DUE_DATES, type Organization, type Submission } from '../../src/store/types.js';
import type { WorkflowDefinition } from '../../workflows/index.js';

export interface DraftFields {
  readonly id: string;
  readonly organization: Organization;
  readonly title: string;
  readonly device: Record<string, unknown>;
  readonly input: Record<string, unknown>;
  /** Creation time (stateSince, createdAt, updatedAt). */
  readonly at: string;
}

/** The draft of `w` with `fields`; `over` sets anything else (another initial state, a version). */
export function draftOf(w: Pick<WorkflowDefinition, 'id' | 'version' | 'jurisdiction'>, fields: DraftFields, over: Partial<Submission> = {}): Submission {
  const { at, ...rest } = fields;
  return {
    ...rest,
    workflowId: w.id,
    workflowVersion: w.version,
    jurisdiction: w.jurisdiction,
    state: 'draft',
    status: 'active',
    snapshot: { value: 'draft', context: {} },
    xstateVersion: '5.33.3',
    version: 0,
    referenceSubmissionId: null,
    dossierPresent: [],
    headSeq: 0,
    headHash: GENESIS_HASH,
    lastEffectiveAt: null,
    stateSince: at,
    deadline: null,
    due: NO_DUE_DATES,
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}
