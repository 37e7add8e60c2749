import {
  type CompiledCourse,
  compileCourseFiles,
  type DoctorReport,
  type DoctorRunner,
  doctorOk,
  runDoctor,
  stableStringify,
  type Task,
} from '@lms/content';
import { gradeRequestFor } from '@lms/content/grading';
import {
  getCourseDraft,
  getPublishedRelease,
  type LatestFinalAttempt,
  listLatestFinalAttempts,
} from '@lms/db';
import { DEFAULT_GRADE_LIMITS, type GradeResult } from '@lms/grading';
import { env } from '../../env';
import type { SignedInContext } from '../context';
import { gradeOverHttp } from '../grader/http';
import type { GradeFn } from '../grader/pipeline';
import { type AdminJob, getJob, type JobKind, startJob } from './admin-jobs';
import { refuse } from './admin-shared';
import { gradedWithoutSandbox, gradeOutputTask } from './attempts';

/*
 * The admins' checks of a draft release before it is published, each a background job of
 * admin-jobs.ts that the content page polls:
 *
 * - validate: the draft compiled, then the course doctor (@lms/content runDoctor: examples run,
 *   reference answers pass, starters fail, and — unless quick — check strength with the tasks'
 *   solutions/pass|fail files) through the real grader;
 * - impact: for every task whose checks (or limits) differ from the published release, each
 *   student's latest graded final attempt (Progress.lastFinalId) graded again against the
 *   draft's checks, and the verdicts that would flip.
 *
 * Both reach the grader through its HTTP service (`POST /v1/grade`, GRADER_URL and
 * GRADER_SECRET: the one the web's final checks use in the embedded default), not through a
 * `lms-grader pipe` child of the web server as the doctor CLI does (decision 0008): the web
 * server runs as an unprivileged user (scripts/start.mjs) while the grader's sandbox
 * (bubblewrap, cgroups, slot uids) needs root, and at scale the web machines have no grader at
 * all. The grader service gives a synchronous "grade this request" call; the queue transport
 * does not (it stores the verdict on an Attempt), so in queue mode these jobs still need a
 * grader `serve` at GRADER_URL, and say so when none answers.
 *
 * What that costs the doctor: the service grades on CPython only, so check strength's quick
 * check "on Pyodide" is graded on CPython here (engine disagreements are found by
 * `lms-content check` at a terminal); and an example runs as a grading whose one test accepts
 * any run (the grader has no plain-run endpoint), which runs it exactly as `lms-grader run`
 * does (the same program driver in the same sandbox) and returns its output.
 */

/** The grader service as the web's settings name it; generous timeouts (the grader queues). */
export function graderServiceGrade(): GradeFn {
  const e = env();
  return (request) =>
    gradeOverHttp(request, {
      url: e.GRADER_URL,
      secret: e.GRADER_SECRET,
      timeoutMs: Math.max(
        e.GRADER_TIMEOUT_MS,
        ((request.limits?.wallSeconds ?? 10) * 3 + 60) * 1000,
      ),
    });
}

/** A check that accepts any run: an example graded with it is just run (and its output read). */
const RUN_ONLY_CHECKS = `from lms_checks import test


@test("the program ran")
def ran(run):
    pass
`;

/** The course doctor's runner over the grader service (see above). */
export function graderServiceRunner(grade: GradeFn): DoctorRunner {
  return {
    describe: 'the grader service (HTTP /v1/grade; CPython in its sandbox, also for Pyodide)',
    async runProgram(code, wallSeconds) {
      const r = await grade({
        code,
        taskId: 'example',
        checks: { public: RUN_ONLY_CHECKS, hidden: null, wrapperTest: null },
        limits: { ...DEFAULT_GRADE_LIMITS, wallSeconds: Math.min(wallSeconds, 120) },
        stage: 'quick',
      });
      if (r.status === 'sandbox_error') throw new Error(`grader sandbox error: ${r.message ?? ''}`);
      return {
        stdout: r.stdout,
        stderr: r.stderr,
        exitCode: r.exitCode,
        elapsed: r.durations.programMs / 1000,
        timedOut: r.limitHit === 'wall' || r.limitHit === 'cpu',
      };
    },
    checkTask: (task, code, how = {}) =>
      grade(gradeRequestFor(task, code, how.stage ?? 'final', { authorView: true })),
  };
}

async function requireDraft(ctx: SignedInContext, course: string) {
  const draft = await getCourseDraft(ctx.db, course);
  if (!draft) refuse(`course "${course}" has no draft: start one first`);
  return draft;
}

/** A job as the page sees it: progress, and whether the draft changed since it started. */
function jobView<R>(job: AdminJob<R> | null, contentHash: string | null) {
  if (!job) return null;
  return {
    state: job.state,
    done: job.done,
    total: job.total,
    label: job.label,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    error: job.error,
    /** the draft was edited after the job started: its results are of an older text */
    stale: contentHash !== null && contentHash !== job.contentHash,
    result: job.result,
  };
}

