import Link from 'next/link';
import type { ReactNode } from 'react';
import { requireViewer } from '@/components/auth/require-viewer';
import { getI18n } from '@/i18n/server';
import { hasRole } from '@/server/services/roles';

export type AdminSection = 'users' | 'cohorts' | 'content' | 'audit' | 'settings';

const SECTIONS: ReadonlyArray<{ key: AdminSection; href: string }> = [
  { key: 'users', href: '/admin/users' },
  { key: 'cohorts', href: '/admin/cohorts' },
  { key: 'content', href: '/admin/content' },
  { key: 'audit', href: '/admin/audit' },
  { key: 'settings', href: '/admin/settings' },
];

/** An admin page: sign-in required, admins only (others read why), the console's tabs on top. */
export async function AdminShell(props: {
  section: AdminSection;
  path: string;
  children: ReactNode;
}) {
  const viewer = await requireViewer(props.path);
  const { t } = await getI18n();
  const nav = t.adminConsole.nav;
  if (!hasRole(viewer, 'admin')) {
    return (
      <div className="mx-auto max-w-xl px-4 py-16">
        <h1 className="text-2xl font-semibold">{nav[props.section]}</h1>
        <p className="mt-4 text-slate-600">{t.admin.forbidden}</p>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-7xl px-4 py-8">
      <nav
        aria-label={t.header.admin}
        className="mb-6 flex flex-wrap gap-1 border-b border-slate-200"
      >
        {SECTIONS.map((s) => (
          <Link
            key={s.key}
            href={s.href}
            aria-current={s.key === props.section ? 'page' : undefined}
            className={`rounded-t-md px-3 py-2 text-sm ${s.key === props.section ? 'border-b-2 border-sky-700 font-semibold' : 'text-slate-600 hover:text-slate-900'}`}
          >
            {nav[s.key]}
          </Link>
        ))}
      </nav>
      <h1 className="mb-6 text-2xl font-bold tracking-tight">{nav[props.section]}</h1>
      {props.children}
    </div>
  );
}
