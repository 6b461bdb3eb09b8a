/**
 * Failed-authentication limits (issue 8 §4): bad bearer tokens and sign-ins with an unknown name.
 *
 * Only failures are counted, and only after the credentials were checked, so a request whose
 * credentials are valid is never throttled (one bad client, or a webhook that calls back with a
 * stale token, cannot lock out an office behind one address). A failure is counted under its
 * client address and identifier (a hash of the presented token, or the typed name), and under the
 * address alone against a higher ceiling for sprays of distinct identifiers. The counts live in
 * the database ({@link createStoredFailureLimiter}), shared by every process on it.
 */
import { createHash } from 'node:crypto';
import type { AttemptsStore } from './store/attempts-store.js';

/** Counts failed authentications and says when a client must wait. */
export interface AuthFailureLimiter {
  /**
   * Counts one failure by `identifier` from `address`. Returns 0 to answer it as a failure, or
   * the seconds to wait (429 with Retry-After) once the address and identifier, or the address
   * alone, has failed too often in the current window.
   */
  fail(address: string, identifier: string): Promise<number>;
}

export interface FailureLimits {
  /** Failures of one identifier from one address per window. */
  readonly perIdentifier: number;
  /** Failures from one address per window, whatever the identifier. */
  readonly perAddress: number;
  readonly windowSeconds: number;
}

/** The SHA-256 that names a key: identifiers (typed names, tokens) are never stored as they are. */
function keyHash(scope: string, address: string, identifier: string | null): string {
  return createHash('sha256')
    .update(`${scope}\n${address}\n${identifier === null ? '*' : `=${identifier}`}`)
    .digest('hex');
}

/** The seconds until `windowEndsAt`, at least 1. */
function secondsUntil(windowEndsAt: string, now: Date): number {
  return Math.max(1, Math.ceil((Date.parse(windowEndsAt) - now.getTime()) / 1000));
}

/**
 * The limiter over the database's `auth_failures` counts. `scope` keeps bearer tokens and
 * sign-ins apart. Expired counts are deleted at most once a window per process, by a failure.
 */
export function createStoredFailureLimiter(deps: {
  readonly store: AttemptsStore;
  readonly scope: string;
  readonly limits: FailureLimits;
  readonly now?: () => Date;
}): AuthFailureLimiter {
  const { store, scope, limits } = deps;
  const clock = deps.now ?? (() => new Date());
  const windowMs = limits.windowSeconds * 1000;
  let nextCleanup = 0;
  return {
    async fail(address, identifier) {
      const t = clock();
      if (t.getTime() >= nextCleanup) {
        nextCleanup = t.getTime() + windowMs;
        await store.deleteExpired(t.toISOString());
      }
      const [pair, whole] = await store.countFailures(
        [keyHash(scope, address, identifier), keyHash(scope, address, null)],
        t.toISOString(),
        new Date(t.getTime() + windowMs).toISOString(),
      );
      let wait = 0;
      if (pair!.failures > limits.perIdentifier) wait = Math.max(wait, secondsUntil(pair!.windowEndsAt, t));
      if (whole!.failures > limits.perAddress) wait = Math.max(wait, secondsUntil(whole!.windowEndsAt, t));
      return wait;
    },
  };
}

/**
 * The same limits counted in this process's memory only: for tests that need a limiter of their
 * own (`new FailedAuthLimiter(Number.MAX_SAFE_INTEGER)` never throttles). Serve uses
 * {@link createStoredFailureLimiter}, which several processes share.
 */
export class FailedAuthLimiter implements AuthFailureLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();
  constructor(
    readonly maxFailures = 20,
    readonly windowMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  fail(address: string, identifier: string): Promise<number> {
    const key = `${address}\n${identifier}`;
    const t = this.clock();
    let entry = this.failures.get(key);
    if (!entry || t >= entry.resetAt) {
      if (this.failures.size > 10_000) this.failures.clear(); // bounded memory under a spray of keys
      entry = { count: 0, resetAt: t + this.windowMs };
      this.failures.set(key, entry);
    }
    entry.count++;
    return Promise.resolve(entry.count > this.maxFailures ? Math.max(1, Math.ceil((entry.resetAt - t) / 1000)) : 0);
  }
}
