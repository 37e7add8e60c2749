import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Block,
  type CompileChapterOptions,
  compileChapter,
  compileCourse,
  courseLanguage,
} from '../src/index.ts';

/**
 * The variations of the dialect that real senjun chapters use (issue 10): whatever
 * senjun.ru shows its readers compiles, with a warning at most.
 */
const F = '```';
const CH = 'py_chapter_0010';
const ID = `${CH}_task_0010`;

function compile(md: string, options: Partial<CompileChapterOptions> = {}) {
  return compileChapter(md, { courseId: 'py', chapterId: CH, ...options });
}

/** A text that must compile without errors and warnings. */
function clean(md: string, options: Partial<CompileChapterOptions> = {}) {
  const r = compile(md, options);
  expect(r.errors).toEqual([]);
  expect(r.warnings).toEqual([]);
  return r.chapter!;
}

const tail = (id = ID) =>
  [
    `${F}python {.task_source #${id}}`,
    'x = 0',
    F,
    'Подсказка. {.task_hint}',
    '',
    `${F}python {.task_answer}`,
    'x = 1',
    F,
  ].join('\n');

const kinds = (blocks: Block[]) => blocks.map((b) => b.kind);

describe('task statements as senjun chapters write them', () => {
  it('a {.task_text} paragraph followed by unmarked blocks: the statement is all of them', () => {
    const chapter = clean(
      [
        '# Г',
        '',
        'Вступление.',
        '',
        'Реализуйте алгоритм Евклида: {.task_text}',
        '',
        '- первый пункт;',
        '- второй пункт.',
        '',
        'Ещё одно уточнение без класса.',
        '',
        tail(),
      ].join('\n'),
    );
    const task = chapter.tasks[0]!;
    expect(kinds(task.statement)).toEqual(['paragraph', 'list', 'paragraph']);
    expect(kinds(chapter.blocks)).toEqual(['heading', 'paragraph', 'task']);
  });

  it('several marked paragraphs with a list between and after them', () => {
    const chapter = clean(
      [
        '# Г',
        '',
        'Первый абзац. {.task_text}',
        '',
        'Второй абзац: {.task_text}',
        '',
        '- a;',
        '- b.',
        '',
        tail(),
      ].join('\n'),
    );
    expect(kinds(chapter.tasks[0]!.statement)).toEqual(['paragraph', 'paragraph', 'list']);
  });

  it('text:{.task_text} with no space before the brace, a list right under it', () => {
    const chapter = clean(
      [
        '# Г',
        '',
        'Инициализируйте две переменные:{.task_text}',
        '- `a`, равную 8;',
        '- `b`, равную 10.',
        '',
        tail(),
      ].join('\n'),
    );
    const [para, list] = chapter.tasks[0]!.statement;
    expect(para).toEqual({
      kind: 'paragraph',
      children: [{ type: 'text', value: 'Инициализируйте две переменные:' }],
    });
    expect(list).toMatchObject({ kind: 'list', ordered: false });
  });

  it('an empty task_source fence: the student starts from nothing', () => {
    const chapter = clean(
      `# Г\n\nНапишите код. {.task_text}\n\n${F}python {.task_source #${ID}}\n${F}\nП {.task_hint}\n${F}python {.task_answer}\nx = 1\n${F}\n`,
    );
    expect(chapter.tasks[0]).toMatchObject({
      id: ID,
      kind: 'program',
      starter: '',
      answer: 'x = 1',
    });
  });

  it('an unmarked statement: the block right before the fence, with a warning', () => {
    const r = compile(
      [
        '# Г',
        '',
        'Прежде чем переходить к задаче, потренируемся.',
        '',
        'Напишите функцию `make_power(n)`.',
        tail(),
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      {
        file: `${CH}/text.md`,
        line: 5,
        column: 1,
        message: expect.stringMatching(
          new RegExp(`^${ID}: the statement is not marked: the paragraph right before`),
        ),
      },
    ]);
    expect(kinds(r.chapter!.tasks[0]!.statement)).toEqual(['paragraph']);
    expect(kinds(r.chapter!.blocks)).toEqual(['heading', 'paragraph', 'task']);
  });

  it('a task right after another one has no statement: a warning, the task is kept', () => {
    const r = compile(
      ['# Г', '', 'Первая. {.task_text}', '', tail(), '', tail(`${CH}_task_0020`)].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/py_chapter_0010_task_0020: task without a statement/),
    ]);
    expect(r.chapter!.tasks.map((t) => t.statement.length)).toEqual([1, 0]);
  });

  it('a statement does not reach across a heading', () => {
    const r = compile(['# Г', '', 'Сирота. {.task_text}', '', '## Раздел', '', tail()].join('\n'));
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => [w.line, w.message.slice(0, 40)])).toEqual([
      [3, 'task statement ({.task_text}) without a '],
      [7, `${ID}: task without `],
    ]);
    expect(kinds(r.chapter!.blocks)).toEqual(['heading', 'paragraph', 'heading', 'task']);
  });

  it('"what does this print?" with the program as a runnable example', () => {
    const chapter = clean(
      [
        '# Г',
        '',
        'Что выведет этот код? {.task_text}',
        '',
        `${F}python  {.example_for_playground}`,
        'print(2 * 5 - 5)',
        F,
        '',
        `${F}consoleoutput {.task_source #${ID}}`,
        F,
        'Посчитайте. {.task_hint}',
        '',
        `${F}python {.task_answer}`,
        '5',
        F,
      ].join('\n'),
    );
    const task = chapter.tasks[0]!;
    expect(task.kind).toBe('output');
    expect(task.starter).toBe('print(2 * 5 - 5)');
    expect(task.statement).toEqual([
      expect.objectContaining({ kind: 'paragraph' }),
      { kind: 'example', exampleId: `${CH}_example_01` },
    ]);
    // still an example of the chapter, shown inside the statement
    expect(chapter.examples.map((e) => [e.id, e.runnable])).toEqual([[`${CH}_example_01`, true]]);
    expect(kinds(chapter.blocks)).toEqual(['heading', 'task']);
  });

  it('a question without a program: the starter is empty', () => {
    const chapter = clean(
      `# Г\n\nКак будет называться стандарт? {.task_text}\n\n${F}consoleoutput {.task_source #${ID}}\n${F}\nП {.task_hint}\n${F}cpp {.task_answer}\nC++29\n${F}\n`,
    );
    expect(chapter.tasks[0]).toMatchObject({ kind: 'output', starter: '', answer: 'C++29' });
  });
});

