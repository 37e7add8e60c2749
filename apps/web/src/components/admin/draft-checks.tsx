'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { serverErrorText } from '@/i18n/errors';
import { type RouterOutputs, useTRPC } from '@/trpc/react';
import { ProblemList } from './content-panel';

type Jobs = RouterOutputs['admin']['content']['jobs'];
type Job = NonNullable<Jobs['validate'] | Jobs['impact']>;

/**
 * Validate and Preview the impact of a course's draft: each starts a background job on the
 * server (services/admin-checks.ts); this polls its progress and shows its results.
 */
export function DraftChecks({ course, disabled }: { course: string; disabled: boolean }) {
  const { t } = useI18n();
  const a = t.adminConsole;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<string | null>(null);
  const jobs = useQuery({
    ...trpc.admin.content.jobs.queryOptions({ course }),
    refetchInterval: (q) =>
      q.state.data?.validate?.state === 'running' || q.state.data?.impact?.state === 'running'
        ? 1000
        : false,
  });
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.admin.content.jobs.queryKey({ course }) });
  const onError = (e: unknown) => setMessage(serverErrorText(e, t));
  const validate = useMutation(
    trpc.admin.content.validate.mutationOptions({ onSuccess: refresh, onError }),
  );
  const impact = useMutation(
    trpc.admin.content.impact.mutationOptions({ onSuccess: refresh, onError }),
  );
  const v = jobs.data?.validate ?? null;
  const i = jobs.data?.impact ?? null;
  return (
    <section
      aria-labelledby="draft-checks"
      className="space-y-3 rounded border border-slate-200 p-3"
    >
      <h2 id="draft-checks" className="sr-only">
        {a.validate}
      </h2>
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          className="btn-ghost"
          disabled={disabled || v?.state === 'running'}
          onClick={() => validate.mutate({ course, quick: false })}
        >
          {a.validate}
        </button>
        <button
          type="button"
          className="btn-ghost"
          disabled={disabled || v?.state === 'running'}
          onClick={() => validate.mutate({ course, quick: true })}
        >
          {a.validateQuick}
        </button>
        <button
          type="button"
          className="btn-ghost"
          disabled={disabled || i?.state === 'running'}
          onClick={() => impact.mutate({ course })}
        >
          {a.impact}
        </button>
      </div>
      {message && (
        <p role="alert" className="text-sm text-red-700">
          {message}
        </p>
      )}
      {v && <ValidateView job={v} />}
      {i && <ImpactView job={i} />}
    </section>
  );
}

function Progress({ job, label }: { job: Job; label: string }) {
  return (
    <div className="space-y-1 text-sm">
      <progress
        className="w-full"
        max={Math.max(job.total, 1)}
        value={job.done}
        aria-label={label}
      />
      <p>
        {label} {job.label && <span className="font-mono text-xs text-slate-500">{job.label}</span>}
      </p>
    </div>
  );
}

function JobNotes({ job }: { job: Job }) {
  const { t } = useI18n();
  const a = t.adminConsole;
  return (
    <>
      {job.state === 'failed' && (
        <p role="alert" className="text-sm text-red-700">
          {format(a.jobFailed, { error: job.error ?? '' })}
        </p>
      )}
      {job.stale && <p className="text-sm text-amber-700">{a.jobStale}</p>}
    </>
  );
}

function ValidateView({ job }: { job: NonNullable<Jobs['validate']> }) {
  const { t } = useI18n();
  const a = t.adminConsole;
  const r = job.result;
  return (
    <div data-testid="validate-job" data-state={job.state} data-ok={r ? String(r.ok) : undefined}>
      {job.state === 'running' && (
        <Progress job={job} label={format(a.validating, { done: job.done, total: job.total })} />
      )}
      <JobNotes job={job} />
      {r && (
        <div className="space-y-2">
          <p role="status" className={`text-sm ${r.ok ? 'text-green-800' : 'text-red-700'}`}>
            {r.ok ? a.validateOk : format(a.validateFailed, { n: r.errors.length })}
          </p>
          {r.errors.length > 0 && <ProblemList problems={r.errors} />}
          {r.items.length > 0 && (
            <table className="w-full text-left text-xs">
              <thead className="border-b border-slate-200 text-slate-500">
                <tr>
                  <th className="py-1">{a.task}</th>
                  <th>{a.item}</th>
                  <th>{a.outcome}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {r.items.map((item) => (
                  <tr
                    key={`${item.kind}:${item.id}`}
                    className={`border-b border-slate-100 ${item.ok ? '' : 'bg-red-50'}`}
                  >
                    <td className="py-1 font-mono">{item.taskId ?? ''}</td>
                    <td className="font-mono">
                      {item.kind}{' '}
                      {item.kind === 'example' || item.kind === 'solution' ? item.id : ''}
                    </td>
                    <td>{item.outcome}</td>
                    <td className="whitespace-pre-wrap">{item.message ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </div>
  );
}

function ImpactView({ job }: { job: NonNullable<Jobs['impact']> }) {
  const { t } = useI18n();
  const a = t.adminConsole;
  const r = job.result;
  return (
    <div data-testid="impact-job" data-state={job.state} className="space-y-2">
      {job.state === 'running' && (
        <Progress job={job} label={format(a.impactRunning, { done: job.done, total: job.total })} />
      )}
      <JobNotes job={job} />
      {r &&
        (r.changedTasks.length === 0 ? (
          <p role="status" className="text-sm">
            {a.impactNone}
          </p>
        ) : (
          <>
            <p role="status" className="text-sm">
              {format(a.impactSummary, {
                tasks: r.changedTasks.length,
                students: r.totals.students,
                down: r.totals.solvedToFailing,
                up: r.totals.failingToSolved,
              })}
            </p>
            <ul className="space-y-2 text-sm">
              {r.tasks.map((task) => (
                <li key={task.taskId} data-task-impact={task.taskId}>
                  <p className="font-mono text-xs">{task.taskId}</p>
                  <FlipList label={a.solvedToFailing} flips={task.solvedToFailing} tone="down" />
                  <FlipList label={a.failingToSolved} flips={task.failingToSolved} tone="up" />
                  <p className="text-xs text-slate-500">
                    {format(a.unchangedVerdicts, { n: task.unchanged })}
                    {task.errors.length > 0 &&
                      ` · ${format(a.regradeErrors, { n: task.errors.length })}: ${task.errors
                        .map((e) => `${e.email} (${e.message})`)
                        .join('; ')}`}
                  </p>
                </li>
              ))}
            </ul>
          </>
        ))}
    </div>
  );
}

function FlipList({
  label,
  flips,
  tone,
}: {
  label: string;
  flips: Array<{ userId: string; name: string; email: string }>;
  tone: 'down' | 'up';
}) {
  if (flips.length === 0) return null;
  return (
    <p data-flip={tone} className={tone === 'down' ? 'text-red-700' : 'text-green-800'}>
      {label} ({flips.length}): {flips.map((f) => `${f.name} <${f.email}>`).join(', ')}
    </p>
  );
}
