import type { LimitHit } from '@lms/grading';
import type { SeccompOptions } from '../seccomp.ts';

/** What the rest of the grader sees of the sandbox (re-exported by ../sandbox.ts). */

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
  /**
   * the syscall filter (../seccomp.ts): which interpreter compiles it, where it is cached, and
   * whether a grader without it refuses to start (default: env.ts `seccompRequired`)
   */
  seccomp?: SeccompOptions & { required?: boolean };
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

/** the fd of the start marker pipe inside the sandbox */
export const START_MARKER_FD = 3;

/** the fd of a run's first input file (bwrap --file), right after the marker if it has one */
export function firstFileFd(spec: Pick<RunSpec, 'startMarker'>): number {
  return spec.startMarker ? START_MARKER_FD + 1 : START_MARKER_FD;
}

/** limits a spec may leave out */
export const DEFAULT_PROCESSES = 64;
export const DEFAULT_DISK_MB = 32;
/** RLIMIT_NOFILE of every run */
export const OPEN_FILES = 128;
