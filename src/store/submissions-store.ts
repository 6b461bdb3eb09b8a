/**
 * Former home of submissions, history, documents and designations, now split by aggregate
 * (submission-store, history-store, document-store, designation-store; domain types in types.ts,
 * row mapping in rows.ts). Kept as a re-export so callers outside the engine can move at their
 * own pace; new code imports the module of its aggregate.
 */
export * from './types.js';
export { listSubmissionRows, recordOf, rowCanonicalJson, submissionRow, submissionsQuery, transitionRow, type TransitionRow } from './rows.js';
export {
  activeSubmissionIdsOn,
  dueCandidates,
  findSubmission,
  insertSubmission,
  isRelyingTarget,
  moveSubmissionToVersion,
  relyingSubmissionIds,
  updateSubmission,
} from './submission-store.js';
export {
  LINK_SEPARATOR,
  chainLinks,
  clockEventsOf,
  insertTransition,
  listTransitions,
  submissionHeads,
  submissionSplits,
  transitionRowsOf,
  writeGuardedSqlite,
} from './history-store.js';
export { findDocument, getBlob, insertDocument, listDocuments, putBlob } from './document-store.js';
export { activeDesignations } from './designation-store.js';
