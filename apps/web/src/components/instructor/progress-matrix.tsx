'use client';
import type { AttemptStatus } from '@lms/db/types';
import { verdictText } from '@lms/ui';
import { defaultRangeExtractor, type Range, useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import type { Overview } from '@/server/services/dashboard-types';
import {
  CELL_CLASSES,
  type CellIndex,
  cellLabel,
  cellSymbol,
  chapterSpans,
  type GridPos,
  type GridTarget,
  moveInGrid,
  targetAt,
  taskShortLabels,
} from './matrix-model';

const NAME_W = 224;
const COL_W = 44;
const ROW_H = 32;
const CHAPTER_H = 28;
const TASK_H = 34;
const HEADER_H = CHAPTER_H + TASK_H;

/** The virtualiser's range, plus one index it must always render (the focused row or column). */
function keeping(index: number) {
  return (range: Range) => {
    const base = defaultRangeExtractor(range);
    if (index < 0 || index >= range.count || base.includes(index)) return base;
    return [...base, index].sort((a, b) => a - b);
  };
}

/**
 * Students × tasks as an ARIA grid, virtualised in both directions (only the cells in view are
 * in the DOM), with sticky header rows (chapters, tasks) and a sticky student column. One cell
 * is in the tab order (roving tabindex) and always rendered; arrows, Home/End, Ctrl+Home/End and
 * PageUp/PageDown move it (matrix-model.ts moveInGrid); Enter or a click opens what it names.
 */
export function ProgressMatrix(props: {
  overview: Overview;
  cells: CellIndex;
  /** the shown students and tasks (indexes into the overview), in display order */
  students: readonly number[];
  tasks: readonly number[];
  onOpen: (target: GridTarget) => void;
  /** tests only: the scroll box's size before it is measured */
  initialRect?: { width: number; height: number };
}) {
  const { t } = useI18n();
  const { overview, cells, students, tasks } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState<GridPos>({ row: 1, col: 0 });
  const focusPending = useRef(false);
  const shortLabels = useMemo(() => taskShortLabels(overview), [overview]);
  const spans = useMemo(() => chapterSpans(overview, tasks), [overview, tasks]);

  const rows = students.length + 1;
  const cols = tasks.length + 1;
  // the focus stays inside the grid when a filter shrinks it
  const pos: GridPos = {
    row: Math.min(active.row, rows - 1),
    col: Math.min(active.col, cols - 1),
  };
  if (pos.row === 0 && pos.col === 0) pos.row = Math.min(1, rows - 1);

  const rowVirtualizer = useVirtualizer({
    count: students.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 6,
    paddingStart: HEADER_H,
    scrollPaddingStart: HEADER_H,
    rangeExtractor: keeping(pos.row - 1),
    initialRect: props.initialRect,
  });
  const colVirtualizer = useVirtualizer({
    horizontal: true,
    count: tasks.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => COL_W,
    overscan: 4,
    paddingStart: NAME_W,
    scrollPaddingStart: NAME_W,
    rangeExtractor: keeping(pos.col - 1),
    initialRect: props.initialRect,
  });
  const virtualRows = rowVirtualizer.getVirtualItems();
  const virtualCols = colVirtualizer.getVirtualItems();
  const totalW = colVirtualizer.getTotalSize();
  const totalH = rowVirtualizer.getTotalSize();

  const ui = t.ui;
  const statusText = useCallback((s: AttemptStatus) => verdictText(s, ui).toLowerCase(), [ui]);
  const taskTitle = (taskIndex: number) => overview.tasks[taskIndex]?.title ?? '';

  useEffect(() => {
    if (!focusPending.current) return;
    focusPending.current = false;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-pos="${pos.row}:${pos.col}"]`);
    el?.focus({ preventScroll: true });
  });

  const moveTo = (next: GridPos) => {
    setActive(next);
    focusPending.current = true;
    if (next.row > 0) rowVirtualizer.scrollToIndex(next.row - 1);
    if (next.col > 0) colVirtualizer.scrollToIndex(next.col - 1);
    else if (scrollRef.current) scrollRef.current.scrollLeft = 0;
    if (next.row === 0 && scrollRef.current) scrollRef.current.scrollTop = 0;
  };

  const open = (at: GridPos) => {
    const target = targetAt(at, students, tasks);
    if (target) props.onOpen(target);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open(pos);
      return;
    }
    const visibleRows = Math.max(
      1,
      Math.floor(((scrollRef.current?.clientHeight ?? 0) - HEADER_H) / ROW_H),
    );
    const next = moveInGrid(
      pos,
      e.key,
      { rows, cols },
      { ctrl: e.ctrlKey || e.metaKey, pageRows: visibleRows },
    );
    if (!next) return;
    e.preventDefault();
    moveTo(next);
  };

  const tabIndexAt = (row: number, col: number) => (row === pos.row && col === pos.col ? 0 : -1);
  const visibleFirst = virtualCols[0]?.index ?? 0;
  const visibleLast = virtualCols[virtualCols.length - 1]?.index ?? -1;

  return (
    <div
      ref={scrollRef}
      data-testid="progress-matrix"
      className="relative h-[70vh] min-h-80 overflow-auto rounded-lg border border-slate-300 bg-white text-sm"
    >
      {/* a real table, laid out as blocks so rows and columns can be virtualised */}
      <table
        // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the WAI-ARIA data grid pattern is a table with role=grid
        role="grid"
        aria-label={t.instructor.matrixTitle}
        aria-rowcount={students.length + 2}
        aria-colcount={tasks.length + 1}
        aria-describedby="matrix-keys"
        onKeyDown={onKeyDown}
        className="block border-collapse"
        style={{ width: totalW, height: totalH, position: 'relative' }}
      >
        <thead
          className="sticky top-0 z-20 block bg-white"
          style={{ width: totalW, height: HEADER_H }}
        >
          <tr aria-rowindex={1} className="relative flex" style={{ height: CHAPTER_H }}>
            <td
              aria-colindex={1}
              className="sticky left-0 z-10 block shrink-0 border-b border-slate-200 bg-white"
              style={{ width: NAME_W }}
            />
            {spans
              .filter((s) => s.last >= visibleFirst && s.first <= visibleLast)
              .map((s) => {
                const chapter = overview.chapters[s.chapter];
                return (
                  <th
                    key={`${s.chapter}-${s.first}`}
                    scope="colgroup"
                    colSpan={s.last - s.first + 1}
                    aria-colindex={s.first + 2}
                    title={chapter?.title}
                    className="absolute top-0 truncate border-b border-l border-slate-300 bg-slate-100 px-2 text-xs leading-7 font-semibold text-slate-700"
                    style={{
                      left: NAME_W + s.first * COL_W,
                      width: (s.last - s.first + 1) * COL_W,
                      height: CHAPTER_H,
                    }}
                  >
                    {s.chapter + 1}. {chapter?.title}
                  </th>
                );
              })}
          </tr>
          <tr aria-rowindex={2} className="relative flex" style={{ height: TASK_H }}>
            <th
              scope="col"
              aria-colindex={1}
              className="sticky left-0 z-10 flex shrink-0 items-center border-r border-b border-slate-300 bg-white px-2 text-xs font-semibold text-slate-700"
              style={{ width: NAME_W }}
            >
              {t.instructor.studentColumn}
            </th>
            {virtualCols.map((vc) => {
              const taskIndex = tasks[vc.index]!;
              const col = vc.index + 1;
              const title = taskTitle(taskIndex);
              return (
                <th
                  key={overview.tasks[taskIndex]!.id}
                  scope="col"
                  aria-colindex={col + 1}
                  aria-label={title}
                  title={title}
                  tabIndex={tabIndexAt(0, col)}
                  data-pos={`0:${col}`}
                  data-task={overview.tasks[taskIndex]!.id}
                  onClick={() => {
                    setActive({ row: 0, col });
                    open({ row: 0, col });
                  }}
                  className="absolute top-0 flex cursor-pointer items-center justify-center border-b border-l border-slate-300 bg-white font-mono text-xs text-slate-700 hover:bg-slate-50 focus-visible:z-10 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-brand-600"
                  style={{ left: vc.start, width: COL_W, height: TASK_H }}
                >
                  {shortLabels[taskIndex]}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="block">
          {virtualRows.map((vr) => {
            const studentIndex = students[vr.index]!;
            const student = overview.students[studentIndex]!;
            const row = vr.index + 1;
            return (
              <tr
                key={student.id}
                aria-rowindex={row + 2}
                data-student={student.id}
                className="absolute left-0 flex"
                style={{ top: vr.start, height: ROW_H, width: totalW }}
              >
                <th
                  scope="row"
                  aria-colindex={1}
                  tabIndex={tabIndexAt(row, 0)}
                  data-pos={`${row}:0`}
                  title={student.email}
                  onClick={() => {
                    setActive({ row, col: 0 });
                    open({ row, col: 0 });
                  }}
                  className="sticky left-0 z-10 flex shrink-0 cursor-pointer items-center gap-2 border-r border-b border-slate-200 bg-white px-2 hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-brand-600"
                  style={{ width: NAME_W, height: ROW_H }}
                >
                  <span className="truncate">{student.name}</span>
                  <span className="ml-auto shrink-0 text-xs text-slate-500">
                    {format(t.instructor.solvedShort, { n: student.solved })}
                  </span>
                </th>
                {virtualCols.map((vc) => {
                  const taskIndex = tasks[vc.index]!;
                  const col = vc.index + 1;
                  const cell = cells.get(studentIndex, taskIndex);
                  return (
                    // biome-ignore lint/a11y/useKeyWithClickEvents: the grid handles the keys of all its cells (onKeyDown on the table)
                    <td
                      key={vc.key}
                      aria-colindex={col + 1}
                      aria-label={cellLabel(
                        student.name,
                        taskTitle(taskIndex),
                        cell,
                        t.instructor.cell,
                        statusText,
                        format,
                      )}
                      tabIndex={tabIndexAt(row, col)}
                      data-pos={`${row}:${col}`}
                      data-task={overview.tasks[taskIndex]!.id}
                      data-state={cell.kind}
                      onClick={() => {
                        setActive({ row, col });
                        open({ row, col });
                      }}
                      className={`absolute top-0 flex cursor-pointer items-center justify-center border-b border-l border-slate-200 font-mono text-xs focus-visible:z-10 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-brand-600 ${CELL_CLASSES[cell.kind]}`}
                      style={{ left: vc.start, width: COL_W, height: ROW_H }}
                    >
                      <span aria-hidden="true">{cellSymbol(cell)}</span>
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The cell states with their colours and symbols: colour is never the only cue. */
export function MatrixLegend() {
  const { t } = useI18n();
  const samples = [
    { kind: 'first_try', symbol: '✓' },
    { kind: 'solved', symbol: '3' },
    { kind: 'assisted', symbol: 'A' },
    { kind: 'failing', symbol: '✗2' },
    { kind: 'quick_only', symbol: 'q' },
    { kind: 'none', symbol: '' },
  ] as const;
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-700">
      <h3 className="font-semibold">{t.instructor.legendTitle}:</h3>
      <ul className="contents">
        {samples.map((s) => (
          <li key={s.kind} className="flex items-center gap-1">
            <span
              aria-hidden="true"
              className={`inline-flex h-5 w-7 items-center justify-center rounded border border-slate-300 font-mono ${CELL_CLASSES[s.kind]}`}
            >
              {s.symbol}
            </span>
            {t.instructor.legend[s.kind]}
          </li>
        ))}
      </ul>
    </div>
  );
}
