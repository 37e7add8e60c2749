import type { Metadata } from 'next';
import { AdminShell } from '@/components/admin/admin-shell';
import { UsersPanel } from '@/components/admin/users-panel';
import { getI18n } from '@/i18n/server';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.adminConsole.nav.users };
}

export default function Page() {
  return (
    <AdminShell section="users" path="/admin/users">
      <UsersPanel />
    </AdminShell>
  );
}
