'use client';
import type { AttemptStatus } from '@lms/db/types';
import { verdictText } from '@lms/ui';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { serverErrorText } from '@/i18n/errors';
import type { FailureGroup, TaskStats } from '@/server/services/dashboard-types';
import { useTRPC } from '@/trpc/react';
import { CodeBlock, CohortBreadcrumbs, QueryStatus, Time } from './common';
import { UpdatedAt, useCohortPulse } from './live';

/** One task of the cohort: its statistics and its wrong answers grouped; live like the overview. */
export function TaskDashboard(props: { cohort: string; taskId: string }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const { live } = useCohortPulse(props.cohort);
  const input = { cohort: props.cohort, taskId: props.taskId };
  const stats = useQuery(trpc.cohort.task.queryOptions(input));
  const groups = useQuery(trpc.cohort.groups.queryOptions(input));
  const base = `/instructor/${encodeURIComponent(props.cohort)}`;
  return (
    <div className="mx-auto max-w-6xl space-y-8 px-4 py-8">
      <div>
        <CohortBreadcrumbs base={base} cohortName={stats.data?.cohort.name ?? props.cohort} />
        <h1 className="mt-1 text-3xl font-bold tracking-tight">
          {stats.data?.task.title ?? props.taskId}
        </h1>
        {stats.data && <p className="text-slate-600">{stats.data.task.chapterTitle}</p>}
        <UpdatedAt at={Math.max(stats.dataUpdatedAt, groups.dataUpdatedAt)} live={live} />
      </div>
      <QueryStatus isLoading={stats.isLoading} error={stats.error} />
      {stats.data && <StatsView stats={stats.data} />}
      <section aria-labelledby="groups-title" className="space-y-4">
        <h2 id="groups-title" className="text-xl font-semibold">
          {t.instructor.groupsTitle}
        </h2>
        <QueryStatus isLoading={groups.isLoading} error={groups.error} />
        {groups.data &&
          (groups.data.groups.length === 0 ? (
            <p className="text-slate-600">{t.instructor.groupsNone}</p>
          ) : (
            <>
              <p className="text-sm text-slate-600">
                {format(t.instructor.groupsSummary, { n: groups.data.failedAttempts })}
              </p>
              <ol className="space-y-4">
                {groups.data.groups.map((g, i) => (
                  <GroupCard key={g.failKey} group={g} number={i + 1} {...input} />
                ))}
              </ol>
            </>
          ))}
      </section>
    </div>
  );
}