// ---------------------------------------------------------------------------------------------
// validate

export type ValidationItem = {
  id: string;
  kind: 'example' | 'answer' | 'starter' | 'solution';
  /** the task it belongs to (answers, starters, solutions), null for examples */
  taskId: string | null;
  outcome: string;
  ok: boolean;
  message: string | null;
  file: string;
  line: number;
};

export type ValidationResult = {
  ok: boolean;
  quick: boolean;
  /** compile problems (then nothing ran) and the doctor's errors, at their file and line */
  errors: Array<{ file: string; line: number; column: number; message: string }>;
  summary: Pick<DoctorReport, 'examples' | 'answers' | 'starters' | 'strength'> | null;
  items: ValidationItem[];
  runner: string;
};

const isBad = (kind: ValidationItem['kind'], outcome: string) =>
  kind === 'starter'
    ? outcome !== 'failed'
    : kind === 'solution'
      ? outcome !== 'passed'
      : outcome === 'mismatch' || outcome === 'failed' || outcome === 'error';

/** The task a doctor detail is about: answers and starters by id, solutions by their path. */
function taskOfDetail(id: string, kind: ValidationItem['kind']): string | null {
  if (kind === 'answer' || kind === 'starter') return id;
  if (kind === 'solution') return /tasks\/([^/]+)\/solutions\//.exec(id)?.[1] ?? null;
  return null;
}

/**
 * Starts validating the course's draft (one run per draft at a time; a running one is
 * returned). `quick`: without check strength (answers, starters and examples only).
 */
export async function startValidation(
  ctx: SignedInContext,
  input: { course: string; quick: boolean },
  grade: GradeFn = graderServiceGrade(),
) {
  const draft = await requireDraft(ctx, input.course);
  const files = draft.source;
  const job = startJob<ValidationResult>(
    {
      kind: 'validate',
      releaseId: draft.id,
      contentHash: draft.contentHash,
      startedBy: ctx.session.user.id,
    },
    (progress) => validateFiles(input.course, files, { quick: input.quick, grade, progress }),
  );
  return jobView(job, draft.contentHash);
}

