import type { CgroupSlot } from '../cgroups.ts';
import type { CpuScheduler } from '../scheduler.ts';
import type { SeccompFilter } from '../seccomp.ts';
import type { InterpreterLayout } from './mounts.ts';
import type { RawRun } from './outcome.ts';
import type { RunSpec, SandboxOptions } from './types.ts';

/**
 * A backend is one way of running a program; `Sandbox` (../sandbox.ts) picks one at start:
 *   launcher-backend.ts  cgroups work: each slot's launcher forks the run (the usual path)
 *   direct-backend.ts    no cgroups: Node spawns `setpriv → prlimit → bwrap` for each run
 *   unsafe-backend.ts    GRADER_UNSAFE_NO_SANDBOX=1: the interpreter under prlimit alone
 * `Sandbox` owns the slots, the admission queue and the reading of the result; a backend gets
 * a run on a slot it holds and returns what it saw. Each run goes through the same steps
 * (`runSteps`): prepare → execute → collect, and clean up whatever happened.
 */

/** one uid and, with cgroups, one set of cgroups; a run holds its slot for its whole life */
export interface Slot {
  readonly index: number;
  readonly uid: number;
  readonly cgroup: CgroupSlot | null;
}

/** a run as `Sandbox` hands it to a backend: file names checked, default limits filled in */
export interface RunRequest {
  spec: RunSpec;
  slot: Slot;
  /** processes + threads */
  processes: number;
  /** size of the work dir and of any file written */
  diskMb: number;
}

/** what every backend is given */
export interface BackendContext {
  options: SandboxOptions;
  /** `attach` a run's CPU probe once its first process exists */
  scheduler: CpuScheduler;
  /** what of the host the interpreter needs (mounts.ts); null in unsafe mode */
  layout: InterpreterLayout | null;
  /** the syscall filter every bwrap run loads; null without one (or in unsafe mode) */
  seccomp: SeccompFilter | null;
}

export interface SandboxBackend {
  /** run one program; rejects with SandboxError when the sandbox (not the program) failed */
  run(request: RunRequest): Promise<RawRun>;
  /** start what the slots need before their first run (the launchers); nothing otherwise */
  warmUp(): Promise<void>;
  /** the slots' private directories in use (tests check no run left a file there) */
  slotDirs(): string[];
  /** pids of the slots' launchers now running (tests tell them apart from leftovers) */
  launcherPids(): number[];
  /** kill whatever still runs, remove what the backend made (cgroups stay with `Sandbox`) */
  close(): Promise<void>;
}

/** the life of one run, step by step (as a piston job: prime, execute, clean up) */
export interface RunSteps<Ended> {
  /** everything the run needs before any process of it exists: files, script, launcher */
  prepare(): Promise<void>;
  /** start the run, enforce its limits while it runs, return once nothing of it is left */
  execute(): Promise<Ended>;
  /** read what the ended run left: status, output, counters */
  collect(ended: Ended): Promise<RawRun>;
  /** always, after success or failure at any step: the run's files, fds and processes */
  cleanUp(): Promise<void>;
}

export async function runSteps<Ended>(steps: RunSteps<Ended>): Promise<RawRun> {
  try {
    await steps.prepare();
    const ended = await steps.execute();
    return await steps.collect(ended);
  } finally {
    await steps.cleanUp();
  }
}
