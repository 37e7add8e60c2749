import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { isNotFound } from '@/components/errors';
import { CohortDashboard } from '@/components/instructor/cohort-dashboard';
import { requireInstructor } from '@/components/instructor/guard';
import { getI18n } from '@/i18n/server';
import { getQueryClient, HydrateClient, trpc } from '@/trpc/server';

type Params = { params: Promise<{ cohort: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.instructor.matrixTitle };
}

/** The cohort overview; the overview is read here (a cohort the caller cannot watch: 404) and handed to the client. */
export default async function CohortPage(props: Params) {
  const { cohort } = await props.params;
  const { forbidden } = await requireInstructor(`/instructor/${encodeURIComponent(cohort)}`);
  if (forbidden) return forbidden;
  try {
    await getQueryClient().fetchQuery(trpc.cohort.overview.queryOptions({ cohort }));
  } catch (e) {
    if (isNotFound(e)) notFound();
    throw e;
  }
  return (
    <HydrateClient>
      <CohortDashboard cohort={cohort} />
    </HydrateClient>
  );
}
