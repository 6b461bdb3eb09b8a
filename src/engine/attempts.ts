/**
 * Password checks under the per-user lock (issue 8 §4; 21 CFR 11.300(d)): re-authentication at
 * signing and web sign-in share one failure count and one lock per user, held in the database.
 *
 * Each check is reserved by one guarded UPDATE before scrypt runs, so concurrent wrong passwords,
 * on one process or several over one database, are checked at most `maxFailures` times; the rest
 * are refused without a comparison. The count reaching the limit locks the user until an
 * administrator unlocks (signing and sign-in alike). A right password ends the run of failures
 * reserved before it; those reserved after it still count.
 */
import type { StoreSet, Stores } from '../store/stores.js';
import type { UserStore } from '../store/users-store.js';
import { verifyPassword } from './passwords.js';

/** Consecutive wrong passwords (signing and sign-in together) that lock a user until an administrator unlocks. */
export const MAX_PASSWORD_FAILURES = 5;

export type PasswordCheck =
  | { readonly outcome: 'right' }
  /** `failures`: the run of consecutive failures with this one; `lockedNow`: this failure locked the user. */
  | { readonly outcome: 'wrong'; readonly failures: number; readonly lockedNow: boolean }
  /** Refused unchecked: locked since `since` (null while the last allowed checks are still under way). */
  | { readonly outcome: 'locked'; readonly since: string | null };

export interface PasswordChecksDeps {
  readonly stores: { readonly users: Pick<UserStore, 'reservePasswordCheck' | 'endFailureRun' | 'findLockedAt'> } & Pick<Stores, 'transaction'>;
  readonly now?: () => Date;
  readonly maxFailures?: number;
  /** Records a lock (the security log's `signing.locked`) in the transaction that sets it: both commit or neither. */
  readonly recordLock?: (event: { userId: string; at: string; via: PasswordCheckVia }, tx: StoreSet) => Promise<unknown>;
}

/** What the password was checked for. */
export type PasswordCheckVia = 'signing' | 'sign-in';

export function createPasswordChecks(deps: PasswordChecksDeps) {
  const { stores } = deps;
  const { users } = stores;
  const now = deps.now ?? (() => new Date());
  const maxFailures = deps.maxFailures ?? MAX_PASSWORD_FAILURES;

  return {
    maxFailures,

    /** Checks `password` against `passwordHash`, the stored hash of user `userId`, under the user's lock. */
    async check(userId: string, password: string, passwordHash: string, via: PasswordCheckVia): Promise<PasswordCheck> {
      const reserved = await users.reservePasswordCheck(userId, maxFailures);
      if (!reserved) return { outcome: 'locked', since: await users.findLockedAt(userId) };
      if (await verifyPassword(password, passwordHash)) {
        await users.endFailureRun(userId, reserved.attempt);
        return { outcome: 'right' };
      }
      // Only the check that filled the run can find it full when it ends (a right password lowers
      // the run; every reservation below the limit leaves a later one to fill it).
      let lockedNow = false;
      if (reserved.failures >= maxFailures) {
        const at = now().toISOString();
        // The write comes first in the transaction: on SQLite it takes the write lock (waiting for
        // other processes) before the security log reads its head.
        lockedNow = await stores.transaction(async (tx) => {
          const locked = await tx.users.lockAfterFailure(userId, maxFailures, at);
          if (locked) await deps.recordLock?.({ userId, at, via }, tx);
          return locked;
        });
      }
      return { outcome: 'wrong', failures: reserved.failures, lockedNow };
    },
  };
}

export type PasswordChecks = ReturnType<typeof createPasswordChecks>;
