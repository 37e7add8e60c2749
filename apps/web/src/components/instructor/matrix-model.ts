import type { AttemptStatus } from '@lms/db/types';
import type {
  CellState,
  Overview,
  OverviewCell,
  OverviewStudent,
} from '@/server/services/dashboard-types';

/*
 * The progress matrix's logic without React: cell lookup, the words and symbols of a cell,
 * which students and tasks are shown (filter, sort) and where the keyboard moves. The matrix
 * component (progress-matrix.tsx) only renders what these return.
 */

/** What a cell shows: one of the server's states, or no cell at all. */
export type CellKind = CellState | 'none';
export const CELL_KINDS = [
  'first_try',
  'solved',
  'assisted',
  'failing',
  'quick_only',
  'none',
] as const;

export type CellView = {
  kind: CellKind;
  finalAttempts: number;
  quickChecks: number;
  lastStatus: AttemptStatus | null;
};

const EMPTY: CellView = { kind: 'none', finalAttempts: 0, quickChecks: 0, lastStatus: null };

/** The sparse cells by student and task: `get(student, task)` is O(1). */
export class CellIndex {
  readonly #cells = new Map<number, OverviewCell>();
  readonly #tasks: number;
  constructor(cells: readonly OverviewCell[], taskCount: number) {
    this.#tasks = Math.max(taskCount, 1);
    for (const cell of cells) this.#cells.set(cell[0] * this.#tasks + cell[1], cell);
  }
  get(student: number, task: number): CellView {
    const cell = this.#cells.get(student * this.#tasks + task);
    if (!cell) return EMPTY;
    return { kind: cell[2], finalAttempts: cell[3], quickChecks: cell[4], lastStatus: cell[5] };
  }
}

/**
 * The text a cell shows, so colour is never the only cue: ✓ first try, N = solved after N final
 * attempts, "A" solved after the answer was revealed, ✗N failing after N, q only quick checks.
 */
export function cellSymbol(cell: CellView): string {
  switch (cell.kind) {
    case 'first_try':
      return '✓';
    case 'solved':
      return String(cell.finalAttempts);
    case 'assisted':
      return 'A';
    case 'failing':
      return `✗${cell.finalAttempts}`;
    case 'quick_only':
      return 'q';
    case 'none':
      return '';
  }
}

/** Tailwind classes of a cell's background and text by state (the legend uses the same). */
export const CELL_CLASSES: Record<CellKind, string> = {
  first_try: 'bg-emerald-600 text-white',
  solved: 'bg-emerald-200 text-emerald-950',
  assisted: 'bg-amber-200 text-amber-950',
  failing: 'bg-red-200 text-red-950',
  quick_only: 'bg-sky-100 text-sky-950',
  none: 'bg-white text-slate-400',
};

/** The words the labels are made of (the dictionary's `instructor.cell` section). */
export type CellWords = {
  first_try: string;
  solved: string;
  assisted: string;
  failing: string;
  quick_only: string;
  none: string;
  label: string;
};

/**
 * A cell's accessible name, e.g. "Ann — Sum of two: solved after 3 final attempts".
 * `statusText` turns the last verdict into words (the page passes @lms/ui's verdictText).
 */
export function cellLabel(
  student: string,
  task: string,
  cell: CellView,
  words: CellWords,
  statusText: (status: AttemptStatus) => string,
  fill: (template: string, values: Record<string, string | number>) => string,
): string {
  const state = fill(words[cell.kind], {
    n: cell.finalAttempts,
    q: cell.quickChecks,
    status: cell.lastStatus ? statusText(cell.lastStatus) : '—',
  });
  return fill(words.label, { student, task, state });
}

export type SortKey = 'name' | 'lastActivity' | 'solved';
export type MatrixSort = { key: SortKey; descending: boolean };

export type MatrixFilter = {
  /** index into overview.chapters; null: every chapter */
  chapter: number | null;
  /** students with at least one shown task in this state ('none': no shown task started); null: any */
  status: CellKind | null;
  /** part of the name or e-mail, any case */
  search: string;
  /** students with no activity for at least this many days (never active included); null: any */
  inactiveDays: number | null;
};

export const NO_FILTER: MatrixFilter = {
  chapter: null,
  status: null,
  search: '',
  inactiveDays: null,
};
export const DEFAULT_SORT: MatrixSort = { key: 'name', descending: false };