describe('fences', () => {
  it('an unlabelled fence after an ordinary fence: two code blocks (code, then its output)', () => {
    const chapter = clean(
      `# Г\n\n${F}python\nprint("code " + 200)\n${F}\n${F}\nTypeError: must be str, not int\n${F}\n`,
    );
    expect(chapter.blocks.slice(1)).toEqual([
      { kind: 'code', lang: 'python', code: 'print("code " + 200)' },
      { kind: 'code', lang: null, code: 'TypeError: must be str, not int' },
    ]);
    expect(chapter.examples).toEqual([]);
  });

  it('after an example the unlabelled fence is still its expected output', () => {
    const chapter = clean(
      `# Г\n\n${F}python {.example_for_playground}\nprint(1)\n${F}\n${F}\n1\n${F}\n`,
    );
    expect(chapter.examples[0]!.expectedOutput).toBe('1');
    expect(kinds(chapter.blocks)).toEqual(['heading', 'example']);
  });
});

describe('course language: only Python examples are runnable', () => {
  it('takes the language from the course directory, else from the fences', () => {
    expect(courseLanguage('python')).toBe('python');
    expect(courseLanguage('py')).toBe('python');
    expect(courseLanguage('cpp')).toBe('cpp');
    expect(courseLanguage('golang')).toBe('go');
    expect(courseLanguage('haskell')).toBe('haskell');
    expect(courseLanguage('rust')).toBe('rust');
    expect(courseLanguage('rust_async')).toBe('rust');
    const go = `${F}go {.example_for_playground}\nx\n${F}\n${F} go {.task_source #a_task_1}\n${F}\n`;
    expect(courseLanguage('intro', [go, `${F}python {.example_for_playground}\n${F}\n`])).toBe(
      'go',
    );
    expect(courseLanguage('intro', ['# no code'])).toBe('python');
  });

  it('examples of another language are static code, not runnable', () => {
    const md = `# Г\n\n${F}cpp {.example_for_playground .example_for_playground_003}\nint main() {}\n${F}\n${F}\n\n${F}\n`;
    const cpp = clean(md, { language: 'cpp' });
    expect(cpp.examples[0]).toMatchObject({
      lang: 'cpp',
      runnable: false,
      playgroundVariant: '003',
      expectedOutput: '',
    });
    // a fence without a language takes the course's
    const go = clean(`# Г\n\n${F} {.example_for_playground}\nfmt.Println(1)\n${F}\n`, {
      language: 'go',
    });
    expect(go.examples[0]).toMatchObject({ lang: 'go', runnable: false });
    // in a Python course, a shell example is not runnable either
    const sh = clean(`# Г\n\n${F}bash {.example_for_playground}\nls\n${F}\n`);
    expect(sh.examples[0]).toMatchObject({ lang: 'bash', runnable: false });
    expect(
      clean(`# Г\n\n${F}python {.example_for_playground}\nx\n${F}\n`).examples[0]!.runnable,
    ).toBe(true);
  });

  const root = mkdtempSync(join(tmpdir(), 'lms-content-lang-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a Go course compiles with its language and static examples', () => {
    const dir = join(root, 'golang');
    const ch = 'golang_chapter_0010';
    mkdirSync(join(dir, ch, 'tasks', `${ch}_task_0010`), { recursive: true });
    writeFileSync(join(dir, ch, 'tasks', `${ch}_task_0010`, 'wrapper_test'), 'package main\n');
    writeFileSync(
      join(dir, ch, 'text.md'),
      [
        '# Глава 1',
        '',
        `${F}go {.example_for_playground}`,
        'fmt.Println("hi")',
        F,
        '',
        'Напишите функцию. {.task_text}',
        '',
        `${F}go {.task_source #${ch}_task_0010}`,
        'func f() {}',
        F,
        'П {.task_hint}',
        '',
        `${F}go {.task_answer}`,
        'func f() { return }',
        F,
      ].join('\n'),
    );
    const r = compileCourse(dir);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.course!.language).toBe('go');
    expect(r.course!.chapters[0]!.examples[0]).toMatchObject({ lang: 'go', runnable: false });
    expect(r.course!.chapters[0]!.tasks[0]).toMatchObject({
      starter: 'func f() {}',
      checks: { wrapperTest: 'package main\n' },
    });
  });
});
