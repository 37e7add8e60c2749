import type { Metadata } from 'next';
import { AdminShell } from '@/components/admin/admin-shell';
import { CohortsPanel } from '@/components/admin/cohorts-panel';
import { getI18n } from '@/i18n/server';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.adminConsole.nav.cohorts };
}

export default function Page() {
  return (
    <AdminShell section="cohorts" path="/admin/cohorts">
      <CohortsPanel />
    </AdminShell>
  );
}
