import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledCourseSchema } from '../src/index.ts';
import { COURSE_DIR, PACKAGE_DIR, REPO_ROOT } from './helpers.ts';

const BIN = join(PACKAGE_DIR, 'bin', 'lms-content.mjs');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'lms-content-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('lms-content CLI', { timeout: 120_000 }, () => {
  it('stats --json prints the issue shape and exits 0 on the seed course', () => {
    const r = cli(['stats', COURSE_DIR, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ chapters: 1, tasks: 2, examples: 9, errors: [] });
  });

  it('stats --json lists errors with file, line, column and exits 1', () => {
    const dir = join(tmp, 'broken', 'py');
    mkdirSync(join(dir, 'py_chapter_0010'), { recursive: true });
    writeFileSync(
      join(dir, 'py_chapter_0010', 'text.md'),
      '# T\n\nТекст {.task_txt}\n\n```python\nx\n',
    );
    const r = cli(['stats', dir, '--json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.chapters).toBe(0);
    expect(json.errors).toEqual([
      expect.objectContaining({ file: 'py_chapter_0010/text.md', line: 3, column: 7 }),
      expect.objectContaining({ file: 'py_chapter_0010/text.md', line: 5, column: 1 }),
    ]);
    expect(json.errors[0].message).toMatch(/unknown class/);
    const human = cli(['build', dir]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/py_chapter_0010\/text\.md:3:7: unknown class \.task_txt/);
    expect(human.stdout).toBe('');
  });

  it('build writes the compiled course', () => {
    const out = join(tmp, 'course.json');
    const r = cli(['build', COURSE_DIR, '--out', out]);
    expect(r.code).toBe(0);
    const course = compiledCourseSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    expect(course.chapters[0]!.examples).toHaveLength(9);
    const stdout = cli(['build', COURSE_DIR]);
    expect(JSON.parse(stdout.stdout).hash).toBe(course.hash);
  });

  it('check runs one example and prints the JSON shape', () => {
    const r = cli([
      'check',
      COURSE_DIR,
      '--json',
      '--no-grader',
      '--only',
      'python_chapter_0320_example_02',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      examples: { total: 1, matched: 1, mismatched: [] },
      answers: { total: 0, passed: 0, failed: [] },
      starters: { total: 0, failed: 0, passed: [] },
      errors: [],
    });
    expect(r.stderr).toMatch(/grader CLI not found/);
  });

  it('check --only with an unknown id exits 1', () => {
    const r = cli(['check', COURSE_DIR, '--json', '--no-grader', '--only', 'python_chapter_9999']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).errors[0].message).toMatch(/--only python_chapter_9999/);
  });

  it('bad usage exits 2 with the usage text', () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['stats'],
      ['check', COURSE_DIR, '--jobs', 'x'],
      ['build', COURSE_DIR, '--wat'],
    ]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/Usage:/);
    }
  });
});
