import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { isNotFound } from '@/components/errors';
import { requireInstructor } from '@/components/instructor/guard';
import { TaskDashboard } from '@/components/instructor/task-dashboard';
import { getI18n } from '@/i18n/server';
import { getQueryClient, HydrateClient, prefetch, trpc } from '@/trpc/server';

type Params = { params: Promise<{ cohort: string; taskId: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.instructor.groupsTitle };
}

/** One task of a cohort: statistics and the wrong answers grouped (a task or cohort the caller cannot see: 404). */
export default async function CohortTaskPage(props: Params) {
  const { cohort, taskId } = await props.params;
  const { forbidden } = await requireInstructor(
    `/instructor/${encodeURIComponent(cohort)}/tasks/${encodeURIComponent(taskId)}`,
  );
  if (forbidden) return forbidden;
  try {
    await getQueryClient().fetchQuery(trpc.cohort.task.queryOptions({ cohort, taskId }));
  } catch (e) {
    if (isNotFound(e)) notFound();
    throw e;
  }
  prefetch(trpc.cohort.groups.queryOptions({ cohort, taskId }));
  return (
    <HydrateClient>
      <TaskDashboard cohort={cohort} taskId={taskId} />
    </HydrateClient>
  );
}
