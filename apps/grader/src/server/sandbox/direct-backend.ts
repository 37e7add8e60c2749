import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dropPrivileges } from '../launcher.ts';
import { type BackendContext, type RunRequest, runSteps } from './backend.ts';
import { bwrapArgsFor } from './bwrap-args.ts';
import type { RawRun } from './outcome.ts';
import { prlimitArgs } from './rlimits.ts';
import { type SpawnCommand, SpawnedRun, SpawningBackend } from './spawned-run.ts';

/**
 * Without cgroups (none writable, or GRADER_CGROUPS=off): Node spawns
 * `bash → setpriv (the slot's uid) → prlimit (rlimits, RLIMIT_AS for memory) → bwrap` for each
 * run; bwrap copies the files in from pipes Node writes them to.
 */
export class DirectBackend extends SpawningBackend {
  /** for bwrap's /lib64 link */
  private readonly lib64 = existsSync('/usr/lib64');

  run(request: RunRequest): Promise<RawRun> {
    return runSteps(new DirectRun(this.context, request, this.live, this.lib64));
  }
}

class DirectRun extends SpawnedRun {
  constructor(
    context: BackendContext,
    request: RunRequest,
    live: Set<ChildProcess>,
    private readonly lib64: boolean,
  ) {
    super(context, request, live, false);
  }

  protected prepareCommand(): SpawnCommand {
    const { spec, slot, processes, diskMb } = this.request;
    const argv = [
      ...dropPrivileges(slot.uid),
      ...prlimitArgs({ limits: spec.limits, processes, diskMb }),
      ...bwrapArgsFor(this.context.options, spec, diskMb, this.lib64),
    ];
    return { argv, cwd: '/' };
  }
}
