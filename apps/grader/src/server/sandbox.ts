import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { LimitHit } from '../harness/protocol.ts';
import {
  type CgroupSlot,
  type CgroupSupport,
  detectCgroups,
  noCgroups,
  staleGraderEntries,
} from './cgroups.ts';
import { BASH, closeFdsAbove, dropPrivileges, SlotLauncher, shellQuote } from './launcher.ts';
import { CpuScheduler } from './scheduler.ts';

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
 */

export interface SandboxOptions {
  /** the interpreter, e.g. /usr/bin/python3 */
  python: string;
  /** bubblewrap binary; null with `unsafe` to run without a sandbox (development only) */
  bwrap: string | null;
  unsafe: boolean;
  /** slot i runs as uid/gid uidBase + i (each slot its own RLIMIT_NPROC budget) */
  uidBase: number;
  /** concurrent runs (slots) */
  maxRuns: number;
  /** cores: runs burning CPU at once */
  cpuSlots: number;
  /** bytes kept per stream; more is cut and marked truncated */
  outputCapBytes: number;
  /** name of our cgroup subtree; unique per process */
  cgroupTag?: string;
  /** extra read-only binds for an interpreter outside /usr */
  extraReadOnly?: string[];
  /** use cgroups where they work (default); false: rlimits only */
  cgroups?: boolean;
  /** look for mypy at start (default); otherwise on first use (short-lived CLI runs) */
  probeMypyAtStart?: boolean;
}

export interface RunLimits {
  wallSeconds: number;
  cpuSeconds: number;
  memoryMb: number;
  /** processes + threads (RLIMIT_NPROC and pids.max) */
  processes?: number;
  /** size of /box and of any file written (RLIMIT_FSIZE) */
  diskMb?: number;
}

export interface RunSpec {
  /** files put into the work dir (/box), by name */
  files: Record<string, string | Buffer>;
  /** interpreter arguments, given the work dir path */
  args: (workDir: string) => string[];
  limits: RunLimits;
  /** a second-stage run of a grading: goes before new gradings in the queue */
  priority?: boolean;
  /**
   * fd 3 is a pipe the program driver writes one byte to right before the student's code
   * starts (`lms_runner.py program --start-fd 3`), then closes: `programElapsedMs` counts
   * from there, so sandbox and interpreter start-up under load do not count as the program's time.
   */
  startMarker?: boolean;
}

/** the fd of the start marker pipe inside the sandbox */
export const START_MARKER_FD = 3;

/** the fd of a run's first input file (bwrap --file), right after the marker if it has one */
function firstFileFd(spec: RunSpec): number {
  return spec.startMarker ? START_MARKER_FD + 1 : START_MARKER_FD;
}

export interface RunOutcome {
  stdout: Buffer;
  stderr: Buffer;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  exitCode: number | null;
  signal: string | null;
  elapsedMs: number;
  /** from the start marker to exit (elapsedMs when there was no marker) */
  programElapsedMs: number;
  queuedMs: number;
  cpuSeconds: number | null;
  limitHit: LimitHit | null;
  /** processes still in the slot's cgroup after the program ended (killed) */
  leftoverProcesses: number;
}

export class SandboxError extends Error {}

let sandboxCount = 0;

const SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
};

const DEFAULT_PROCESSES = 64;
const DEFAULT_DISK_MB = 32;
const SHM_MB = 16;
const TMP_MB = 16;
const OPEN_FILES = 128;
/** the launcher's share of a slot's memory cgroup */
const LAUNCHER_MEMORY_MB = 2;

