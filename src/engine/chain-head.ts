/**
 * No command plans on a row that disagrees with its chain head (issue 8 §1, DESIGN §9). The
 * submission row is a cache of its history: a command reads it together with the history's own
 * word on it ({@link ChainHead}, the same statement) and refuses, with an integrity failure the
 * edge logs at error level, when the row's head, state, snapshot, status or version is not what
 * the last record says. `audit verify` then names the submission and the column.
 */
import { AppError } from '../errors.js';
import type { Submission } from '../store/types.js';
import { statusOf } from './context.js';
import { statePath } from './definitions.js';
import type { StateValue } from 'xstate';

/** Which part of `s` disagrees with its chain head, or null when it agrees (or was not read with it). */
export function chainHeadDisagreement(s: Submission): string | null {
  const head = s.chainHead;
  if (!head) return null;
  if (head.hash === null) return 'head_seq';
  if (head.behind) return 'head_seq';
  if (head.hash !== s.headHash) return 'head_hash';
  if (head.to !== s.state) return 'state';
  if (statePath(s.snapshot.value as StateValue) !== s.state) return 'snapshot';
  if (statusOf(s.state) !== s.status) return 'status';
  if (s.version !== s.headSeq) return 'version';
  return null;
}

/** `s`, when it agrees with its chain head; otherwise the command is refused (`integrity_failure`). */
export function agreeingWithChain(s: Submission): Submission {
  const column = chainHeadDisagreement(s);
  if (column) throw new AppError('integrity_failure', { code: 'engine.row_disagrees_with_chain', params: { id: s.id, column } });
  return s;
}
