import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Block, type CompileCourseResult, compileCourse } from '../src/index.ts';
import { IN_CI, PACKAGE_DIR, REPO_ROOT, SENJUN_SAMPLE_DIR } from './helpers.ts';

/**
 * Issue 10: the senjun sample (`../shared/senjun-sample/python`, the first 10 chapters of the
 * public senjun Python course, read in place) compiles whole. Without the sample these tests
 * fail under CI=true and are skipped otherwise, with the reason printed.
 */
const haveSample = existsSync(join(SENJUN_SAMPLE_DIR, 'python_chapter_0010', 'text.md'));
const reason = `senjun sample tests skipped: ${SENJUN_SAMPLE_DIR} is missing (the shared folder beside the clone)`;
if (!haveSample && !IN_CI) console.warn(reason);

/** Tasks and examples of each chapter, counted by hand from the texts. */
const PER_CHAPTER: Array<[string, number, number]> = [
  ['python_chapter_0010', 6, 0],
  ['python_chapter_0020', 6, 2],
  ['python_chapter_0030', 3, 3],
  ['python_chapter_0040', 4, 2],
  ['python_chapter_0050', 2, 4],
  ['python_chapter_0060', 3, 1],
  ['python_chapter_0070', 9, 22],
  ['python_chapter_0080', 2, 2],
  ['python_chapter_0090', 8, 5],
  ['python_chapter_0100', 7, 9],
];

let memo: CompileCourseResult | null = null;
const compiled = () => {
  memo ??= compileCourse(SENJUN_SAMPLE_DIR);
  return memo;
};
const chapterOf = (id: string) => compiled().chapters.find((c) => c.id === id)!;
const taskOf = (id: string) =>
  chapterOf(id.replace(/_task_\d+$/, '')).tasks.find((t) => t.id === id)!;
const kinds = (blocks: Block[]) => blocks.map((b) => b.kind);

describe.skipIf(!haveSample && !IN_CI)('senjun sample: 10 chapters compile whole', () => {
  it('the sample is beside the clone', () => {
    expect(haveSample, reason).toBe(true);
  });

  it('10 chapters, 50 tasks, 50 examples, 0 errors', () => {
    const { course, errors, chapters } = compiled();
    expect(errors).toEqual([]);
    expect(course).not.toBeNull();
    expect(chapters).toHaveLength(10);
    expect(chapters.reduce((n, c) => n + c.tasks.length, 0)).toBe(50);
    expect(chapters.reduce((n, c) => n + c.examples.length, 0)).toBe(50);
    expect(course!.language).toBe('python');
  });

  it('per chapter: the tasks and examples of its text', () => {
    expect(compiled().chapters.map((c) => [c.id, c.tasks.length, c.examples.length])).toEqual(
      PER_CHAPTER,
    );
    // and, independently of the compiler, the fences of each text
    for (const [id, tasks, examples] of PER_CHAPTER) {
      const text = readFileSync(join(SENJUN_SAMPLE_DIR, id, 'text.md'), 'utf8');
      expect(text.match(/^ {0,3}```.*\{.*\.task_source\b/gm) ?? [], id).toHaveLength(tasks);
      expect(text.match(/^ {0,3}```.*\{.*\.example_for_playground\b/gm) ?? [], id).toHaveLength(
        examples,
      );
    }
  });

  it('warns (file:line:column) about the two tasks whose statement is not marked', () => {
    expect(compiled().warnings).toEqual([
      {
        file: 'python_chapter_0070/text.md',
        line: 183,
        column: 1,
        message: expect.stringMatching(
          /^python_chapter_0070_task_0080: the statement is not marked/,
        ),
      },
      {
        file: 'python_chapter_0070/text.md',
        line: 194,
        column: 1,
        message: expect.stringMatching(
          /^python_chapter_0070_task_0070: the statement is not marked/,
        ),
      },
    ]);
    expect(kinds(taskOf('python_chapter_0070_task_0080').statement)).toEqual(['paragraph']);
  });

  it('every task has its wrapper_test; every example is runnable Python', () => {
    for (const chapter of compiled().chapters) {
      for (const task of chapter.tasks) {
        expect(task.checks.wrapperTest, task.id).toMatch(/#INJECT-(ESCAPED-)?b585472fa/);
        expect(task.hint.length, task.id).toBeGreaterThan(0);
      }
      for (const example of chapter.examples) {
        expect([example.id, example.lang, example.runnable]).toEqual([example.id, 'python', true]);
      }
    }
  });

  it('a statement with a list after its {.task_text} paragraph, and an empty source', () => {
    const task = taskOf('python_chapter_0020_task_0010');
    expect(kinds(task.statement)).toEqual(['paragraph', 'list']);
    expect(task.starter).toBe('');
    expect(task.answer).toBe('a = 8\nb = 10');
  });

  it('code and its printed output: two ordinary code blocks', () => {
    const blocks = chapterOf('python_chapter_0010').blocks;
    const at = blocks.findIndex(
      (b) => b.kind === 'code' && b.code === 'print("Returned HTTP code " + 200)',
    );
    expect(at).toBeGreaterThan(0);
    expect(blocks[at + 1]).toEqual({
      kind: 'code',
      lang: null,
      code: 'TypeError: must be str, not int',
    });
  });

  it('"what does this print?": the program is an example inside the statement', () => {
    const task = taskOf('python_chapter_0070_task_0040');
    expect(task.kind).toBe('output');
    expect(kinds(task.statement)).toEqual(['paragraph', 'example']);
    expect(task.starter).toMatch(/^def f\(items\):/);
    expect(task.answer).toBe('10');
  });

  it('lms-content stats --json reports the counts, with warnings apart from errors', () => {
    const r = spawnSync(
      process.execPath,
      [join(PACKAGE_DIR, 'bin', 'lms-content.mjs'), 'stats', SENJUN_SAMPLE_DIR, '--json'],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ chapters: 10, tasks: 50, examples: 50, errors: [] });
    expect(json.warnings).toHaveLength(2);
  }, 120_000);
});
