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
    expect(JSON.parse(r.stdout)).toEqual({
      chapters: 1,
      tasks: 2,
      examples: 9,
      errors: [],
      warnings: [],
    });
  });

  it('stats --json lists errors and warnings apart, with file, line, column; errors exit 1', () => {
    const dir = join(tmp, 'broken', 'py');
    mkdirSync(join(dir, 'py_chapter_0010'), { recursive: true });
    writeFileSync(
      join(dir, 'py_chapter_0010', 'text.md'),
      [
        '# T',
        '',
        'Текст {.task_txt}',
        '',
        'Задача. {.task_text}',
        '',
        '```python {.task_source #py_chapter_0010_task_0010}',
        '```',
        'П {.task_hint}',
        '',
        '```python {.task_answer}',
        'x',
        '```',
        '',
        '```python',
        'x',
        '',
      ].join('\n'),
    );
    const r = cli(['stats', dir, '--json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ chapters: 1, tasks: 0, examples: 0 });
    expect(json.errors).toEqual([
      expect.objectContaining({ file: 'py_chapter_0010/text.md', line: 7, column: 1 }),
    ]);
    expect(json.errors[0].message).toMatch(/^py_chapter_0010_task_0010: missing checks/);
    expect(json.warnings).toEqual([
      expect.objectContaining({ file: 'py_chapter_0010/text.md', line: 3, column: 7 }),
      expect.objectContaining({ file: 'py_chapter_0010/text.md', line: 15, column: 1 }),
    ]);
    expect(json.warnings[0].message).toMatch(/unknown class/);
    expect(json.warnings[1].message).toMatch(/unclosed code fence/);
    const human = cli(['stats', dir]);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('1 chapters, 0 tasks, 0 examples, 1 errors, 2 warnings\n');
    expect(human.stderr).toMatch(
      /py_chapter_0010\/text\.md:3:7: warning: unknown class \.task_txt/,
    );
    expect(human.stderr).toMatch(
      /py_chapter_0010\/text\.md:7:1: py_chapter_0010_task_0010: missing checks/,
    );
    const build = cli(['build', dir]);
    expect(build.code).toBe(1);
    expect(build.stdout).toBe('');

    // with the checks in place only warnings are left: exit 0, the course is built
    mkdirSync(join(dir, 'py_chapter_0010', 'tasks', 'py_chapter_0010_task_0010'), {
      recursive: true,
    });
    writeFileSync(
      join(dir, 'py_chapter_0010', 'tasks', 'py_chapter_0010_task_0010', 'wrapper_test'),
      '#INJECT-b585472fa\n',
    );
    const ok = cli(['stats', dir, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ chapters: 1, tasks: 1, errors: [] });
    const built = cli(['build', dir]);
    expect(built.code).toBe(0);
    expect(JSON.parse(built.stdout).chapters[0].tasks[0].starter).toBe('');
    expect(built.stderr).toMatch(/2 warning\(s\)/);
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
