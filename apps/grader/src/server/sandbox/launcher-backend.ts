import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LimitHit } from '@lms/grading';
import { type CgroupSlot, staleGraderEntries } from '../cgroups.ts';
import { type LaunchedRun, SlotLauncher, shellQuote } from '../launcher.ts';
import {
  type BackendContext,
  type RunRequest,
  type RunSteps,
  runSteps,
  type SandboxBackend,
  type Slot,
} from './backend.ts';
import { bwrapArgsFor, seccompFdOf } from './bwrap-args.ts';
import { isTmpfs } from './host.ts';
import { newStreams, type RawRun, type RunStreams, runTimes, signalOfStatus } from './outcome.ts';
import { type RlimitInput, ulimitCommand } from './rlimits.ts';
import { firstFileFd, SandboxError, START_MARKER_FD } from './types.ts';

/**
 * The usual path (cgroups work): the slot's launcher (launcher.ts: a shell already in the
 * slot's cgroups, already the slot's uid) forks, sets the rlimits with `ulimit` and execs
 * bwrap; Node reads the run's output from the slot's FIFOs, kills the run by cgroup on a
 * limit, and ends the output at the launcher's nonce once nothing of the run is left.
 */

/** the launcher's share of a slot's memory cgroup */
const LAUNCHER_MEMORY_MB = 2;
/** the highest fd a run's redirection may name (one digit for dash) */
const MAX_FD = 9;

export interface RunScriptInput {
  /** bwrap and its arguments, up to the interpreter's */
  bwrap: string[];
  rlimits: RlimitInput;
  startMarker: boolean;
  /** the run's input files in the slot's directory: the i-th is opened as fd `firstFd + i` */
  inputNames: string[];
  firstFd: number;
  /** the compiled seccomp filter (readable by the slot's uid), opened as the fd after the inputs */
  seccompPath?: string | null;
}

/** the compiled seccomp filter in the grader's state directory (beside the slots' directories) */
export const SECCOMP_FILE = 'seccomp.bpf';

/**
 * run.sh, which the launcher sources in a subshell for each run (`$d` is the slot's
 * directory): the rlimits, then `exec bwrap` with the run's own FIFO ends as stdout, stderr
 * and start marker, and its input files as the fds bwrap copies into /box.
 */
export function runScript(input: RunScriptInput): string {
  const redirections = [
    // the run's own FIFO ends (launcher.ts): nothing it does to them reaches the next run
    '>"$d/out"',
    '2>"$d/err"',
    ...(input.startMarker ? [`${START_MARKER_FD}>"$d/mark"`] : []),
    ...input.inputNames.map((name, i) => `${input.firstFd + i}<"$d/${name}"`),
    // each run opens the filter afresh (bwrap reads it to the end, then closes it)
    ...(input.seccompPath
      ? [`${input.firstFd + input.inputNames.length}<${shellQuote(input.seccompPath)}`]
      : []),
  ];
  return [
    ulimitCommand(input.rlimits),
    `exec ${input.bwrap.map(shellQuote).join(' ')} ${redirections.join(' ')}`,
    '',
  ].join('\n');
}

export class LauncherBackend implements SandboxBackend {
  /** each slot's launcher, started on the slot's first run (or by warmUp) */
  private readonly launchers: (SlotLauncher | null)[];
  private dir: string | null = null;

  constructor(
    readonly context: BackendContext,
    private readonly slots: readonly Slot[],
    /** the name of our cgroup subtree, also our state directory's */
    private readonly tag: string,
  ) {
    this.launchers = slots.map(() => null);
  }

  run(request: RunRequest): Promise<RawRun> {
    return runSteps(new LauncherRun(this, request, cgroupOf(request.slot)));
  }

  /** the slot's launcher, a new one if there is none or it died */
  launcherOf(slot: Slot): SlotLauncher {
    let launcher = this.launchers[slot.index];
    if (!launcher?.alive) {
      launcher = SlotLauncher.start({
        uid: slot.uid,
        procsFiles: cgroupOf(slot).procsFiles,
        dir: join(this.stateDir(), `slot-${slot.index}`),
      });
      this.launchers[slot.index] = launcher;
    }
    return launcher;
  }

