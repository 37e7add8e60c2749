/**
 * Wake-ups for `attempt.watch` in this process: whoever changes an attempt's status here (the
 * verdict stored, the grading started, the grader given up — services/attempts.ts) calls
 * `attemptChanged(id)`, and every open watch of that attempt in this process reads it again at
 * once instead of asking the database every few hundred milliseconds. In queue mode every web
 * instance hears the queue's events and stores or confirms the change itself, so each wakes
 * its own watches; a change made elsewhere (another instance's reconcile) is seen at the
 * watch's next regular read.
 *
 * Kept on globalThis: Next bundles the instrumentation hook (which starts the queue's
 * listener) apart from the route handlers (which run the watches).
 */
const g = globalThis as unknown as { __lmsAttemptWaiters?: Map<string, Set<() => void>> };

function waiters(): Map<string, Set<() => void>> {
  g.__lmsAttemptWaiters ??= new Map();
  return g.__lmsAttemptWaiters;
}

/** Wakes every watch of the attempt in this process. */
export function attemptChanged(attemptId: string): void {
  const set = waiters().get(attemptId);
  if (!set) return;
  for (const wake of [...set]) wake();
}

/**
 * A wait registered now (before the caller reads the attempt, so that a change between the
 * read and the wait is not missed) that ends at the attempt's next change, when `signal`
 * aborts, or `ms` after `limit(ms)` was called (the caller decides how long once it has read
 * the attempt), whichever comes first. `cancel()` ends it early and frees it.
 */
export function nextAttemptChange(
  attemptId: string,
  signal?: AbortSignal,
): { done: Promise<void>; limit: (ms: number) => void; cancel: () => void } {
  let end: () => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    const all = waiters();
    let set = all.get(attemptId);
    if (!set) {
      set = new Set();
      all.set(attemptId, set);
    }
    const mine = set;
    end = () => {
      clearTimeout(timer);
      mine.delete(end);
      if (mine.size === 0 && all.get(attemptId) === mine) all.delete(attemptId);
      signal?.removeEventListener('abort', end);
      resolve();
    };
    mine.add(end);
    if (signal?.aborted) end();
    else signal?.addEventListener('abort', end, { once: true });
  });
  return {
    done,
    limit: (ms) => {
      clearTimeout(timer);
      timer = setTimeout(() => end(), Math.max(0, ms));
    },
    cancel: () => end(),
  };
}

/** Open waits, over all attempts (tests: none may be left behind). */
export function openAttemptWaits(): number {
  let n = 0;
  for (const set of waiters().values()) n += set.size;
  return n;
}
