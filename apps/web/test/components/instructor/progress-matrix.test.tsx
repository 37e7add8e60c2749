// @vitest-environment jsdom
import { cleanup, fireEvent, render } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CellIndex, type GridTarget } from '@/components/instructor/matrix-model';
import { ProgressMatrix } from '@/components/instructor/progress-matrix';
import { I18nProvider } from '@/i18n/client';
import { getDictionary } from '@/i18n/dictionaries';
import type { Overview } from '@/server/services/dashboard-types';

afterEach(cleanup);

// jsdom has no layout: give every element a size, so the virtualiser sees a viewport
const sizes = { clientWidth: 800, clientHeight: 600 } as const;
const saved = new Map<string, PropertyDescriptor | undefined>();
beforeAll(() => {
  for (const [key, value] of Object.entries(sizes)) {
    saved.set(key, Object.getOwnPropertyDescriptor(Element.prototype, key));
    Object.defineProperty(Element.prototype, key, { configurable: true, get: () => value });
  }
});
afterAll(() => {
  for (const [key, descriptor] of saved) {
    if (descriptor) Object.defineProperty(Element.prototype, key, descriptor);
  }
});

const overview: Overview = {
  cohort: { id: 'c', slug: 'demo', name: 'Demo', course: { id: 'k', slug: 'py', title: 'Py' } },
  chapters: [{ id: 'ch1', title: 'Basics' }],
  tasks: [
    { id: 't1', title: 'Sum', chapterId: 'ch1', chapter: 0 },
    { id: 't2', title: 'Loop', chapterId: 'ch1', chapter: 0 },
  ],
  students: [
    { id: 's1', name: 'Ann', email: 'a@x', lastActivityAt: null, solved: 1, attempted: 1 },
    { id: 's2', name: 'Bob', email: 'b@x', lastActivityAt: null, solved: 0, attempted: 1 },
  ],
  cells: [
    [0, 1, 'solved', 3, 0, 'passed'],
    [1, 0, 'failing', 2, 1, 'failed'],
  ],
  version: '1',
};

function renderMatrix(onOpen: (t: GridTarget) => void) {
  return render(
    <I18nProvider locale="en" t={getDictionary('en')}>
      <ProgressMatrix
        overview={overview}
        cells={new CellIndex(overview.cells, 2)}
        students={[0, 1]}
        tasks={[0, 1]}
        onOpen={onOpen}
        initialRect={{ width: 800, height: 600 }}
      />
    </I18nProvider>,
  );
}

describe('ProgressMatrix', () => {
  it('is a grid with one tab stop, labelled cells with symbols, moved by the keyboard', async () => {
    const onOpen = vi.fn();
    const { getByRole, container } = renderMatrix(onOpen);
    const grid = getByRole('grid', { name: 'Cohort progress' });
    expect(grid.getAttribute('aria-rowcount')).toBe('4');
    const stops = container.querySelectorAll('[tabindex="0"]');
    expect([...stops].map((e) => e.getAttribute('data-pos'))).toEqual(['1:0']);

    const cell = container.querySelector<HTMLElement>('[data-pos="1:2"]')!;
    expect(cell.getAttribute('aria-label')).toBe('Ann — Loop: solved after 3 final attempts');
    expect(cell.textContent).toBe('3');
    expect(container.querySelector('[data-pos="2:1"]')!.textContent).toBe('✗2');

    const start = container.querySelector<HTMLElement>('[data-pos="1:0"]')!;
    start.focus();
    fireEvent.keyDown(start, { key: 'ArrowRight' });
    await vi.waitFor(() => expect(document.activeElement?.getAttribute('data-pos')).toBe('1:1'));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    await vi.waitFor(() => expect(document.activeElement?.getAttribute('data-pos')).toBe('2:1'));
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    await vi.waitFor(() => expect(document.activeElement?.getAttribute('data-pos')).toBe('2:2'));
    expect(container.querySelectorAll('[tabindex="0"]')).toHaveLength(1);

    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(onOpen).toHaveBeenLastCalledWith({ kind: 'student', student: 1, task: 1 });
    fireEvent.keyDown(document.activeElement!, { key: 'Home', ctrlKey: true });
    await vi.waitFor(() => expect(document.activeElement?.getAttribute('data-pos')).toBe('1:0'));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    await vi.waitFor(() => expect(document.activeElement?.getAttribute('data-pos')).toBe('0:1'));
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(onOpen).toHaveBeenLastCalledWith({ kind: 'task', task: 0 });
  });
});