  /** the filter every run opens (the grader's copy, beside the slots' directories), or null */
  seccompPath(): string | null {
    return this.context.seccomp ? join(this.stateDir(), SECCOMP_FILE) : null;
  }

  /** a launcher that failed a run: the slot's next run starts a new one */
  forget(slot: Slot): void {
    this.launchers[slot.index] = null;
  }

  async warmUp(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.launcherOf(slot).ready));
  }

  slotDirs(): string[] {
    return this.launchers.flatMap((l) => (l ? [l.spec.dir] : []));
  }

  launcherPids(): number[] {
    return this.launchers.flatMap((l) => (l?.alive ? [l.pid] : []));
  }

  async close(): Promise<void> {
    await Promise.all(this.launchers.map((l) => l?.close()));
    await Promise.all(this.slots.map((s) => s.cgroup?.killAll()));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** the grader's own directory for the slots' launchers (root-owned, traversable) */
  private stateDir(): string {
    if (!this.dir) {
      // a tmpfs if there is one: a run's files are written and removed every time (on this
      // machine /run is on the ext4 root, where writing a file costs ~10× what tmpfs does)
      const parent = ['/run', '/dev/shm'].find(isTmpfs) ?? tmpdir();
      // named like the cgroup subtree (lms-grader-<pid>-<n>): what a grader killed with -9
      // left is swept by the next one, as its cgroups are
      for (const name of staleGraderEntries(parent, this.tag))
        rmSync(join(parent, name), { recursive: true, force: true });
      const dir = join(parent, this.tag);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { mode: 0o711 });
      chmodSync(dir, 0o711);
      // the grader's own copy of the filter (root's, readable by every slot's uid through the
      // 0711 directory): no run depends on the shared cache after start-up
      const { seccomp } = this.context;
      if (seccomp) {
        writeFileSync(join(dir, SECCOMP_FILE), seccomp.program, { mode: 0o644 });
        chmodSync(join(dir, SECCOMP_FILE), 0o644);
      }
      this.dir = dir;
    }
    return this.dir;
  }
}

function cgroupOf(slot: Slot): CgroupSlot {
  if (!slot.cgroup) throw new SandboxError(`slot ${slot.index} has no cgroups`);
  return slot.cgroup;
}

/** the run's status came and nothing of it is left in the cgroup */
interface Ended {
  status: number;
  startedAt: number;
  exitedAt: number;
  leftoverProcesses: number;
}

class LauncherRun implements RunSteps<Ended> {
  private launcher: SlotLauncher | null = null;
  private script = '';
  private readonly inputs: Record<string, string | Buffer> = {};
  /** launcher.run was called: its FIFO ends and input files must go */
  private begun = false;
  private wall: NodeJS.Timeout | undefined;
  private cpuWatch: NodeJS.Timeout | undefined;
  private limitHit: LimitHit | null = null;
  private programStarted: number | null = null;
  private readonly streams: RunStreams;
  // every kill loop of this run is awaited before the slot goes to the next run, so none
  // can outlive the run and hit the next one's processes
  private readonly kills: Promise<boolean>[] = [];

  constructor(
    private readonly backend: LauncherBackend,
    private readonly request: RunRequest,
    private readonly cgroup: CgroupSlot,
  ) {
    this.streams = newStreams(backend.context.options.outputCapBytes);
  }

  async prepare(): Promise<void> {
    const { spec, slot, processes, diskMb } = this.request;
    this.launcher = this.backend.launcherOf(slot);
    // the launcher is one more process of the slot's uid and cgroup, and a little memory
    this.cgroup.prepare({
      memoryMb: spec.limits.memoryMb + LAUNCHER_MEMORY_MB,
      processes: processes + 1,
    });
    const fileNames = Object.keys(spec.files);
    const firstFd = firstFileFd(spec);
    const { options, layout, seccomp } = this.backend.context;
    const lastFd = seccomp ? seccompFdOf(spec) : firstFd + fileNames.length - 1;
    if (lastFd > MAX_FD) throw new SandboxError(`too many files for one run (${fileNames.length})`);
    fileNames.forEach((name, i) => {
      this.inputs[`in-${i}`] = spec.files[name]!;
    });
    this.script = runScript({
      bwrap: bwrapArgsFor({ options, layout: layout!, seccomp: seccomp !== null }, spec, diskMb),
      rlimits: { limits: spec.limits, processes, diskMb },
      startMarker: spec.startMarker ?? false,
      inputNames: Object.keys(this.inputs),
      firstFd,
      seccompPath: this.backend.seccompPath(),
    });
  }

