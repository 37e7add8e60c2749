import { type CgroupSlot, type CgroupSupport, detectCgroups, noCgroups } from './cgroups.ts';
import type { SandboxBackend, Slot } from './sandbox/backend.ts';
import { DirectBackend } from './sandbox/direct-backend.ts';
import { isExecutable } from './sandbox/host.ts';
import { LauncherBackend } from './sandbox/launcher-backend.ts';
import { interpretRun } from './sandbox/outcome.ts';
import {
  DEFAULT_DISK_MB,
  DEFAULT_PROCESSES,
  type RunOutcome,
  type RunSpec,
  SandboxError,
  type SandboxOptions,
} from './sandbox/types.ts';
import { UnsafeBackend } from './sandbox/unsafe-backend.ts';
import { CpuScheduler } from './scheduler.ts';

export { defaultCpuSlots, interpreterBinds } from './sandbox/host.ts';
export type { RunLimits, RunOutcome, RunSpec, SandboxOptions } from './sandbox/types.ts';
export { SandboxError, START_MARKER_FD } from './sandbox/types.ts';

/**
 * Runs one Python process in a bubblewrap sandbox. Every run:
 *   the slot's launcher (launcher.ts: a shell already in the slot's cgroups, running as the
 *   slot's unprivileged uid/gid with no groups, no-new-privs and an empty bounding set) forks
 *   → ulimit: CPU seconds, processes, file size, open files, no core dumps
 *   → exec bwrap: new user/pid/net/ipc/uts/cgroup namespaces, no capabilities, read-only /usr,
 *     fresh size-capped tmpfs for /box (work dir), /tmp and /dev/shm, files copied in by bwrap
 *     from fds (no host path of ours is visible), read-only root, --die-with-parent, --new-session
 *   → python3 -I (isolated: ignores PYTHON* env and user site) …
 * with an empty environment. Node caps stdout/stderr, kills the run's processes on the wall
 * clock (by cgroup), waits for the run's exit status, kills whatever is left in the cgroup, then
 * reads the output up to the launcher's end mark.
 * Without cgroups the same bwrap command is spawned by Node through `setpriv → prlimit`
 * (RLIMIT_AS stands in for the memory cgroup); unsafe mode (development only) runs the
 * interpreter under prlimit alone.
 *
 * This class owns the slots (uid + cgroups), the admission queue and the reading of a run's
 * result; how a run is started is its backend's (sandbox/backend.ts lists them). The command
 * lines are pure functions: sandbox/bwrap-args.ts, sandbox/rlimits.ts.
 */

let sandboxCount = 0;

export class Sandbox {
  readonly engine: 'cpython-bwrap' | 'cpython-unsafe';
  readonly cgroups: CgroupSupport;
  readonly scheduler: CpuScheduler;
  /** real version of the interpreter, as seen inside the sandbox */
  pythonVersion = 'unknown';
  /** whether `python3 -m mypy` works inside the sandbox (known after `hasMypy()`) */
  mypyAvailable = false;
  private mypyProbe: Promise<boolean> | null = null;
  private readonly slots: Slot[];
  private readonly backend: SandboxBackend;
  private closed = false;

  private constructor(readonly options: SandboxOptions) {
    this.engine = options.unsafe ? 'cpython-unsafe' : 'cpython-bwrap';
    const tag = options.cgroupTag ?? `lms-grader-${process.pid}-${++sandboxCount}`;
    // unsafe mode runs the interpreter directly (no sh joining a cgroup): rlimits only
    this.cgroups = options.unsafe
      ? noCgroups('unsafe mode (no sandbox)')
      : options.cgroups === false
        ? noCgroups('turned off (GRADER_CGROUPS=off)')
        : detectCgroups(tag);
    this.slots = Array.from({ length: options.maxRuns }, (_, index) => ({
      index,
      uid: options.uidBase + index,
      cgroup: this.cgroups.version ? this.cgroups.createSlot(`slot-${index}`) : null,
    }));
    this.scheduler = new CpuScheduler({ maxRuns: options.maxRuns, cpuSlots: options.cpuSlots });
    const context = { options, scheduler: this.scheduler };
    this.backend = options.unsafe
      ? new UnsafeBackend(context)
      : this.cgroups.version
        ? new LauncherBackend(context, this.slots, tag)
        : new DirectBackend(context);
  }

