// The shared parity set (test/fixtures/parity, maintained with the server's tests): every
// program with its task's public tests and the status the quick check must give.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ParityCase {
  file: string;
  task: string;
  code: string;
  publicTests: string;
  limits: { wallSeconds: number };
  quick: string;
}

interface Expectations {
  tasksDir: string;
  cases: { file: string; task: string; limits: { wallSeconds: number }; quick: string }[];
}

const parityDir = new URL('../fixtures/parity/', import.meta.url);
const repoRoot = new URL('../../../../', import.meta.url);

export function loadParityCases(): ParityCase[] {
  const expectations = JSON.parse(
    readFileSync(new URL('expectations.json', parityDir), 'utf8'),
  ) as Expectations;
  return expectations.cases.map((c) => ({
    file: c.file,
    task: c.task,
    code: readFileSync(new URL(c.file, parityDir), 'utf8'),
    publicTests: readFileSync(
      fileURLToPath(new URL(`${expectations.tasksDir}/${c.task}/tests_public.py`, repoRoot)),
      'utf8',
    ),
    limits: c.limits,
    quick: c.quick,
  }));
}
