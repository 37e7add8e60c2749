'use client';
import { type VerdictResult, VerdictView, verdictText } from '@lms/ui';
import { CodeDiff } from '@lms/ui/CodeDiff';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import type { TimelineAttempt, TimelineEvent } from '@/server/services/dashboard-types';
import { useTRPC } from '@/trpc/react';
import { CodeBlock, CohortBreadcrumbs, QueryStatus, Time } from './common';
import { UpdatedAt, useCohortPulse } from './live';

/**
 * A student's quick checks, final attempts, hints and revealed answers, newest first; each
 * attempt opens to its code, its per-test results and the diff with the attempt before it.
 */
export function StudentTimelineView(props: {
  cohort: string;
  studentId: string;
  taskId: string | null;
}) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const { live } = useCohortPulse(props.cohort);
  const query = useQuery(
    trpc.cohort.student.queryOptions({ cohort: props.cohort, studentId: props.studentId }),
  );
  const data = query.data;
  const base = `/instructor/${encodeURIComponent(props.cohort)}`;
  const self = `${base}/students/${encodeURIComponent(props.studentId)}`;
  const byId = useMemo(() => {
    const map = new Map<string, TimelineAttempt>();
    for (const e of data?.events ?? []) if (e.kind === 'attempt') map.set(e.attemptId, e);
    return map;
  }, [data]);
  const events = (data?.events ?? []).filter((e) => !props.taskId || e.taskId === props.taskId);
  const onlyTitle = props.taskId
    ? (data?.events.find((e) => e.taskId === props.taskId)?.taskTitle ?? props.taskId)
    : null;

  return (
    <div className="mx-auto max-w-5xl space-y-6 px-4 py-8">
      <div>
        <CohortBreadcrumbs base={base} cohortName={data?.cohort.name ?? props.cohort} />
        <h1 className="mt-1 text-3xl font-bold tracking-tight">{data?.student.name ?? ''}</h1>
        {data && <p className="text-slate-600">{data.student.email}</p>}
        <UpdatedAt at={query.dataUpdatedAt} live={live} />
      </div>
      <QueryStatus isLoading={query.isLoading} error={query.error} />
      <section aria-labelledby="timeline-title" className="space-y-3">
        <h2 id="timeline-title" className="text-xl font-semibold">
          {t.instructor.timelineTitle}
        </h2>
        {onlyTitle && (
          <p className="text-sm text-slate-700">
            {format(t.instructor.onlyTask, { task: onlyTitle })}{' '}
            <Link href={self} className="text-brand-700 hover:underline">
              {t.instructor.allTasks}
            </Link>
          </p>
        )}
        {data && events.length === 0 && (
          <p className="text-slate-600">{t.instructor.timelineEmpty}</p>
        )}
        <ol className="space-y-2" data-testid="timeline">
          {events.map((e) => (
            <li key={eventKey(e)}>
              {e.kind === 'attempt' ? (
                <AttemptEvent
                  attempt={e}
                  previous={e.previousAttemptId ? byId.get(e.previousAttemptId) : undefined}
                  taskHref={`${base}/tasks/${encodeURIComponent(e.taskId)}`}
                />
              ) : (
                <p className="rounded-md border border-slate-200 px-3 py-2 text-sm">
                  <span className="font-medium">
                    {e.kind === 'hint' ? t.instructor.eventHint : t.instructor.eventAnswer}
                  </span>{' '}
                  · {e.taskTitle} · <Time date={e.at} />
                </p>
              )}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

function eventKey(e: TimelineEvent): string {
  return e.kind === 'attempt' ? e.attemptId : `${e.kind}-${e.taskId}-${e.at.getTime()}`;
}

function AttemptEvent(props: {
  attempt: TimelineAttempt;
  previous: TimelineAttempt | undefined;
  taskHref: string;
}) {
  const { t } = useI18n();
  const a = props.attempt;
  const passed = a.status === 'passed';
  // hundreds of attempts: the code, results and diff are rendered only when opened
  const [open, setOpen] = useState(false);
  const result: VerdictResult = {
    status: a.status,
    stage: a.stage,
    message: a.message,
    tests: a.results ?? [],
    engine: a.engine,
    pythonVersion: a.pythonVersion,
  };
  return (
    <details
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
      className="rounded-md border border-slate-200"
      data-testid="timeline-attempt"
      data-status={a.status}
      data-stage={a.stage}
    >
      <summary className="cursor-pointer px-3 py-2 text-sm">
        <span className="font-medium">
          {a.stage === 'quick' ? t.task.quickCheck : t.task.finalCheck}
        </span>{' '}
        ·{' '}
        <span className={passed ? 'text-emerald-800' : 'text-red-800'}>
          {passed ? '✓' : '✗'} {verdictText(a.status, t.ui)}
        </span>
        {a.testsTotal !== null &&
          ` · ${format(t.ui.attemptTests, { passed: a.testsPassed ?? 0, total: a.testsTotal })}`}{' '}
        · {a.taskTitle} · <Time date={a.at} />
      </summary>
      {open && (
        <div className="space-y-3 border-t border-slate-200 p-3">
          <p className="text-xs">
            <Link href={props.taskHref} className="text-brand-700 hover:underline">
              {a.taskTitle}
            </Link>
          </p>
          <VerdictView result={result} messages={t.ui} />
          <h3 className="text-sm font-semibold">{t.ui.diffCode}</h3>
          <CodeBlock code={a.code} />
          {props.previous ? (
            <CodeDiff
              before={props.previous.code}
              after={a.code}
              title={t.task.diff}
              messages={t.ui}
            />
          ) : (
            <p className="text-xs text-slate-600">{t.instructor.noPrevious}</p>
          )}
        </div>
      )}
    </details>
  );
}
