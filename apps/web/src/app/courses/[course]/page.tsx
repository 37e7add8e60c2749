import { LessonBlocks } from '@lms/ui';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { requireViewer } from '@/components/auth/require-viewer';
import { isNotFound } from '@/components/errors';
import { ProgressBar } from '@/components/progress-bar';
import { format } from '@/i18n/config';
import { getI18n } from '@/i18n/server';
import { api } from '@/trpc/server';

type Params = { params: Promise<{ course: string }> };

// one server call per request: generateMetadata and the page share it
const load = cache(async (course: string) => {
  try {
    return await (await api()).course.get({ course });
  } catch (e) {
    if (isNotFound(e)) notFound();
    throw e;
  }
});

export async function generateMetadata(props: Params): Promise<Metadata> {
  const { course } = await props.params;
  const data = await load(course).catch(() => null);
  return { title: data?.title ?? course };
}

export default async function CoursePage(props: Params) {
  const { course } = await props.params;
  await requireViewer(`/courses/${course}`);
  const [{ t }, data] = await Promise.all([getI18n(), load(course)]);
  const href = (chapterId: string) => `/courses/${data.slug}/chapters/${chapterId}`;
  const resume = data.continue;
  const started = data.chapters.some((c) => (c.progress?.solved ?? 0) > 0);

  return (
    <div className="mx-auto max-w-4xl px-4 py-10">
      <nav aria-label={t.a11y.breadcrumbs} className="text-sm text-slate-500">
        <Link href="/courses" className="hover:text-slate-800 hover:underline">
          {t.catalog.title}
        </Link>
      </nav>
      <h1 className="mt-2 text-3xl font-bold tracking-tight">{data.title}</h1>
      {data.description.length > 0 && (
        <LessonBlocks blocks={data.description} omitTitle className="mt-4 text-slate-700" />
      )}

      {resume && (
        <div className="card mt-8 flex flex-wrap items-center gap-4 border-brand-100 bg-brand-50 p-5">
          <p className="mr-auto text-sm text-slate-700">
            {started ? format(t.course.continueAt, { title: resume.title }) : resume.title}
          </p>
          <Link
            href={`${href(resume.chapterId)}${resume.taskId ? `#task-${resume.taskId}` : ''}`}
            className="btn-primary px-4 py-2"
          >
            {started ? t.course.continue : t.course.start} →
          </Link>
        </div>
      )}

      <h2 className="mt-10 text-xl font-semibold">{t.course.chapters}</h2>
      <ol className="mt-4 space-y-3">
        {data.chapters.map((c, index) => {
          const p = c.progress;
          return (
            <li
              key={c.id}
              className="card relative flex items-center gap-4 p-4 transition-shadow hover:shadow-md"
            >
              <span
                aria-hidden="true"
                className={`grid size-10 shrink-0 place-items-center rounded-full text-sm font-semibold ${
                  p?.done ? 'bg-emerald-100 text-emerald-800' : 'bg-slate-100 text-slate-700'
                }`}
              >
                {p?.done ? '✓' : index + 1}
              </span>
              <div className="min-w-0 flex-1">
                <h3 className="font-medium">
                  <Link
                    href={href(c.id)}
                    className="after:absolute after:inset-0 after:content-['']"
                  >
                    {c.title}
                  </Link>
                </h3>
                {c.taskCount > 0 ? (
                  <div className="mt-2 flex items-center gap-3">
                    <ProgressBar
                      className="max-w-56"
                      value={p?.solved ?? 0}
                      max={c.taskCount}
                      done={p?.done}
                      label={format(t.course.solvedOf, {
                        solved: p?.solved ?? 0,
                        total: c.taskCount,
                      })}
                    />
                    <span className="shrink-0 text-xs text-slate-500">
                      {p?.done
                        ? t.course.done
                        : format(t.course.solvedOf, { solved: p?.solved ?? 0, total: c.taskCount })}
                    </span>
                  </div>
                ) : (
                  <p className="mt-1 text-xs text-slate-500">{t.course.noTasks}</p>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