/** Compile + doctor of a course file map (the work of a validate job). */
export async function validateFiles(
  course: string,
  files: Record<string, string>,
  options: {
    quick: boolean;
    grade: GradeFn;
    progress?: (done: number, total: number, label: string) => void;
  },
): Promise<ValidationResult> {
  const runner = graderServiceRunner(options.grade);
  const compiled = compileCourseFiles(course, files, { keep: true });
  try {
    if (!compiled.course || !compiled.dir) {
      return {
        ok: false,
        quick: options.quick,
        errors: compiled.errors,
        summary: null,
        items: [],
        runner: runner.describe,
      };
    }
    const report = await runDoctor({
      courseDir: compiled.dir,
      runner,
      strength: !options.quick,
      jobs: 4,
      // an example's timing on a loaded machine: once more before it is reported
      retries: 1,
      onProgress: options.progress,
    });
    const dirPrefix = `${compiled.dir}/`;
    const relative = (file: string) =>
      file.startsWith(dirPrefix) ? file.slice(dirPrefix.length) : file;
    return {
      ok: doctorOk(report),
      quick: options.quick,
      errors: report.errors.map((e) => ({ ...e, file: relative(e.file) })),
      summary: {
        examples: report.examples,
        answers: report.answers,
        starters: report.starters,
        strength: report.strength,
      },
      items: report.details.map((d) => ({
        id: relative(d.id),
        kind: d.kind,
        taskId: taskOfDetail(d.id, d.kind),
        outcome: d.outcome,
        ok: !isBad(d.kind, d.outcome),
        message: d.message,
        file: relative(d.source.file),
        line: d.source.line,
      })),
      runner: runner.describe,
    };
  } finally {
    compiled.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------
// impact preview

export type Flip = { userId: string; name: string; email: string; attemptId: string };

export type TaskImpact = {
  taskId: string;
  /** students whose latest final attempt was graded again */
  students: number;
  solvedToFailing: Flip[];
  failingToSolved: Flip[];
  unchanged: number;
  /** attempts the grader could not grade again (sandbox error, unreachable): not counted above */
  errors: Array<Flip & { message: string }>;
};

export type ImpactResult = {
  /** tasks whose checks or limits differ between the published release and the draft */
  changedTasks: string[];
  /** the draft drops these published tasks (their students' progress stays, unchanged) */
  removedTasks: string[];
  tasks: TaskImpact[];
  totals: { students: number; solvedToFailing: number; failingToSolved: number; errors: number };
  publishedVersion: number;
  draftVersion: number;
};

function tasksOf(compiled: unknown): Map<string, Task> {
  const course = compiled as CompiledCourse;
  return new Map(course.chapters.flatMap((c) => c.tasks.map((t) => [t.id, t] as const)));
}

/** What decides a task's verdict: its kind, checks, limits, flags (and an output task's answer). */
function gradingOf(task: Task): string {
  return stableStringify({
    kind: task.kind,
    checks: task.checks,
    limits: task.limits,
    flags: task.flags,
    answer: gradedWithoutSandbox(task) ? task.answer : null,
  });
}

/** The published tasks whose grading the draft changes, and those it drops. */
export function changedTasks(published: unknown, draft: unknown) {
  const before = tasksOf(published);
  const after = tasksOf(draft);
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [id, task] of before) {
    const next = after.get(id);
    if (!next) removed.push(id);
    else if (gradingOf(task) !== gradingOf(next)) changed.push(id);
  }
  return { changed, removed, after };
}

/** Starts the impact preview of the course's draft (one run per draft at a time). */
export async function startImpact(
  ctx: SignedInContext,
  input: { course: string },
  grade: GradeFn = graderServiceGrade(),
) {
  const draft = await requireDraft(ctx, input.course);
  const published = await getPublishedRelease(ctx.db, input.course);
  if (!published) refuse(`course "${input.course}" has no published release to compare with`);
  const db = ctx.db;
  const job = startJob<ImpactResult>(
    {
      kind: 'impact',
      releaseId: draft.id,
      contentHash: draft.contentHash,
      startedBy: ctx.session.user.id,
    },
    async (progress) => {
      const { changed, removed, after } = changedTasks(published.compiled, draft.compiled);
      const attempts = await listLatestFinalAttempts(db, {
        courseSlug: input.course,
        taskIds: changed,
      });
      const tasks = await regradeAll(attempts, after, grade, progress);
      return {
        changedTasks: changed,
        removedTasks: removed,
        tasks: changed.map((id) => tasks.get(id) ?? emptyImpact(id)),
        totals: {
          students: attempts.length,
          solvedToFailing: sum(tasks, (t) => t.solvedToFailing.length),
          failingToSolved: sum(tasks, (t) => t.failingToSolved.length),
          errors: sum(tasks, (t) => t.errors.length),
        },
        publishedVersion: published.version,
        draftVersion: draft.version,
      };
    },
  );
  return jobView(job, draft.contentHash);
}

const emptyImpact = (taskId: string): TaskImpact => ({
  taskId,
  students: 0,
  solvedToFailing: [],
  failingToSolved: [],
  unchanged: 0,
  errors: [],
});

const sum = (m: Map<string, TaskImpact>, f: (t: TaskImpact) => number) =>
  [...m.values()].reduce((n, t) => n + f(t), 0);

/** Attempts graded again at once (the grader's admission decides what really runs). */
const IMPACT_CONCURRENCY = 4;

/** Each attempt graded against its task's new checks, verdicts compared (before: its own). */
async function regradeAll(
  attempts: LatestFinalAttempt[],
  tasks: Map<string, Task>,
  grade: GradeFn,
  progress: (done: number, total: number, label: string) => void,
): Promise<Map<string, TaskImpact>> {
  const out = new Map<string, TaskImpact>();
  let next = 0;
  let done = 0;
  progress(0, attempts.length, '');
  const worker = async () => {
    while (next < attempts.length) {
      const a = attempts[next++]!;
      const task = tasks.get(a.taskId)!;
      const impact = out.get(a.taskId) ?? emptyImpact(a.taskId);
      out.set(a.taskId, impact);
      const who: Flip = {
        userId: a.user.id,
        name: a.user.name,
        email: a.user.email,
        attemptId: a.attemptId,
      };
      let result: GradeResult | null = null;
      let problem: string | null = null;
      try {
        result = gradedWithoutSandbox(task)
          ? gradeOutputTask(task, a.code)
          : await grade(gradeRequestFor(task, a.code));
        if (result.status === 'sandbox_error')
          problem = `the grader could not run it: ${result.message ?? 'sandbox error'}`;
      } catch (error) {
        problem = (error as Error).message;
      }
      impact.students++;
      if (problem || !result) {
        impact.errors.push({ ...who, message: problem ?? 'no result' });
      } else {
        const before = a.status === 'passed';
        const after = result.status === 'passed';
        if (before && !after) impact.solvedToFailing.push(who);
        else if (!before && after) impact.failingToSolved.push(who);
        else impact.unchanged++;
      }
      progress(++done, attempts.length, a.taskId);
    }
  };
  await Promise.all(Array.from({ length: IMPACT_CONCURRENCY }, worker));
  return out;
}

// ---------------------------------------------------------------------------------------------
// the page's poll

/** The course draft's validate and impact jobs (null where none ran on this web instance). */
export async function draftJobs(ctx: SignedInContext, input: { course: string }) {
  const draft = await getCourseDraft(ctx.db, input.course);
  if (!draft) return { draftId: null, validate: null, impact: null };
  const view = <R>(kind: JobKind) => jobView(getJob<R>(kind, draft.id), draft.contentHash);
  return {
    draftId: draft.id,
    validate: view<ValidationResult>('validate'),
    impact: view<ImpactResult>('impact'),
  };
}
