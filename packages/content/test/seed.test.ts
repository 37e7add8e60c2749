import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Block,
  type Chapter,
  compileChapter,
  compileCourse,
  compiledCourseSchema,
  type Inline,
} from '../src/index.ts';
import { COURSE_DIR, SEED_CHAPTER } from './helpers.ts';

const { course, errors, warnings } = compileCourse(COURSE_DIR);
const chapter = course!.chapters[0]!;

function text(inlines: Inline[]): string {
  return inlines
    .map((i) => ('value' in i ? i.value : 'children' in i ? text(i.children) : ''))
    .join('');
}

function find<K extends Block['kind']>(blocks: Block[], kind: K): Extract<Block, { kind: K }>[] {
  return blocks.filter((b): b is Extract<Block, { kind: K }> => b.kind === kind);
}

describe('seed course', () => {
  it('compiles without errors and validates against the schema', () => {
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(compiledCourseSchema.parse(course)).toEqual(course);
    expect(course!.id).toBe('python');
    expect(course!.language).toBe('python');
    expect(course!.title).toBe('Python');
    expect(course!.description[0]?.kind).toBe('paragraph');
    expect(course!.wrapperRunFallback).toBeNull();
    expect(course!.chapters.map((c) => c.id)).toEqual(['python_chapter_0320']);
  });

  it('has the chapter metadata', () => {
    expect(chapter.number).toBe(320);
    expect(chapter.courseId).toBe('python');
    expect(chapter.title).toBe('Глава 32. Модуль asyncio: асинхронный запуск задач');
    expect(chapter.sourceFile).toBe('python_chapter_0320/text.md');
    expect(chapter.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic: same text, same output and hashes', () => {
    const again = compileCourse(COURSE_DIR).course!;
    expect(again).toEqual(course);
    expect(again.hash).toBe(course!.hash);
    const inMemory = compileChapter(readFileSync(SEED_CHAPTER, 'utf8'), {
      courseId: 'python',
      chapterId: 'python_chapter_0320',
    });
    expect(inMemory.errors).toEqual([]);
    expect(inMemory.chapter!.blocks).toEqual(chapter.blocks);
    // checks are not loaded in memory, so the hash differs from the course's
    expect(inMemory.chapter!.tasks[0]!.checks.public).toBeNull();
  });

  it('changes the hash when the text changes', () => {
    const text2 = readFileSync(SEED_CHAPTER, 'utf8').replace('main ended', 'main  ended');
    const other = compileChapter(text2, { courseId: 'python', chapterId: 'python_chapter_0320' });
    const same = compileChapter(readFileSync(SEED_CHAPTER, 'utf8'), {
      courseId: 'python',
      chapterId: 'python_chapter_0320',
    });
    expect(other.chapter!.hash).not.toBe(same.chapter!.hash);
  });

  it('orders the top-level blocks: headings, examples and tasks in place', () => {
    const outline = chapter.blocks
      .filter((b) => b.kind !== 'paragraph' && b.kind !== 'list')
      .map((b) =>
        b.kind === 'heading'
          ? `h${b.level}:${b.id}`
          : b.kind === 'example'
            ? b.exampleId.replace('python_chapter_0320_', '')
            : b.kind === 'task'
              ? b.taskId.replace('python_chapter_0320_', '')
              : b.kind === 'code'
                ? `code:${b.lang}`
                : b.kind,
      );
    expect(outline).toEqual([
      'h1:глава-32-модуль-asyncio-асинхронный-запуск-задач',
      'h2:корутины-и-синтаксис-asyncawait',
      'example_01',
      'example_02',
      'example_03',
      'h2:задачи',
      'example_04',
      'example_05',
      'task_0010',
      'h2:ожидание-выполнения-группы-задач',
      'example_06',
      'code:python',
      'task_0020',
      'h2:ожидание-выполнения-самой-быстрой-задачи',
      'code:python',
      'example_07',
      'h2:асинхронный-контекстный-менеджер',
      'example_08',
      'h2:асинхронный-итератор',
      'example_09',
      'code:python',
      'h2:резюмируем',
    ]);
    expect(chapter.blocks).toHaveLength(63);
  });

  it('pairs 8 of the 9 examples with their expected output', () => {
    const ex = chapter.examples;
    expect(ex.map((e) => e.id)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `python_chapter_0320_example_0${n}`),
    );
    expect(ex.every((e) => e.lang === 'python' && e.playgroundVariant === null)).toBe(true);
    expect(ex.every((e) => e.runnable)).toBe(true);
    expect(ex.filter((e) => e.expectedOutput !== null)).toHaveLength(8);
    expect(ex[0]!.code).toBe('async def f():\n    pass\n\n\nprint(type(f()))');
    expect(ex[0]!.expectedOutput).toBe("<class 'coroutine'>");
    expect(ex[0]!.source).toEqual({ file: 'python_chapter_0320/text.md', line: 11, column: 1 });
    expect(ex[1]!.expectedOutput).toBe('100\n42\nmain ended');
    // the third example (asyncio.run version of coro_42) has no output fence
    expect(ex[2]!.code.startsWith('import asyncio\n\n\nasync def coro_100():')).toBe(true);
    expect(ex[2]!.expectedOutput).toBeNull();
    expect(ex[3]!.expectedOutput).toBe('main coroutine\ntask started\nmain ended');
    expect(ex[4]!.expectedOutput).toBe(
      'Hi, coro!\nLong calculation\nBye, coro!\nLong calculation done',
    );
    expect(ex[5]!.expectedOutput?.split('\n')).toHaveLength(5);
    expect(ex[6]!.expectedOutput?.split('\n').at(-1)).toBe('main completed in 5.0016 seconds');
    // f-string braces inside code stay as written
    expect(ex[6]!.code).toContain(`print(f"> task '{value}' done")`);
    expect(ex[6]!.code).toContain('print(f"main completed in {time.time() - start:.4f} seconds")');
    // example 8 is closed by "``` " (trailing space); its output fence opens on the next line
    expect(ex[7]!.source.line).toBe(406);
    expect(ex[7]!.code.endsWith('asyncio.run(main())\n')).toBe(true);
    expect(ex[7]!.expectedOutput).toBe(
      'read big file...\ntick\ntick\ntick\ntick\ninside async with\nasync manager exited',
    );
    expect(ex[8]!.expectedOutput).toBe('Tick\nTick\n1\nTick\nTick\n2');
  });

  it('builds task 0010 from a paragraph and a list statement, source, hint, answer', () => {
    const t = chapter.tasks[0]!;
    expect(t.id).toBe('python_chapter_0320_task_0010');
    expect(t.chapterId).toBe('python_chapter_0320');
    expect(t.kind).toBe('program');
    expect(t.source).toEqual({ file: 'python_chapter_0320/text.md', line: 184, column: 1 });
    expect(t.statement.map((b) => b.kind)).toEqual(['paragraph', 'list']);
    const [para, list] = t.statement as [
      Extract<Block, { kind: 'paragraph' }>,
      Extract<Block, { kind: 'list' }>,
    ];
    expect(text(para.children)).toBe(
      'Напишите программу, которая конкурентно выполняет две задачи:',
    );
    expect(list.ordered).toBe(false);
    expect(list.start).toBeNull();
    expect(list.items).toHaveLength(2);
    const item1 = list.items[0]![0] as Extract<Block, { kind: 'paragraph' }>;
    expect(item1.children).toEqual([
      { type: 'text', value: 'Раз в секунду выводит на экран сообщение ' },
      { type: 'code', value: '"tick"' },
      { type: 'text', value: '.' },
    ]);
    const item2 = list.items[1]![0] as Extract<Block, { kind: 'paragraph' }>;
    // the attribute block is gone, the inline code before it stays
    expect(item2.children.at(-2)).toEqual({ type: 'code', value: 'os.path.exists()' });
    expect(item2.children.at(-1)).toEqual({ type: 'text', value: '.' });
    expect(JSON.stringify(t.statement)).not.toContain('task_text');

    expect(t.starter.split('\n')[0]).toBe('import asyncio');
    expect(t.starter).toContain('t = Timer(2.0, create_file, ["senjun.py"])');
    expect(t.starter).toContain('async def tick():\n    # your code');
    expect(t.hint).toHaveLength(1);
    expect(text((t.hint[0] as Extract<Block, { kind: 'paragraph' }>).children)).toBe(
      'Запустите две задачи: одну для вывода в бесконечном цикле строки "tick". И вторую задачу для проверки в вечном цикле существования файла.',
    );
    expect(t.answer).toContain('while not os.path.exists(path):\n        await asyncio.sleep(0)');
    expect(t.answer.endsWith('asyncio.run(main())')).toBe(true);
    expect(t.flags).toEqual({ runStaticTypeChecker: false });
    expect(t.limits).toEqual({ wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 });
    expect(t.checks.public).toContain('from lms_checks import test');
    expect(t.checks.hidden).toContain('@test(');
    expect(t.checks.wrapperTest).toBeNull();
    // statement blocks are not repeated in the chapter's stream
    const idx = chapter.blocks.findIndex((b) => b.kind === 'task');
    expect(chapter.blocks[idx - 1]).toEqual({
      kind: 'example',
      exampleId: 'python_chapter_0320_example_05',
    });
    expect(chapter.blocks[idx + 1]).toMatchObject({ kind: 'heading', level: 2 });
  });

  it('builds task 0020 with f-string braces untouched', () => {
    const t = chapter.tasks[1]!;
    expect(t.id).toBe('python_chapter_0320_task_0020');
    expect(t.kind).toBe('program');
    expect(t.statement).toHaveLength(1);
    const para = t.statement[0] as Extract<Block, { kind: 'paragraph' }>;
    expect(text(para.children)).toBe(
      'Исправьте код так, чтобы в нем не было блокирующих вызовов. Код должен выполниться примерно за 3 секунды.',
    );
    expect(t.starter).toContain('print(f"Task {name}: Computing {total}+{number}")');
    expect(t.starter).toContain('    time.sleep(1)');
    expect(t.starter.endsWith('asyncio.run(main())\n')).toBe(true);
    expect((t.hint[0] as Extract<Block, { kind: 'paragraph' }>).children).toEqual([
      { type: 'text', value: 'Замените блокирующий вызов ' },
      { type: 'code', value: 'time.sleep(1)' },
      { type: 'text', value: ' на ' },
      { type: 'code', value: 'asyncio.sleep(1)' },
      { type: 'text', value: '.' },
    ]);
    expect(t.answer).toContain('    await asyncio.sleep(1)');
    expect(t.answer).toContain('print(f"Task {name}: Sum = {total}")');
    expect(t.checks.public).toContain('time.sleep');
  });

  it('keeps inline code, bold and lists of the prose', () => {
    const paragraphs = find(chapter.blocks, 'paragraph');
    const p2 = paragraphs.find((p) => text(p.children).startsWith('Для выполнения асинхронного'))!;
    expect(p2.children).toContainEqual({
      type: 'strong',
      children: [{ type: 'text', value: 'корутины' }],
    });
    expect(p2.children.at(-2)).toEqual({ type: 'code', value: 'async' });
    const bold = paragraphs.flatMap((p) => p.children.filter((i) => i.type === 'strong'));
    expect(bold.map((b) => text((b as { children: Inline[] }).children))).toContain(
      'асинхронным контекстом.',
    );
    const lists = find(chapter.blocks, 'list');
    expect(lists).toHaveLength(7);
    const awaitables = lists[0]!;
    expect(awaitables.items).toHaveLength(4);
    expect((awaitables.items[1]![0] as Extract<Block, { kind: 'paragraph' }>).children).toEqual([
      { type: 'text', value: 'объекты типа ' },
      { type: 'code', value: 'asyncio.Future' },
      { type: 'text', value: ',' },
    ]);
    const statics = find(chapter.blocks, 'code');
    expect(statics.map((c) => c.code.split('\n')[0])).toEqual([
      'tasks = [asyncio.create_task(coro(i)) for i in range(5)]',
      'done, pending = asyncio.wait(aws, timeout=30, return_when=FIRST_COMPLETED)',
      'async def __aiter__(self):',
    ]);
    const summary = lists.at(-1)!;
    expect(summary.items).toHaveLength(9);
  });
});

export type { Chapter };

describe('SHIPPED_COURSE_DIR', () => {
  it('points at the seed course', async () => {
    const { SHIPPED_COURSE_DIR } = await import('../src/index.ts');
    expect(SHIPPED_COURSE_DIR.replace(/\/$/, '')).toBe(COURSE_DIR.replace(/\/$/, ''));
  });
});
