import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ContentError,
  type ContentWarning,
  compileChapter,
  compileCourse,
  DEFAULT_LIMITS,
} from '../src/index.ts';

const F = '```';
const CH = 'py_chapter_0010';

function compile(md: string) {
  return compileChapter(md, { courseId: 'py', chapterId: CH, file: `${CH}/text.md` });
}

/** Errors of a text: the chapter is kept, without the unusable task. */
function errorsOf(md: string): ContentError[] {
  const r = compile(md);
  expect(r.chapter).not.toBeNull();
  return r.errors;
}

/** Warnings of a text that has no errors: the chapter is kept whole. */
function warningsOf(md: string): ContentWarning[] {
  const r = compile(md);
  expect(r.errors).toEqual([]);
  expect(r.chapter).not.toBeNull();
  return r.warnings;
}

/** A well-formed task; pieces can be swapped to break it. */
function task(parts: Partial<Record<'text' | 'source' | 'hint' | 'answer', string>> = {}): string {
  return [
    parts.text ?? 'Напишите функцию. {.task_text}',
    '',
    parts.source ?? `${F}python {.task_source #${CH}_task_0010}\nprint(0)\n${F}`,
    parts.hint ?? 'Подсказка. {.task_hint}',
    '',
    parts.answer ?? `${F}python {.task_answer}\nprint(1)\n${F}`,
  ].join('\n');
}

const HEAD = '# Глава\n\n';
const at = (e: ContentError) => `${e.line}:${e.column}`;

describe('errors: a task that cannot be used is left out and named, the chapter is kept', () => {
  it('accepts the well-formed task', () => {
    const r = compile(HEAD + task());
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.chapter!.tasks).toHaveLength(1);
  });

  it('task_source without id', () => {
    const r = compile(HEAD + task({ source: `${F}python {.task_source}\nprint(0)\n${F}` }));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.file).toBe(`${CH}/text.md`);
    expect(at(r.errors[0]!)).toBe('5:1');
    expect(r.errors[0]!.message).toMatch(
      /^task 1 of py_chapter_0010 \(task_source fence without an id\).*#py_chapter_0010_task_NNNN/,
    );
    // the chapter stays, with the statement as text and neither source nor answer
    expect(r.chapter!.tasks).toEqual([]);
    expect(r.chapter!.blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph']);
    expect(JSON.stringify(r.chapter)).not.toMatch(/print\(1\)/);
  });

  it('duplicate task id', () => {
    const r = compile(`${HEAD + task()}\n\n${task()}`);
    expect(r.errors).toHaveLength(1);
    expect(at(r.errors[0]!)).toBe('16:1');
    expect(r.errors[0]!.message).toMatch(
      /^py_chapter_0010_task_0010: duplicate task id #py_chapter_0010_task_0010/,
    );
    expect(r.chapter!.tasks.map((t) => t.id)).toEqual([`${CH}_task_0010`]);
  });

  it('an output task without its answer has nothing to check against', () => {
    const errs = errorsOf(
      `${HEAD}Что выведет код? {.task_text}\n\n${F}python\nprint(1)\n${F}\n\n${F}consoleoutput {.task_source #${CH}_task_0010}\n${F}\nП {.task_hint}\n\nТекст.\n`,
    );
    expect(errs.map(at)).toEqual(['13:1']);
    expect(errs[0]!.message).toMatch(/^py_chapter_0010_task_0010: answer missing/);
  });

  it('collects all problems of a chapter at once', () => {
    const md = `${HEAD}Текст {.bogus}\n\n${F}python {.task_source}\nx\n${F}\n\n${F}\nout\n${F}\n`;
    const r = compile(md);
    expect(r.errors.map((e) => e.message).join('\n')).toMatch(/without an id/);
    expect(r.warnings.map((e) => [at(e), e.message.slice(0, 40)])).toEqual([
      ['3:1', expect.stringMatching(/^task_source fence without an id: the st/)],
      ['3:7', expect.stringMatching(/^unknown class \.bogus/)],
    ]);
  });
});