  async execute(): Promise<Ended> {
    const { spec, slot } = this.request;
    const { cgroup } = this;
    const launcher = this.launcher!;
    const startedAt = performance.now();
    let run: LaunchedRun;
    try {
      this.begun = true;
      run = await launcher.run(
        this.script,
        this.inputs,
        {
          stdout: (chunk) => {
            if (this.streams.stdout.push(chunk)) this.kill('output');
          },
          stderr: (chunk) => {
            if (this.streams.stderr.push(chunk)) this.kill('output');
          },
          marker: () => {
            this.programStarted ??= performance.now();
          },
        },
        spec.startMarker ? ['stdout', 'stderr', 'marker'] : ['stdout', 'stderr'],
      );
    } catch (error) {
      return this.fail('cannot start the sandbox', error);
    }
    this.backend.context.scheduler.attach(slot.index, { cpuSeconds: () => cgroup.cpuSeconds() });
    this.wall = setTimeout(() => this.kill('wall'), spec.limits.wallSeconds * 1000);
    // RLIMIT_CPU is per process; the cgroup counts every process and thread of the run
    this.cpuWatch = setInterval(() => {
      if (cgroup.cpuSeconds() > spec.limits.cpuSeconds + 0.5) this.kill('cpu');
    }, 250);
    let status: number;
    try {
      status = await run.exited;
    } catch (error) {
      this.stopTimers();
      return this.fail('the sandbox failed', error);
    }
    const exitedAt = performance.now();
    this.stopTimers();
    // whatever is left of the run (a daemonised child) dies before the output is closed
    const leftoverProcesses = cgroup.pids().filter((p) => p !== launcher.pid).length;
    if (leftoverProcesses > 0) this.kills.push(cgroup.killAll(launcher.pid));
    if (this.kills.length > 0 && !(await Promise.all(this.kills)).every(Boolean))
      return this.fail('the sandbox failed', new Error('processes of the run survived SIGKILL'));
    return { status, startedAt, exitedAt, leftoverProcesses };
  }

  async collect(ended: Ended): Promise<RawRun> {
    const { cgroup } = this;
    const launcher = this.launcher!;
    const cpuSeconds = cgroup.cpuSeconds();
    if (!this.limitHit && cgroup.oomKills() > 0) this.limitHit = 'memory';
    try {
      await launcher.finishRun();
    } catch (error) {
      return this.fail('the sandbox failed', error);
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
        `the sandbox failed to start (status ${ended.status}): ${said.slice(0, 500)}`,
      );
    }
    // the shell reports a run that died of signal N as 128+N, as bwrap does for the program
    const signal = signalOfStatus(ended.status);
    // killed by us (a limit): no exit code of its own, as with a direct kill
    const exitCode = this.limitHit && signal === 'SIGKILL' ? null : ended.status;
    return {
      streams: this.streams,
      exitCode,
      signal,
      ...runTimes(ended.startedAt, ended.exitedAt, this.programStarted),
      cpuSeconds,
      limitHit: this.limitHit,
      leftoverProcesses: ended.leftoverProcesses,
      pidsRefused: cgroup.pidsRefused(),
    };
  }

  async cleanUp(): Promise<void> {
    this.stopTimers();
    // the run's FIFO ends closed, its files removed (also after a failed run)
    if (this.begun) this.launcher?.endRun(Object.keys(this.inputs));
    await Promise.all(this.kills);
  }

  private kill(reason: LimitHit): void {
    if (!this.limitHit) this.limitHit = reason;
    this.kills.push(this.cgroup.killAll(this.launcher!.pid));
  }

  private stopTimers(): void {
    clearTimeout(this.wall);
    clearInterval(this.cpuWatch);
  }

  /** The launcher failed the run: it is replaced, and nothing of the run may be left. */
  private async fail(why: string, error: unknown): Promise<never> {
    this.backend.forget(this.request.slot);
    this.launcher!.kill();
    await Promise.all(this.kills);
    await this.cgroup.killAll();
    throw new SandboxError(`${why}: ${(error as Error).message}`);
  }
}