interface Slot {
  index: number;
  uid: number;
  cgroup: CgroupSlot | null;
  /** started on the slot's first run (cgroups only) */
  launcher: SlotLauncher | null;
}

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
  private readonly live = new Set<ChildProcess>();
  private closed = false;
  private launcherDir: string | null = null;
  private readonly tag: string;

  private constructor(readonly options: SandboxOptions) {
    this.engine = options.unsafe ? 'cpython-unsafe' : 'cpython-bwrap';
    const tag = options.cgroupTag ?? `lms-grader-${process.pid}-${++sandboxCount}`;
    this.tag = tag;
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
      launcher: null,
    }));
    this.scheduler = new CpuScheduler({ maxRuns: options.maxRuns, cpuSlots: options.cpuSlots });
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

  private execute(spec: RunSpec, slot: Slot): Promise<Omit<RunOutcome, 'queuedMs'>> {
    const { limits } = spec;
    const processes = limits.processes ?? DEFAULT_PROCESSES;
    const diskMb = limits.diskMb ?? DEFAULT_DISK_MB;
    const fileNames = Object.keys(spec.files);
    for (const name of fileNames) {
      if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.'))
        throw new SandboxError(`bad file name ${name}`);
    }
    if (this.options.unsafe) return this.executeUnsafe(spec, slot, processes, diskMb);
    if (slot.cgroup) return this.executeInLauncher(spec, slot, slot.cgroup, processes, diskMb);
    return this.executeDirect(spec, slot, processes, diskMb);
  }

  /** bwrap and its arguments up to and including the interpreter's */
  private bwrapArgv(spec: RunSpec, diskMb: number): string[] {
    const fdBase = firstFileFd(spec);
    return [
      this.options.bwrap!,
      // a network namespace per run (bwrap brings its loopback up): one per slot, reused run
      // after run, would carry TIME_WAIT sockets over (a fixed port busy for the next program)
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
      '--clearenv',
      '--setenv',
      'PATH',
      '/usr/bin:/bin',
      '--setenv',
      'LANG',
      'C.UTF-8',
      '--setenv',
      'HOME',
      '/box',
      '--setenv',
      'TMPDIR',
      '/tmp',
      '--hostname',
      'sandbox',
      '--ro-bind',
      '/usr',
      '/usr',
      '--symlink',
      'usr/bin',
      '/bin',
      '--symlink',
      'usr/lib',
      '/lib',
      ...(existsSync('/usr/lib64') ? ['--symlink', 'usr/lib64', '/lib64'] : []),
      ...(this.options.extraReadOnly ?? []).flatMap((path) => ['--ro-bind', path, path]),
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--size',
      String(SHM_MB * 1024 * 1024),
      '--tmpfs',
      '/dev/shm',
      '--size',
      String(TMP_MB * 1024 * 1024),
      '--tmpfs',
      '/tmp',
      '--size',
      String(diskMb * 1024 * 1024),
      '--tmpfs',
      '/box',
      ...Object.keys(spec.files).flatMap((name, i) => [
        '--file',
        String(fdBase + i),
        `/box/${name}`,
      ]),
      '--remount-ro',
      '/',
      '--chdir',
      '/box',
      '--',
      this.options.python,
      ...spec.args('/box'),
    ];
  }

  /**
   * The usual path: the slot's launcher (already in the slot's cgroups, already the slot's
   * uid, see launcher.ts) forks, sets the rlimits and execs bwrap.
   */
  private async executeInLauncher(
    spec: RunSpec,
    slot: Slot,
    cgroup: CgroupSlot,
    processes: number,
    diskMb: number,
  ): Promise<Omit<RunOutcome, 'queuedMs'>> {
    const launcher = this.launcherOf(slot, cgroup);
    // the launcher is one more process of the slot's uid and cgroup, and a little memory
    cgroup.prepare({
      memoryMb: spec.limits.memoryMb + LAUNCHER_MEMORY_MB,
      processes: processes + 1,
    });
    const fileNames = Object.keys(spec.files);
    const fdBase = firstFileFd(spec);
    if (fdBase + fileNames.length - 1 > 9)
      throw new SandboxError(`too many files for one run (${fileNames.length})`);
    const cpu = Math.ceil(spec.limits.cpuSeconds);
    const inputs: Record<string, string | Buffer> = {};
    const redirections = [
      // the run's own FIFO ends (launcher.ts): nothing it does to them reaches the next run
      '>"$d/out"',
      '2>"$d/err"',
      spec.startMarker ? `${START_MARKER_FD}>"$d/mark"` : '',
      ...fileNames.map((name, i) => {
        inputs[`in-${i}`] = spec.files[name]!;
        return `${fdBase + i}<"$d/in-${i}"`;
      }),
    ].filter(Boolean);
    const inputNames = Object.keys(inputs);
    const script = [
      // soft CPU first (the hard limit may not go below it), then the hard one a second later
      `ulimit -S -t ${cpu} && ulimit -H -t ${cpu + 1} && ulimit -p ${processes + 1} && ` +
        `ulimit -f ${diskMb * 2048} && ulimit -n ${OPEN_FILES} && ulimit -c 0 || exit 125`,
      `exec ${this.bwrapArgv(spec, diskMb).map(shellQuote).join(' ')} ${redirections.join(' ')}`,
      '',
    ].join('\n');

    const started = performance.now();
    let programStarted: number | null = null;
    let limitHit: LimitHit | null = null;
    const cap = this.options.outputCapBytes;
    const streams = { stdout: new Capture(cap), stderr: new Capture(cap) };
    // every kill loop of this run is awaited before the slot goes to the next run, so none
    // can outlive the run and hit the next one's processes
    const kills: Promise<boolean>[] = [];
    const kill = (reason: LimitHit | null) => {
      if (reason && !limitHit) limitHit = reason;
      kills.push(cgroup.killAll(launcher.pid));
    };
    const fail = async (why: string, error: unknown): Promise<never> => {
      slot.launcher = null;
      launcher.endRun(inputNames);
      launcher.kill();
      await Promise.all(kills);
      await cgroup.killAll();
      throw new SandboxError(`${why}: ${(error as Error).message}`);
    };
    let run: Awaited<ReturnType<SlotLauncher['run']>>;
    try {
      run = await launcher.run(
        script,
        inputs,
        {
          stdout: (chunk) => {
            if (streams.stdout.push(chunk)) kill('output');
          },
          stderr: (chunk) => {
            if (streams.stderr.push(chunk)) kill('output');
          },
          marker: () => {
            programStarted ??= performance.now();
          },
        },
        spec.startMarker ? ['stdout', 'stderr', 'marker'] : ['stdout', 'stderr'],
      );
    } catch (error) {
      return fail('cannot start the sandbox', error);
    }
    this.scheduler.attach(slot.index, { cpuSeconds: () => cgroup.cpuSeconds() });
    const wall = setTimeout(() => kill('wall'), spec.limits.wallSeconds * 1000);
    // RLIMIT_CPU is per process; the cgroup counts every process and thread of the run
    const cpuWatch = setInterval(() => {
      if (cgroup.cpuSeconds() > spec.limits.cpuSeconds + 0.5) kill('cpu');
    }, 250);
    let status: number;
    try {
      status = await run.exited;
    } catch (error) {
      clearTimeout(wall);
      clearInterval(cpuWatch);
      return fail('the sandbox failed', error);
    }
    const exitedAt = performance.now();
    clearTimeout(wall);
    clearInterval(cpuWatch);
    // whatever is left of the run (a daemonised child) dies before the output is closed
    const leftoverProcesses = cgroup.pids().filter((p) => p !== launcher.pid).length;
    if (leftoverProcesses > 0) kills.push(cgroup.killAll(launcher.pid));
    if (kills.length > 0 && !(await Promise.all(kills)).every(Boolean))
      return fail('the sandbox failed', new Error('processes of the run survived SIGKILL'));
    const cpuSeconds = cgroup.cpuSeconds();
    if (!limitHit && cgroup.oomKills() > 0) limitHit = 'memory';
    try {
      await launcher.finishRun();
    } catch (error) {
      return fail('the sandbox failed', error);
    } finally {
      launcher.endRun(inputNames);
    }
    // The launcher's shell said something (a refused ulimit, an input it could not open, an
    // exec that failed: "launcher: 1: …"): the sandbox did not start as it should, whatever
    // the status. Not counted: dash's report of a job killed by a signal ("Killed",
    // "Segmentation fault (core dumped)"), which has no colon.
    const said = launcher.diagnostics
      .split('\n')
      .filter((line) => line.includes(':'))
      .join('\n')
      .trim();
    if (said) {
      throw new SandboxError(
        `the sandbox failed to start (status ${status}): ${said.slice(0, 500)}`,
      );
    }
    // the shell reports a run that died of signal N as 128+N, as bwrap does for the program
    let exitCode: number | null = status;
    let signal: string | null = null;
    if (status > 128 && status - 128 in SIGNALS) signal = SIGNALS[status - 128]!;
    // killed by us (a limit): no exit code of its own, as with a direct kill
    if (limitHit && signal === 'SIGKILL') exitCode = null;
    return this.outcome(spec, {
      streams,
      exitCode,
      signal,
      elapsedMs: exitedAt - started,
      programElapsedMs: exitedAt - (programStarted ?? started),
      programStarted: programStarted !== null,
      cpuSeconds,
      limitHit,
      leftoverProcesses,
      pidsRefused: cgroup.pidsRefused(),
    });
  }

  private launcherOf(slot: Slot, cgroup: CgroupSlot): SlotLauncher {
    if (!slot.launcher?.alive) {
      slot.launcher = SlotLauncher.start({
        uid: slot.uid,
        procsFiles: cgroup.procsFiles,
        dir: join(this.stateDir(), `slot-${slot.index}`),
      });
    }
    return slot.launcher;
  }

  /**
   * Start every slot's launcher now rather than on the slot's first run (a long-running
   * service: the first runs then cost what every run costs). Returns the milliseconds it took.
   */
  async warmUp(): Promise<number> {
    const t0 = performance.now();
    await Promise.all(
      this.slots.map((slot) => (slot.cgroup ? this.launcherOf(slot, slot.cgroup).ready : null)),
    );
    return performance.now() - t0;
  }

  /** Shared by every path: what the limits and the exit say, or a failure of the sandbox itself. */
  private outcome(
    spec: RunSpec,
    run: {
      streams: { stdout: Capture; stderr: Capture };
      exitCode: number | null;
      signal: string | null;
      elapsedMs: number;
      programElapsedMs: number;
      programStarted: boolean;
      cpuSeconds: number | null;
      limitHit: LimitHit | null;
      leftoverProcesses: number;
      pidsRefused: number;
    },
  ): Omit<RunOutcome, 'queuedMs'> {
    let { limitHit } = run;
    const { exitCode, signal: sig, cpuSeconds } = run;
    if (!limitHit && sig === 'SIGXCPU') limitHit = 'cpu';
    if (!limitHit && cpuSeconds !== null && cpuSeconds > spec.limits.cpuSeconds) limitHit = 'cpu';
    if (!limitHit && sig === 'SIGKILL' && run.pidsRefused > 0) limitHit = 'processes';
    // The sandbox itself failed to start (bad mount, missing binary, no user namespaces, a
    // refused rlimit): its tools say so on stderr before anything of ours ran. With a start
    // marker, a program printing the same words cannot be mistaken for it.
    const stderrHead = run.streams.stderr.buffer().subarray(0, 2000).toString('utf8');
    if (
      exitCode !== 0 &&
      !limitHit &&
      !run.programStarted &&
      /^(bwrap|setpriv|prlimit|bash): /m.test(stderrHead) &&
      (spec.startMarker || !stderrHead.startsWith('Traceback'))
    ) {
      throw new SandboxError(`the sandbox failed to start: ${stderrHead.trim().slice(0, 500)}`);
    }
    return {
      stdout: run.streams.stdout.buffer(),
      stderr: run.streams.stderr.buffer(),
      stdoutTruncated: run.streams.stdout.truncated,
      stderrTruncated: run.streams.stderr.truncated,
      exitCode,
      signal: sig,
      elapsedMs: run.elapsedMs,
      programElapsedMs: run.programElapsedMs,
      cpuSeconds,
      limitHit,
      leftoverProcesses: run.leftoverProcesses,
    };
  }

  /** Without cgroups: `setpriv → prlimit → bwrap` spawned by Node, rlimits only. */
  private executeDirect(
    spec: RunSpec,
    slot: Slot,
    processes: number,
    diskMb: number,
  ): Promise<Omit<RunOutcome, 'queuedMs'>> {
    const chain = [
      ...dropPrivileges(slot.uid),
      ...this.prlimitArgv(spec.limits, processes, diskMb),
      ...this.bwrapArgv(spec, diskMb),
    ];
    return this.spawnRun(spec, slot, chain[0]!, chain.slice(1), null);
  }

  /** Development only: the interpreter under prlimit, in a temporary host directory. */
  private executeUnsafe(
    spec: RunSpec,
    slot: Slot,
    processes: number,
    diskMb: number,
  ): Promise<Omit<RunOutcome, 'queuedMs'>> {
    const hostDir = mkdtempSync(join(tmpdir(), 'lms-grader-unsafe-'));
    for (const name of Object.keys(spec.files))
      writeFileSync(join(hostDir, name), spec.files[name]!);
    const prlimit = this.prlimitArgv(spec.limits, processes, diskMb);
    return this.spawnRun(
      spec,
      slot,
      prlimit[0]!,
      [...prlimit.slice(1), this.options.python, ...spec.args(hostDir)],
      hostDir,
    );
  }

  /** rlimits for the paths without cgroups (where RLIMIT_AS is the only memory cap left) */
  private prlimitArgv(limits: RunLimits, processes: number, diskMb: number): string[] {
    return [
      '/usr/bin/prlimit',
      `--cpu=${Math.ceil(limits.cpuSeconds)}:${Math.ceil(limits.cpuSeconds) + 1}`,
      `--nproc=${processes}`,
      `--fsize=${diskMb * 1024 * 1024}`,
      `--nofile=${OPEN_FILES}`,
      '--core=0',
      `--as=${(limits.memoryMb + 64) * 1024 * 1024}`,
      '--',
    ];
  }

  /** Spawn the run's first process from Node (the paths without a launcher). */
  private spawnRun(
    spec: RunSpec,
    slot: Slot,
    command: string,
    argv: string[],
    hostDir: string | null,
  ): Promise<Omit<RunOutcome, 'queuedMs'>> {
    const { limits } = spec;
    const unsafe = hostDir !== null;
    const cap = this.options.outputCapBytes;
    const fileNames = Object.keys(spec.files);
    const fdBase = firstFileFd(spec);
    return new Promise((resolve, reject) => {
      const started = performance.now();
      let child: ChildProcess;
      try {
        // bash closes any fd the grader inherited before the chain starts (closeFdsAbove)
        const keep = 2 + (spec.startMarker ? 1 : 0) + (unsafe ? 0 : fileNames.length);
        child = spawn(
          '/bin/bash',
          [...BASH, `${closeFdsAbove(keep)}; exec -c "$@"`, 'bash', command, ...argv],
          {
            env: {},
            cwd: hostDir ?? '/',
            stdio: [
              'ignore',
              'pipe',
              'pipe',
              ...(spec.startMarker ? ['pipe' as const] : []),
              ...(unsafe ? [] : fileNames.map(() => 'pipe' as const)),
            ],
            detached: unsafe, // unsafe mode: own process group, killed as a group
          },
        );
      } catch (error) {
        if (hostDir) rmSync(hostDir, { recursive: true, force: true });
        reject(new SandboxError(`cannot start the sandbox: ${(error as Error).message}`));
        return;
      }
      this.live.add(child);
      const pid = child.pid ?? null;
      this.scheduler.attach(slot.index, {
        cpuSeconds: () => (unsafe && pid ? procCpuSeconds(pid) : null),
      });
      if (!unsafe) {
        fileNames.forEach((name, i) => {
          const pipe = child.stdio[fdBase + i] as Writable | null;
          pipe?.on('error', () => {}); // bwrap died before reading: reported by its exit
          pipe?.end(spec.files[name]);
        });
      }
      let programStarted: number | null = null;
      if (spec.startMarker) {
        const marker = child.stdio[START_MARKER_FD] as Readable | null;
        marker?.once('data', () => {
          programStarted ??= performance.now();
        });
        marker?.on('error', () => {});
      }
      let limitHit: LimitHit | null = null;
      const streams = { stdout: new Capture(cap), stderr: new Capture(cap) };
      const kill = (reason: LimitHit | null) => {
        if (reason && !limitHit) limitHit = reason;
        try {
          if (unsafe && pid) process.kill(-pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {}
      };
      for (const key of ['stdout', 'stderr'] as const) {
        const stream = child[key] as Readable;
        stream.on('data', (chunk: Buffer) => {
          if (streams[key].push(chunk)) kill('output');
        });
        stream.on('error', () => {});
      }
      const wall = setTimeout(() => kill('wall'), limits.wallSeconds * 1000);

      let settled = false;
      const finish = async (code: number | null, signal: NodeJS.Signals | null) => {
        if (settled) return;
        settled = true;
        const exitedAt = performance.now();
        clearTimeout(wall);
        if (unsafe && pid) {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {}
        }
        // a child that left the process group may hold the pipes: do not wait for it forever
        let capTimer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all([endOf(child.stdout), endOf(child.stderr)]),
          new Promise((r) => {
            capTimer = setTimeout(r, 1000);
          }),
        ]);
        clearTimeout(capTimer);
        child.stdout?.destroy();
        child.stderr?.destroy();
        if (spec.startMarker) (child.stdio[START_MARKER_FD] as Readable | null)?.destroy();
        this.live.delete(child);
        if (hostDir) rmSync(hostDir, { recursive: true, force: true }); // unlinks symlinks, never follows them
        // bwrap reports a program killed by signal N as exit 128+N; RLIMIT_CPU sends SIGXCPU
        let sig: string | null = signal;
        let exitCode = code;
        if (exitCode !== null && exitCode > 128 && exitCode - 128 in SIGNALS && !unsafe)
          sig = SIGNALS[exitCode - 128]!;
        if (signal) exitCode = null;
        try {
          resolve(
            this.outcome(spec, {
              streams,
              exitCode,
              signal: sig,
              elapsedMs: exitedAt - started,
              programElapsedMs: exitedAt - (programStarted ?? started),
              programStarted: programStarted !== null,
              cpuSeconds: null,
              limitHit,
              leftoverProcesses: 0,
              pidsRefused: 0,
            }),
          );
        } catch (error) {
          reject(error);
        }
      };
      child.on('exit', (code, signal) => void finish(code, signal));
      child.on('error', (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(wall);
        this.live.delete(child);
        if (hostDir) rmSync(hostDir, { recursive: true, force: true });
        reject(new SandboxError(`the sandbox failed: ${error.message}`));
      });
    });
  }

  /** the grader's own directory for the slots' launchers (root-owned, traversable) */
  private stateDir(): string {
    if (!this.launcherDir) {
      // a tmpfs if there is one: a run's files are written and removed every time (on this
      // machine /run is on the ext4 root, where writing a file costs ~10× what tmpfs does)
      const parent = ['/run', '/dev/shm'].find(isTmpfs) ?? tmpdir();
      // named like the cgroup subtree (lms-grader-<pid>-<n>): what a grader killed with -9
      // left is swept by the next one, as its cgroups are
      for (const name of staleGraderEntries(parent, this.tag))
        rmSync(join(parent, name), { recursive: true, force: true });
      this.launcherDir = join(parent, this.tag);
      rmSync(this.launcherDir, { recursive: true, force: true });
      mkdirSync(this.launcherDir, { mode: 0o711 });
      chmodSync(this.launcherDir, 0o711);
    }
    return this.launcherDir;
  }

  /** the slots' directories now in use (tests check no run left a file there) */
  slotDirs(): string[] {
    return this.slots.flatMap((s) => (s.launcher ? [s.launcher.spec.dir] : []));
  }

  /** pids of the slots' launchers now running (tests tell them apart from leftovers) */
  launcherPids(): number[] {
    return this.slots.flatMap((s) => (s.launcher?.alive ? [s.launcher.pid] : []));
  }

  /** Kill every run still going, remove our cgroups. */
  async close(): Promise<void> {
    this.closed = true;
    for (const child of this.live) {
      try {
        child.kill('SIGKILL');
      } catch {}
    }
    await Promise.all(this.slots.map((s) => s.launcher?.close()));
    await Promise.all(this.slots.map((s) => s.cgroup?.killAll()));
    if (this.launcherDir) rmSync(this.launcherDir, { recursive: true, force: true });
    for (const slot of this.slots) slot.cgroup?.destroy();
    this.cgroups.destroyAll();
    this.scheduler.stop();
  }
}

class Capture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  truncated = false;

  constructor(private readonly cap: number) {}

  /** keeps up to `cap` bytes; true when the stream went past the cap */
  push(chunk: Buffer): boolean {
    const room = this.cap - this.kept;
    if (chunk.length <= room) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return false;
    }
    if (room > 0) {
      this.chunks.push(chunk.subarray(0, room));
      this.kept += room;
    }
    this.truncated = true;
    return true;
  }

  buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function endOf(stream: Readable | null): Promise<void> {
  if (!stream || stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
}

function procCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const TMPFS_MAGIC = 0x01021994;

function isTmpfs(path: string): boolean {
  try {
    return statfsSync(path).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Read-only binds an interpreter outside /usr needs (its install prefix). */
export function interpreterBinds(python: string): string[] {
  const real = realpathSync(python);
  if (real.startsWith('/usr/')) return [];
  return [dirname(dirname(real))];
}

export function defaultCpuSlots(): number {
  return availableParallelism();
}
