import type { Metadata } from 'next';
import { AdminShell } from '@/components/admin/admin-shell';
import { ContentEditor } from '@/components/admin/content-editor';
import { getI18n } from '@/i18n/server';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.adminConsole.nav.content };
}

export default async function Page(props: { params: Promise<{ course: string }> }) {
  const { course } = await props.params;
  return (
    <AdminShell section="content" path={`/admin/content/${encodeURIComponent(course)}`}>
      <ContentEditor course={course} />
    </AdminShell>
  );
}
