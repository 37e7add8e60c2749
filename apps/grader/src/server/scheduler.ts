/**
 * Admission of sandbox runs by CPU use, not by wall time: a run holds one of `maxRuns` slots
 * (a uid + cgroup each) for as long as it lives, but only counts against the `cpuSlots`
 * budget (the cores) by the CPU it actually burns, sampled from its cgroup. A program that
 * only waits (asyncio.sleep, time.sleep) stops counting after its first sample, so many
 * sleepers are graded at once while CPU-bound programs still get whole cores.
 *
 * A run not measured yet counts as what new runs have recently used in their first sampling
 * window (an average, 1 at first): a sandbox start-up waits on the kernel for part of its time
 * (namespaces, mounts), so counting it as a whole core left a third of the cores idle while
 * 100 gradings started (bench/grader, section 3). Runs measured busy are sampled every tick,
 * runs measured idle every `idleEvery` ticks (reading a cgroup file per run per tick costs the
 * grader's own CPU when a hundred programs sleep).
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

/** weight of the newest first-window rate in the running average */
const START_RATE_WEIGHT = 0.2;

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
  /** runs measured idle are sampled every this many ticks */
  idleEvery?: number;
}

export class CpuScheduler {
  private readonly free: number[];
  private readonly active = new Map<number, ActiveRun>();
  private readonly waiters: Waiter[] = [];
  private readonly priorityWaiters: Waiter[] = [];
  private lastWasPriority = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly busyRate: number;
  private readonly sampleMs: number;
  private readonly idleEvery: number;
  private ticks = 0;
  /** what a run uses in its first sampling window, on average (cores) */
  private startRate = 1;

  constructor(private readonly options: SchedulerOptions) {
    this.free = Array.from({ length: options.maxRuns }, (_, i) => i);
    this.busyRate = options.busyRate ?? 0.25;
    this.sampleMs = options.sampleMs ?? 10;
    this.idleEvery = options.idleEvery ?? 5;
  }

  /** the cores a run not measured yet counts as */
  get expectedStartRate(): number {
    return this.startRate;
  }

  /** runs waiting for a slot */
  get waiting(): number {
    return this.waiters.length + this.priorityWaiters.length;
  }

  /** runs holding a slot */
  get running(): number {
    return this.active.size;
  }

  /**
   * Cores our runs use right now: each run's measured rate (capped at 1), a run not yet
   * measured counts as `expectedStartRate`. Admission keeps this under `cpuSlots`: on an idle
   * machine that is one CPU-bound run per core; when the cores are shared with other work,
   * runs that get only a slice of a core leave room for more.
   */
  get load(): number {
    let sum = 0;
    for (const run of this.active.values())
      sum += run.rate === null ? this.startRate : Math.min(1, Math.max(0, run.rate));
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

  /**
   * Wait for a slot. `priority` runs (the second half of a grading) and new runs take turns
   * when both wait: a grading whose program has ended waits for at most one new program to
   * start, and a burst of finishing gradings cannot hold every new program back (a program
   * that then sleeps for seconds should start its sleep early: 100 × task 0020 took ~1 s
   * longer when the second halves always went first).
   */
  acquire(priority = false): Promise<number> {
    return new Promise((resolve) => {
      (priority ? this.priorityWaiters : this.waiters).push({ priority, resolve });
      this.admit();
    });
  }

  private nextWaiter(): Waiter | undefined {
    const takePriority =
      this.priorityWaiters.length > 0 && (this.waiters.length === 0 || !this.lastWasPriority);
    const waiter = takePriority ? this.priorityWaiters.shift() : this.waiters.shift();
    this.lastWasPriority = takePriority;
    return waiter;
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
    while (this.waiting > 0 && this.free.length > 0 && this.load + 0.5 <= this.options.cpuSlots) {
      const waiter = this.nextWaiter()!;
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
    const everyone = ++this.ticks % this.idleEvery === 0;
    for (const run of this.active.values()) {
      if (!everyone && run.rate !== null && run.rate < this.busyRate) continue;
      const cpu = run.probe?.cpuSeconds() ?? null;
      if (cpu === null) continue; // unmeasurable: stays busy for its whole life (safe, no sleeper gain)
      if (run.lastCpu === null) {
        run.lastCpu = cpu;
        run.lastAt = now;
        continue;
      }
      const dt = (now - run.lastAt) / 1000;
      // a window much shorter than a tick says little (a run attached just before it)
      if (dt < this.sampleMs / 2000) continue;
      const rate = (cpu - run.lastCpu) / dt;
      if (run.rate === null) {
        const first = Math.min(1, Math.max(0.25, rate));
        this.startRate += START_RATE_WEIGHT * (first - this.startRate);
      }
      run.rate = rate;
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
