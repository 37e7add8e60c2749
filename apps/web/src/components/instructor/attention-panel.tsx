'use client';
import type { AttemptStatus } from '@lms/db/types';
import { verdictText } from '@lms/ui';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useI18n } from '@/i18n/client';
import { format, plural } from '@/i18n/config';
import { serverErrorText } from '@/i18n/errors';
import type { AttentionSettings } from '@/server/services/dashboard-types';
import { useTRPC } from '@/trpc/react';
import { CodeBlock, QueryStatus, Time, useDateText } from './common';

const card = 'card space-y-3 p-4';

/**
 * "Needs attention": students stuck on a task, inactive students, growing groups of wrong
 * answers; the thresholds (N, M, D, K) in a small form under it.
 */
export function AttentionPanel(props: { cohort: string }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const ids = useId();
  const dateText = useDateText();
  const query = useQuery(trpc.cohort.attention.queryOptions({ cohort: props.cohort }));
  const base = `/instructor/${encodeURIComponent(props.cohort)}`;
  const data = query.data;
  return (
    <section aria-labelledby={`${ids}-title`} className={card} data-testid="attention">
      <h2 id={`${ids}-title`} className="text-lg font-semibold">
        {t.instructor.attentionTitle}
      </h2>
      <QueryStatus isLoading={query.isLoading} error={query.error} />
      {data && (
        <>
          <h3 className="text-sm font-semibold text-slate-800">{t.instructor.struggling}</h3>
          {data.struggling.length === 0 ? (
            <p className="text-sm text-slate-600">{t.instructor.nobody}</p>
          ) : (
            <ul className="space-y-1 text-sm">
              {data.struggling.map((s) => (
                <li key={`${s.studentId}-${s.taskId}`}>
                  <Link
                    className="font-medium text-brand-700 hover:underline"
                    href={`${base}/students/${encodeURIComponent(s.studentId)}?task=${encodeURIComponent(s.taskId)}`}
                  >
                    {s.name}
                  </Link>{' '}
                  <span className="text-slate-600">
                    {format(t.instructor.strugglingItem, {
                      task: s.taskTitle,
                      n: s.failed,
                      date: dateText(s.lastAt),
                    })}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <h3 className="text-sm font-semibold text-slate-800">{t.instructor.inactive}</h3>
          {data.inactive.length === 0 ? (
            <p className="text-sm text-slate-600">{t.instructor.nobody}</p>
          ) : (
            <ul className="max-h-48 space-y-1 overflow-y-auto text-sm">
              {data.inactive.map((s) => (
                <li key={s.studentId}>
                  <Link
                    className="font-medium text-brand-700 hover:underline"
                    href={`${base}/students/${encodeURIComponent(s.studentId)}`}
                  >
                    {s.name}
                  </Link>{' '}
                  <span className="text-slate-600">
                    {format(t.instructor.lastActivity, { date: dateText(s.lastActivityAt) })}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <h3 className="text-sm font-semibold text-slate-800">{t.instructor.growingGroups}</h3>
          {data.growingGroups.length === 0 ? (
            <p className="text-sm text-slate-600">{t.instructor.nobody}</p>
          ) : (
            <ul className="space-y-1 text-sm">
              {data.growingGroups.map((g) => (
                <li key={`${g.taskId}-${g.failKey}`}>
                  <Link
                    className="font-medium text-brand-700 hover:underline"
                    href={`${base}/tasks/${encodeURIComponent(g.taskId)}#group-${g.failKey}`}
                  >
                    {format(t.instructor.growingItem, { task: g.taskTitle, n: g.newStudents })}
                  </Link>
                  <span className="block truncate text-xs text-slate-600" title={g.message}>
                    {g.message}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <ThresholdsForm cohort={props.cohort} settings={data.settings} />
        </>
      )}
    </section>
  );
}

function ThresholdsForm(props: { cohort: string; settings: AttentionSettings }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(props.settings);
  const [saved, setSaved] = useState(false);
  useEffect(() => setValues(props.settings), [props.settings]);
  const save = useMutation(
    trpc.cohort.setAttention.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        await queryClient.invalidateQueries(trpc.cohort.attention.pathFilter());
      },
    }),
  );
  const fields: Array<{ key: keyof AttentionSettings; label: string; max: number }> = [
    { key: 'failedAttempts', label: t.instructor.failedAttempts, max: 100 },
    { key: 'withinMinutes', label: t.instructor.withinMinutes, max: 7 * 24 * 60 },
    { key: 'inactiveDays', label: t.instructor.inactiveDaysSetting, max: 365 },
    { key: 'groupGrowth', label: t.instructor.groupGrowth, max: 1000 },
  ];
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    save.mutate({ cohort: props.cohort, ...values });
  };
  return (
    <details className="rounded-md border border-slate-200">
      <summary className="cursor-pointer px-3 py-2 text-sm font-medium">
        {t.instructor.thresholds}
      </summary>
      <form onSubmit={onSubmit} className="space-y-2 border-t border-slate-200 p-3">
        {fields.map((f) => (
          <label key={f.key} className="flex items-center justify-between gap-2 text-sm">
            {f.label}
            <input
              type="number"
              required
              min={1}
              max={f.max}
              step={1}
              className="w-24 rounded-md border border-slate-300 px-2 py-1"
              value={Number.isFinite(values[f.key]) ? values[f.key] : ''}
              onChange={(e) => {
                setSaved(false);
                setValues((v) => ({ ...v, [f.key]: e.target.valueAsNumber }));
              }}
            />
          </label>
        ))}
        <div className="flex items-center gap-3">
          <button type="submit" className="btn-primary" disabled={save.isPending}>
            {t.instructor.saveThresholds}
          </button>
          <span role="status" className="text-sm text-slate-600">
            {saved ? t.admin.saved : ''}
          </span>
        </div>
        {save.error && (
          <p role="alert" className="text-sm text-red-800">
            {serverErrorText(save.error, t)}
          </p>
        )}
      </form>
    </details>
  );
}

/** Programs whose quick check (Pyodide) and final check (CPython) gave different verdicts. */
export function DisagreementsPanel(props: { cohort: string }) {
  const { t, locale } = useI18n();
  const trpc = useTRPC();
  const ids = useId();
  const query = useQuery(trpc.cohort.disagreements.queryOptions({ cohort: props.cohort }));
  const data = query.data;
  const status = (s: AttemptStatus) => verdictText(s, t.ui);
  return (
    <section aria-labelledby={`${ids}-title`} className={card} data-testid="disagreements">
      <h2 id={`${ids}-title`} className="text-lg font-semibold">
        {t.instructor.disagreeTitle}
      </h2>
      <p className="text-xs text-slate-600">{t.instructor.disagreeHelp}</p>
      <QueryStatus isLoading={query.isLoading} error={query.error} />
      {data &&
        (data.tasks.length === 0 ? (
          <p className="text-sm text-slate-600">{t.instructor.disagreeNone}</p>
        ) : (
          <>
            <ul className="space-y-1 text-sm">
              {data.tasks.map((task) => (
                <li key={task.taskId}>
                  <Link
                    className="text-brand-700 hover:underline"
                    href={`/instructor/${encodeURIComponent(props.cohort)}/tasks/${encodeURIComponent(task.taskId)}`}
                  >
                    {task.taskTitle}
                  </Link>
                  : {task.programs} {plural(locale, task.programs, t.instructor.programs)}
                </li>
              ))}
            </ul>
            <ul className="max-h-96 space-y-2 overflow-y-auto">
              {data.programs.map((p) => (
                <li key={`${p.quick.attemptId}-${p.final.attemptId}`}>
                  <details className="rounded-md border border-slate-200">
                    <summary className="cursor-pointer px-3 py-2 text-sm">
                      {p.studentName} — {p.taskTitle}
                      <span className="block text-xs text-slate-600">
                        {format(t.instructor.quickRun, { status: status(p.quick.status) })} ·{' '}
                        {format(t.instructor.finalRun, { status: status(p.final.status) })} ·{' '}
                        <Time date={p.final.at} />
                      </span>
                    </summary>
                    <div className="space-y-2 border-t border-slate-200 p-3">
                      {p.tests.length > 0 && (
                        <ul className="text-xs text-slate-700">
                          {p.tests.map((test) => (
                            <li key={test.name}>
                              <span className="font-mono">{test.name}</span>:{' '}
                              {format(t.instructor.quickRun, { status: test.quick })} ·{' '}
                              {format(t.instructor.finalRun, { status: test.final })}
                            </li>
                          ))}
                        </ul>
                      )}
                      <CodeBlock code={p.code} />
                    </div>
                  </details>
                </li>
              ))}
            </ul>
          </>
        ))}
    </section>
  );
}