  /**
   * Check the host, set up cgroups and slots, run a self-test inside the sandbox (records
   * the interpreter's real version). Throws SandboxError with a clear reason when grading
   * would not be safe.
   */
  static async create(options: SandboxOptions): Promise<Sandbox> {
    if (!options.unsafe) {
      if (!options.bwrap || !isExecutable(options.bwrap)) {
        throw new SandboxError(
          `bubblewrap not found${options.bwrap ? ` at ${options.bwrap}` : ''}: install it (apt-get install -y bubblewrap) ` +
            'or, for development only, set GRADER_UNSAFE_NO_SANDBOX=1',
        );
      }
      if (process.getuid?.() !== 0) {
        // setpriv needs root to switch to the per-slot uids; without it RLIMIT_NPROC would be shared
        throw new SandboxError(
          'the grader must start as root (it drops every run to an unprivileged uid)',
        );
      }
    }
    if (!isExecutable(options.python))
      throw new SandboxError(`interpreter not found: ${options.python}`);
    const sandbox = new Sandbox(options);
    if (!options.unsafe && sandbox.cgroups.version === null) {
      console.warn(
        `[grader] no writable cgroups (${sandbox.cgroups.reason}); falling back to rlimits only: ` +
          'RLIMIT_AS for memory (may break threads), RLIMIT_NPROC for processes, no CPU-aware admission',
      );
    }
    let probe: RunOutcome;
    try {
      probe = await sandbox.run({
        files: {},
        args: () => ['-I', '-S', '-c', "import sys;print('%d.%d.%d' % sys.version_info[:3])"],
        limits: { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 },
      });
    } catch (error) {
      await sandbox.close();
      throw error;
    }
    const version = probe.stdout.toString().trim();
    if (probe.exitCode !== 0 || !/^\d+\.\d+\.\d+$/.test(version)) {
      await sandbox.close();
      throw new SandboxError(
        `the sandbox self-test failed (exit ${probe.exitCode}, signal ${probe.signal}): ${probe.stderr.toString().slice(0, 2000)}`,
      );
    }
    sandbox.pythonVersion = version;
    if (options.probeMypyAtStart !== false) await sandbox.hasMypy();
    return sandbox;
  }

  /** Whether mypy can run inside the sandbox (probed once). */
  hasMypy(): Promise<boolean> {
    this.mypyProbe ??= this.run({
      files: {},
      args: () => ['-I', '-c', 'import mypy.api'],
      limits: { wallSeconds: 20, cpuSeconds: 10, memoryMb: 512 },
    }).then(
      (outcome) => {
        this.mypyAvailable = outcome.exitCode === 0;
        return this.mypyAvailable;
      },
      () => false,
    );
    return this.mypyProbe;
  }

  /** the slots' cgroups (tests check they are empty) */
  cgroupSlots(): CgroupSlot[] {
    return this.slots.flatMap((s) => (s.cgroup ? [s.cgroup] : []));
  }

  get inFlight(): number {
    return this.scheduler.running;
  }

  get queued(): number {
    return this.scheduler.waiting;
  }

  async run(spec: RunSpec): Promise<RunOutcome> {
    if (this.closed) throw new SandboxError('the sandbox is shut down');
    const queuedAt = performance.now();
    const index = await this.scheduler.acquire(spec.priority ?? false);
    const queuedMs = performance.now() - queuedAt;
    const slot = this.slots[index]!;
    try {
      const outcome = await this.execute(spec, slot);
      return { ...outcome, queuedMs };
    } finally {
      this.scheduler.release(index);
    }
  }

  private async execute(spec: RunSpec, slot: Slot): Promise<Omit<RunOutcome, 'queuedMs'>> {
    for (const name of Object.keys(spec.files)) {
      if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.'))
        throw new SandboxError(`bad file name ${name}`);
    }
    const raw = await this.backend.run({
      spec,
      slot,
      processes: spec.limits.processes ?? DEFAULT_PROCESSES,
      diskMb: spec.limits.diskMb ?? DEFAULT_DISK_MB,
    });
    return interpretRun(spec, raw);
  }

  /**
   * Start every slot's launcher now rather than on the slot's first run (a long-running
   * service: the first runs then cost what every run costs). Returns the milliseconds it took.
   */
  async warmUp(): Promise<number> {
    const t0 = performance.now();
    await this.backend.warmUp();
    return performance.now() - t0;
  }

  /** the slots' directories now in use (tests check no run left a file there) */
  slotDirs(): string[] {
    return this.backend.slotDirs();
  }

  /** pids of the slots' launchers now running (tests tell them apart from leftovers) */
  launcherPids(): number[] {
    return this.backend.launcherPids();
  }

  /** Kill every run still going, remove our cgroups. */
  async close(): Promise<void> {
    this.closed = true;
    await this.backend.close();
    for (const slot of this.slots) slot.cgroup?.destroy();
    this.cgroups.destroyAll();
    this.scheduler.stop();
  }
}
