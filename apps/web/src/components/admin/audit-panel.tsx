'use client';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '@/i18n/client';
import { useTRPC } from '@/trpc/react';
import { Pager } from './pager';

const PAGE_SIZE = 50;

/** The audit log, newest first, filtered by actor, action and date. */
export function AuditPanel() {
  const { t, locale } = useI18n();
  const a = t.adminConsole;
  const trpc = useTRPC();
  const [form, setForm] = useState({ actorEmail: '', action: '', from: '', to: '' });
  const [filter, setFilter] = useState(form);
  const [page, setPage] = useState(1);
  const day = (s: string, plus = 0) =>
    s ? new Date(new Date(`${s}T00:00:00`).getTime() + plus) : undefined;
  const log = useQuery(
    trpc.admin.audit.queryOptions({
      actorEmail: filter.actorEmail || undefined,
      action: filter.action || undefined,
      from: day(filter.from),
      to: day(filter.to, 24 * 3600 * 1000),
      page,
      pageSize: PAGE_SIZE,
    }),
  );
  const pages = Math.max(1, Math.ceil((log.data?.total ?? 0) / PAGE_SIZE));
  return (
    <div className="space-y-4">
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(form);
          setPage(1);
        }}
      >
        <label className="flex flex-col text-sm">
          {a.auditActor}
          <input
            value={form.actorEmail}
            onChange={(e) => setForm({ ...form, actorEmail: e.target.value })}
            className="mt-1 rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="flex flex-col text-sm">
          {a.auditAction}
          <select
            value={form.action}
            onChange={(e) => setForm({ ...form, action: e.target.value })}
            className="mt-1 rounded border border-slate-300 px-2 py-1"
          >
            <option value="">—</option>
            {log.data?.actions.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm">
          {a.auditFrom}
          <input
            type="date"
            value={form.from}
            onChange={(e) => setForm({ ...form, from: e.target.value })}
            className="mt-1 rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="flex flex-col text-sm">
          {a.auditTo}
          <input
            type="date"
            value={form.to}
            onChange={(e) => setForm({ ...form, to: e.target.value })}
            className="mt-1 rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <button type="submit" className="btn-primary">
          {a.filter}
        </button>
      </form>
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-slate-500">
          <tr>
            <th className="py-2">{a.at}</th>
            <th>{a.by}</th>
            <th>{a.auditAction}</th>
            <th>{a.target}</th>
            <th>{a.details}</th>
          </tr>
        </thead>
        <tbody>
          {log.data?.entries.map((e) => (
            <tr key={e.id} className="border-b border-slate-100 align-top">
              <td className="py-1 whitespace-nowrap">{new Date(e.at).toLocaleString(locale)}</td>
              <td>{e.actor?.email ?? '—'}</td>
              <td className="font-mono">{e.action}</td>
              <td className="font-mono text-xs">{e.target ?? ''}</td>
              <td className="break-all font-mono text-xs">
                {e.payload ? JSON.stringify(e.payload) : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.data && log.data.entries.length === 0 && <p className="text-slate-500">{a.noRows}</p>}
      <Pager page={page} pages={pages} total={log.data?.total ?? 0} onPage={setPage} />
    </div>
  );
}
