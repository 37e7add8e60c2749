'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useI18n } from '@/i18n/client';
import { useTRPC } from '@/trpc/react';
import { AttentionPanel, DisagreementsPanel } from './attention-panel';
import { ChartsPanel } from './charts-panel';
import { QueryStatus } from './common';
import { UpdatedAt, useCohortPulse } from './live';
import { MatrixPanel } from './matrix-panel';

/** The cohort overview: the matrix, "needs attention", engine disagreements, charts, exports; live. */
export function CohortDashboard(props: { cohort: string }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const overview = useQuery(trpc.cohort.overview.queryOptions({ cohort: props.cohort }));
  const { live } = useCohortPulse(props.cohort, overview.data?.version);
  const data = overview.data;
  const exportBase = `/api/cohorts/${encodeURIComponent(props.cohort)}/export`;

  return (
    <div className="mx-auto max-w-[100rem] space-y-8 px-4 py-8">
      <div className="flex flex-wrap items-end gap-4">
        <div className="mr-auto">
          <nav aria-label={t.a11y.breadcrumbs} className="text-sm text-slate-500">
            <Link href="/instructor" className="hover:text-slate-800 hover:underline">
              {t.instructor.cohortsTitle}
            </Link>
          </nav>
          <h1 className="mt-1 text-3xl font-bold tracking-tight">
            {data?.cohort.name ?? props.cohort}
          </h1>
          {data && <p className="text-slate-600">{data.cohort.course.title}</p>}
          <UpdatedAt at={overview.dataUpdatedAt} live={live} />
        </div>
        <nav
          aria-label={t.instructor.exportTitle}
          className="flex flex-wrap items-center gap-2 text-sm"
        >
          <span className="font-medium text-slate-700">{t.instructor.exportTitle}:</span>
          <a
            className="btn-secondary"
            href={`${exportBase}/matrix.csv`}
            download
            data-testid="export-matrix"
          >
            {t.instructor.exportMatrix}
          </a>
          <a
            className="btn-secondary"
            href={`${exportBase}/attempts.csv`}
            download
            data-testid="export-attempts"
          >
            {t.instructor.exportAttempts}
          </a>
        </nav>
      </div>
      <QueryStatus isLoading={overview.isLoading} error={overview.error} />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="min-w-0">
          {data && <MatrixPanel overview={data} cohort={props.cohort} />}
        </div>
        <div className="space-y-6">
          <AttentionPanel cohort={props.cohort} />
          <DisagreementsPanel cohort={props.cohort} />
        </div>
      </div>
      <ChartsPanel cohort={props.cohort} />
    </div>
  );
}
