/**
 * A background task in `serve` (sweeper, transparency log): runs at once, then `intervalMs` after
 * each run ends, so runs never overlap within a process. The task handles its own errors (it
 * logs them; the next run tries again); `stop` cancels the next run and waits for one in progress.
 */
export interface Repeating {
  stop(): Promise<void>;
}

export function repeatEvery(intervalMs: number, task: () => Promise<void>): Repeating {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = task().finally(() => {
        running = undefined;
        schedule(intervalMs);
      });
    }, delay);
  };
  schedule(0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