describe('warnings: recoverable problems, with file:line:column; the chapter is kept', () => {
  it('id not matching its chapter', () => {
    const w = warningsOf(
      HEAD + task({ source: `${F}python {.task_source #py_chapter_0020_task_0010}\nx\n${F}` }),
    );
    expect(w).toHaveLength(1);
    expect(w[0]!.file).toBe(`${CH}/text.md`);
    expect(at(w[0]!)).toBe('5:1');
    expect(w[0]!.message).toMatch(/does not match its chapter.*py_chapter_0010_task_NNNN/);
  });

  it('hint missing', () => {
    const md = `${HEAD}Текст. {.task_text}\n\n${F}python {.task_source #${CH}_task_0010}\nx\n${F}\n\n${F}python {.task_answer}\ny\n${F}\n`;
    const r = compile(md);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map(at)).toEqual(['9:1']);
    expect(r.warnings[0]!.message).toMatch(
      /py_chapter_0010_task_0010: hint missing.*\{\.task_hint\}/,
    );
    expect(r.chapter!.tasks[0]).toMatchObject({ hint: [], answer: 'y' });
  });

  it('answer missing (program task)', () => {
    const md = `${HEAD}Текст. {.task_text}\n\n${F}python {.task_source #${CH}_task_0010}\nx\n${F}\nПодсказка {.task_hint}\n\nДальше текст.\n`;
    const r = compile(md);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map(at)).toEqual(['10:1']);
    expect(r.warnings[0]!.message).toMatch(/answer missing.*\{\.task_answer\}/);
    expect(r.chapter!.tasks[0]!.answer).toBe('');
    expect(r.chapter!.blocks.at(-1)).toMatchObject({ kind: 'paragraph' });
  });

  it('hint and answer out of order: the hint is text, the answer is left out', () => {
    const md = `${HEAD}Подсказка заранее {.task_hint}\n\n${F}python {.task_answer}\nsecret\n${F}\n`;
    const r = compile(md);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map(at)).toEqual(['3:1', '5:1']);
    expect(r.warnings[0]!.message).toMatch(/task_hint\} out of order/);
    expect(r.warnings[1]!.message).toMatch(/task_answer\} out of order/);
    expect(r.chapter!.blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph']);
    expect(JSON.stringify(r.chapter)).not.toMatch(/secret/);
  });

  it('a statement with no task_source after it is shown as text', () => {
    const w = warningsOf(`${HEAD}Текст. {.task_text}\n\nЕщё. {.task_text}\n\n## Дальше\n`);
    expect(w.map(at)).toEqual(['3:1']);
    expect(w[0]!.message).toMatch(/without a task_source fence/);
  });

  it('unknown class', () => {
    const w = warningsOf(`${HEAD}Текст с классом {.task_txt}\n`);
    expect(w).toHaveLength(1);
    expect(at(w[0]!)).toBe('3:17');
    expect(w[0]!.message).toMatch(/unknown class \.task_txt/);
  });

  it('unknown class in a fence info string', () => {
    const w = warningsOf(`${HEAD}${F}python {.example_for_playgrund}\nprint(1)\n${F}\n`);
    expect(w.map(at)).toEqual(['3:1']);
    expect(w[0]!.message).toMatch(/unknown class \.example_for_playgrund/);
  });

  it('conflicting classes and a fence class on a paragraph', () => {
    const w = warningsOf(`${HEAD}А {.task_text .task_hint}\n\nБ {.task_source}\n`);
    expect(w.map(at)).toEqual(['3:3', '5:3']);
    expect(w[0]!.message).toMatch(/conflicting classes/);
    expect(w[1]!.message).toMatch(/belongs on a code fence/);
  });

  it('unreadable fence attributes', () => {
    const w = warningsOf(`${HEAD}${F}python {oops\nprint(1)\n${F}\n`);
    expect(w.map(at)).toEqual(['3:1']);
    expect(w[0]!.message).toMatch(/cannot read the attribute block/);
  });

  it('unclosed fence', () => {
    const r = compile(`${HEAD}Текст.\n\n${F}python {.example_for_playground}\nprint(1)\n`);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(at(r.warnings[0]!)).toBe('5:1');
    expect(r.warnings[0]!.message).toMatch(/unclosed code fence.*```/);
    expect(r.chapter!.examples[0]!.code).toBe('print(1)');
  });

  it('missing title', () => {
    const r = compile('Просто текст.\n');
    expect(r.warnings.map(at)).toEqual(['1:1']);
    expect(r.warnings[0]!.message).toMatch(/no title/);
    expect(r.chapter!.title).toBe(CH);
    expect(compile('## Раздел\n').chapter!.title).toBe('Раздел');
  });
});

describe('course-level errors and warnings', () => {
  const root = mkdtempSync(join(tmpdir(), 'lms-content-errors-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function makeCourse(name: string, taskFiles: Record<string, string>): string {
    const dir = join(root, name, 'py');
    const chapterDir = join(dir, CH);
    mkdirSync(join(chapterDir, 'tasks', `${CH}_task_0010`), { recursive: true });
    writeFileSync(join(chapterDir, 'text.md'), HEAD + task());
    for (const [file, content] of Object.entries(taskFiles)) {
      writeFileSync(join(chapterDir, 'tasks', `${CH}_task_0010`, file), content);
    }
    return dir;
  }

  it('missing checks: an error naming the task; the course is null, the chapter kept', () => {
    const r = compileCourse(makeCourse('a', {}));
    expect(r.course).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: `${CH}/text.md`, line: 5, column: 1 });
    expect(r.errors[0]!.message).toMatch(
      /^py_chapter_0010_task_0010: missing checks.*tests_public\.py/,
    );
    expect(r.chapters.map((c) => [c.id, c.tasks.length])).toEqual([[CH, 0]]);
  });

  it('malformed task.json: a warning with its position, the default limits are used', () => {
    const r = compileCourse(
      makeCourse('b', {
        'tests_public.py': 'pass\n',
        'task.json': '{\n  "limits": {"wallSeconds": 3,}\n}',
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.file).toBe(`${CH}/tasks/${CH}_task_0010/task.json`);
    expect(r.warnings[0]!.line).toBe(2);
    expect(r.warnings[0]!.message).toMatch(/py_chapter_0010_task_0010: .*not valid JSON/);
    expect(r.course!.chapters[0]!.tasks[0]!.limits).toEqual({
      wallSeconds: 10,
      cpuSeconds: 5,
      memoryMb: 256,
    });
  });

  it('malformed task.json: wrong fields', () => {
    const r = compileCourse(
      makeCourse('c', {
        wrapper_test: '#INJECT-b585472fa\n',
        'task.json': '{"limits": {"wallSeconds": -1}}',
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.message).toMatch(/limits\.wallSeconds/);
  });

  it('task.json asking for more than the grader allows: a warning, the default limits are used', () => {
    const r = compileCourse(
      makeCourse('c2', {
        wrapper_test: '#INJECT-b585472fa\n',
        'task.json': '{"limits": {"wallSeconds": 300, "memoryMb": 16384}}',
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.message).join('\n')).toMatch(/limits\.wallSeconds/);
    expect(r.course?.chapters[0]?.tasks[0]?.limits).toEqual(DEFAULT_LIMITS);
  });

  it('reads limits and wrapper_test from the task directory', () => {
    const r = compileCourse(
      makeCourse('d', {
        wrapper_test: '#INJECT-b585472fa\n',
        'task.json': '{"limits": {"wallSeconds": 3}}',
      }),
    );
    expect(r.errors).toEqual([]);
    const t = r.course!.chapters[0]!.tasks[0]!;
    expect(t.limits).toEqual({ wallSeconds: 3, cpuSeconds: 5, memoryMb: 256 });
    expect(t.checks).toEqual({ public: null, hidden: null, wrapperTest: '#INJECT-b585472fa\n' });
  });

  it('stray task directory and chapter without text.md are warnings', () => {
    const dir = makeCourse('e', { 'tests_public.py': 'pass\n' });
    mkdirSync(join(dir, CH, 'tasks', `${CH}_task_0099`));
    mkdirSync(join(dir, 'py_chapter_0020'));
    const r = compileCourse(dir);
    expect(r.errors).toEqual([]);
    expect(r.course).not.toBeNull();
    expect(r.chapters.map((c) => c.id)).toEqual([CH]);
    expect(r.warnings.map((e) => [e.file, e.message.split(' (')[0]])).toEqual([
      [
        `${CH}/tasks/${CH}_task_0099`,
        `task directory ${CH}_task_0099 has no task in ${CH}/text.md`,
      ],
      ['py_chapter_0020/text.md', 'chapter py_chapter_0020 has no text.md'],
    ]);
  });

  it('a task id used in two chapters is an error', () => {
    const dir = makeCourse('f', { 'tests_public.py': 'pass\n' });
    const other = join(dir, 'py_chapter_0020');
    mkdirSync(join(other, 'tasks', `${CH}_task_0010`), { recursive: true });
    writeFileSync(join(other, 'tasks', `${CH}_task_0010`, 'tests_public.py'), 'pass\n');
    writeFileSync(join(other, 'text.md'), HEAD + task());
    const r = compileCourse(dir);
    expect(r.course).toBeNull();
    expect(r.errors).toEqual([
      expect.objectContaining({ file: 'py_chapter_0020/text.md', line: 5, column: 1 }),
    ]);
    expect(r.errors[0]!.message).toMatch(
      /^py_chapter_0010_task_0010: duplicate task id .*already used in py_chapter_0010/,
    );
    expect(r.chapters.map((c) => [c.id, c.tasks.length])).toEqual([
      [CH, 1],
      ['py_chapter_0020', 0],
    ]);
  });

  it('a missing course directory is an error, not a crash', () => {
    const r = compileCourse(join(root, 'nope'));
    expect(r.course).toBeNull();
    expect(r.errors[0]!.message).toMatch(/does not exist/);
  });
});
