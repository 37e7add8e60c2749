import type { Metadata } from 'next';
import { AdminShell } from '@/components/admin/admin-shell';
import { ContentPanel } from '@/components/admin/content-panel';
import { getI18n } from '@/i18n/server';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.adminConsole.nav.content };
}

export default function Page() {
  return (
    <AdminShell section="content" path="/admin/content">
      <ContentPanel />
    </AdminShell>
  );
}
