/*
 * The admins' long jobs on a draft release (validate, impact preview): a small registry kept in
 * this web process's memory, keyed by (kind, draft release id), which the content page polls for
 * progress and results.
 *
 * In memory on purpose: a job is an advisory check an admin starts and watches from the page,
 * and it is cheap to start again. What it costs: a job lives on the web instance that started
 * it (several instances behind a load balancer: the poll may reach another one, which says
 * "no job" and the admin starts it again there), and a restart forgets it. Nothing stored
 * depends on a job: publishing never waits for one.
 */

export type JobKind = 'validate' | 'impact';
export type JobState = 'running' | 'done' | 'failed';

export type AdminJob<R> = {
  kind: JobKind;
  releaseId: string;
  /** the draft's content hash when the job started: an edit since makes the results stale */
  contentHash: string;
  state: JobState;
  done: number;
  total: number;
  /** what ran last (a task or example id) */
  label: string;
  startedAt: Date;
  finishedAt: Date | null;
  startedBy: string;
  /** what went wrong when `failed` (e.g. the grader cannot be reached) */
  error: string | null;
  result: R | null;
};

type Registry = Map<string, AdminJob<unknown>>;
const g = globalThis as unknown as { __lmsAdminJobs?: Registry };
const registry = (): Registry => {
  g.__lmsAdminJobs ??= new Map();
  return g.__lmsAdminJobs;
};

/** Finished jobs kept per kind, beyond which the oldest are forgotten. */
const KEEP_FINISHED = 50;

const key = (kind: JobKind, releaseId: string) => `${kind}:${releaseId}`;

export function getJob<R>(kind: JobKind, releaseId: string): AdminJob<R> | null {
  return (registry().get(key(kind, releaseId)) as AdminJob<R> | undefined) ?? null;
}

/**
 * Starts `work` as the (kind, release) job unless one is running already (then that one is
 * returned: one run per draft at a time). `work` reports progress through `progress`; its
 * result or its error ends the job. Returns at once.
 */
export function startJob<R>(
  input: { kind: JobKind; releaseId: string; contentHash: string; startedBy: string },
  work: (progress: (done: number, total: number, label: string) => void) => Promise<R>,
): AdminJob<R> {
  const running = getJob<R>(input.kind, input.releaseId);
  if (running?.state === 'running') return running;
  const job: AdminJob<R> = {
    ...input,
    state: 'running',
    done: 0,
    total: 0,
    label: '',
    startedAt: new Date(),
    finishedAt: null,
    error: null,
    result: null,
  };
  const reg = registry();
  reg.delete(key(input.kind, input.releaseId));
  reg.set(key(input.kind, input.releaseId), job as AdminJob<unknown>);
  forgetOld(reg, input.kind);
  const progress = (done: number, total: number, label: string) => {
    job.done = done;
    job.total = total;
    job.label = label;
  };
  void (async () => {
    try {
      job.result = await work(progress);
      job.state = 'done';
    } catch (error) {
      job.error = (error as Error).message || String(error);
      job.state = 'failed';
      console.error(`[admin-jobs] ${input.kind} of release ${input.releaseId}: ${job.error}`);
    } finally {
      job.finishedAt = new Date();
    }
  })();
  return job;
}

function forgetOld(reg: Registry, kind: JobKind) {
  const finished = [...reg.entries()].filter(([, j]) => j.kind === kind && j.state !== 'running');
  for (const [k] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) reg.delete(k);
}

/** Resolves when the job is no longer running (tests; the page polls instead). */
export async function jobSettled(kind: JobKind, releaseId: string): Promise<void> {
  for (;;) {
    const job = getJob(kind, releaseId);
    if (job?.state !== 'running') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
