import { gradeRequestFor } from '@lms/content/grading';
import { getAttempt, listPendingAttempts, requeueAttempts } from '@lms/db';
import { type GradeRequestInput, type GradeResult, gradingMessage } from '@lms/grading';
import { attemptChanged } from '../attempt-events';
import type { Db } from '../db';
import {
  applyGradeResult,
  FINAL_CHECKS_IN_FLIGHT_CAP,
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
  /**
   * final checks sent to the grader at once from this web process (default 64): the grader's own
   * admission (CPU-aware, apps/grader scheduler.ts) decides how many of them run at once; beyond
   * this many they wait here, in the fair line
   */
  concurrency?: number;
  /** of one user's final checks, at most this many at once (default FINAL_CHECKS_IN_FLIGHT_CAP) */
  perUser?: number;
  /** waits before re-trying an attempt whose grader was unreachable/busy; then it is given up */
  retryDelaysMs?: number[];
  log?: (line: string) => void;
};

/**
 * Final checks one web process has at the grader at once. The grader admits runs by the CPU
 * they use (many sleepers, one busy program per core) and queues the rest up to
 * GRADER_MAX_RUNS + GRADER_QUEUE_LIMIT (128 + 256 by default): it, not this bound, decides how
 * much runs at once. The bound only keeps the order fair beyond it (the fair line, below). It
 * was 4: a class of 30 submitting task 0020 (3 s of sleep each) waited in eights of 3 s.
 */
export const DEFAULT_IN_FLIGHT = 64;

/** Stored on an attempt no grader could take (a code: the page says it in the reader's language). */
export const SERVICE_DOWN_MESSAGE = gradingMessage('grader_unavailable');

/**
 * Grades stored attempts from this process (embedded default): queued → running → verdict.
 * `dispatch` returns once the verdict is stored; callers that must not wait (submit) just
 * don't await it. `idle()` resolves when nothing is in flight (tests, shutdown).
 */
export function createInProcessTransport(options: InProcessTransportOptions): GraderTransport & {
  idle(): Promise<void>;
  /** final checks waiting for a slot (and those about to join the line with every slot taken) */
  backlog(): Promise<number>;
  placeOf(attemptId: string): Promise<number | null>;
} {
  const {
    db,
    grade,
    concurrency = DEFAULT_IN_FLIGHT,
    perUser = FINAL_CHECKS_IN_FLIGHT_CAP,
    retryDelaysMs = [2_000, 10_000, 30_000],
  } = options;
  const log = options.log ?? ((line: string) => console.warn(`[grader-client] ${line}`));
  const line = createFairLine(concurrency, perUser);
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
        attemptChanged(attemptId); // running → queued: its watches say so now
        return 'retry';
      }
      log(`attempt ${attemptId}: ${(error as Error).message}`);
      await failAttemptForService(db, attemptId, SERVICE_DOWN_MESSAGE);
      return 'done';
    }
  }

  /** dispatches reading their attempt's owner, not in the line yet */
  let entering = 0;

  async function run(attemptId: string, knownOwner?: string): Promise<void> {
    // whose attempt it is decides its place in the waiting line (unknown: graded as its own
    // user); given by the caller (submit), it joins the line before dispatch returns
    let owner = knownOwner;
    if (owner === undefined) {
      entering++;
      try {
        owner = (await getAttempt(db, attemptId))?.userId ?? `?${attemptId}`;
      } finally {
        entering--;
      }
    }
    const user = owner;
    for (let i = 0; ; i++) {
      const outcome = await line.withSlot(user, () => gradeOnce(attemptId), attemptId);
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
    dispatch(attemptId: string, owner?: string) {
      const p = run(attemptId, owner).catch((error) => {
        log(`attempt ${attemptId}: grading crashed: ${(error as Error).message}`);
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      return p;
    },
    async backlog() {
      // waiting in the line, and those about to join it with every slot taken
      return line.waiting + Math.max(0, line.running + entering - concurrency);
    },
    async placeOf(attemptId: string) {
      return line.placeOf(attemptId);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

/**
 * At most `concurrency` jobs at once, and at most `perUser` of one user's; the waiting line is
 * round-robin by user: when a slot frees, the next user in turn (who is under `perUser`) gets it
 * for their oldest waiting job, and goes to the back of the line if they have more. One user's
 * burst thus delays others by at most one job each.
 */
export function createFairLine(concurrency: number, perUser = Number.POSITIVE_INFINITY) {
  let running = 0;
  /** per user, their jobs holding a slot */
  const runningBy = new Map<string, number>();
  /** per user, their waiting jobs (wake-up, key), oldest first */
  const waiting = new Map<string, Array<{ wake: () => void; key: string | undefined }>>();
  /** users with waiting jobs, in turn order (a Set keeps insertion order) */
  const turns = new Set<string>();

  /** Gives free slots to the waiting jobs, in turn. */
  function pump(): void {
    while (running < concurrency) {
      let user: string | undefined;
      for (const u of turns) {
        if ((runningBy.get(u) ?? 0) < perUser) {
          user = u;
          break;
        }
      }
      if (user === undefined) return;
      turns.delete(user);
      const queue = waiting.get(user) ?? [];
      const job = queue.shift();
      if (queue.length > 0)
        turns.add(user); // back of the line
      else waiting.delete(user);
      running++;
      runningBy.set(user, (runningBy.get(user) ?? 0) + 1);
      job?.wake();
    }
  }

  return {
    /** Runs `fn` in a slot, in turn; `key` names the job for `placeOf`. */
    async withSlot<T>(user: string, fn: () => Promise<T>, key?: string): Promise<T> {
      await new Promise<void>((wake) => {
        const queue = waiting.get(user);
        if (queue) queue.push({ wake, key });
        else {
          waiting.set(user, [{ wake, key }]);
          turns.add(user);
        }
        pump();
      });
      try {
        return await fn();
      } finally {
        running--;
        const mine = (runningBy.get(user) ?? 1) - 1;
        if (mine > 0) runningBy.set(user, mine);
        else runningBy.delete(user);
        pump();
      }
    },
    /** jobs waiting for a slot */
    get waiting() {
      let n = 0;
      for (const q of waiting.values()) n += q.length;
      return n;
    },
    /** jobs holding a slot */
    get running() {
      return running;
    },
    /**
     * A waiting job's place in the line (1 = the next slot's), as the turns will serve it:
     * every user's next job in turn order, round after round; null when it is not waiting.
     */
    placeOf(key: string): number | null {
      const queues = [...turns].map((u) => waiting.get(u) ?? []);
      let place = 0;
      for (let round = 0; ; round++) {
        let more = false;
        for (const queue of queues) {
          const job = queue[round];
          if (!job) continue;
          more = true;
          place++;
          if (job.key === key) return place;
        }
        if (!more) return null;
      }
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
