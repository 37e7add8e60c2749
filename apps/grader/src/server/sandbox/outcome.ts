import type { LimitHit } from '@lms/grading';
import { type RunOutcome, type RunSpec, SandboxError } from './types.ts';

/**
 * What every backend hands back after a run (RawRun), and the one reading of it that all
 * share (`interpretRun`): which limit was hit, or whether the sandbox itself failed to start.
 */

/** one output stream of a run, kept up to a cap */
export class Capture {
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

export interface RunStreams {
  stdout: Capture;
  stderr: Capture;
}

export function newStreams(cap: number): RunStreams {
  return { stdout: new Capture(cap), stderr: new Capture(cap) };
}

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
  // the seccomp filter kills a process that calls through a foreign ABI (i386's int 0x80)
  31: 'SIGSYS',
};

/** bwrap and the shell report a program killed by signal N as status 128+N */
export function signalOfStatus(status: number): string | null {
  return status > 128 && status - 128 in SIGNALS ? SIGNALS[status - 128]! : null;
}

/** a run as a backend saw it */
export interface RawRun {
  streams: RunStreams;
  exitCode: number | null;
  signal: string | null;
  elapsedMs: number;
  programElapsedMs: number;
  /** the start marker arrived (the student's code began) */
  programStarted: boolean;
  cpuSeconds: number | null;
  limitHit: LimitHit | null;
  leftoverProcesses: number;
  /** forks refused by the pids cgroup */
  pidsRefused: number;
}

/** a run's times: from its start, and from the start marker when it came */
export function runTimes(
  startedAt: number,
  exitedAt: number,
  programStartedAt: number | null,
): Pick<RawRun, 'elapsedMs' | 'programElapsedMs' | 'programStarted'> {
  return {
    elapsedMs: exitedAt - startedAt,
    programElapsedMs: exitedAt - (programStartedAt ?? startedAt),
    programStarted: programStartedAt !== null,
  };
}

/** Shared by every path: what the limits and the exit say, or a failure of the sandbox itself. */
export function interpretRun(
  spec: Pick<RunSpec, 'limits' | 'startMarker'>,
  run: RawRun,
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
