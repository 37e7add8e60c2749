import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunRequest, runSteps } from './backend.ts';
import type { RawRun } from './outcome.ts';
import { prlimitArgs } from './rlimits.ts';
import { type SpawnCommand, SpawnedRun, SpawningBackend } from './spawned-run.ts';

/**
 * Development only (GRADER_UNSAFE_NO_SANDBOX=1): the interpreter under prlimit alone, as the
 * grader's own user, in a temporary host directory; every result says `unsafe`.
 */
export class UnsafeBackend extends SpawningBackend {
  run(request: RunRequest): Promise<RawRun> {
    return runSteps(new UnsafeRun(this.context, request, this.live, true));
  }
}

class UnsafeRun extends SpawnedRun {
  private hostDir: string | null = null;

  protected prepareCommand(): SpawnCommand {
    const { spec, processes, diskMb } = this.request;
    const hostDir = mkdtempSync(join(tmpdir(), 'lms-grader-unsafe-'));
    this.hostDir = hostDir;
    for (const name of Object.keys(spec.files))
      writeFileSync(join(hostDir, name), spec.files[name]!);
    const argv = [
      ...prlimitArgs({ limits: spec.limits, processes, diskMb }),
      this.context.options.python,
      ...spec.args(hostDir),
    ];
    return { argv, cwd: hostDir };
  }

  override async cleanUp(): Promise<void> {
    await super.cleanUp();
    // unlinks symlinks the program left, never follows them
    if (this.hostDir) rmSync(this.hostDir, { recursive: true, force: true });
  }
}
