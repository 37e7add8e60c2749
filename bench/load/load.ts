/**
 * The simulated class: every student signs up, signs in, opens the seed chapter, saves drafts
 * and submits final checks of task 0020 one after the other (at most 2 in flight per student
 * is the app's rule; one at a time is what a student does), following each until its verdict
 * as the task page does: over the attempt.watch stream, polling attempt.get if it breaks.
 */
import { CallError, Recorder, StudentClient } from './client.ts';
import { CHAPTER, COURSE, type Kind, kindOf, PROGRAMS, TASK } from './programs.ts';

export type AttemptRecord = {
  student: number;
  email: string;
  kind: Kind;
  expected: string;
  /** null: the submit was refused or its answer was lost */
  id: string | null;
  /** accepted: stored (we have its id); refused: the app said no; unknown: no answer (the
   * instance died mid-request: it may or may not have stored it) */
  submit: 'accepted' | 'refused' | 'unknown';
  why?: string;
  /** the verdict the app showed (attempt.get), if it came before the deadline */
  status?: string;
  submittedAt: number;
  verdictAt?: number;
};

export type LoadOptions = {
  base: string;
  students: number;
  submissions: number;
  /** students start spread over this many seconds */
  rampSeconds: number;
  mix: 'full' | 'small';
  runId: string;
  /** how long a student follows one attempt before giving up on seeing its verdict */
  verdictTimeoutMs: number;
  /** sign-up and sign-in for everyone first, then every submission at once (scaling curve) */
  burst?: boolean;
  onProgress?: (submitted: number) => void;
};

export type LoadResult = {
  recorder: Recorder;
  attempts: AttemptRecord[];
  emails: string[];
  /** wall time of the grading phase: first submit to last verdict seen */
  gradingWindowMs: number;
  firstSubmitAt: number;
  lastVerdictAt: number;
};

const PENDING = new Set(['queued', 'running']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const think = () => sleep(200 + Math.random() * 600);

export const PASSWORD = 'load-bench-password-1';

/** A student's seeming address: 10.77.x.y, one per student (sign-up limits are per address). */
function addressOf(i: number): string {
  return `10.77.${(i >> 8) & 255}.${i & 255}`;
}

/** Retries an idempotent step after a failure (chaos: an instance died); failures stay recorded. */
async function retried<T>(step: () => Promise<T>, tries = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await step();
    } catch (error) {
      if (i >= tries || (error instanceof CallError && error.status < 500 && error.status !== 429))
        throw error;
      await sleep(1_000 * i);
    }
  }
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const recorder = new Recorder();
  const attempts: AttemptRecord[] = [];
  const emails: string[] = [];
  let submitted = 0;
  let nextSubmission = 0;
  let release: () => void = () => {};
  const barrier = new Promise<void>((r) => {
    release = r;
  });
  let signedIn = 0;

  async function student(i: number): Promise<void> {
    const email = `load-${options.runId}-${i}@bench.local`;
    emails.push(email);
    const client = new StudentClient(options.base, addressOf(i), recorder);
    if (!options.burst) await sleep((options.rampSeconds * 1000 * i) / options.students);
    await retried(() =>
      client.auth('sign-up', { name: `Load student ${i}`, email, password: PASSWORD }),
    );
    await retried(() => client.auth('sign-in', { email, password: PASSWORD }));
    if (options.burst) {
      if (++signedIn === options.students) release();
      await barrier;
    } else {
      await retried(() => client.page('page.chapter', `/courses/${COURSE}/chapters/${CHAPTER}`));
      await think();
    }
    const task = { courseSlug: COURSE, taskId: TASK };
    for (let s = 0; s < options.submissions; s++) {
      const kind = kindOf(nextSubmission++, options.mix);
      const { code, expected } = PROGRAMS[kind];
      if (!options.burst) {
        // typing: two autosaves of the growing program, then the final one
        const lines = code.split('\n');
        for (const share of [0.3, 0.7, 1]) {
          const draft = lines.slice(0, Math.ceil(lines.length * share)).join('\n');
          await retried(() => client.mutation('draft.save', { ...task, code: draft }));
          await think();
        }
      }
      const record: AttemptRecord = {
        student: i,
        email,
        kind,
        expected,
        id: null,
        submit: 'unknown',
        submittedAt: Date.now(),
      };
      attempts.push(record);
      // refused for being busy (another check in flight, a queue full): wait and send again,
      // as the page tells a student to
      for (let tries = 0; ; tries++) {
        try {
          const made = await client.mutation<{ id: string }>('attempt.submit', {
            ...task,
            code,
          });
          record.id = made.id;
          record.submit = 'accepted';
          break;
        } catch (error) {
          const busy =
            error instanceof CallError &&
            ['SUBMITS_IN_FLIGHT', 'RATE_LIMITED', 'GRADER_BUSY', 'TOO_MANY_REQUESTS'].includes(
              error.code,
            );
          if (busy && tries < 30) {
            await sleep(2_000);
            continue;
          }
          record.submit = error instanceof CallError && error.status < 500 ? 'refused' : 'unknown';
          record.why = error instanceof CallError ? `${error.status} ${error.code}` : String(error);
          break;
        }
      }
      submitted++;
      options.onProgress?.(submitted);
      if (!record.id) continue;
      const deadline = Date.now() + options.verdictTimeoutMs;
      const settled = (a: { status: string }) => {
        if (PENDING.has(a.status)) return false;
        record.status = a.status;
        record.verdictAt = Date.now();
        return true;
      };
      // as the task page follows it: the attempt.watch stream; when the stream fails or ends
      // without a verdict (its instance died), attempt.get is polled instead
      try {
        const stop = AbortSignal.timeout(options.verdictTimeoutMs);
        await client.subscribe<{ status: string }>(
          'attempt.watch',
          { id: record.id, courseSlug: COURSE },
          settled,
          stop,
        );
      } catch {
        // recorded as an error of attempt.watch; polled below
      }
      while (record.status === undefined && Date.now() < deadline) {
        await sleep(700);
        try {
          const a = await client.query<{ status: string }>('attempt.get', {
            id: record.id,
            courseSlug: COURSE,
          });
          if (settled(a)) break;
        } catch {
          // recorded as an error of attempt.get; keep following the attempt
        }
      }
      if (!options.burst) await think();
    }
  }

  const results = await Promise.allSettled(
    Array.from({ length: options.students }, (_, i) => student(i)),
  );
  for (const r of results) {
    if (r.status === 'rejected' && !(r.reason instanceof CallError)) {
      recorder.add({ name: 'student', ms: 0, ok: false, error: String(r.reason) });
    }
  }
  const accepted = attempts.filter((a) => a.submit !== 'refused');
  const firstSubmitAt = Math.min(...accepted.map((a) => a.submittedAt));
  const lastVerdictAt = Math.max(...accepted.map((a) => a.verdictAt ?? a.submittedAt));
  return {
    recorder,
    attempts,
    emails,
    gradingWindowMs: lastVerdictAt - firstSubmitAt,
    firstSubmitAt,
    lastVerdictAt,
  };
}
