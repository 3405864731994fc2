/**
 * Time for the coordinator: a clock plus one-shot timers, injected so tests drive
 * rebalance and session timeouts with a manual clock instead of real waiting.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  now(): number;
  /** Runs `fn` once after `delayMs`; the returned handle cancels it. */
  schedule(delayMs: number, fn: () => void): TimerHandle;
}

/** Wall clock and Node timers; unref'd so coordinator timers never keep the process alive. */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

interface PendingTimer {
  dueAt: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A deterministic clock for tests: time moves only through `advance`. */
export class ManualScheduler implements Scheduler {
  private current: number;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const timer: PendingTimer = { dueAt: this.current + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Moves time forward, firing due timers in due-time order (timers they schedule included). */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: PendingTimer | undefined;
      for (const t of this.timers) {
        if (t.dueAt <= target && (!next || t.dueAt < next.dueAt || (t.dueAt === next.dueAt && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.current = Math.max(this.current, next.dueAt);
      next.cancelled = true;
      next.fn();
    }
    this.current = target;
  }

  /** Timers still waiting (for assertions that shutdown cleared everything). */
  pendingCount(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
