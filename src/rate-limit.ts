/** Failed attempts (bearer authentication, web sign-in) per key in a sliding window: a leaf with no I/O. */

/** Failed authentications per client address (or identifier) in a sliding window. */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();
  constructor(
    readonly maxFailures = 20,
    readonly windowMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Seconds until `ip` may try again, or 0 when it may now. */
  blockedFor(ip: string): number {
    const entry = this.failures.get(ip);
    if (!entry) return 0;
    const t = this.clock();
    if (t >= entry.resetAt) {
      this.failures.delete(ip);
      return 0;
    }
    return entry.count >= this.maxFailures ? Math.ceil((entry.resetAt - t) / 1000) : 0;
  }

  fail(ip: string): void {
    const t = this.clock();
    const entry = this.failures.get(ip);
    if (!entry || t >= entry.resetAt) {
      if (this.failures.size > 10_000) this.failures.clear(); // bounded memory under a spray of addresses
      this.failures.set(ip, { count: 1, resetAt: t + this.windowMs });
    } else {
      entry.count++;
    }
  }
}
