/**
 * The programs simulated students submit for seed task 0020 (chapter 0320: two asyncio tasks
 * that must run concurrently), one per kind, with the verdict each must get. "right" and
 * "wrong" are the seed's own solutions (packages/content/courses/python/…/solutions/pass and
 * /fail), read from disk, so the bench follows the course.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const COURSE = 'python';
export const CHAPTER = 'python_chapter_0320';
export const TASK = 'python_chapter_0320_task_0020';

const SOLUTIONS = join(
  new URL('../..', import.meta.url).pathname,
  'packages/content/courses/python',
  CHAPTER,
  'tasks',
  TASK,
  'solutions',
);

export type Kind = 'right' | 'wrong' | 'loop' | 'flood';

export const PROGRAMS: Record<Kind, { code: string; expected: string; what: string }> = {
  right: {
    code: readFileSync(join(SOLUTIONS, 'pass/reference_asyncio_sleep.py'), 'utf8'),
    expected: 'passed',
    what: 'the reference solution (asyncio.sleep, ~3 s)',
  },
  wrong: {
    code: readFileSync(join(SOLUTIONS, 'fail/sequential_awaits.py'), 'utf8'),
    expected: 'failed',
    what: 'awaits one sum after the other (~5 s)',
  },
  loop: {
    code: 'while True:\n    pass\n',
    expected: 'timeout',
    what: 'an infinite loop (stopped at the 5 s CPU limit)',
  },
  flood: {
    code: "while True:\n    print('x' * 1000)\n",
    expected: 'output_limit',
    what: 'an output flood (stopped past 64 KiB)',
  },
};

/**
 * The kind of a student's n-th submission: a fixed, repeatable mix over all students — 45 %
 * right, 30 % wrong, 15 % output flood, 10 % infinite loop (the loops burn 5 CPU-seconds each,
 * the most of any kind).
 */
const CYCLE: Kind[] = [
  'right',
  'wrong',
  'right',
  'flood',
  'right',
  'wrong',
  'loop',
  'right',
  'wrong',
  'right',
  'flood',
  'right',
  'wrong',
  'right',
  'wrong',
  'right',
  'flood',
  'right',
  'wrong',
  'loop',
];

/** The kind of the `n`-th submission of a run (all students' submissions numbered in turn). */
export function kindOf(n: number, mix: 'full' | 'small'): Kind {
  const cycle = mix === 'small' ? SMALL_CYCLE : CYCLE;
  return cycle[n % cycle.length] as Kind;
}

/** `--small`: every kind in a handful of submissions. */
const SMALL_CYCLE: Kind[] = ['right', 'wrong', 'loop', 'flood', 'right', 'wrong'];
