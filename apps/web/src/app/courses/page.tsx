import { inlineText } from '@lms/ui';
import type { Metadata } from 'next';
import Link from 'next/link';
import { requireViewer } from '@/components/auth/require-viewer';
import { ProgressBar } from '@/components/progress-bar';
import { format, plural } from '@/i18n/config';
import { getI18n } from '@/i18n/server';
import { api } from '@/trpc/server';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.catalog.title };
}

export default async function CatalogPage() {
  await requireViewer('/courses');
  const [{ t, locale }, caller] = await Promise.all([getI18n(), api()]);
  const courses = await caller.course.list();
  return (
    <div className="mx-auto max-w-5xl px-4 py-10">
      <h1 className="text-3xl font-bold tracking-tight">{t.catalog.title}</h1>
      {courses.length === 0 ? (
        <p className="mt-6 text-slate-600">{t.catalog.empty}</p>
      ) : (
        <ul className="mt-8 grid gap-5 sm:grid-cols-2">
          {courses.map((c) => {
            const summary = c.description
              .filter((b) => b.kind === 'paragraph')
              .map((b) => inlineText(b.children))
              .join(' ')
              .slice(0, 240);
            return (
              <li
                key={c.slug}
                className="card group relative flex flex-col p-5 transition-shadow hover:shadow-md"
              >
                <h2 className="text-lg font-semibold">
                  <Link
                    href={`/courses/${c.slug}`}
                    className="after:absolute after:inset-0 after:content-['']"
                  >
                    {c.title}
                  </Link>
                </h2>
                {summary && <p className="mt-2 line-clamp-3 text-sm text-slate-600">{summary}</p>}
                <p className="mt-4 text-sm text-slate-500">
                  {c.chapterCount} {plural(locale, c.chapterCount, t.catalog.chapters)} ·{' '}
                  {c.taskCount} {plural(locale, c.taskCount, t.catalog.tasks)}
                </p>
                {c.progress && c.progress.total > 0 && (
                  <div className="mt-3">
                    <ProgressBar
                      value={c.progress.solved}
                      max={c.progress.total}
                      done={c.progress.done}
                      label={format(t.course.solvedOf, {
                        solved: c.progress.solved,
                        total: c.progress.total,
                      })}
                    />
                    <p className="mt-1 text-xs text-slate-500">
                      {format(t.course.solvedOf, {
                        solved: c.progress.solved,
                        total: c.progress.total,
                      })}
                    </p>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
