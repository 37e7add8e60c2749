import type { Metadata } from 'next';
import { SignUpToggle } from '@/components/admin/sign-up-toggle';
import { requireViewer } from '@/components/auth/require-viewer';
import { getI18n } from '@/i18n/server';
import { hasRole } from '@/server/services/roles';
import { api } from '@/trpc/server';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.admin.title };
}

export default async function AdminSettingsPage() {
  const viewer = await requireViewer('/admin/settings');
  const { t } = await getI18n();
  if (!hasRole(viewer, 'admin')) {
    return (
      <div className="mx-auto max-w-xl px-4 py-16">
        <h1 className="text-2xl font-semibold">{t.admin.title}</h1>
        <p className="mt-4 text-slate-600">{t.admin.forbidden}</p>
      </div>
    );
  }
  const settings = await (await api()).settings.get();
  return (
    <div className="mx-auto max-w-2xl px-4 py-10">
      <h1 className="text-3xl font-bold tracking-tight">{t.admin.title}</h1>
      <div className="card mt-8 p-5">
        <SignUpToggle initial={settings.signupEnabled} />
      </div>
    </div>
  );
}
