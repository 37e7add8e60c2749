import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { isNotFound } from '@/components/errors';
import { requireInstructor } from '@/components/instructor/guard';
import { StudentTimelineView } from '@/components/instructor/student-timeline';
import { getI18n } from '@/i18n/server';
import { getQueryClient, HydrateClient, trpc } from '@/trpc/server';

type Params = {
  params: Promise<{ cohort: string; studentId: string }>;
  searchParams: Promise<{ task?: string | string[] }>;
};

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.instructor.timelineTitle };
}

/** A student's timeline in the cohort; `?task=` shows one task only (a student not in the cohort: 404). */
export default async function CohortStudentPage(props: Params) {
  const { cohort, studentId } = await props.params;
  const { task } = await props.searchParams;
  const { forbidden } = await requireInstructor(
    `/instructor/${encodeURIComponent(cohort)}/students/${encodeURIComponent(studentId)}`,
  );
  if (forbidden) return forbidden;
  try {
    await getQueryClient().fetchQuery(trpc.cohort.student.queryOptions({ cohort, studentId }));
  } catch (e) {
    if (isNotFound(e)) notFound();
    throw e;
  }
  return (
    <HydrateClient>
      <StudentTimelineView
        cohort={cohort}
        studentId={studentId}
        taskId={typeof task === 'string' && task ? task : null}
      />
    </HydrateClient>
  );
}
