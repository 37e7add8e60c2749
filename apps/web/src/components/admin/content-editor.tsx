'use client';
import type { Chapter } from '@lms/content/schema';
import { CodeDiff, LessonBlocks } from '@lms/ui';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useEffect, useMemo, useState } from 'react';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { serverErrorText } from '@/i18n/errors';
import { useTRPC } from '@/trpc/react';
import { ProblemList } from './content-panel';
import { DraftChecks } from './draft-checks';
import type { SourceProblem } from './source-editor';

/** CodeMirror arrives in its own chunk. */
const SourceEditor = dynamic(() => import('./source-editor').then((m) => m.SourceEditor), {
  ssr: false,
});

type Problem = { file: string; line: number; column: number; message: string };

/**
 * A course's draft in the browser: its files, the editor with the compiler's problems inline, a
 * live preview rendered by the lesson components students see, save (refused with errors),
 * publish, discard, and the history with diffs and rollback.
 */
export function ContentEditor({ course }: { course: string }) {
  const { t } = useI18n();
  const a = t.adminConsole;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const draft = useQuery(trpc.admin.content.draft.queryOptions({ course }));
  const [path, setPath] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [debounced, setDebounced] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [saveProblems, setSaveProblems] = useState<Problem[]>([]);
  const files = draft.data?.draft?.files ?? null;
  const paths = useMemo(() => (files ? Object.keys(files).sort() : []), [files]);
  const dirty = path !== null && files !== null && files[path] !== text;

  useEffect(() => {
    if (!files || path) return;
    const first = paths.find((p) => p.endsWith('/text.md')) ?? paths[0] ?? null;
    if (first) {
      setPath(first);
      setText(files[first] ?? '');
      setDebounced(files[first] ?? '');
    }
  }, [files, path, paths]);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(text), 400);
    return () => clearTimeout(timer);
  }, [text]);

  // a POST (the text can be larger than a GET's URL holds); its data is the latest call's
  const previewCall = useMutation(trpc.admin.content.preview.mutationOptions());
  const runPreview = previewCall.mutate;
  useEffect(() => {
    if (path !== null && files !== null) runPreview({ course, path, text: debounced });
  }, [course, path, debounced, files, runPreview]);
  const preview = { data: previewCall.data };
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.content.pathKey() });
  const onError = (e: unknown) => setMessage(serverErrorText(e, t));
  const start = useMutation(
    trpc.admin.content.startDraft.mutationOptions({ onSuccess: refresh, onError }),
  );
  const save = useMutation(
    trpc.admin.content.saveFile.mutationOptions({
      onSuccess: (r) => {
        setSaveProblems(r.ok ? [] : r.errors);
        setMessage(r.ok ? a.savedDraft : a.refused);
        if (r.ok) return refresh();
      },
      onError,
    }),
  );
  const publish = useMutation(
    trpc.admin.content.publish.mutationOptions({
      onSuccess: (r) => {
        setMessage(format(a.publishedAs, { version: r.version }));
        setPath(null);
        return refresh();
      },
      onError,
    }),
  );
  const discard = useMutation(
    trpc.admin.content.discardDraft.mutationOptions({
      onSuccess: () => {
        setPath(null);
        return refresh();
      },
      onError,
    }),
  );

  const problems: SourceProblem[] = useMemo(() => {
    const of = (list: readonly Problem[] | undefined, severity: 'error' | 'warning') =>
      (list ?? []).filter((p) => p.file === path).map((p) => ({ ...p, severity }));
    return [...of(preview.data?.errors, 'error'), ...of(preview.data?.warnings, 'warning')];
  }, [preview.data, path]);

  if (draft.error) return <p role="alert">{serverErrorText(draft.error, t)}</p>;
  if (!draft.data) return <p>{a.working}</p>;
  const doSave = () => path && save.mutate({ course, path, text });

  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600">
        {a.published}: {draft.data.published ? `v${draft.data.published.version}` : a.none} ·{' '}
        {a.draft}: {draft.data.draft ? `v${draft.data.draft.version}` : a.none}
      </p>
      {message && (
        <p role="status" className="rounded border border-sky-200 bg-sky-50 p-2 text-sm">
          {message}
        </p>
      )}
      {!files ? (
        <button type="button" className="btn-primary" onClick={() => start.mutate({ course })}>
          {a.startDraft}
        </button>
      ) : (
        <>
          <div className="flex flex-wrap gap-2">
            <button
              type="button"
              className="btn-primary"
              disabled={!dirty || save.isPending}
              onClick={doSave}
            >
              {a.save}
            </button>
            <button
              type="button"
              className="btn-ghost"
              disabled={dirty || publish.isPending}
              onClick={() => window.confirm(a.confirmPublish) && publish.mutate({ course })}
            >
              {a.publish}
            </button>
            <button type="button" className="btn-ghost" onClick={() => discard.mutate({ course })}>
              {a.discard}
            </button>
          </div>
          <DraftChecks course={course} disabled={dirty} />
          <div className="grid gap-4 lg:grid-cols-[14rem_1fr_1fr]">
            <nav aria-label={a.files} className="max-h-[70vh] overflow-auto text-xs">
              <ul>
                {paths.map((p) => (
                  <li key={p}>
                    <button
                      type="button"
                      aria-current={p === path ? 'true' : undefined}
                      className={`w-full truncate text-left ${p === path ? 'font-semibold text-sky-800' : ''}`}
                      title={p}
                      onClick={() => {
                        setPath(p);
                        setText(files[p] ?? '');
                        setDebounced(files[p] ?? '');
                        setSaveProblems([]);
                      }}
                    >
                      {p}
                    </button>
                  </li>
                ))}
              </ul>
            </nav>
            <div className="min-w-0 space-y-2">
              <p className="font-mono text-xs text-slate-500">{path}</p>
              {path && (
                <SourceEditor
                  value={text}
                  onChange={setText}
                  onSave={doSave}
                  label={path}
                  problems={problems}
                />
              )}
              {preview.data && preview.data.errors.length > 0 && (
                <ProblemList problems={preview.data.errors} />
              )}
              {saveProblems.length > 0 && <ProblemList problems={saveProblems} />}
            </div>
            <section
              aria-label={a.preview}
              className="min-w-0 max-h-[80vh] overflow-auto rounded border border-slate-200 p-3"
            >
              <h2 className="mb-2 text-sm font-semibold text-slate-500">{a.preview}</h2>
              {preview.data?.chapter && <ChapterPreview chapter={preview.data.chapter} />}
            </section>
          </div>
        </>
      )}
      <History course={course} onChanged={refresh} />
    </div>
  );
}

