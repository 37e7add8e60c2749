'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { useTRPC } from '@/trpc/react';

/** How often the pulse is asked: the overview must show a verdict within 5 s. */
export const PULSE_INTERVAL_MS = 2000;

/**
 * Polls `cohort.pulse` every 2 s and, when its version changes, invalidates the cohort's
 * dashboard queries (only those on screen refetch; the rest refetch when they are next shown).
 * `baseline`: the version the shown data was read at (the overview's), so a change between the
 * server's render and the first pulse is not missed; without one, the first pulse is the baseline.
 * Returns whether the pulse answers.
 */
export function useCohortPulse(cohort: string, baseline?: string): { live: boolean } {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pulse = useQuery({
    ...trpc.cohort.pulse.queryOptions({ cohort }),
    refetchInterval: PULSE_INTERVAL_MS,
    staleTime: 0,
    retry: false,
  });
  const seen = useRef<string | null>(baseline ?? null);
  const version = pulse.data?.version ?? null;
  useEffect(() => {
    if (version === null) return;
    const before = seen.current;
    seen.current = version;
    if (before === null || before === version) return;
    for (const filter of [
      trpc.cohort.overview.pathFilter(),
      trpc.cohort.attention.pathFilter(),
      trpc.cohort.charts.pathFilter(),
      trpc.cohort.disagreements.pathFilter(),
      trpc.cohort.task.pathFilter(),
      trpc.cohort.groups.pathFilter(),
      trpc.cohort.groupAttempts.pathFilter(),
      trpc.cohort.student.pathFilter(),
    ]) {
      void queryClient.invalidateQueries(filter);
    }
  }, [version, queryClient, trpc]);
  return { live: !pulse.isError };
}

/** "Updated at hh:mm:ss" (the time the shown data was read), or that live updates are paused. */
export function UpdatedAt(props: { at: number; live: boolean }) {
  const { t, locale } = useI18n();
  const time = new Date(props.at).toLocaleTimeString(locale === 'ru' ? 'ru-RU' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return (
    <p className="text-xs text-slate-600" data-testid="updated-at">
      {props.at > 0 && format(t.instructor.updated, { time })}
      {!props.live && (
        <span role="status" className="ml-2 text-amber-800">
          {t.instructor.liveOff}
        </span>
      )}
    </p>
  );
}
