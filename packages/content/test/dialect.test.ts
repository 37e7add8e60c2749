import { describe, expect, it } from 'vitest';
import { compileChapter, parseFenceInfo, slugify, splitTrailingAttributes } from '../src/index.ts';
import { normalizeTypedOutput, typedOutputMatches } from '../src/output.ts';

const F = '```';
const compile = (md: string) =>
  compileChapter(md, { courseId: 'py', chapterId: 'py_chapter_0010' });

describe('attribute blocks', () => {
  it('parses classes, ids and pairs only when every token is valid', () => {
    expect(splitTrailingAttributes('Текст {.task_text}')).toMatchObject({
      rest: 'Текст',
      attrs: { classes: ['task_text'], id: null },
    });
    expect(splitTrailingAttributes('x {.a .b #c k=v}')?.attrs).toEqual({
      classes: ['a', 'b'],
      id: 'c',
      pairs: { k: 'v' },
    });
    expect(splitTrailingAttributes('множество {1, 2}')).toBeNull();
    expect(splitTrailingAttributes('f"{x}"')).toBeNull();
    expect(splitTrailingAttributes('{.a} в середине')).toBeNull();
  });

  it('reads fence info strings with one or two spaces or none', () => {
    expect(parseFenceInfo('python  {.example_for_playground}')).toEqual({
      lang: 'python',
      attrs: { classes: ['example_for_playground'], id: null, pairs: {} },
      malformed: false,
    });
    expect(parseFenceInfo('python{.task_source #a_task_1}').attrs?.id).toBe('a_task_1');
    expect(parseFenceInfo('{.task_answer}')).toMatchObject({
      lang: null,
      attrs: { classes: ['task_answer'] },
    });
    expect(parseFenceInfo('python')).toEqual({ lang: 'python', attrs: null, malformed: false });
    expect(parseFenceInfo('python {oops')).toMatchObject({ malformed: true });
  });

  it('slugs headings keeping Cyrillic', () => {
    expect(slugify('Корутины и синтаксис async/await')).toBe('корутины-и-синтаксис-asyncawait');
    expect(slugify('  ?!  ')).toBe('section');
  });
});

describe('dialect features', () => {
  it('heading ids, duplicate slugs, internal links, illustrations, variants', () => {
    const md = [
      '# Глава {#intro}',
      '',
      '## Раздел',
      '',
      '## Раздел',
      '',
      'См. [главу 2](/courses/py/chapters/py_chapter_0020#tasks) и [сайт](https://example.org).',
      '',
      '![схема](img/loop.png) {.illustration}',
      '',
      `${F}python {.example_for_playground .example_for_playground_007}`,
      'print(f"{1+1}")',
      F,
      `${F}`,
      '2',
      F,
      '',
      'Код с {фигурными} скобками и `{.task_text}` в коде.',
    ].join('\n');
    const { chapter, errors } = compile(md);
    expect(errors).toEqual([]);
    const b = chapter!.blocks;
    expect(b[0]).toEqual({
      kind: 'heading',
      level: 1,
      id: 'intro',
      children: [{ type: 'text', value: 'Глава' }],
    });
    expect(chapter!.title).toBe('Глава');
    expect([b[1], b[2]].map((h) => (h as { id: string }).id)).toEqual(['раздел', 'раздел-1']);
    const links = (
      b[3] as { children: Array<{ type: string; internal?: unknown }> }
    ).children.filter((i) => i.type === 'link');
    expect(links.map((l) => l.internal)).toEqual([
      { course: 'py', chapter: 'py_chapter_0020', anchor: 'tasks' },
      null,
    ]);
    expect(b[4]).toEqual({
      kind: 'illustration',
      children: [{ type: 'image', src: 'img/loop.png', alt: 'схема', title: null }],
    });
    expect(b[5]).toEqual({ kind: 'example', exampleId: 'py_chapter_0010_example_01' });
    expect(chapter!.examples[0]).toMatchObject({
      code: 'print(f"{1+1}")',
      expectedOutput: '2',
      playgroundVariant: '007',
    });
    expect(b[6]).toEqual({
      kind: 'paragraph',
      children: [
        { type: 'text', value: 'Код с {фигурными} скобками и ' },
        { type: 'code', value: '{.task_text}' },
        { type: 'text', value: ' в коде.' },
      ],
    });
  });

  it('consoleoutput tasks are output tasks; the program is the statement code', () => {
    const md = [
      '# Глава',
      '',
      'Что выведет код? {.task_text}',
      '',
      `${F}python {.task_text}`,
      'print(1 + 1)',
      F,
      '',
      `${F}consoleoutput {.task_source #py_chapter_0010_task_0010}`,
      F,
      'Сложите числа. {.task_hint}',
      '',
      `${F}consoleoutput {.task_answer}`,
      '2',
      F,
    ].join('\n');
    const { chapter, errors } = compile(md);
    expect(errors).toEqual([]);
    const t = chapter!.tasks[0]!;
    expect(t.kind).toBe('output');
    expect(t.starter).toBe('print(1 + 1)');
    expect(t.answer).toBe('2');
    expect(t.statement.map((s) => s.kind)).toEqual(['paragraph', 'code']);
    expect(chapter!.blocks).toEqual([
      expect.objectContaining({ kind: 'heading' }),
      { kind: 'task', taskId: 'py_chapter_0010_task_0010' },
    ]);
  });

  it('run_static_type_checker sets the flag', () => {
    const md = `# Г\n\nТекст {.task_text}\n\n${F}python {.task_source .run_static_type_checker #py_chapter_0010_task_0001}\nx: int = 1\n${F}\nП {.task_hint}\n${F}python {.task_answer}\nx: int = 2\n${F}\n`;
    const { chapter, errors } = compile(md);
    expect(errors).toEqual([]);
    expect(chapter!.tasks[0]!.flags.runStaticTypeChecker).toBe(true);
  });

  it('normalises typed output of output tasks', () => {
    expect(normalizeTypedOutput('\n  1 2 \r\n3\n\n')).toBe('1 2\n3');
    expect(typedOutputMatches('1 2\n3', ' 1 2\n3 ')).toBe(true);
    expect(typedOutputMatches('1\n2', '1 2')).toBe(false);
  });
});

describe('edge cases of the dialect', () => {
  it('an indented code block after an example is not its output', () => {
    const { chapter, errors } = compile(
      `# Г\n\n${F}python {.example_for_playground}\nprint(1)\n${F}\n\n    indented\n`,
    );
    expect(errors).toEqual([]);
    expect(chapter!.examples[0]!.expectedOutput).toBeNull();
    expect(chapter!.blocks.at(-1)).toEqual({ kind: 'code', lang: null, code: 'indented' });
  });

  it('a fence with a dialect class inside a list is a warning', () => {
    const { errors, warnings, chapter } = compile(
      `# Г\n\n- пункт\n\n  ${F}python {.example_for_playground}\n  print(1)\n  ${F}\n`,
    );
    expect(errors).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ line: 5, column: 3 });
    expect(warnings[0]!.message).toMatch(/inside a list item or quote has no effect/);
    expect(chapter!.blocks.at(-1)).toMatchObject({ kind: 'list' });
  });
});
