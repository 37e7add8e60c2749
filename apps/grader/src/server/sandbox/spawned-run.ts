import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { LimitHit } from '@lms/grading';
import { BASH, closeFdsAbove } from '../launcher.ts';
import type { BackendContext, RunRequest, RunSteps, SandboxBackend } from './backend.ts';
import { procCpuSeconds } from './host.ts';
import { newStreams, type RawRun, type RunStreams, runTimes, signalOfStatus } from './outcome.ts';
import { firstFileFd, SandboxError, START_MARKER_FD } from './types.ts';

/**
 * The paths without a launcher (direct-backend.ts, unsafe-backend.ts): Node spawns each run's
 * first process itself, `bash` (closes every fd it must not pass on) → the backend's chain.
 */

/** what a backend prepared for Node to start */
export interface SpawnCommand {
  /** the chain bash execs with an empty environment, command first */
  argv: string[];
  cwd: string;
  /** more data piped in after the run's files, on the fds that follow theirs (the filter) */
  extraInputs?: Buffer[];
}

/** the run's first process ended (its output may still be on the way) */
interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  startedAt: number;
  exitedAt: number;
}

/** how long the output may go on after the exit (a child that left the process group) */
const OUTPUT_GRACE_MS = 1000;

export abstract class SpawnedRun implements RunSteps<Exited> {
  private command: SpawnCommand | null = null;
  private child: ChildProcess | null = null;
  private wall: NodeJS.Timeout | undefined;
  private limitHit: LimitHit | null = null;
  private programStarted: number | null = null;
  private readonly streams: RunStreams;

  constructor(
    protected readonly context: BackendContext,
    protected readonly request: RunRequest,
    private readonly live: Set<ChildProcess>,
    /**
     * development mode: the files are in the host work dir (no pipes), the run has its own
     * process group (killed as a group), its CPU is read from /proc, and the signal that
     * ended it is the one Node saw (no bwrap reporting 128+N)
     */
    private readonly unsafe: boolean,
  ) {
    this.streams = newStreams(context.options.outputCapBytes);
  }

  /** the backend's part of `prepare`: anything on the host, then the command */
  protected abstract prepareCommand(): SpawnCommand;

  async prepare(): Promise<void> {
    this.command = this.prepareCommand();
  }

  execute(): Promise<Exited> {
    const { spec, slot } = this.request;
    const { argv, cwd, extraInputs = [] } = this.command!;
    const unsafe = this.unsafe;
    const piped: (string | Buffer)[] = unsafe ? [] : [...Object.values(spec.files), ...extraInputs];
    const fdBase = firstFileFd(spec);
    return new Promise((resolve, reject) => {
      const startedAt = performance.now();
      let child: ChildProcess;
      try {
        // bash closes any fd the grader inherited before the chain starts (closeFdsAbove)
        const keep = 2 + (spec.startMarker ? 1 : 0) + piped.length;
        child = spawn(
          '/bin/bash',
          [...BASH, `${closeFdsAbove(keep)}; exec -c "$@"`, 'bash', ...argv],
          {
            env: {},
            cwd,
            stdio: [
              'ignore',
              'pipe',
              'pipe',
              ...(spec.startMarker ? ['pipe' as const] : []),
              ...piped.map(() => 'pipe' as const),
            ],
            detached: unsafe, // unsafe mode: own process group, killed as a group
          },
        );
      } catch (error) {
        reject(new SandboxError(`cannot start the sandbox: ${(error as Error).message}`));
        return;
      }
      this.child = child;
      this.live.add(child);
      const pid = child.pid ?? null;
      this.context.scheduler.attach(slot.index, {
        cpuSeconds: () => (unsafe && pid ? procCpuSeconds(pid) : null),
      });
      piped.forEach((data, i) => {
        const pipe = child.stdio[fdBase + i] as Writable | null;
        pipe?.on('error', () => {}); // bwrap died before reading: reported by its exit
        pipe?.end(data);
      });
      if (spec.startMarker) {
        const marker = child.stdio[START_MARKER_FD] as Readable | null;
        marker?.once('data', () => {
          this.programStarted ??= performance.now();
        });
        marker?.on('error', () => {});
      }
      for (const key of ['stdout', 'stderr'] as const) {
        const stream = child[key] as Readable;
        stream.on('data', (chunk: Buffer) => {
          if (this.streams[key].push(chunk)) this.kill('output');
        });
        stream.on('error', () => {});
      }
      this.wall = setTimeout(() => this.kill('wall'), spec.limits.wallSeconds * 1000);

      let settled = false;
      child.on('exit', (code, signal) => {
        if (settled) return;
        settled = true;
        const exitedAt = performance.now();
        clearTimeout(this.wall);
        if (unsafe) this.killGroup();
        resolve({ code, signal, startedAt, exitedAt });
      });
      child.on('error', (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(this.wall);
        reject(new SandboxError(`the sandbox failed: ${error.message}`));
      });
    });
  }

  async collect(exited: Exited): Promise<RawRun> {
    const child = this.child!;
    // a child that left the process group may hold the pipes: do not wait for it forever
    let capTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([endOf(child.stdout), endOf(child.stderr)]),
      new Promise((r) => {
        capTimer = setTimeout(r, OUTPUT_GRACE_MS);
      }),
    ]);
    clearTimeout(capTimer);
    child.stdout?.destroy();
    child.stderr?.destroy();
    if (this.request.spec.startMarker) (child.stdio[START_MARKER_FD] as Readable | null)?.destroy();
    // bwrap reports a program killed by signal N as exit 128+N; RLIMIT_CPU sends SIGXCPU
    let signal: string | null = exited.signal;
    let exitCode = exited.code;
    if (exitCode !== null && !this.unsafe) signal = signalOfStatus(exitCode) ?? signal;
    if (exited.signal) exitCode = null;
    return {
      streams: this.streams,
      exitCode,
      signal,
      ...runTimes(exited.startedAt, exited.exitedAt, this.programStarted),
      cpuSeconds: null,
      limitHit: this.limitHit,
      leftoverProcesses: 0,
      pidsRefused: 0,
    };
  }

  async cleanUp(): Promise<void> {
    clearTimeout(this.wall);
    if (this.child) this.live.delete(this.child);
  }

  private kill(reason: LimitHit): void {
    if (!this.limitHit) this.limitHit = reason;
    if (this.unsafe && this.child?.pid) this.killGroup();
    else {
      try {
        this.child?.kill('SIGKILL');
      } catch {}
    }
  }

  private killGroup(): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
}

/** what the spawning backends share: the children they started, killed on close */
export abstract class SpawningBackend implements SandboxBackend {
  protected readonly live = new Set<ChildProcess>();

  constructor(protected readonly context: BackendContext) {}

  abstract run(request: RunRequest): Promise<RawRun>;

  async warmUp(): Promise<void> {}

  slotDirs(): string[] {
    return [];
  }

  launcherPids(): number[] {
    return [];
  }

  async close(): Promise<void> {
    for (const child of this.live) {
      try {
        child.kill('SIGKILL');
      } catch {}
    }
  }
}

function endOf(stream: Readable | null): Promise<void> {
  if (!stream || stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
}
