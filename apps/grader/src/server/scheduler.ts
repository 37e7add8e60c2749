/**
 * Admission of sandbox runs by CPU use, not by wall time: a run holds one of `maxRuns` slots
 * (a uid + cgroup each) for as long as it lives, but only counts against the `cpuSlots`
 * budget (the cores) by the CPU it actually burns, sampled from its cgroup. A program that
 * only waits (asyncio.sleep, time.sleep) stops counting after its first sample, so many
 * sleepers are graded at once while CPU-bound programs still get whole cores.
 */

export interface SlotProbe {
  /** CPU seconds used so far by the slot's processes, or null when it cannot be measured */
  cpuSeconds(): number | null;
}

interface ActiveRun {
  slot: number;
  probe: SlotProbe | null;
  lastCpu: number | null;
  lastAt: number;
  /** measured cores in use over the last sampling window; null until first sampled */
  rate: number | null;
}

interface Waiter {
  priority: boolean;
  resolve: (slot: number) => void;
}

export interface SchedulerOptions {
  maxRuns: number;
  cpuSlots: number;
  /** a run using at least this many cores counts as busy */
  busyRate?: number;
  sampleMs?: number;
}

export class CpuScheduler {
  private readonly free: number[];
  private readonly active = new Map<number, ActiveRun>();
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly busyRate: number;
  private readonly sampleMs: number;

  constructor(private readonly options: SchedulerOptions) {
    this.free = Array.from({ length: options.maxRuns }, (_, i) => i);
    this.busyRate = options.busyRate ?? 0.25;
    this.sampleMs = options.sampleMs ?? 25;
  }

  /** runs waiting for a slot */
  get waiting(): number {
    return this.waiters.length;
  }

  /** runs holding a slot */
  get running(): number {
    return this.active.size;
  }

  /**
   * Cores our runs use right now: each run's measured rate (capped at 1), a run not yet
   * measured counts as a whole core. Admission keeps this under `cpuSlots`: on an idle
   * machine that is one CPU-bound run per core; when the cores are shared with other work,
   * runs that get only a slice of a core leave room for more.
   */
  get load(): number {
    let sum = 0;
    for (const run of this.active.values())
      sum += run.rate === null ? 1 : Math.min(1, Math.max(0, run.rate));
    return sum;
  }

  /** runs counted as using CPU right now (rate ≥ busyRate, or not measured yet) */
  get busy(): number {
    let n = 0;
    for (const run of this.active.values()) {
      if (run.rate === null || run.rate >= this.busyRate) n++;
    }
    return n;
  }

  /** Wait for a slot. `priority` runs (the second half of a grading) go first. */
  acquire(priority = false): Promise<number> {
    return new Promise((resolve) => {
      const waiter = { priority, resolve };
      if (priority) {
        const at = this.waiters.findIndex((w) => !w.priority);
        this.waiters.splice(at === -1 ? this.waiters.length : at, 0, waiter);
      } else {
        this.waiters.push(waiter);
      }
      this.admit();
    });
  }

  /** Attach the probe of the process now running in `slot` (after spawn). */
  attach(slot: number, probe: SlotProbe | null): void {
    const run = this.active.get(slot);
    if (!run) return;
    run.probe = probe;
    run.lastCpu = probe?.cpuSeconds() ?? null;
    run.lastAt = performance.now();
  }

  release(slot: number): void {
    if (!this.active.delete(slot)) return;
    this.free.push(slot);
    this.admit();
  }

  private admit(): void {
    // start another run when at least half a core is left
    while (
      this.waiters.length > 0 &&
      this.free.length > 0 &&
      this.load + 0.5 <= this.options.cpuSlots
    ) {
      const waiter = this.waiters.shift()!;
      const slot = this.free.shift()!;
      this.active.set(slot, {
        slot,
        probe: null,
        lastCpu: null,
        lastAt: performance.now(),
        rate: null,
      });
      waiter.resolve(slot);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.active.size === 0) {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      return;
    }
    if (this.timer) return;
    this.timer = setInterval(() => this.sample(), this.sampleMs);
    this.timer.unref();
  }

  private sample(): void {
    const now = performance.now();
    for (const run of this.active.values()) {
      const cpu = run.probe?.cpuSeconds() ?? null;
      if (cpu === null) continue; // unmeasurable: stays busy for its whole life (safe, no sleeper gain)
      if (run.lastCpu === null) {
        run.lastCpu = cpu;
        run.lastAt = now;
        continue;
      }
      const dt = (now - run.lastAt) / 1000;
      if (dt <= 0) continue;
      run.rate = (cpu - run.lastCpu) / dt;
      run.lastCpu = cpu;
      run.lastAt = now;
    }
    this.admit();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
