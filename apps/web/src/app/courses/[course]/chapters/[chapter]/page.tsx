import { LessonBlocks } from '@lms/ui';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { requireViewer } from '@/components/auth/require-viewer';
import { ChapterProgressBadge } from '@/components/chapter/chapter-progress';
import { ChapterToc } from '@/components/chapter/chapter-toc';
import { ExampleRunner } from '@/components/chapter/example-runner';
import { highlightMap } from '@/components/chapter/highlight-map';
import { StaticExample } from '@/components/chapter/static-example';
import { TaskWorkspace } from '@/components/chapter/task-workspace';
import { isNotFound } from '@/components/errors';
import { PYODIDE_BASE_URL } from '@/components/python/pyodide-url';
import { PythonProvider } from '@/components/python/python-context';
import { format } from '@/i18n/config';
import { getI18n } from '@/i18n/server';
import { api } from '@/trpc/server';

type Params = { params: Promise<{ course: string; chapter: string }> };

// one server call per request: generateMetadata and the page share it
const load = cache(async (course: string, chapter: string) => {
  try {
    return await (await api()).chapter.get({ course, chapter });
  } catch (e) {
    if (isNotFound(e)) notFound();
    throw e;
  }
});

export async function generateMetadata(props: Params): Promise<Metadata> {
  const { course, chapter } = await props.params;
  const data = await load(course, chapter).catch(() => null);
  return { title: data ? data.chapter.title : chapter };
}

export default async function ChapterPage(props: Params) {
  const { course, chapter } = await props.params;
  await requireViewer(`/courses/${course}/chapters/${chapter}`);
  const [{ t }, data] = await Promise.all([getI18n(), load(course, chapter)]);
  const ch = data.chapter;
  const highlighted = highlightMap(ch.blocks);
  const examples = new Map(ch.examples.map((e) => [e.id, e]));
  const tasks = new Map(ch.tasks.map((task) => [task.id, task]));
  const chapterHref = (id: string) => `/courses/${data.course.slug}/chapters/${id}`;
  const headings = ch.toc.filter((h) => h.level === 2 || h.level === 3);

  return (
    <PythonProvider baseUrl={PYODIDE_BASE_URL}>
      <div className="mx-auto flex max-w-7xl gap-10 px-4 py-8 lg:py-10">
        <article className="min-w-0 max-w-3xl flex-1" aria-labelledby="chapter-title">
          <nav aria-label={t.a11y.breadcrumbs} className="text-sm text-slate-500">
            <ol className="flex flex-wrap items-center gap-1">
              <li>
                <Link href="/courses" className="hover:text-slate-800 hover:underline">
                  {t.catalog.title}
                </Link>
              </li>
              <li aria-hidden="true">/</li>
              <li>
                <Link
                  href={`/courses/${data.course.slug}`}
                  className="hover:text-slate-800 hover:underline"
                >
                  {data.course.title}
                </Link>
              </li>
            </ol>
          </nav>
          <h1
            id="chapter-title"
            className="mt-3 text-3xl font-bold tracking-tight text-balance sm:text-4xl"
          >
            {ch.title}
          </h1>
          {data.progress && data.progress.total > 0 && (
            <ChapterProgressBadge
              className="mt-4"
              solved={data.progress.solved}
              total={data.progress.total}
              done={data.progress.done}
            />
          )}

          <LessonBlocks
            className="mt-6"
            blocks={ch.blocks}
            omitTitle
            highlighted={highlighted}
            linkComponent={Link}
            renderExample={(exampleId, index) => {
              const example = examples.get(exampleId);
              if (!example) return null;
              // the grader runs Python only: another language's example is shown as code
              if (example.runnable === false) {
                return (
                  <StaticExample
                    code={example.code}
                    lang={example.lang}
                    expectedOutput={example.expectedOutput}
                    number={index + 1}
                  />
                );
              }
              return (
                <ExampleRunner
                  example={{
                    id: example.id,
                    code: example.code,
                    expectedOutput: example.expectedOutput,
                  }}
                  number={index + 1}
                  highlightedHtml={example.html ?? undefined}
                />
              );
            }}
            renderTask={(taskId, index) => {
              const task = tasks.get(taskId);
              if (!task) return null;
              return (
                <TaskWorkspace
                  task={task}
                  number={index + 1}
                  statement={
                    <LessonBlocks
                      blocks={task.statement}
                      highlighted={highlightMap(task.statement)}
                    />
                  }
                />
              );
            }}
          />

          <nav
            aria-label={t.a11y.chapterNav}
            className="mt-16 grid gap-4 border-t border-slate-200 pt-8 sm:grid-cols-2"
          >
            {data.prev ? (
              <Link
                href={chapterHref(data.prev.id)}
                rel="prev"
                className="card group p-4 hover:shadow-md"
              >
                <span className="text-xs text-slate-500">← {t.chapter.prev}</span>
                <span className="mt-1 block font-medium group-hover:text-brand-600">
                  {data.prev.title}
                </span>
              </Link>
            ) : (
              <span />
            )}
            {data.next && (
              <Link
                href={chapterHref(data.next.id)}
                rel="next"
                className="card group p-4 text-right hover:shadow-md"
              >
                <span className="text-xs text-slate-500">{t.chapter.next} →</span>
                <span className="mt-1 block font-medium group-hover:text-brand-600">
                  {data.next.title}
                </span>
              </Link>
            )}
          </nav>
        </article>

        <aside className="hidden w-64 shrink-0 xl:block">
          <div className="sticky top-20 max-h-[calc(100dvh-6rem)] overflow-y-auto">
            {data.progress && data.progress.total > 0 && (
              <p className="mb-4 text-sm text-slate-600">
                {format(t.chapter.progress, {
                  solved: data.progress.solved,
                  total: data.progress.total,
                })}
              </p>
            )}
            <ChapterToc headings={headings} />
          </div>
        </aside>
      </div>
    </PythonProvider>
  );
}
