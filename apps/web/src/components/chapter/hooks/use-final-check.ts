'use client';
import type { VerdictResult } from '@lms/ui';
import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { type RouterOutputs, useTRPC } from '@/trpc/react';

type Attempt = RouterOutputs['attempt']['get'];

/**
 * `attempt.watch` yields the attempt as soon as it starts: with nothing this long after
 * subscribing, the stream is taken as held back on the way (a buffering proxy) and polled.
 */
const FIRST_EVENT_MS = 5_000;
/** The fallback's polling interval. */
const POLL_MS = 500;

/** Final-check attempt row → what the verdict view shows. */
function attemptVerdict(a: Attempt, limits: VerdictResult['limits']): VerdictResult {
  return {
    status: a.status as VerdictResult['status'],
    message: a.message,
    messageCode: a.messageCode,
    tests: a.results.map((r) => ({
      name: r.name,
      status: r.status,
      message: r.message,
      messageCode: r.messageCode,
    })),
    limitHit: a.limitHit,
    engine: a.engine,
    pythonVersion: a.pythonVersion,
    durationMs: a.durationMs,
    limits,
    stage: 'final',
    unsafe: a.engine === 'cpython-unsafe',
  };
}

export interface FinalCheck {
  /** the submitted attempt as last seen (null before the first submission) */
  attempt: Attempt | null;
  /** what the verdict view shows: queued while submitting, then the attempt */
  view: VerdictResult | null;
  /** why the submission was refused (rate limit, size, grader not configured): the server's
   * error, shown with `serverErrorText` in the reader's language; null when none */
  error: unknown;
  /** submitting, or the attempt has no verdict yet: another submission waits */
  busy: boolean;
  /**
   * grading is saturated: the attempt's place in the waiting line (1 = next), from the submit's
   * answer, then from each update of the attempt; null when it is not waiting in line
   */
  queuePosition: number | null;
  /** submits `code` unless busy */
  submit(code: string): void;
}

/**
 * The final check: `attempt.submit`, then the attempt followed to its verdict over the
 * `attempt.watch` subscription (SSE). If the stream fails, ends without a verdict or stays
 * silent, `attempt.get` is polled instead (for the rest of the page's life: a stream that
 * failed once is not tried again). A verdict refreshes the page's server data.
 */
export function useFinalCheck(opts: {
  /** the page's course: task ids are unique only within a course */
  courseSlug: string;
  taskId: string;
  limits: VerdictResult['limits'];
}): FinalCheck {
  const { courseSlug, taskId, limits } = opts;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const submission = useMutation(trpc.attempt.submit.mutationOptions());
  const [error, setError] = useState<unknown>(null);
  const [followed, setFollowed] = useState<{ id: string; poll: boolean } | null>(null);
  const [placeAtSubmit, setPlaceAtSubmit] = useState<{ id: string; n: number | null } | null>(null);
  const streamFailed = useRef(false);
  const attemptId = followed?.id ?? null;
  const watchId = followed && !followed.poll ? followed.id : null;
  const pollId = followed?.poll ? followed.id : null;

  const fallBack = useCallback((id: string) => {
    streamFailed.current = true;
    setFollowed((f) => (f?.id === id && !f.poll ? { id, poll: true } : f));
  }, []);

  // --- the subscription -------------------------------------------------------------------
  const [watched, setWatched] = useState<Attempt | null>(null);
  const watchedRef = useRef<Attempt | null>(null);
  useSubscription(
    trpc.attempt.watch.subscriptionOptions(watchId ? { id: watchId, courseSlug } : skipToken, {
      onData: (a) => {
        watchedRef.current = a;
        setWatched(a);
      },
      onError: () => {
        if (watchId) fallBack(watchId);
      },
      onConnectionStateChange: (s) => {
        if (!watchId) return;
        const seen = watchedRef.current;
        const verdict = seen?.id === watchId && seen.done;
        // a lost connection, or the stream's end (the server's deadline) without a verdict
        if ((s.state === 'connecting' && s.error) || (s.state === 'idle' && !verdict)) {
          fallBack(watchId);
        }
      },
    }),
  );
  const heard = watched !== null && watched.id === watchId;
  useEffect(() => {
    if (!watchId || heard) return;
    const timer = setTimeout(() => fallBack(watchId), FIRST_EVENT_MS);
    return () => clearTimeout(timer);
  }, [watchId, heard, fallBack]);

  // --- the fallback: polling ----------------------------------------------------------------
  const polled = useQuery(
    trpc.attempt.get.queryOptions(pollId ? { id: pollId, courseSlug } : skipToken, {
      refetchInterval: (q) => (q.state.data?.done ? false : POLL_MS),
      staleTime: 0,
    }),
  );

  const attempt =
    (polled.data?.id === attemptId ? polled.data : null) ??
    (watched?.id === attemptId ? watched : null);
  const done = attempt?.done ?? false;
  const busy = submission.isPending || (attemptId !== null && !done);

  const { mutate } = submission;
  const submit = useCallback(
    (code: string) => {
      if (busy) return;
      setError(null);
      mutate(
        { courseSlug, taskId, code },
        {
          onSuccess: (a) => {
            setPlaceAtSubmit({ id: a.id, n: a.queuePosition });
            setFollowed({ id: a.id, poll: streamFailed.current });
          },
          onError: (e) => setError(e),
        },
      );
    },
    [busy, mutate, courseSlug, taskId],
  );

  // a verdict changes progress, the answer's availability and the history: refresh them
  const refreshedFor = useRef<string | null>(null);
  useEffect(() => {
    if (attempt?.done && refreshedFor.current !== attempt.id) {
      refreshedFor.current = attempt.id;
      void queryClient.invalidateQueries({
        queryKey: trpc.attempt.list.queryKey({ courseSlug, taskId }),
      });
      router.refresh();
    }
  }, [attempt, queryClient, trpc, courseSlug, taskId, router]);

  const view = attempt
    ? attemptVerdict(attempt, limits)
    : submission.isPending
      ? ({ status: 'queued', stage: 'final' } as VerdictResult)
      : null;

  const queuePosition = attempt
    ? attempt.done
      ? null
      : attempt.queuePosition
    : placeAtSubmit?.id === attemptId
      ? (placeAtSubmit?.n ?? null)
      : null;

  return { attempt, view, error, busy, submit, queuePosition };
}
