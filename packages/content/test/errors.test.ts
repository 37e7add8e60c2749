import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ContentError, compileChapter, compileCourse } from '../src/index.ts';

const F = '```';
const CH = 'py_chapter_0010';

function errorsOf(md: string): ContentError[] {
  const r = compileChapter(md, { courseId: 'py', chapterId: CH, file: `${CH}/text.md` });
  if (r.errors.length > 0) expect(r.chapter).toBeNull();
  return r.errors;
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

describe('content errors, one per kind, with file:line:column', () => {
  it('accepts the well-formed task', () => {
    expect(errorsOf(HEAD + task())).toEqual([]);
  });

  it('task_source without id', () => {
    const errs = errorsOf(HEAD + task({ source: `${F}python {.task_source}\nprint(0)\n${F}` }));
    expect(errs).toHaveLength(1);
    expect(errs[0]!.file).toBe(`${CH}/text.md`);
    expect(at(errs[0]!)).toBe('5:1');
    expect(errs[0]!.message).toMatch(/task_source fence without an id.*#py_chapter_0010_task_NNNN/);
  });

  it('duplicate task id', () => {
    const errs = errorsOf(`${HEAD + task()}\n\n${task()}`);
    expect(errs).toHaveLength(1);
    expect(at(errs[0]!)).toBe('16:1');
    expect(errs[0]!.message).toMatch(/duplicate task id #py_chapter_0010_task_0010/);
  });

  it('id not matching its chapter', () => {
    const errs = errorsOf(
      HEAD + task({ source: `${F}python {.task_source #py_chapter_0020_task_0010}\nx\n${F}` }),
    );
    expect(errs).toHaveLength(1);
    expect(at(errs[0]!)).toBe('5:1');
    expect(errs[0]!.message).toMatch(/does not match its chapter.*py_chapter_0010_task_NNNN/);
  });

  it('hint missing', () => {
    const md = `${HEAD}Текст. {.task_text}\n\n${F}python {.task_source #${CH}_task_0010}\nx\n${F}\n\n${F}python {.task_answer}\ny\n${F}\n`;
    const errs = errorsOf(md);
    expect(errs).toHaveLength(1);
    expect(at(errs[0]!)).toBe('9:1');
    expect(errs[0]!.message).toMatch(/hint missing.*\{\.task_hint\}/);
  });

  it('answer missing', () => {
    const md = `${HEAD}Текст. {.task_text}\n\n${F}python {.task_source #${CH}_task_0010}\nx\n${F}\nПодсказка {.task_hint}\n\nДальше текст.\n`;
    const errs = errorsOf(md);
    expect(errs).toHaveLength(1);
    expect(at(errs[0]!)).toBe('10:1');
    expect(errs[0]!.message).toMatch(/answer missing.*\{\.task_answer\}/);
  });

  it('hint and answer out of order', () => {
    const md = `${HEAD}Подсказка заранее {.task_hint}\n\n${F}python {.task_answer}\ny\n${F}\n`;
    const errs = errorsOf(md);
    expect(errs.map(at)).toEqual(['3:1', '5:1']);
    expect(errs[0]!.message).toMatch(/task_hint\} out of order/);
    expect(errs[1]!.message).toMatch(/task_answer\} out of order/);
  });

  it('expected-output fence with no example', () => {
    const md = `${HEAD}${F}python\nprint(1)\n${F}\n${F}\n1\n${F}\n`;
    const errs = errorsOf(md);
    expect(errs).toHaveLength(1);
    expect(at(errs[0]!)).toBe('6:1');
    expect(errs[0]!.message).toMatch(/expected-output fence with no example/);
  });

  it('unknown class', () => {
    const errs = errorsOf(`${HEAD}Текст с классом {.task_txt}\n`);
    expect(errs).toHaveLength(1);
    expect(at(errs[0]!)).toBe('3:17');
    expect(errs[0]!.message).toMatch(/unknown class \.task_txt/);
  });

  it('unknown class in a fence info string', () => {
    const errs = errorsOf(`${HEAD}${F}python {.example_for_playgrund}\nprint(1)\n${F}\n`);
    expect(errs.map(at)).toEqual(['3:1']);
    expect(errs[0]!.message).toMatch(/unknown class \.example_for_playgrund/);
  });

  it('unclosed fence', () => {
    const errs = errorsOf(`${HEAD}Текст.\n\n${F}python {.example_for_playground}\nprint(1)\n`);
    expect(errs).toHaveLength(1);
    expect(at(errs[0]!)).toBe('5:1');
    expect(errs[0]!.message).toMatch(/unclosed code fence.*```/);
  });

  it('missing title', () => {
    const errs = errorsOf('Просто текст.\n');
    expect(errs.map(at)).toEqual(['1:1']);
    expect(errs[0]!.message).toMatch(/no title/);
  });

  it('collects all errors of a chapter at once', () => {
    const md = `${HEAD}Текст {.bogus}\n\n${F}python {.task_source}\nx\n${F}\n\n${F}\nout\n${F}\n`;
    const errs = errorsOf(md);
    expect(errs.length).toBeGreaterThanOrEqual(3);
    expect(errs.map((e) => e.message).join('\n')).toMatch(/unknown class[\s\S]*without an id/);
  });
});

describe('course-level errors', () => {
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

  it('missing checks', () => {
    const r = compileCourse(makeCourse('a', {}));
    expect(r.course).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: `${CH}/text.md`, line: 5, column: 1 });
    expect(r.errors[0]!.message).toMatch(/missing checks.*tests_public\.py/);
  });

  it('malformed task.json: syntax error with its position', () => {
    const r = compileCourse(
      makeCourse('b', {
        'tests_public.py': 'pass\n',
        'task.json': '{\n  "limits": {"wallSeconds": 3,}\n}',
      }),
    );
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.file).toBe(`${CH}/tasks/${CH}_task_0010/task.json`);
    expect(r.errors[0]!.line).toBe(2);
    expect(r.errors[0]!.message).toMatch(/not valid JSON/);
  });

  it('malformed task.json: wrong fields', () => {
    const r = compileCourse(
      makeCourse('c', {
        wrapper_test: '#INJECT-b585472fa\n',
        'task.json': '{"limits": {"wallSeconds": -1}}',
      }),
    );
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/limits\.wallSeconds/);
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

  it('stray task directory and chapter without text.md', () => {
    const dir = makeCourse('e', { 'tests_public.py': 'pass\n' });
    mkdirSync(join(dir, CH, 'tasks', `${CH}_task_0099`));
    mkdirSync(join(dir, 'py_chapter_0020'));
    const r = compileCourse(dir);
    expect(r.course).toBeNull();
    expect(r.chapters.map((c) => c.id)).toEqual([CH]);
    expect(r.errors.map((e) => [e.file, e.message.split(':')[0]])).toEqual([
      [
        `${CH}/tasks/${CH}_task_0099`,
        `task directory ${CH}_task_0099 has no task in ${CH}/text.md`,
      ],
      ['py_chapter_0020/text.md', 'chapter py_chapter_0020 has no text.md'],
    ]);
  });

  it('a missing course directory is an error, not a crash', () => {
    const r = compileCourse(join(root, 'nope'));
    expect(r.course).toBeNull();
    expect(r.errors[0]!.message).toMatch(/does not exist/);
  });
});
