'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { serverErrorText } from '@/i18n/errors';
import { type RouterOutputs, useTRPC } from '@/trpc/react';

type EnrolReport = RouterOutputs['admin']['cohorts']['enrol'];

/** Cohorts: create, attach a course, instructors, enrolment by e-mails or CSV with its report. */
export function CohortsPanel() {
  const { t } = useI18n();
  const a = t.adminConsole;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [course, setCourse] = useState('');
  const list = useQuery(trpc.admin.cohorts.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.cohorts.pathKey() });
  const onError = (e: unknown) => setError(serverErrorText(e, t));
  const create = useMutation(
    trpc.admin.cohorts.create.mutationOptions({
      onSuccess: (c) => {
        setSlug('');
        setName('');
        setSelected(c.id);
        setError(null);
        refresh();
      },
      onError,
    }),
  );
  const setCohortCourse = useMutation(
    trpc.admin.cohorts.setCourse.mutationOptions({ onSuccess: refresh, onError }),
  );
  const courses = list.data?.courses ?? [];
  return (
    <div className="space-y-6">
      {error && (
        <p role="alert" className="rounded border border-red-200 bg-red-50 p-3 text-sm">
          {error}
        </p>
      )}
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ slug, name, courseSlug: course || null });
        }}
      >
        <label className="flex flex-col text-sm">
          {a.cohortSlug}
          <input
            required
            value={slug}
            onChange={(e) => setSlug(e.target.value)}
            className="mt-1 rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="flex flex-col text-sm">
          {a.cohortName}
          <input
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            className="mt-1 rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="flex flex-col text-sm">
          {a.course}
          <select
            value={course}
            onChange={(e) => setCourse(e.target.value)}
            className="mt-1 rounded border border-slate-300 px-2 py-1"
          >
            <option value="">{a.noCourse}</option>
            {courses.map((c) => (
              <option key={c.slug} value={c.slug}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn-primary" disabled={create.isPending}>
          {a.create}
        </button>
      </form>
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-slate-500">
          <tr>
            <th className="py-2">{a.cohortName}</th>
            <th>{a.course}</th>
            <th>{a.students}</th>
            <th>{a.instructors}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.data?.cohorts.map((c) => (
            <tr key={c.id} className="border-b border-slate-100">
              <td className="py-2">
                {c.name} <span className="text-slate-400">({c.slug})</span>
              </td>
              <td>
                <select
                  aria-label={`${a.course}: ${c.name}`}
                  value={c.course?.slug ?? ''}
                  onChange={(e) =>
                    setCohortCourse.mutate({ cohortId: c.id, courseSlug: e.target.value || null })
                  }
                  className="rounded border border-slate-300 px-1"
                >
                  <option value="">{a.noCourse}</option>
                  {courses.map((x) => (
                    <option key={x.slug} value={x.slug}>
                      {x.title}
                    </option>
                  ))}
                </select>
              </td>
              <td>{c.students}</td>
              <td>{c.instructors}</td>
              <td>
                <button type="button" className="btn-ghost" onClick={() => setSelected(c.id)}>
                  {a.open}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected && <CohortDetail cohortId={selected} onChanged={refresh} />}
    </div>
  );
}

function CohortDetail(props: { cohortId: string; onChanged: () => void }) {
  const { t } = useI18n();
  const a = t.adminConsole;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const detail = useQuery(trpc.admin.cohorts.get.queryOptions({ cohortId: props.cohortId }));
  const [email, setEmail] = useState('');
  const [text, setText] = useState('');
  const [csv, setCsv] = useState<{ name: string; text: string } | null>(null);
  const [report, setReport] = useState<EnrolReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const changed = () => {
    setError(null);
    props.onChanged();
    return queryClient.invalidateQueries({
      queryKey: trpc.admin.cohorts.get.queryKey({ cohortId: props.cohortId }),
    });
  };
  const onError = (e: unknown) => setError(serverErrorText(e, t));
  const addInstructor = useMutation(
    trpc.admin.cohorts.addInstructor.mutationOptions({
      onSuccess: () => {
        setEmail('');
        return changed();
      },
      onError,
    }),
  );
  const remove = useMutation(
    trpc.admin.cohorts.removeMember.mutationOptions({ onSuccess: changed, onError }),
  );
  const enrol = useMutation(
    trpc.admin.cohorts.enrol.mutationOptions({
      onSuccess: (r) => {
        setReport(r);
        return changed();
      },
      onError,
    }),
  );
  if (!detail.data) return null;
  const { cohort, members } = detail.data;
  return (
    <section aria-labelledby="cohort-detail" className="card space-y-4 p-5">
      <h2 id="cohort-detail" className="text-xl font-semibold">
        {cohort.name} <span className="text-slate-400">({cohort.slug})</span>
      </h2>
      {error && (
        <p role="alert" className="rounded border border-red-200 bg-red-50 p-3 text-sm">
          {error}
        </p>
      )}
      <ul className="text-sm">
        {members.map((m) => (
          <li key={m.userId} className="flex items-center gap-3 py-1">
            <span className="w-28 text-slate-500">
              {m.role === 'instructor' ? a.instructors : a.students}
            </span>
            <span>{m.email}</span>
            <button
              type="button"
              className="btn-ghost"
              onClick={() => remove.mutate({ cohortId: cohort.id, userId: m.userId })}
            >
              {a.remove}
            </button>
          </li>
        ))}
      </ul>
      <form
        className="flex items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          addInstructor.mutate({ cohortId: cohort.id, email });
        }}
      >
        <label className="flex flex-col text-sm">
          {a.addInstructor}
          <input
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            className="mt-1 w-72 rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <button type="submit" className="btn-ghost">
          {a.add}
        </button>
      </form>
      <form
        className="space-y-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (csv) enrol.mutate({ cohortId: cohort.id, text: csv.text, format: 'csv' });
          else enrol.mutate({ cohortId: cohort.id, text, format: 'lines' });
        }}
      >
        <h3 className="font-semibold">{a.enrolTitle}</h3>
        <p className="text-sm text-slate-600">{a.enrolHelp}</p>
        <textarea
          aria-label={a.enrolTitle}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={5}
          className="w-full rounded border border-slate-300 p-2 font-mono text-sm"
        />
        <label className="block text-sm">
          {a.uploadCsv}{' '}
          <input
            type="file"
            accept=".csv,text/csv,text/plain"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              setCsv(file ? { name: file.name, text: await file.text() } : null);
            }}
          />
        </label>
        <button type="submit" className="btn-primary" disabled={enrol.isPending}>
          {a.enrol}
        </button>
      </form>
      {report && <EnrolReportView report={report} />}
    </section>
  );
}

function EnrolReportView({ report }: { report: EnrolReport }) {
  const { t } = useI18n();
  const a = t.adminConsole;
  return (
    <div role="status" className="space-y-2 text-sm">
      <p>{format(a.enrolled, { n: report.enrolled.length })}</p>
      {report.invited.length > 0 && (
        <>
          <p>{format(a.invited, { n: report.invited.length })}</p>
          <ul className="list-disc pl-6">
            {report.invited.map((i) => (
              <li key={i.email} className="break-all">
                {i.email}: {typeof window === 'undefined' ? '' : window.location.origin}
                {i.path}
              </li>
            ))}
          </ul>
        </>
      )}
      <p>{format(a.rejected, { n: report.rejected.length })}</p>
      <ul className="list-disc pl-6">
        {report.rejected.map((r) => (
          <li key={`${r.line}-${r.text}`}>
            {format(a.line, { n: r.line })}: <code>{r.text}</code> — {a.reasons[r.reason]}
          </li>
        ))}
      </ul>
    </div>
  );
}
