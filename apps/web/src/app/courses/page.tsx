import { getI18n } from '@/i18n/server';

export default async function CatalogPage() {
  const { t } = await getI18n();
  return (
    <div className="mx-auto max-w-5xl px-4 py-10">
      <h1 className="text-3xl font-semibold tracking-tight">{t.catalog.title}</h1>
    </div>
  );
}
