import { resolve } from 'node:path';
import { compileCourse } from '@lms/content';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { LessonBlocks } from '../src/LessonBlocks.tsx';
import { collectHeadings, TableOfContents } from '../src/TableOfContents.tsx';
import { seriousViolations } from './axe.ts';

afterEach(cleanup);

const courseDir = resolve(import.meta.dirname, '../../content/courses/python');

describe('the compiled seed chapter', () => {
  const result = compileCourse(courseDir);
  const chapter = result.course?.chapters.find((c) => c.id === 'python_chapter_0320');

  it('compiles', () => {
    expect(result.errors).toEqual([]);
    expect(chapter).toBeDefined();
  });

  it('renders its headings, 9 examples and 2 tasks, with no serious axe violations', async () => {
    const examples = new Map(chapter!.examples.map((e) => [e.id, e]));
    const tasks = new Map(chapter!.tasks.map((t) => [t.id, t]));
    const { container } = render(
      <main>
        <article>
          <LessonBlocks
            blocks={chapter!.blocks}
            renderExample={(id) => (
              <pre data-testid="example">{examples.get(id)?.code ?? `missing ${id}`}</pre>
            )}
            renderTask={(id) => (
              <section data-testid="task" aria-label={id}>
                <LessonBlocks blocks={tasks.get(id)?.statement ?? []} />
              </section>
            )}
          />
        </article>
        <TableOfContents headings={collectHeadings(chapter!.blocks)} />
      </main>,
    );

    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(chapter!.title);
    const h2 = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent);
    expect(h2).toContain('Корутины и синтаксис async/await');
    expect(h2).toContain('Асинхронный итератор');
    expect(h2).toContain('Резюмируем');

    // every TOC entry points at a rendered heading
    const toc = screen.getByRole('navigation', { name: 'Содержание' });
    const tocLinks = [...toc.querySelectorAll('a')];
    expect(tocLinks.length).toBeGreaterThanOrEqual(h2.length);
    for (const link of tocLinks) {
      const id = decodeURIComponent(link.getAttribute('href')!.slice(1));
      expect(document.getElementById(id)?.tagName, id).toMatch(/^H[23]$/);
    }

    const renderedExamples = screen.getAllByTestId('example');
    expect(renderedExamples).toHaveLength(9);
    expect(chapter!.examples).toHaveLength(9);
    expect(renderedExamples.some((e) => e.textContent?.includes('send(None)'))).toBe(true);
    const renderedTasks = screen.getAllByTestId('task');
    expect(renderedTasks).toHaveLength(2);
    expect(renderedTasks.map((t) => t.getAttribute('aria-label'))).toEqual(
      chapter!.tasks.map((t) => t.id),
    );
    expect(renderedTasks.every((t) => (t.textContent ?? '').trim().length > 20)).toBe(true);

    // prose with inline code and static code survive
    expect(container.querySelectorAll('p code').length).toBeGreaterThan(10);
    expect(await seriousViolations(container)).toEqual([]);
  });
});
