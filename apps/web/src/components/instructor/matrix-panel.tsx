'use client';
import { useRouter } from 'next/navigation';
import { useId, useMemo, useState } from 'react';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import type { Overview } from '@/server/services/dashboard-types';
import {
  CELL_KINDS,
  CellIndex,
  type CellKind,
  DEFAULT_SORT,
  type GridTarget,
  type MatrixFilter,
  type MatrixSort,
  NO_FILTER,
  type SortKey,
  shownStudents,
  shownTasks,
} from './matrix-model';
import { MatrixLegend, ProgressMatrix } from './progress-matrix';

/** The cohort's progress matrix with its filters, sort and legend. */
export function MatrixPanel(props: { overview: Overview; cohort: string }) {
  const { t, locale } = useI18n();
  const router = useRouter();
  const ids = useId();
  const { overview } = props;
  const [filter, setFilter] = useState<MatrixFilter>(NO_FILTER);
  const [sort, setSort] = useState<MatrixSort>(DEFAULT_SORT);

  const cells = useMemo(
    () => new CellIndex(overview.cells, overview.tasks.length),
    [overview.cells, overview.tasks.length],
  );
  const tasks = useMemo(() => shownTasks(overview, filter), [overview, filter]);
  const collator = useMemo(() => new Intl.Collator(locale, { sensitivity: 'base' }), [locale]);
  const students = useMemo(
    () => shownStudents(overview, cells, tasks, filter, sort, new Date(), collator),
    [overview, cells, tasks, filter, sort, collator],
  );

  const base = `/instructor/${encodeURIComponent(props.cohort)}`;
  const onOpen = (target: GridTarget) => {
    if (target.kind === 'task') {
      router.push(`${base}/tasks/${encodeURIComponent(overview.tasks[target.task]!.id)}`);
      return;
    }
    const student = overview.students[target.student]!;
    const task =
      target.task === null ? '' : `?task=${encodeURIComponent(overview.tasks[target.task]!.id)}`;
    router.push(`${base}/students/${encodeURIComponent(student.id)}${task}`);
  };

  const set = (patch: Partial<MatrixFilter>) => setFilter((f) => ({ ...f, ...patch }));
  const field = 'flex flex-col gap-1 text-xs font-medium text-slate-700';
  const input =
    'rounded-md border border-slate-300 bg-white px-2 py-1 text-sm font-normal text-slate-900';

  return (
    <section aria-labelledby={`${ids}-title`} className="space-y-3">
      <h2 id={`${ids}-title`} className="text-xl font-semibold">
        {t.instructor.matrixTitle}
      </h2>
      <fieldset className="flex flex-wrap items-end gap-3">
        <legend className="sr-only">{t.instructor.filters}</legend>
        <label className={field}>
          {t.instructor.search}
          <input
            type="search"
            className={input}
            value={filter.search}
            onChange={(e) => set({ search: e.target.value })}
          />
        </label>
        <label className={field}>
          {t.instructor.chapter}
          <select
            className={input}
            value={filter.chapter ?? ''}
            onChange={(e) =>
              set({ chapter: e.target.value === '' ? null : Number(e.target.value) })
            }
          >
            <option value="">{t.instructor.allChapters}</option>
            {overview.chapters.map((c, i) => (
              <option key={c.id} value={i}>
                {i + 1}. {c.title}
              </option>
            ))}
          </select>
        </label>
        <label className={field}>
          {t.instructor.status}
          <select
            className={input}
            value={filter.status ?? ''}
            onChange={(e) =>
              set({ status: e.target.value === '' ? null : (e.target.value as CellKind) })
            }
          >
            <option value="">{t.instructor.anyStatus}</option>
            {CELL_KINDS.map((k) => (
              <option key={k} value={k}>
                {t.instructor.legend[k]}
              </option>
            ))}
          </select>
        </label>
        <label className={field}>
          {t.instructor.inactiveDays}
          <input
            type="number"
            min={0}
            max={3650}
            className={`${input} w-24`}
            value={filter.inactiveDays ?? ''}
            onChange={(e) => {
              const n = e.target.valueAsNumber;
              set({ inactiveDays: Number.isFinite(n) && n >= 0 ? Math.floor(n) : null });
            }}
          />
        </label>
        <label className={field}>
          {t.instructor.sort}
          <select
            className={input}
            value={sort.key}
            onChange={(e) => setSort((s) => ({ ...s, key: e.target.value as SortKey }))}
          >
            <option value="name">{t.instructor.sortName}</option>
            <option value="lastActivity">{t.instructor.sortActivity}</option>
            <option value="solved">{t.instructor.sortSolved}</option>
          </select>
        </label>
        <label className="flex items-center gap-2 pb-1 text-xs font-medium text-slate-700">
          <input
            type="checkbox"
            checked={sort.descending}
            onChange={(e) => setSort((s) => ({ ...s, descending: e.target.checked }))}
          />
          {t.instructor.descending}
        </label>
        <button
          type="button"
          className="btn-ghost text-sm"
          onClick={() => {
            setFilter(NO_FILTER);
            setSort(DEFAULT_SORT);
          }}
        >
          {t.instructor.resetFilters}
        </button>
      </fieldset>
      <p className="text-sm text-slate-600" aria-live="polite" data-testid="matrix-count">
        {format(t.instructor.shown, {
          shown: students.length,
          total: overview.students.length,
          tasks: tasks.length,
        })}
      </p>
      <MatrixLegend />
      <p id="matrix-keys" className="text-xs text-slate-500">
        {t.instructor.matrixKeys}
      </p>
      {overview.tasks.length === 0 ? (
        <p className="text-slate-600">{t.instructor.noTasks}</p>
      ) : students.length === 0 ? (
        <p className="text-slate-600">{t.instructor.noMatch}</p>
      ) : (
        <ProgressMatrix
          overview={overview}
          cells={cells}
          students={students}
          tasks={tasks}
          onOpen={onOpen}
        />
      )}
    </section>
  );
}
