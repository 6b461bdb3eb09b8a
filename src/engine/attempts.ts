/**
 * Password checks under the per-user lock (issue 8 §4; 21 CFR 11.300(d)): re-authentication at
 * signing and web sign-in share one failure count and one lock per user, held in the database.
 *
 * Each check takes a slot by one guarded UPDATE before scrypt runs, and only while confirmed
 * failures plus checks under way are below `maxFailures`: concurrent wrong passwords, on one
 * process or several over one database, are checked at most `maxFailures` times, and the rest are
 * refused without a comparison once the run locks the user (signing and sign-in alike, until an
 * administrator unlocks). A busy signer's right passwords checked at once wait for a slot; they
 * are never counted as failures. A right password ends the run of failures.
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
  readonly stores: { readonly users: Pick<UserStore, 'reservePasswordCheck' | 'finishPasswordCheck' | 'findLockedAt'> } & Pick<Stores, 'transaction'>;
  readonly now?: () => Date;
  readonly maxFailures?: number;
  /** Records a lock (the security log's `signing.locked`) in the transaction that sets it: both commit or neither. */
  readonly recordLock?: (event: { userId: string; at: string; via: PasswordCheckVia }, tx: StoreSet) => Promise<unknown>;
}

/** What the password was checked for. */
export type PasswordCheckVia = 'signing' | 'sign-in';

/** How long a check waits for a slot while the signer's other checks are under way (then: refused, 423). */
const SLOT_WAIT_MS = 15_000;
/** A reservation this old holds no slot any more (its process died mid-check; scrypt takes ~0.1 s). */
const STALE_CHECK_MS = 60_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createPasswordChecks(deps: PasswordChecksDeps) {
  const { stores } = deps;
  const { users } = stores;
  const now = deps.now ?? (() => new Date());
  const maxFailures = deps.maxFailures ?? MAX_PASSWORD_FAILURES;

  return {
    maxFailures,

    /**
     * Checks `password` against `passwordHash`, the stored hash of user `userId`, under the user's
     * lock: a slot is reserved first (waiting while the signer's other checks hold every slot),
     * then scrypt runs, then the slot is freed with the outcome in one write.
     */
    async check(userId: string, password: string, passwordHash: string, via: PasswordCheckVia): Promise<PasswordCheck> {
      const waitUntil = Date.now() + SLOT_WAIT_MS;
      for (;;) {
        const at = now();
        if (await users.reservePasswordCheck(userId, maxFailures, at.toISOString(), new Date(at.getTime() - STALE_CHECK_MS).toISOString())) break;
        const since = await users.findLockedAt(userId);
        if (since !== null || Date.now() >= waitUntil) return { outcome: 'locked', since };
        await pause(20 + Math.floor(Math.random() * 30));
      }
      const right = await verifyPassword(password, passwordHash);
      const at = now().toISOString();
      // The write comes first in the transaction: on SQLite it takes the write lock (waiting for
      // other processes) before the security log reads its head.
      const done = await stores.transaction(async (tx) => {
        const r = await tx.users.finishPasswordCheck(userId, right, maxFailures, at);
        if (r.lockedNow) await deps.recordLock?.({ userId, at, via }, tx);
        return r;
      });
      return right ? { outcome: 'right' } : { outcome: 'wrong', failures: done.failures, lockedNow: done.lockedNow };
    },
  };
}

export type PasswordChecks = ReturnType<typeof createPasswordChecks>;
