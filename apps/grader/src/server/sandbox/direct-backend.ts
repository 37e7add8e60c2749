import type { ChildProcess } from 'node:child_process';
import { dropPrivileges } from '../launcher.ts';
import { type BackendContext, type RunRequest, runSteps } from './backend.ts';
import { bwrapArgsFor } from './bwrap-args.ts';
import type { RawRun } from './outcome.ts';
import { prlimitArgs } from './rlimits.ts';
import { type SpawnCommand, SpawnedRun, SpawningBackend } from './spawned-run.ts';

/**
 * Without cgroups (none writable, or GRADER_CGROUPS=off): Node spawns
 * `bash → setpriv (the slot's uid) → prlimit (rlimits, RLIMIT_AS for memory) → bwrap` for each
 * run; bwrap copies the files in from pipes Node writes them to, and reads the seccomp filter
 * from the pipe after theirs.
 */
export class DirectBackend extends SpawningBackend {
  run(request: RunRequest): Promise<RawRun> {
    return runSteps(new DirectRun(this.context, request, this.live));
  }
}

class DirectRun extends SpawnedRun {
  constructor(context: BackendContext, request: RunRequest, live: Set<ChildProcess>) {
    super(context, request, live, false);
  }

  protected prepareCommand(): SpawnCommand {
    const { spec, slot, processes, diskMb } = this.request;
    const { options, layout, seccomp } = this.context;
    const argv = [
      ...dropPrivileges(slot.uid),
      ...prlimitArgs({ limits: spec.limits, processes, diskMb }),
      ...bwrapArgsFor({ options, layout: layout!, seccomp: seccomp !== null }, spec, diskMb),
    ];
    return { argv, cwd: '/', extraInputs: seccomp ? [seccomp.program] : [] };
  }
}