/** The task indexes shown under the filter, in course order. */
export function shownTasks(overview: Pick<Overview, 'tasks'>, filter: MatrixFilter): number[] {
  const out: number[] = [];
  overview.tasks.forEach((task, i) => {
    if (filter.chapter === null || task.chapter === filter.chapter) out.push(i);
  });
  return out;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function compareStudents(a: OverviewStudent, b: OverviewStudent, key: SortKey): number {
  if (key === 'solved') return a.solved - b.solved || a.attempted - b.attempted;
  if (key === 'lastActivity') {
    // never active sorts as the oldest
    return (a.lastActivityAt?.getTime() ?? -1) - (b.lastActivityAt?.getTime() ?? -1);
  }
  return 0;
}

/**
 * The student indexes shown under the filter, sorted (ties by name, then e-mail, so the order
 * is stable across refreshes).
 */
export function shownStudents(
  overview: Pick<Overview, 'students'>,
  cells: CellIndex,
  tasks: readonly number[],
  filter: MatrixFilter,
  sort: MatrixSort,
  now: Date,
  collator: Intl.Collator = new Intl.Collator(undefined, { sensitivity: 'base' }),
): number[] {
  const needle = filter.search.trim().toLocaleLowerCase();
  const cutoff = filter.inactiveDays === null ? null : now.getTime() - filter.inactiveDays * DAY_MS;
  const out: number[] = [];
  overview.students.forEach((s, i) => {
    if (
      needle &&
      !s.name.toLocaleLowerCase().includes(needle) &&
      !s.email.toLocaleLowerCase().includes(needle)
    )
      return;
    if (cutoff !== null && s.lastActivityAt && s.lastActivityAt.getTime() > cutoff) return;
    if (filter.status !== null) {
      const wanted = filter.status;
      const match =
        wanted === 'none'
          ? tasks.every((t) => cells.get(i, t).kind === 'none')
          : tasks.some((t) => cells.get(i, t).kind === wanted);
      if (!match) return;
    }
    out.push(i);
  });
  const byName = (a: number, b: number) => {
    const sa = overview.students[a]!;
    const sb = overview.students[b]!;
    return collator.compare(sa.name, sb.name) || collator.compare(sa.email, sb.email);
  };
  out.sort((a, b) => {
    const primary = compareStudents(overview.students[a]!, overview.students[b]!, sort.key);
    const ordered = sort.key === 'name' ? byName(a, b) : primary;
    if (ordered !== 0) return sort.descending ? -ordered : ordered;
    return byName(a, b);
  });
  return out;
}

/**
 * A position in the grid: row 0 is the task header row, rows 1…students the students; column 0
 * is the student column, columns 1…tasks the tasks. (0, 0) is the corner, not focusable.
 */
export type GridPos = { row: number; col: number };
export type GridSize = { rows: number; cols: number };

/**
 * Where a key moves the focus (null: the key is not the grid's). Arrows move one cell, Home/End
 * to the row's first/last cell, Ctrl+Home/End to the first/last cell of the grid, PageUp/PageDown
 * by `pageRows`. The corner is skipped: moving into it lands on its neighbour.
 */
export function moveInGrid(
  pos: GridPos,
  key: string,
  size: GridSize,
  options: { ctrl?: boolean; pageRows?: number } = {},
): GridPos | null {
  const lastRow = size.rows - 1;
  const lastCol = size.cols - 1;
  const page = Math.max(1, options.pageRows ?? 10);
  let { row, col } = pos;
  switch (key) {
    case 'ArrowUp':
      row -= 1;
      break;
    case 'ArrowDown':
      row += 1;
      break;
    case 'ArrowLeft':
      col -= 1;
      break;
    case 'ArrowRight':
      col += 1;
      break;
    case 'PageUp':
      row -= page;
      break;
    case 'PageDown':
      row += page;
      break;
    case 'Home':
      col = 0;
      if (options.ctrl) row = 1;
      break;
    case 'End':
      col = lastCol;
      if (options.ctrl) row = lastRow;
      break;
    default:
      return null;
  }
  row = Math.min(Math.max(row, 0), lastRow);
  col = Math.min(Math.max(col, 0), lastCol);
  if (row === 0 && col === 0) {
    // the corner: step back to where the move came from, along the axis that moved
    if (pos.row !== 0) row = Math.min(1, lastRow);
    else col = Math.min(1, lastCol);
  }
  return { row, col };
}

/** What Enter opens at a position (null: nothing). */
export type GridTarget =
  | { kind: 'task'; task: number }
  | { kind: 'student'; student: number; task: number | null };

export function targetAt(
  pos: GridPos,
  students: readonly number[],
  tasks: readonly number[],
): GridTarget | null {
  if (pos.row === 0) {
    const task = tasks[pos.col - 1];
    return task === undefined ? null : { kind: 'task', task };
  }
  const student = students[pos.row - 1];
  if (student === undefined) return null;
  return { kind: 'student', student, task: pos.col === 0 ? null : (tasks[pos.col - 1] ?? null) };
}

/** Chapter header spans over the shown tasks: [chapter index, first column, last column] (columns of tasks, 0-based). */
export function chapterSpans(
  overview: Pick<Overview, 'tasks'>,
  tasks: readonly number[],
): Array<{ chapter: number; first: number; last: number }> {
  const spans: Array<{ chapter: number; first: number; last: number }> = [];
  tasks.forEach((t, col) => {
    const chapter = overview.tasks[t]!.chapter;
    const prev = spans[spans.length - 1];
    if (prev && prev.chapter === chapter && prev.last === col - 1) prev.last = col;
    else spans.push({ chapter, first: col, last: col });
  });
  return spans;
}

/** A task's short column heading: chapter number and task number in it ("2.3"). */
export function taskShortLabels(overview: Pick<Overview, 'tasks'>): string[] {
  const seen = new Map<number, number>();
  return overview.tasks.map((task) => {
    const n = (seen.get(task.chapter) ?? 0) + 1;
    seen.set(task.chapter, n);
    return `${task.chapter + 1}.${n}`;
  });
}
