import type { Metadata } from 'next';
import { AdminShell } from '@/components/admin/admin-shell';
import { AuditPanel } from '@/components/admin/audit-panel';
import { getI18n } from '@/i18n/server';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.adminConsole.nav.audit };
}

export default function Page() {
  return (
    <AdminShell section="audit" path="/admin/audit">
      <AuditPanel />
    </AdminShell>
  );
}
