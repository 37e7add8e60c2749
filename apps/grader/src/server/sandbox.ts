import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { LimitHit } from '../harness/protocol.ts';
import { type CgroupSlot, type CgroupSupport, detectCgroups, noCgroups } from './cgroups.ts';
import { CpuScheduler } from './scheduler.ts';

/**
 * Runs one Python process in a bubblewrap sandbox. Every run:
 *   /bin/sh (writes its pid into the slot's cgroups, then execs)
 *   → setpriv: unprivileged uid/gid of the slot, no groups, no-new-privs, empty bounding set
 *   → prlimit: CPU seconds, processes, file size, open files, no core dumps
 *   → bwrap: new user/pid/net/ipc/uts/cgroup namespaces, no capabilities, read-only /usr,
 *     fresh size-capped tmpfs for /box (work dir), /tmp and /dev/shm, files copied in through
 *     pipes (no host path of ours is visible), read-only root, --die-with-parent, --new-session
 *   → python3 -I (isolated: ignores PYTHON* env and user site) …
 * spawned by Node with an EMPTY environment. Node caps stdout/stderr, kills the tree on the
 * wall clock, waits for 'exit' (not 'close'), then empties the slot's cgroup.
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

interface Slot {
  index: number;
  uid: number;
  cgroup: CgroupSlot | null;
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

  private constructor(readonly options: SandboxOptions) {
    this.engine = options.unsafe ? 'cpython-unsafe' : 'cpython-bwrap';
    const tag = options.cgroupTag ?? `lms-grader-${process.pid}-${++sandboxCount}`;
    // unsafe mode runs the interpreter directly (no sh joining a cgroup): rlimits only
    this.cgroups = options.unsafe ? noCgroups('unsafe mode (no sandbox)') : detectCgroups(tag);
    this.slots = Array.from({ length: options.maxRuns }, (_, index) => ({
      index,
      uid: options.uidBase + index,
      cgroup: this.cgroups.version ? this.cgroups.createSlot(`slot-${index}`) : null,
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
    slot.cgroup?.prepare({ memoryMb: limits.memoryMb, processes });
    const cap = this.options.outputCapBytes;
    const fileNames = Object.keys(spec.files);
    const fdBase = spec.startMarker ? START_MARKER_FD + 1 : START_MARKER_FD;
    for (const name of fileNames) {
      if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.'))
        throw new SandboxError(`bad file name ${name}`);
    }

    let workDir = '/box';
    let command: string;
    let argv: string[];
    let hostDir: string | null = null;
    const prlimit = [
      '/usr/bin/prlimit',
      `--cpu=${Math.ceil(limits.cpuSeconds)}:${Math.ceil(limits.cpuSeconds) + 1}`,
      `--nproc=${processes}`,
      `--fsize=${diskMb * 1024 * 1024}`,
      `--nofile=${OPEN_FILES}`,
      '--core=0',
      // without a memory cgroup, the address-space limit is the only memory cap left
      ...(slot.cgroup ? [] : [`--as=${(limits.memoryMb + 64) * 1024 * 1024}`]),
      '--',
    ];
    if (this.options.unsafe) {
      hostDir = mkdtempSync(join(tmpdir(), 'lms-grader-unsafe-'));
      workDir = hostDir;
      for (const name of fileNames) writeFileSync(join(hostDir, name), spec.files[name]!);
      command = prlimit[0]!;
      argv = [...prlimit.slice(1), this.options.python, ...spec.args(workDir)];
    } else {
      const bwrap = [
        this.options.bwrap!,
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
        ...fileNames.flatMap((name, i) => ['--file', String(fdBase + i), `/box/${name}`]),
        '--remount-ro',
        '/',
        '--chdir',
        '/box',
        '--',
        this.options.python,
        ...spec.args(workDir),
      ];
      const setpriv = [
        '/usr/bin/setpriv',
        `--reuid=${slot.uid}`,
        `--regid=${slot.uid}`,
        '--clear-groups',
        '--no-new-privs',
        '--bounding-set=-all',
      ];
      const chain = [...setpriv, ...prlimit, ...bwrap];
      if (slot.cgroup) {
        // join the cgroups before exec, so no process of the run is ever outside them
        const joins = slot.cgroup.procsFiles.map((f) => `echo $$ > ${f}`).join(' && ');
        command = '/bin/sh';
        argv = ['-c', `${joins} && exec "$@"`, 'sh', ...chain];
      } else {
        command = chain[0]!;
        argv = chain.slice(1);
      }
    }

    return new Promise((resolve, reject) => {
      const started = performance.now();
      let child: ChildProcess;
      try {
        child = spawn(command, argv, {
          env: {},
          cwd: hostDir ?? '/',
          stdio: [
            'ignore',
            'pipe',
            'pipe',
            ...(spec.startMarker ? ['pipe' as const] : []),
            ...(this.options.unsafe ? [] : fileNames.map(() => 'pipe' as const)),
          ],
          detached: this.options.unsafe, // unsafe mode: own process group, killed as a group
        });
      } catch (error) {
        if (hostDir) rmSync(hostDir, { recursive: true, force: true });
        reject(new SandboxError(`cannot start the sandbox: ${(error as Error).message}`));
        return;
      }
      this.live.add(child);
      const cgroup = slot.cgroup;
      const unsafePid = this.options.unsafe ? (child.pid ?? null) : null;
      this.scheduler.attach(slot.index, {
        cpuSeconds: () =>
          cgroup ? cgroup.cpuSeconds() : unsafePid ? procCpuSeconds(unsafePid) : null,
      });
      if (!this.options.unsafe) {
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
          if (this.options.unsafe && child.pid) process.kill(-child.pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {}
        void cgroup?.killAll();
      };
      for (const key of ['stdout', 'stderr'] as const) {
        const stream = child[key] as Readable;
        stream.on('data', (chunk: Buffer) => {
          if (streams[key].push(chunk)) kill('output');
        });
        stream.on('error', () => {});
      }
      const wall = setTimeout(() => kill('wall'), limits.wallSeconds * 1000);
      // RLIMIT_CPU is per process; the cgroup counts every process and thread of the run
      const cpuWatch = cgroup
        ? setInterval(() => {
            if (cgroup.cpuSeconds() > limits.cpuSeconds + 0.5) kill('cpu');
          }, 250)
        : null;

      let settled = false;
      const finish = async (code: number | null, signal: NodeJS.Signals | null) => {
        if (settled) return;
        settled = true;
        const exitedAt = performance.now();
        const elapsedMs = exitedAt - started;
        const programElapsedMs = exitedAt - (programStarted ?? started);
        clearTimeout(wall);
        if (cpuWatch) clearInterval(cpuWatch);
        // Whatever is left of the run (a daemonised child holding the pipes open) dies first;
        // then the pipes reach end-of-file and everything the program wrote is read. Never
        // stop reading before that: output still in the pipe would be lost.
        let leftoverProcesses = 0;
        let cpuSeconds: number | null = null;
        if (cgroup) {
          leftoverProcesses = cgroup.pids().length;
          await cgroup.killAll();
          cpuSeconds = cgroup.cpuSeconds();
          if (!limitHit && cgroup.oomKills() > 0) limitHit = 'memory';
        } else if (this.options.unsafe && child.pid) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {}
        }
        // the cap only matters without a cgroup (unsafe mode: a child that left the process group)
        let capTimer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all([endOf(child.stdout), endOf(child.stderr)]),
          new Promise((r) => {
            capTimer = setTimeout(r, cgroup ? 10_000 : 1000);
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
        if (
          exitCode !== null &&
          exitCode > 128 &&
          exitCode - 128 in SIGNALS &&
          !this.options.unsafe
        ) {
          sig = SIGNALS[exitCode - 128]!;
        }
        if (signal) exitCode = null;
        if (!limitHit && sig === 'SIGXCPU') limitHit = 'cpu';
        if (!limitHit && cpuSeconds !== null && cpuSeconds > limits.cpuSeconds) limitHit = 'cpu';
        if (!limitHit && cgroup && sig === 'SIGKILL' && cgroup.pidsRefused() > 0)
          limitHit = 'processes';
        // The sandbox itself failed to start (bad mount, missing binary, no user namespaces):
        // its tools say so on stderr before anything of ours ran. With a start marker, a
        // program printing the same words cannot be mistaken for it.
        const stderrHead = streams.stderr.buffer().subarray(0, 2000).toString('utf8');
        if (
          exitCode !== 0 &&
          !limitHit &&
          programStarted === null &&
          /^(bwrap|setpriv|prlimit|sh|\/bin\/sh): /m.test(stderrHead) &&
          (spec.startMarker || !stderrHead.startsWith('Traceback'))
        ) {
          reject(
            new SandboxError(`the sandbox failed to start: ${stderrHead.trim().slice(0, 500)}`),
          );
          return;
        }
        resolve({
          stdout: streams.stdout.buffer(),
          stderr: streams.stderr.buffer(),
          stdoutTruncated: streams.stdout.truncated,
          stderrTruncated: streams.stderr.truncated,
          exitCode,
          signal: sig,
          elapsedMs,
          programElapsedMs,
          cpuSeconds,
          limitHit,
          leftoverProcesses,
        });
      };
      child.on('exit', (code, signal) => void finish(code, signal));
      child.on('error', (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(wall);
        if (cpuWatch) clearInterval(cpuWatch);
        this.live.delete(child);
        if (hostDir) rmSync(hostDir, { recursive: true, force: true });
        reject(new SandboxError(`the sandbox failed: ${error.message}`));
      });
    });
  }

  /** Kill every run still going, remove our cgroups. */
  async close(): Promise<void> {
    this.closed = true;
    for (const child of this.live) {
      try {
        child.kill('SIGKILL');
      } catch {}
    }
    await Promise.all(this.slots.map((s) => s.cgroup?.killAll()));
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
