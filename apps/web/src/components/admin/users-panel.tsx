'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { serverErrorText } from '@/i18n/errors';
import { useTRPC } from '@/trpc/react';
import { Pager } from './pager';

const ROLES = ['student', 'instructor', 'admin'] as const;
type Role = (typeof ROLES)[number];
const PAGE_SIZE = 25;

/** People: search, page, role, (de)activation and a password-reset link to hand over. */
export function UsersPanel() {
  const { t, locale } = useI18n();
  const a = t.adminConsole;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [query, setQuery] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const [status, setStatus] = useState<'' | 'active' | 'disabled'>('');
  const [page, setPage] = useState(1);
  const [message, setMessage] = useState<string | null>(null);
  const input = {
    query: query || undefined,
    role: role || undefined,
    status: status || undefined,
    page,
    pageSize: PAGE_SIZE,
  };
  const list = useQuery(trpc.admin.users.list.queryOptions(input));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.queryKey() });
  const onError = (error: unknown) => setMessage(serverErrorText(error, t));
  const setUserRole = useMutation(
    trpc.admin.users.setRole.mutationOptions({ onSuccess: refresh, onError }),
  );
  const setActive = useMutation(
    trpc.admin.users.setActive.mutationOptions({ onSuccess: refresh, onError }),
  );
  const resetLink = useMutation(
    trpc.admin.users.resetLink.mutationOptions({
      onSuccess: (r) =>
        setMessage(
          `${format(a.linkFor, { email: r.email, until: new Date(r.expiresAt).toLocaleString(locale) })} ${window.location.origin}${r.path}`,
        ),
      onError,
    }),
  );
  const pages = Math.max(1, Math.ceil((list.data?.total ?? 0) / PAGE_SIZE));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col text-sm">
          {a.search}
          <input
            type="search"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setPage(1);
            }}
            className="mt-1 w-72 rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="flex flex-col text-sm">
          {a.role}
          <select
            value={role}
            onChange={(e) => {
              setRole(e.target.value as Role | '');
              setPage(1);
            }}
            className="mt-1 rounded border border-slate-300 px-2 py-1"
          >
            <option value="">{a.allRoles}</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t.header.role[r]}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm">
          {a.status}
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as '' | 'active' | 'disabled');
              setPage(1);
            }}
            className="mt-1 rounded border border-slate-300 px-2 py-1"
          >
            <option value="">{a.allStatuses}</option>
            <option value="active">{a.active}</option>
            <option value="disabled">{a.disabled}</option>
          </select>
        </label>
      </div>
      {message && (
        <p role="status" className="break-all rounded border border-sky-200 bg-sky-50 p-3 text-sm">
          {message}
        </p>
      )}
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-slate-500">
          <tr>
            <th className="py-2">{a.email}</th>
            <th>{a.name}</th>
            <th>{a.role}</th>
            <th>{a.status}</th>
            <th>{a.actions}</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.users.map((u) => (
            <tr key={u.id} className="border-b border-slate-100">
              <td className="py-2">{u.email}</td>
              <td>{u.name}</td>
              <td>
                <select
                  aria-label={`${a.role}: ${u.email}`}
                  value={u.role}
                  onChange={(e) =>
                    setUserRole.mutate({ userId: u.id, role: e.target.value as Role })
                  }
                  className="rounded border border-slate-300 px-1"
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t.header.role[r]}
                    </option>
                  ))}
                </select>
              </td>
              <td>{u.disabledAt ? a.disabled : a.active}</td>
              <td className="space-x-2">
                <button
                  type="button"
                  className="btn-ghost"
                  onClick={() => setActive.mutate({ userId: u.id, active: u.disabledAt !== null })}
                >
                  {u.disabledAt ? a.reactivate : a.deactivate}
                </button>
                <button
                  type="button"
                  className="btn-ghost"
                  onClick={() => resetLink.mutate({ userId: u.id })}
                >
                  {a.resetLink}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data && list.data.users.length === 0 && <p className="text-slate-500">{a.noRows}</p>}
      <Pager page={page} pages={pages} total={list.data?.total ?? 0} onPage={setPage} />
    </div>
  );
}
