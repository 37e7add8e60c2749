/** What the harness tests share: a temporary directory and python3 running lms_runner.py. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { HARNESS_DIR } from '../scripts/generate-harness.ts';
import { type TestsDriverOutput, testsDriverOutputSchema } from '../src/protocol.ts';

export const PYTHON = '/usr/bin/python3';
const RUNNER = join(HARNESS_DIR, 'lms_runner.py');

/** A temporary directory for the calling test file, removed after its tests. */
export function useTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lms-harness-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** python3's arguments for lms_runner.py (isolated, no site, no .pyc, UTF-8), then `args`. */
function runnerArgs(...args: string[]): string[] {
  return ['-I', '-S', '-B', '-X', 'utf8', RUNNER, ...args];
}

/** The program driver on `code` as main.py in `dir`. */
export function runProgram(dir: string, code: string) {
  const file = join(dir, 'main.py');
  writeFileSync(file, code);
  const r = spawnSync(PYTHON, runnerArgs('program', file), {
    cwd: dir,
    encoding: 'utf8',
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** The tests driver on a record file and the checks files ('-': none), its JSON parsed. */
export function runTestsDriver(record: string, pub: string, hidden: string): TestsDriverOutput {
  const out = execFileSync(PYTHON, runnerArgs('tests', record, pub, hidden), {
    encoding: 'utf8',
  });
  return testsDriverOutputSchema.parse(JSON.parse(out));
}

/** The tests driver on `record` (as JSON) and the public and hidden checks (null: none). */
export function runTests(
  dir: string,
  record: object,
  pub: string | null,
  hidden: string | null = null,
): TestsDriverOutput {
  const files = [join(dir, 'record.json'), join(dir, 'pub.py'), join(dir, 'hid.py')];
  writeFileSync(files[0]!, JSON.stringify(record));
  if (pub !== null) writeFileSync(files[1]!, pub);
  if (hidden !== null) writeFileSync(files[2]!, hidden);
  return runTestsDriver(
    files[0]!,
    pub === null ? '-' : files[1]!,
    hidden === null ? '-' : files[2]!,
  );
}

/** A run record of a program that printed nothing and exited 0. */
export const baseRecord = {
  stdout: '',
  stderr: '',
  exit_code: 0,
  elapsed: 1,
  timed_out: false,
  traceback: null,
  source: '',
};
