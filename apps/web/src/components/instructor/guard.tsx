import 'server-only';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { requireViewer } from '@/components/auth/require-viewer';
import type { Viewer } from '@/components/layout/user-menu';
import { getI18n } from '@/i18n/server';
import { hasRole } from '@/server/services/roles';

/**
 * The dashboards' guard: signed out → sign-in (and back to `path`); signed in without the
 * instructor role → `forbidden` is the page to render (the server refuses the data anyway).
 */
export async function requireInstructor(
  path: string,
): Promise<{ viewer: Viewer; forbidden: null } | { viewer: Viewer; forbidden: ReactNode }> {
  const viewer = await requireViewer(path);
  if (hasRole(viewer, 'instructor')) return { viewer, forbidden: null };
  const { t } = await getI18n();
  return {
    viewer,
    forbidden: (
      <div className="mx-auto max-w-xl px-4 py-24 text-center" data-testid="forbidden">
        <p className="font-mono text-sm text-brand-600">403</p>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">{t.instructor.cohortsTitle}</h1>
        <p className="mt-3 text-slate-600">{t.instructor.forbidden}</p>
        <Link href="/courses" className="btn-primary mt-8">
          {t.errors.backToCourses}
        </Link>
      </div>
    ),
  };
}