function StatsView(props: { stats: TaskStats }) {
  const { t } = useI18n();
  const s = props.stats;
  const i = t.instructor;
  const facts: Array<[string, string | number]> = [
    [
      i.solveRate,
      format(i.solveRateValue, {
        solved: s.solved,
        students: s.students,
        percent: Math.round(s.solveRate * 100),
      }),
    ],
    [i.attempted, s.attempted],
    [i.medianAttempts, s.medianAttemptsToSolve ?? '—'],
    [
      i.medianMinutes,
      s.medianMinutesToSolve === null
        ? '—'
        : format(i.minutes, { n: Math.round(s.medianMinutesToSolve) }),
    ],
    [i.hintsOpened, s.hintsOpened],
    [i.answersRevealed, s.answersRevealed],
    [i.assisted, s.assisted],
  ];
  const maxFailing = Math.max(1, ...s.tests.map((x) => x.failingStudents));
  return (
    <section aria-labelledby="stats-title" className="card space-y-4 p-5" data-testid="task-stats">
      <h2 id="stats-title" className="text-xl font-semibold">
        {i.taskStats}
      </h2>
      <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-2 lg:grid-cols-4">
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt className="text-xs text-slate-600">{label}</dt>
            <dd className="text-lg font-semibold">{value}</dd>
          </div>
        ))}
      </dl>
      <h3 className="text-sm font-semibold">{i.perTest}</h3>
      {s.tests.length === 0 ? (
        <p className="text-sm text-slate-600">{i.noTestData}</p>
      ) : (
        <ul className="space-y-1">
          {s.tests.map((test) => (
            <li
              key={test.name}
              className="grid grid-cols-[minmax(0,16rem)_1fr_3rem] items-center gap-2 text-sm"
            >
              <span className="truncate font-mono text-xs" title={test.name}>
                {test.name}
                {test.hidden && <span className="ml-1 text-slate-500">({i.hiddenTest})</span>}
              </span>
              <span aria-hidden="true" className="h-3 rounded bg-slate-100">
                <span
                  className="block h-3 rounded bg-red-400"
                  style={{ width: `${(test.failingStudents / maxFailing) * 100}%` }}
                />
              </span>
              <span className="text-right tabular-nums">{test.failingStudents}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function GroupCard(props: { cohort: string; taskId: string; group: FailureGroup; number: number }) {
  const { t } = useI18n();
  const g = props.group;
  const i = t.instructor;
  const status = verdictText(g.status as AttemptStatus, t.ui);
  return (
    <li
      id={`group-${g.failKey}`}
      className="card space-y-3 p-5"
      data-testid="failure-group"
      data-students={g.students}
      data-attempts={g.attempts}
    >
      <h3 className="text-lg font-semibold">
        {format(i.groupHeading, { n: props.number, status })}
      </h3>
      <p className="text-sm text-slate-700">
        {format(i.groupCounts, { students: g.students, attempts: g.attempts })}
        {g.newStudentsLastHour > 0 && (
          <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900">
            {format(i.groupNew, { n: g.newStudentsLastHour })}
          </span>
        )}
      </p>
      {g.message && (
        <p
          className="rounded-md border border-red-200 bg-red-50 p-2 font-mono text-xs whitespace-pre-wrap text-red-900"
          data-testid="group-message"
        >
          {g.message}
        </p>
      )}
      {g.failingTests.length > 0 && (
        <p className="text-sm">
          <span className="font-medium">{i.failingTests}:</span>{' '}
          <span className="font-mono text-xs">{g.failingTests.join(', ')}</span>
        </p>
      )}
      <div className="space-y-1">
        <p className="text-xs text-slate-600">
          {format(i.representative, { name: g.representative.studentName })} ·{' '}
          <Time date={g.representative.createdAt} />
        </p>
        <CodeBlock code={g.representative.code} />
      </div>
      {g.shapes.length > 1 && (
        <details className="rounded-md border border-slate-200">
          <summary className="cursor-pointer px-3 py-2 text-sm font-medium">
            {format(i.shapes, { n: g.shapes.length })}
          </summary>
          <ol className="space-y-3 border-t border-slate-200 p-3">
            {g.shapes.map((shape, k) => (
              <li key={shape.shapeHash} className="space-y-1">
                <p className="text-sm">
                  {format(i.shape, {
                    n: k + 1,
                    students: shape.students,
                    attempts: shape.attempts,
                  })}
                </p>
                <CodeBlock code={shape.representative.code} />
              </li>
            ))}
          </ol>
        </details>
      )}
      <GroupAttempts cohort={props.cohort} taskId={props.taskId} failKey={g.failKey} />
      <NoteEditor cohort={props.cohort} taskId={props.taskId} group={g} />
    </li>
  );
}

/** Every attempt of a group, loaded when opened. */
function GroupAttempts(props: { cohort: string; taskId: string; failKey: string }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const query = useQuery({
    ...trpc.cohort.groupAttempts.queryOptions(props),
    enabled: open,
  });
  const base = `/instructor/${encodeURIComponent(props.cohort)}/students`;
  return (
    <details
      className="rounded-md border border-slate-200"
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary className="cursor-pointer px-3 py-2 text-sm font-medium">
        {t.instructor.showAttempts}
        {query.data && <span className="ml-1 text-slate-600">({query.data.length})</span>}
      </summary>
      <div className="space-y-3 border-t border-slate-200 p-3">
        <QueryStatus isLoading={query.isLoading} error={query.error} />
        {query.data && (
          <ol className="space-y-3" data-testid="group-attempts">
            {query.data.map((a) => (
              <li key={a.attemptId} className="space-y-1">
                <p className="text-sm">
                  <Link
                    className="font-medium text-brand-700 hover:underline"
                    href={`${base}/${encodeURIComponent(a.studentId)}?task=${encodeURIComponent(props.taskId)}`}
                  >
                    {a.studentName}
                  </Link>{' '}
                  <span className="text-slate-600">
                    <Time date={a.createdAt} />
                    {a.testsTotal !== null &&
                      ` · ${format(t.ui.attemptTests, { passed: a.testsPassed ?? 0, total: a.testsTotal })}`}
                  </span>
                </p>
                <CodeBlock code={a.code} />
              </li>
            ))}
          </ol>
        )}
      </div>
    </details>
  );
}

/** The group's note: what students whose latest failed attempt falls here see on the task. */
function NoteEditor(props: { cohort: string; taskId: string; group: FailureGroup }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ids = useId();
  const note = props.group.note;
  const [body, setBody] = useState(note?.body ?? '');
  const [done, setDone] = useState<'saved' | 'removed' | null>(null);
  const [dirty, setDirty] = useState(false);
  // a note saved elsewhere (another instructor, the live refresh) replaces an untouched text
  useEffect(() => {
    if (!dirty) setBody(note?.body ?? '');
  }, [note?.body, dirty]);
  const save = useMutation(
    trpc.cohort.setGroupNote.mutationOptions({
      onSuccess: async (saved) => {
        setDirty(false);
        setDone(saved ? 'saved' : 'removed');
        await queryClient.invalidateQueries(trpc.cohort.groups.pathFilter());
      },
    }),
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    save.mutate({
      cohort: props.cohort,
      taskId: props.taskId,
      failKey: props.group.failKey,
      body: body.trim(),
    });
  };
  return (
    <form
      onSubmit={onSubmit}
      className="space-y-2 rounded-md border border-brand-100 bg-brand-50/40 p-3"
      data-testid="group-note"
    >
      <label htmlFor={`${ids}-note`} className="block text-sm font-semibold">
        {t.instructor.noteTitle}
      </label>
      <p id={`${ids}-help`} className="text-xs text-slate-600">
        {t.instructor.noteHelp}
      </p>
      {note && (
        <blockquote
          className="rounded border-l-4 border-brand-400 bg-white p-2 text-sm whitespace-pre-wrap"
          data-testid="saved-note"
        >
          {note.body}
          <footer className="mt-1 text-xs text-slate-500">
            {note.authorName ?? ''} <Time date={note.updatedAt} />
          </footer>
        </blockquote>
      )}
      <textarea
        id={`${ids}-note`}
        aria-describedby={`${ids}-help`}
        rows={3}
        maxLength={4000}
        className="input"
        value={body}
        onChange={(e) => {
          setDirty(true);
          setDone(null);
          setBody(e.target.value);
        }}
      />
      <div className="flex items-center gap-3">
        <button type="submit" className="btn-primary" disabled={save.isPending}>
          {t.instructor.noteSave}
        </button>
        <span role="status" className="text-sm text-slate-600">
          {done === 'saved'
            ? t.instructor.noteSaved
            : done === 'removed'
              ? t.instructor.noteRemoved
              : ''}
        </span>
      </div>
      {save.error && (
        <p role="alert" className="text-sm text-red-800">
          {serverErrorText(save.error, t)}
        </p>
      )}
    </form>
  );
}
