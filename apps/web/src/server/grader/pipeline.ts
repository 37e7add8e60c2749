import { gradeRequestFor } from '@lms/content/grading';
import { getAttempt, listPendingAttempts, requeueAttempts } from '@lms/db';
import { type GradeRequestInput, type GradeResult, gradingMessage } from '@lms/grading';
import type { Db } from '../db';
import {
  applyGradeResult,
  failAttemptForService,
  gradedWithoutSandbox,
  gradeOutputTask,
  isTerminal,
  markRunning,
  taskOfAttempt,
} from '../services/attempts';
import { GraderError } from './http';
import type { GraderTransport } from './transport';

export type GradeFn = (request: GradeRequestInput) => Promise<GradeResult>;

export type InProcessTransportOptions = {
  db: Db;
  /** one final check (HTTP to the grader service, or a fake in tests) */
  grade: GradeFn;
  /** final checks in flight at once from this web process (the grader queues beyond its own) */
  concurrency?: number;
  /** waits before re-trying an attempt whose grader was unreachable/busy; then it is given up */
  retryDelaysMs?: number[];
  log?: (line: string) => void;
};

/** Stored on an attempt no grader could take (a code: the page says it in the reader's language). */
export const SERVICE_DOWN_MESSAGE = gradingMessage('grader_unavailable');

/**
 * Grades stored attempts from this process (embedded default): queued → running → verdict.
 * `dispatch` returns once the verdict is stored; callers that must not wait (submit) just
 * don't await it. `idle()` resolves when nothing is in flight (tests, shutdown).
 */
export function createInProcessTransport(options: InProcessTransportOptions): GraderTransport & {
  idle(): Promise<void>;
} {
  const { db, grade, concurrency = 4, retryDelaysMs = [2_000, 10_000, 30_000] } = options;
  const log = options.log ?? ((line: string) => console.warn(`[grader-client] ${line}`));
  const line = createFairLine(concurrency);
  const inFlight = new Set<Promise<void>>();

  async function gradeOnce(attemptId: string): Promise<'done' | 'retry'> {
    const attempt = await getAttempt(db, attemptId);
    if (attempt?.stage !== 'final' || isTerminal(attempt.status)) return 'done';
    if (!(await markRunning(db, attemptId))) return 'done';
    try {
      const { task } = await taskOfAttempt(db, attempt);
      const result = gradedWithoutSandbox(task)
        ? gradeOutputTask(task, attempt.code)
        : await grade(gradeRequestFor(task, attempt.code));
      await applyGradeResult(db, attemptId, result);
      return 'done';
    } catch (error) {
      if (error instanceof GraderError && error.retryable) {
        log(`attempt ${attemptId}: ${error.message}`);
        await requeueAttempts(db, [attemptId]);
        return 'retry';
      }
      log(`attempt ${attemptId}: ${(error as Error).message}`);
      await failAttemptForService(db, attemptId, SERVICE_DOWN_MESSAGE);
      return 'done';
    }
  }

  async function run(attemptId: string): Promise<void> {
    // whose attempt it is decides its place in the waiting line (unknown: graded as its own user)
    const owner = (await getAttempt(db, attemptId))?.userId ?? `?${attemptId}`;
    for (let i = 0; ; i++) {
      const outcome = await line.withSlot(owner, () => gradeOnce(attemptId));
      if (outcome === 'done') return;
      const delay = retryDelaysMs[i];
      if (delay === undefined) {
        await failAttemptForService(db, attemptId, SERVICE_DOWN_MESSAGE);
        return;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  return {
    kind: 'http',
    dispatch(attemptId: string) {
      const p = run(attemptId).catch((error) => {
        log(`attempt ${attemptId}: grading crashed: ${(error as Error).message}`);
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      return p;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

/**
 * At most `concurrency` jobs at once; the waiting line is round-robin by user: when a slot
 * frees, the next user in turn gets it for their oldest waiting job, and goes to the back of
 * the line if they have more. One user's burst thus delays others by at most one job each.
 */
export function createFairLine(concurrency: number) {
  let running = 0;
  /** per user, their waiting jobs' wake-ups, oldest first */
  const waiting = new Map<string, Array<() => void>>();
  /** users with waiting jobs, in turn order (a Set keeps insertion order) */
  const turns = new Set<string>();

  function next(): void {
    const user = turns.values().next().value;
    if (user === undefined) return;
    turns.delete(user);
    const queue = waiting.get(user) ?? [];
    const wake = queue.shift();
    if (queue.length > 0)
      turns.add(user); // back of the line
    else waiting.delete(user);
    running++;
    wake?.();
  }

  return {
    async withSlot<T>(user: string, fn: () => Promise<T>): Promise<T> {
      if (running < concurrency && turns.size === 0) running++;
      else {
        await new Promise<void>((wake) => {
          const queue = waiting.get(user);
          if (queue) queue.push(wake);
          else {
            waiting.set(user, [wake]);
            turns.add(user);
          }
          if (running < concurrency) next();
        });
      }
      try {
        return await fn();
      } finally {
        running--;
        next();
      }
    },
    /** jobs waiting for a slot (tests) */
    get waiting() {
      let n = 0;
      for (const q of waiting.values()) n += q.length;
      return n;
    },
  };
}

/**
 * Attempts stored but never graded (the server stopped between storing and grading, or
 * while the grader ran) are handed to the grader again. Called once at server start.
 */
export async function recoverPendingAttempts(
  db: Db,
  transport: GraderTransport,
): Promise<{ recovered: number }> {
  const pending = await listPendingAttempts(db, { stage: 'final', limit: 10_000 });
  if (pending.length === 0) return { recovered: 0 };
  await requeueAttempts(
    db,
    pending.filter((a) => a.status === 'running').map((a) => a.id),
  );
  // a dispatch that gives up has already stored its attempt as failed: only say so
  for (const a of pending) {
    transport.dispatch(a.id).catch((error: unknown) => {
      console.warn(`[grader-client] recovering attempt ${a.id}: ${(error as Error).message}`);
    });
  }
  return { recovered: pending.length };
}
