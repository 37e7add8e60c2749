'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { serverErrorText } from '@/i18n/errors';
import { type RouterOutputs, useTRPC } from '@/trpc/react';

type Problem = { file: string; line: number; column: number; message: string };

/** The courses with their published release and draft; a zip import makes a draft. */
export function ContentPanel() {
  const { t } = useI18n();
  const a = t.adminConsole;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.admin.content.list.queryOptions());
  const [result, setResult] = useState<RouterOutputs['admin']['content']['importZip'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const importZip = useMutation(
    trpc.admin.content.importZip.mutationOptions({
      onSuccess: (r) => {
        setResult(r);
        setError(null);
        return queryClient.invalidateQueries({ queryKey: trpc.admin.content.list.queryKey() });
      },
      onError: (e) => setError(serverErrorText(e, t)),
    }),
  );
  return (
    <div className="space-y-6">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-slate-500">
          <tr>
            <th className="py-2">{a.course}</th>
            <th>{a.published}</th>
            <th>{a.draft}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.data?.map((c) => (
            <tr key={c.id} className="border-b border-slate-100">
              <td className="py-2">
                {c.title} <span className="text-slate-400">({c.slug})</span>
              </td>
              <td>{c.published ? `v${c.published.version}` : a.none}</td>
              <td>{c.draft ? `v${c.draft.version}` : a.none}</td>
              <td>
                <Link className="btn-ghost" href={`/admin/content/${encodeURIComponent(c.slug)}`}>
                  {a.edit}
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="card space-y-3 p-5"
        onSubmit={async (e) => {
          e.preventDefault();
          const file = (e.currentTarget.elements.namedItem('zip') as HTMLInputElement).files?.[0];
          if (!file) return;
          const bytes = new Uint8Array(await file.arrayBuffer());
          let binary = '';
          for (let i = 0; i < bytes.length; i += 0x8000)
            binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          importZip.mutate({ zipBase64: btoa(binary) });
        }}
      >
        <h2 className="text-lg font-semibold">{a.importTitle}</h2>
        <p className="text-sm text-slate-600">{a.importHelp}</p>
        <input
          name="zip"
          type="file"
          accept=".zip,application/zip"
          required
          aria-label={a.importTitle}
        />
        <button type="submit" className="btn-primary" disabled={importZip.isPending}>
          {importZip.isPending ? a.working : a.importButton}
        </button>
        {error && (
          <p role="alert" className="text-sm text-red-700">
            {error}
          </p>
        )}
        {result?.ok && (
          <p role="status" className="text-sm">
            {format(a.imported, { course: result.course, version: result.release.version })}{' '}
            <Link
              className="underline"
              href={`/admin/content/${encodeURIComponent(result.course)}`}
            >
              {a.edit}
            </Link>
          </p>
        )}
        {result && !result.ok && <ProblemList problems={result.errors} />}
      </form>
    </div>
  );
}

/** Problems as `file:line:column: message`, one per line. */
export function ProblemList({ problems }: { problems: readonly Problem[] }) {
  const { t } = useI18n();
  return (
    <div role="alert" className="text-sm">
      <p className="font-semibold text-red-700">
        {format(t.adminConsole.problems, { n: problems.length })}
      </p>
      <ul className="mt-1 space-y-1 font-mono">
        {problems.slice(0, 50).map((p) => (
          <li key={`${p.file}:${p.line}:${p.column}:${p.message}`}>
            {p.file}:{p.line}:{p.column}: {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
