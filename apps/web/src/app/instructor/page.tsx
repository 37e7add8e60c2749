import type { Metadata } from 'next';
import Link from 'next/link';
import { requireInstructor } from '@/components/instructor/guard';
import { plural } from '@/i18n/config';
import { getI18n } from '@/i18n/server';
import { api } from '@/trpc/server';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.instructor.cohortsTitle };
}

/** The caller's cohorts (an admin: every cohort), each a link to its overview. */
export default async function InstructorHome() {
  const { forbidden } = await requireInstructor('/instructor');
  if (forbidden) return forbidden;
  const [{ t, locale }, caller] = await Promise.all([getI18n(), api()]);
  const cohorts = await caller.cohort.mine();
  return (
    <div className="mx-auto max-w-5xl px-4 py-10">
      <h1 className="text-3xl font-bold tracking-tight">{t.instructor.cohortsTitle}</h1>
      {cohorts.length === 0 ? (
        <p className="mt-6 text-slate-600">{t.instructor.cohortsEmpty}</p>
      ) : (
        <ul className="mt-8 grid gap-5 sm:grid-cols-2">
          {cohorts.map((c) => (
            <li
              key={c.id}
              className="card relative flex flex-col p-5 transition-shadow hover:shadow-md"
              data-cohort={c.slug}
            >
              <h2 className="text-lg font-semibold">
                <Link
                  href={`/instructor/${encodeURIComponent(c.slug)}`}
                  className="after:absolute after:inset-0 after:content-['']"
                >
                  {c.name}
                </Link>
              </h2>
              <p className="mt-2 text-sm text-slate-600">
                {c.course?.title ?? t.instructor.noCourse}
              </p>
              <p className="mt-1 text-sm text-slate-500">
                {c.students} {plural(locale, c.students, t.instructor.students)}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
