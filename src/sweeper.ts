/**
 * The sweeper inside `serve` (issue 5): one pass of `engine.sweep()` at start and then every
 * `SWEEP_INTERVAL_SECONDS`. Passes never overlap within a process; several processes may sweep
 * the same PostgreSQL database, the engine keeps each deadline and goal to exactly once. A pass
 * that fails is logged and the next one tries again: the sweeper never takes the server down.
 */
import type { Engine, SweepResult } from './engine/engine.js';
import type { Logger } from './logger.js';
import { repeatEvery } from './repeat.js';

export interface SweeperHandle {
  /** Stops the interval and waits for a pass in progress. */
  stop(): Promise<void>;
}

export function logSweep(logger: Logger, r: SweepResult): void {
  for (const f of r.fired) logger.info({ submissionId: f.submissionId, event: f.event, dueDate: f.dueDate, state: f.state }, 'deadline fired');
  for (const g of r.goalsMissed) logger.info({ submissionId: g.submissionId, goal: g.goal, event: g.event, dueDate: g.dueDate }, 'goal missed');
  for (const p of r.passed)
    logger.info({ submissionId: p.submissionId, deadline: p.kind, event: p.event, dueDate: p.dueDate }, 'deadline passed: left to the regulator');
  for (const x of r.refused) logger.warn({ submissionId: x.submissionId, reason: x.reason }, 'deadline timeout refused by the machine');
}

export function startSweeper(engine: Engine, opts: { intervalMs: number; logger: Logger }): SweeperHandle {
  return repeatEvery(opts.intervalMs, async () => {
    try {
      logSweep(opts.logger, await engine.sweep());
    } catch (e) {
      opts.logger.error({ err: e }, 'sweep failed');
    }
  });
}
