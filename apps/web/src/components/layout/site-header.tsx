import Link from 'next/link';
import { getViewer } from '@/components/auth/viewer';
import { getI18n } from '@/i18n/server';
import { hasRole } from '@/server/services/roles';
import { LanguageSwitch } from './language-switch';
import { UserMenu } from './user-menu';

export async function SiteHeader() {
  const [{ t }, viewer] = await Promise.all([getI18n(), getViewer()]);
  return (
    <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/85 backdrop-blur dark:border-slate-800 dark:bg-slate-950/85">
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-4 px-4">
        <Link href="/courses" className="flex items-center gap-2 font-semibold tracking-tight">
          <span
            aria-hidden="true"
            className="grid size-7 place-items-center rounded-md bg-brand-600 font-mono text-sm text-white"
          >
            {'>_'}
          </span>
          {t.header.brand}
        </Link>
        <nav aria-label={t.a11y.mainNav} className="flex items-center gap-1 text-sm">
          <Link href="/courses" className="btn-ghost">
            {t.header.courses}
          </Link>
          {viewer && hasRole(viewer, 'instructor') && (
            <Link href="/instructor" className="btn-ghost">
              {t.instructor.nav}
            </Link>
          )}
          {viewer && hasRole(viewer, 'admin') && (
            <Link href="/admin" className="btn-ghost">
              {t.header.admin}
            </Link>
          )}
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <LanguageSwitch />
          {viewer ? (
            <UserMenu viewer={viewer} />
          ) : (
            <Link href="/sign-in" className="btn-primary">
              {t.header.signIn}
            </Link>
          )}
        </div>
      </div>
    </header>
  );
}
