import { type CgroupSlot, type CgroupSupport, detectCgroups, noCgroups } from './cgroups.ts';
import { seccompRequired } from './env.ts';
import type { SandboxBackend, Slot } from './sandbox/backend.ts';
import { DirectBackend } from './sandbox/direct-backend.ts';
import { isExecutable, probeInterpreter } from './sandbox/host.ts';
import { LauncherBackend } from './sandbox/launcher-backend.ts';
import type { InterpreterLayout } from './sandbox/mounts.ts';
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
import { loadSeccompFilter, type SeccompStatus, seccompMissingMessage } from './seccomp.ts';

export { defaultCpuSlots, interpreterBinds } from './sandbox/host.ts';
export type { RunLimits, RunOutcome, RunSpec, SandboxOptions } from './sandbox/types.ts';
export { SandboxError, START_MARKER_FD } from './sandbox/types.ts';
export type { SeccompStatus } from './seccomp.ts';

/**
 * Runs one Python process in a bubblewrap sandbox. Every run:
 *   the slot's launcher (launcher.ts: a shell already in the slot's cgroups, running as the
 *   slot's unprivileged uid/gid with no groups, no-new-privs and an empty bounding set) forks
 *   → ulimit: CPU seconds, processes, file size, open files, no core dumps
 *   → exec bwrap: new user/pid/net/ipc/uts/cgroup namespaces, no capabilities, read-only only
 *     what the interpreter needs of /usr (sandbox/mounts.ts, found at start by probeInterpreter),
 *     fresh size-capped tmpfs for /box (work dir), /tmp and /dev/shm, files copied in by bwrap
 *     from fds (no host path of ours is visible), read-only root, --die-with-parent, --new-session,
 *     and the seccomp deny-list (seccomp.ts, compiled once at start) loaded right before
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

/** the self-test: the version the sandboxed interpreter really is */
const SELF_TEST = "import sys;print('%d.%d.%d' % sys.version_info[:3])";
/** … and whether the filter holds: unshare(0) is harmless, allowed by the kernel, denied by it */
const SELF_TEST_FILTER =
  'import ctypes, sys;libc = ctypes.CDLL(None, use_errno=True);r = libc.unshare(0);' +
  "print('%d.%d.%d' % sys.version_info[:3], 'filtered' if r == -1 and ctypes.get_errno() == 1 else 'allowed')";

export class Sandbox {
  readonly engine: 'cpython-bwrap' | 'cpython-unsafe';
  readonly cgroups: CgroupSupport;
  readonly scheduler: CpuScheduler;
  /** real version of the interpreter, as seen inside the sandbox */
  pythonVersion = 'unknown';
  /** whether `python3 -m mypy` works inside the sandbox (known after `hasMypy()`) */
  mypyAvailable = false;
  /** whether every run loads the syscall filter (seccomp.ts), and if not, why */
  readonly seccomp: SeccompStatus;
  /** what of the host the runs see (sandbox/mounts.ts); null in unsafe mode */
  readonly layout: InterpreterLayout | null;
  private mypyProbe: Promise<boolean> | null = null;
  private readonly slots: Slot[];
  private readonly backend: SandboxBackend;
  private closed = false;

  private constructor(
    readonly options: SandboxOptions,
    prepared: { layout: InterpreterLayout | null; seccomp: SeccompStatus },
  ) {
    this.engine = options.unsafe ? 'cpython-unsafe' : 'cpython-bwrap';
    this.layout = prepared.layout;
    this.seccomp = prepared.seccomp;
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
    const context = {
      options,
      scheduler: this.scheduler,
      layout: this.layout,
      seccomp: this.seccomp.active ? this.seccomp.filter : null,
    };
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
    const [layout, seccomp]: [InterpreterLayout | null, SeccompStatus] = options.unsafe
      ? [null, { active: false, reason: 'unsafe mode (no sandbox)', missingPackage: false }]
      : await Promise.all([probeInterpreter(options.python), loadSeccompFilter(options.seccomp)]);
    if (!seccomp.active && !options.unsafe) {
      const message = seccompMissingMessage(seccomp);
      if (options.seccomp?.required ?? seccompRequired()) {
        throw new SandboxError(
          `${message}. Refusing to start: the filter is required (CI=true or GRADER_REQUIRE_SECCOMP=1)`,
        );
      }
      console.warn(
        `[grader] WARNING: ${message}. Programs run WITHOUT the syscall filter ` +
          '(io_uring, bpf, ptrace, mount, unshare … are not denied); set GRADER_REQUIRE_SECCOMP=1 to refuse instead',
      );
    }
    const sandbox = new Sandbox(options, { layout, seccomp });
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
        args: () => ['-I', '-S', '-c', options.unsafe ? SELF_TEST : SELF_TEST_FILTER],
        limits: { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 },
      });
    } catch (error) {
      await sandbox.close();
      throw error;
    }
    const [version = '', filter] = probe.stdout.toString().trim().split(' ');
    if (probe.exitCode !== 0 || !/^\d+\.\d+\.\d+$/.test(version)) {
      await sandbox.close();
      throw new SandboxError(
        `the sandbox self-test failed (exit ${probe.exitCode}, signal ${probe.signal}): ${probe.stderr.toString().slice(0, 2000)}`,
      );
    }
    if (seccomp.active && filter !== 'filtered') {
      await sandbox.close();
      throw new SandboxError(
        `the sandbox self-test failed: the seccomp filter did not take effect (unshare(0) was ${filter})`,
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
