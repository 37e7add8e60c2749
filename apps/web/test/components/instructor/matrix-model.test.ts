import { describe, expect, it } from 'vitest';
import {
  CellIndex,
  cellLabel,
  cellSymbol,
  chapterSpans,
  DEFAULT_SORT,
  moveInGrid,
  NO_FILTER,
  shownStudents,
  shownTasks,
  targetAt,
  taskShortLabels,
} from '@/components/instructor/matrix-model';
import { format } from '@/i18n/config';
import { getDictionary } from '@/i18n/dictionaries';
import type { Overview } from '@/server/services/dashboard-types';

const now = new Date('2026-12-02T12:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 24 * 3600 * 1000);

// 4 students × 4 tasks in 2 chapters
const overview: Overview = {
  cohort: {
    id: 'c1',
    slug: 'demo',
    name: 'Demo',
    course: { id: 'k', slug: 'python', title: 'Python' },
  },
  chapters: [
    { id: 'ch1', title: 'Basics' },
    { id: 'ch2', title: 'Async' },
  ],
  tasks: [
    { id: 't1', title: 'Sum', chapterId: 'ch1', chapter: 0 },
    { id: 't2', title: 'Loop', chapterId: 'ch1', chapter: 0 },
    { id: 't3', title: 'Sleep', chapterId: 'ch2', chapter: 1 },
    { id: 't4', title: 'Gather', chapterId: 'ch2', chapter: 1 },
  ],
  students: [
    {
      id: 's0',
      name: 'Вера',
      email: 'vera@x',
      lastActivityAt: daysAgo(1),
      solved: 2,
      attempted: 3,
    },
    {
      id: 's1',
      name: 'анна',
      email: 'anna@x',
      lastActivityAt: daysAgo(10),
      solved: 1,
      attempted: 1,
    },
    { id: 's2', name: 'Борис', email: 'boris@x', lastActivityAt: null, solved: 0, attempted: 0 },
    {
      id: 's3',
      name: 'Анна',
      email: 'anna2@x',
      lastActivityAt: daysAgo(3),
      solved: 1,
      attempted: 2,
    },
  ],
  cells: [
    [0, 0, 'first_try', 1, 0, 'passed'],
    [0, 1, 'solved', 3, 2, 'passed'],
    [0, 2, 'failing', 2, 0, 'failed'],
    [1, 0, 'assisted', 4, 0, 'passed'],
    [3, 2, 'solved', 2, 0, 'passed'],
    [3, 3, 'quick_only', 0, 5, null],
  ],
  version: 'v1',
};
const cells = new CellIndex(overview.cells, overview.tasks.length);
const allTasks = shownTasks(overview, NO_FILTER);
const names = (rows: number[]) => rows.map((i) => overview.students[i]!.email);
const collator = new Intl.Collator('ru', { sensitivity: 'base' });

describe('cells: lookup, symbol and accessible label', () => {
  it('finds sparse cells and reports absent ones as not started', () => {
    expect(cells.get(0, 2)).toEqual({
      kind: 'failing',
      finalAttempts: 2,
      quickChecks: 0,
      lastStatus: 'failed',
    });
    expect(cells.get(2, 0).kind).toBe('none');
  });

  it('shows a symbol for every state, so colour is not the only cue', () => {
    expect([
      cellSymbol(cells.get(0, 0)),
      cellSymbol(cells.get(0, 1)),
      cellSymbol(cells.get(1, 0)),
      cellSymbol(cells.get(0, 2)),
      cellSymbol(cells.get(3, 3)),
      cellSymbol(cells.get(2, 0)),
    ]).toEqual(['✓', '3', 'A', '✗2', 'q', '']);
  });

  it('names the student, the task and the state in the reader’s language', () => {
    const label = (locale: 'ru' | 'en', s: number, t: number) =>
      cellLabel(
        overview.students[s]!.name,
        overview.tasks[t]!.title,
        cells.get(s, t),
        getDictionary(locale).instructor.cell,
        (status) => status.toUpperCase(),
        format,
      );
    expect(label('en', 0, 1)).toBe('Вера — Loop: solved after 3 final attempts');
    expect(label('en', 0, 2)).toBe(
      'Вера — Sleep: not solved: 2 final attempts, last verdict: FAILED',
    );
    expect(label('en', 3, 3)).toBe('Анна — Gather: quick checks only (5)');
    expect(label('ru', 2, 0)).toBe('Борис — Sum: не начато');
    expect(label('ru', 0, 0)).toBe('Вера — Sum: решено с первой финальной попытки');
  });
});

describe('filter and sort', () => {
  it('shows one chapter’s tasks; spans and short labels follow the chapters', () => {
    expect(shownTasks(overview, { ...NO_FILTER, chapter: 1 })).toEqual([2, 3]);
    expect(chapterSpans(overview, allTasks)).toEqual([
      { chapter: 0, first: 0, last: 1 },
      { chapter: 1, first: 2, last: 3 },
    ]);
    expect(chapterSpans(overview, [2, 3])).toEqual([{ chapter: 1, first: 0, last: 1 }]);
    expect(taskShortLabels(overview)).toEqual(['1.1', '1.2', '2.1', '2.2']);
  });

  it('sorts by name (any case, ties by e-mail), by last activity and by solved count', () => {
    const by = (key: 'name' | 'lastActivity' | 'solved', descending = false) =>
      names(
        shownStudents(overview, cells, allTasks, NO_FILTER, { key, descending }, now, collator),
      );
    expect(by('name')).toEqual(['anna@x', 'anna2@x', 'boris@x', 'vera@x']);
    expect(by('name', true)).toEqual(['vera@x', 'boris@x', 'anna2@x', 'anna@x']);
    // never active is the oldest
    expect(by('lastActivity')).toEqual(['boris@x', 'anna@x', 'anna2@x', 'vera@x']);
    expect(by('solved', true)).toEqual(['vera@x', 'anna2@x', 'anna@x', 'boris@x']);
  });

  it('filters by name or e-mail, by state within the shown tasks, and by inactivity', () => {
    const shown = (filter: Partial<typeof NO_FILTER>) =>
      names(
        shownStudents(
          overview,
          cells,
          shownTasks(overview, { ...NO_FILTER, ...filter }),
          { ...NO_FILTER, ...filter },
          DEFAULT_SORT,
          now,
          collator,
        ),
      );
    expect(shown({ search: 'АННА' })).toEqual(['anna@x', 'anna2@x']);
    expect(shown({ search: 'boris@' })).toEqual(['boris@x']);
    expect(shown({ status: 'failing' })).toEqual(['vera@x']);
    expect(shown({ status: 'solved' })).toEqual(['anna2@x', 'vera@x']);
    // in chapter 1 only Vera solved after several attempts; Anna's solve is in chapter 2
    expect(shown({ status: 'solved', chapter: 0 })).toEqual(['vera@x']);
    // not started: nothing in the shown tasks
    expect(shown({ status: 'none' })).toEqual(['boris@x']);
    expect(shown({ status: 'none', chapter: 1 })).toEqual(['anna@x', 'boris@x']);
    expect(shown({ inactiveDays: 7 })).toEqual(['anna@x', 'boris@x']);
    expect(shown({ inactiveDays: 2, search: 'ann' })).toEqual(['anna@x', 'anna2@x']);
  });
});

describe('keyboard navigation', () => {
  const size = { rows: 5, cols: 5 }; // header row + 4 students; student column + 4 tasks

  it('moves by arrows and stops at the edges', () => {
    expect(moveInGrid({ row: 1, col: 1 }, 'ArrowRight', size)).toEqual({ row: 1, col: 2 });
    expect(moveInGrid({ row: 1, col: 1 }, 'ArrowDown', size)).toEqual({ row: 2, col: 1 });
    expect(moveInGrid({ row: 4, col: 4 }, 'ArrowDown', size)).toEqual({ row: 4, col: 4 });
    expect(moveInGrid({ row: 4, col: 4 }, 'ArrowRight', size)).toEqual({ row: 4, col: 4 });
    expect(moveInGrid({ row: 1, col: 2 }, 'ArrowUp', size)).toEqual({ row: 0, col: 2 });
    expect(moveInGrid({ row: 0, col: 2 }, 'ArrowUp', size)).toEqual({ row: 0, col: 2 });
  });

  it('never lands on the empty corner', () => {
    expect(moveInGrid({ row: 1, col: 0 }, 'ArrowUp', size)).toEqual({ row: 1, col: 0 });
    expect(moveInGrid({ row: 0, col: 1 }, 'ArrowLeft', size)).toEqual({ row: 0, col: 1 });
    expect(moveInGrid({ row: 0, col: 3 }, 'Home', size)).toEqual({ row: 0, col: 1 });
  });

  it('Home/End go to the row’s ends, with Ctrl to the grid’s; PageUp/PageDown by a page', () => {
    expect(moveInGrid({ row: 2, col: 3 }, 'Home', size)).toEqual({ row: 2, col: 0 });
    expect(moveInGrid({ row: 2, col: 1 }, 'End', size)).toEqual({ row: 2, col: 4 });
    expect(moveInGrid({ row: 3, col: 3 }, 'Home', size, { ctrl: true })).toEqual({
      row: 1,
      col: 0,
    });
    expect(moveInGrid({ row: 1, col: 1 }, 'End', size, { ctrl: true })).toEqual({ row: 4, col: 4 });
    expect(moveInGrid({ row: 1, col: 2 }, 'PageDown', size, { pageRows: 2 })).toEqual({
      row: 3,
      col: 2,
    });
    expect(moveInGrid({ row: 3, col: 2 }, 'PageUp', size, { pageRows: 10 })).toEqual({
      row: 0,
      col: 2,
    });
    expect(moveInGrid({ row: 1, col: 1 }, 'a', size)).toBeNull();
  });

  it('Enter opens the task from its header, the student (and the task) from a row', () => {
    const students = [3, 0];
    const tasks = [2, 3];
    expect(targetAt({ row: 0, col: 2 }, students, tasks)).toEqual({ kind: 'task', task: 3 });
    expect(targetAt({ row: 1, col: 0 }, students, tasks)).toEqual({
      kind: 'student',
      student: 3,
      task: null,
    });
    expect(targetAt({ row: 2, col: 1 }, students, tasks)).toEqual({
      kind: 'student',
      student: 0,
      task: 2,
    });
    expect(targetAt({ row: 3, col: 1 }, students, tasks)).toBeNull();
  });
});
