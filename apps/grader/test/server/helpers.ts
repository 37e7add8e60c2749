import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GradeRequestInput, gradeRequestSchema } from '@lms/grading';
import { describe } from 'vitest';
import { readServerEnv } from '../../src/server/env.ts';
import { GradeService } from '../../src/server/service.ts';
import { testEnv } from './env.ts';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const GRADER_DIR = join(REPO, 'apps/grader');
export const TASKS_DIR = join(REPO, 'packages/content/courses/python/python_chapter_0320/tasks');
export const PARITY_DIR = join(GRADER_DIR, 'test/fixtures/parity');

/** The sandbox needs root (to drop to per-slot uids) and bubblewrap. */
const sandboxMissing =
  process.getuid?.() !== 0
    ? 'not root'
    : !existsSync('/usr/bin/bwrap')
      ? 'bubblewrap is not installed'
      : null;

/** Runs the suite where the sandbox works; under CI=true it runs anyway (and fails clearly). */
export const describeSandbox: typeof describe =
  sandboxMissing && !testEnv.ci
    ? (((name: string, ...rest: unknown[]) => {
        console.warn(`[grader tests] skipping "${name}": ${sandboxMissing}`);
        return (describe.skip as (...a: unknown[]) => unknown)(name, ...rest);
      }) as unknown as typeof describe)
    : describe;

export async function createService(overrides: Record<string, string> = {}): Promise<GradeService> {
  return GradeService.create(readServerEnv({ GRADER_MAX_RUNS: '32', ...overrides }));
}

export function taskChecks(taskId: string): {
  public: string | null;
  hidden: string | null;
  wrapperTest: null;
} {
  const dir = join(TASKS_DIR, taskId);
  const read = (name: string) =>
    existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : null;
  return { public: read('tests_public.py'), hidden: read('tests_hidden.py'), wrapperTest: null };
}

export function request(input: GradeRequestInput) {
  return gradeRequestSchema.parse(input);
}

/**
 * How long a test waits (expect.poll) for a run's processes to be gone once the run has ended:
 * killed processes exit and pid 1 reaps bwrap's zombies, well under a second on an idle machine
 * and a few on a busy one. It must stay well below how long the programs whose leaks a test
 * looks for would live on their own (they sleep 600 s), or a leak could end before the check.
 */
export const REAP_MS = 20_000;

/** Processes on this machine running as any uid in [from, to). */
export function processesOfUids(from: number, to: number): string[] {
  const out = execFileSync('ps', ['-e', '-o', 'uid=,pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => {
      const uid = Number(l.split(/\s+/)[0]);
      return uid >= from && uid < to;
    });
}

/** The live Python interpreters (programs, test runs) among them: not bwrap, nor a zombie. */
export function pythonsOfUids(from: number, to: number): string[] {
  return processesOfUids(from, to).filter((p) => /python3[.\d]*$/.test(p.split(/\s+/)[2] ?? ''));
}
