import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCourse } from '../src/index.ts';
import { generateCourse } from '../src/testing/generateCourse.ts';

const tmp = mkdtempSync(join(tmpdir(), 'lms-content-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('generated 40-chapter course', { timeout: 60_000 }, () => {
  it('compiles with renumbered chapters, tasks and examples', () => {
    const dir = generateCourse({ outDir: tmp, chapters: 40 });
    const { course, errors } = compileCourse(dir);
    expect(errors).toEqual([]);
    const chapters = course!.chapters;
    expect(chapters).toHaveLength(40);
    expect(chapters.map((c) => c.number)).toEqual(
      Array.from({ length: 40 }, (_, i) => (i + 1) * 10),
    );
    expect(chapters[39]!.id).toBe('python_chapter_0400');
    expect(chapters[39]!.title).toBe('Глава 40. Модуль asyncio: асинхронный запуск задач');
    const tasks = chapters.flatMap((c) => c.tasks);
    expect(tasks).toHaveLength(80);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(80);
    expect(tasks[79]!.id).toBe('python_chapter_0400_task_0020');
    expect(tasks.every((t) => t.checks.public && t.checks.hidden)).toBe(true);
    const examples = chapters.flatMap((c) => c.examples);
    expect(examples).toHaveLength(360);
    expect(new Set(examples.map((e) => e.id)).size).toBe(360);
    // chapters differ only in ids, so their hashes differ too
    expect(new Set(chapters.map((c) => c.hash)).size).toBe(40);
  });
});