/** The chapter through LessonBlocks, as the chapter page lays it out (tasks: statement and starter). */
function ChapterPreview({ chapter }: { chapter: Chapter }) {
  const { t } = useI18n();
  return (
    <LessonBlocks
      blocks={chapter.blocks}
      messages={t.ui}
      renderExample={(id) => {
        const ex = chapter.examples.find((e) => e.id === id);
        return ex ? <pre className="rounded bg-slate-50 p-2 text-xs">{ex.code}</pre> : null;
      }}
      renderTask={(id) => {
        const task = chapter.tasks.find((x) => x.id === id);
        if (!task) return null;
        return (
          <div className="rounded border border-slate-200 p-2">
            <LessonBlocks blocks={task.statement} messages={t.ui} />
            <pre className="mt-2 rounded bg-slate-50 p-2 text-xs">{task.starter}</pre>
          </div>
        );
      }}
    />
  );
}

function History({ course, onChanged }: { course: string; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const a = t.adminConsole;
  const trpc = useTRPC();
  const history = useQuery(trpc.admin.content.history.queryOptions({ course }));
  const [pair, setPair] = useState<{ from: string; to: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const diff = useQuery({
    ...trpc.admin.content.diff.queryOptions(pair ?? { from: '', to: '' }),
    enabled: pair !== null,
  });
  const rollback = useMutation(
    trpc.admin.content.rollback.mutationOptions({
      onSuccess: (r) => {
        setMessage(format(a.rolledBack, { version: r.version }));
        onChanged();
      },
      onError: (e) => setMessage(serverErrorText(e, t)),
    }),
  );
  const published = history.data?.find((r) => r.status === 'published');
  return (
    <section aria-labelledby="history" className="space-y-2">
      <h2 id="history" className="text-lg font-semibold">
        {a.history}
      </h2>
      {message && (
        <p role="status" className="text-sm">
          {message}
        </p>
      )}
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-slate-500">
          <tr>
            <th className="py-1">{a.version}</th>
            <th>{a.status}</th>
            <th>{a.by}</th>
            <th>{a.when}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {history.data?.map((r) => (
            <tr key={r.id} className="border-b border-slate-100">
              <td className="py-1">v{r.version}</td>
              <td>{r.status}</td>
              <td>{r.publishedBy?.email ?? ''}</td>
              <td>{new Date(r.publishedAt ?? r.createdAt).toLocaleString(locale)}</td>
              <td className="space-x-2">
                {published && published.id !== r.id && (
                  <button
                    type="button"
                    className="btn-ghost"
                    onClick={() => setPair({ from: published.id, to: r.id })}
                  >
                    {a.diffWith}
                  </button>
                )}
                {r.status !== 'draft' && published && published.contentHash !== r.contentHash && (
                  <button
                    type="button"
                    className="btn-ghost"
                    onClick={() =>
                      window.confirm(format(a.confirmRollback, { version: r.version })) &&
                      rollback.mutate({ releaseId: r.id })
                    }
                  >
                    {a.rollback}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {diff.data &&
        (diff.data.files.length === 0 ? (
          <p className="text-sm">{a.noChanges}</p>
        ) : (
          diff.data.files.map((f) => (
            <CodeDiff
              key={f.path}
              before={f.before ?? ''}
              after={f.after ?? ''}
              title={`${f.path}: v${diff.data.from.version} → v${diff.data.to.version}`}
              messages={t.ui}
            />
          ))
        ))}
    </section>
  );
}
