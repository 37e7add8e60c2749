import { z } from 'zod';
import { GRADER_CODE_CAP_CHARS } from './limits.ts';
import { gradingMessageSchema } from './messages.ts';

/**
 * The grader's wire format: what a caller sends (`GradeRequest`) and what every engine
 * answers (`GradeResult`). Shared by the server (CPython in bubblewrap), the browser
 * (Pyodide in a Web Worker), the queue worker and the web app. Close to the Exercism test
 * runner's result (status + per-test name/status/message), plus the run's output and limits.
 * Documented in packages/grading/README.md. Extend, never rename.
 */

export const PROTOCOL_VERSION = 1 as const;

/** Resource limits of one run, within what the grader accepts (a course's `task.json` is checked against it). */
export const gradeLimitsSchema = z.object({
  wallSeconds: z.number().positive().max(120).default(10),
  cpuSeconds: z.number().positive().max(60).default(5),
  memoryMb: z.number().int().min(16).max(4096).default(256),
});
export type GradeLimits = z.infer<typeof gradeLimitsSchema>;
export const DEFAULT_GRADE_LIMITS: GradeLimits = { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 };

/** A task's checks (`@lms/content` derives its `taskChecksSchema` from this): Python sources in our check format. */
export const gradeChecksSchema = z.object({
  public: z.string().nullable().default(null),
  hidden: z.string().nullable().default(null),
  wrapperTest: z.string().nullable().default(null),
});
export type GradeChecks = z.infer<typeof gradeChecksSchema>;

/** 'quick': public tests only (the browser's advisory check); 'final': public + hidden + wrapper_test. */
export const gradeStageSchema = z.enum(['quick', 'final']);
export type GradeStage = z.infer<typeof gradeStageSchema>;

export const gradeRequestSchema = z.object({
  /** the student's program */
  code: z
    .string()
    .max(GRADER_CODE_CAP_CHARS, `code is longer than ${GRADER_CODE_CAP_CHARS} characters`),
  /** for logs and results only */
  taskId: z.string().max(200).optional(),
  checks: gradeChecksSchema,
  limits: gradeLimitsSchema.default(DEFAULT_GRADE_LIMITS),
  flags: z
    .object({
      runStaticTypeChecker: z.boolean().default(false),
      /**
       * The caller is the task's author (the doctor), not a student: a legacy wrapper_test's
       * failure carries its full output (a traceback with its frames). A student's grading (the
       * web app) never sets it: the student's code runs inside the wrapper and could print it.
       */
      authorView: z.boolean().optional(),
    })
    .default({ runStaticTypeChecker: false }),
  stage: gradeStageSchema.default('final'),
});
/** What a caller may send (defaults not yet applied). */
export type GradeRequestInput = z.input<typeof gradeRequestSchema>;
/** A validated request, defaults applied. */
export type GradeRequest = z.output<typeof gradeRequestSchema>;

/**
 * Overall outcome:
 * - passed: every test passed;
 * - failed: at least one test failed (an assertion of the task's tests);
 * - error: the program cannot be graded as written (syntax error) or the checks cannot run
 *   (they do not load, or define no test); a test that crashed counts as a failed test;
 * - timeout: the program hit the wall-clock or CPU-time limit;
 * - memory: the program hit the memory limit;
 * - output_limit: the program wrote more than the output cap;
 * - sandbox_error: the grader itself failed (not the student's fault; retry later).
 */
export const gradeStatusSchema = z.enum([
  'passed',
  'failed',
  'error',
  'timeout',
  'memory',
  'output_limit',
  'sandbox_error',
]);
export type GradeStatus = z.infer<typeof gradeStatusSchema>;

/** A final check that has no verdict yet: waiting for a grader, or being graded. */
export const PENDING_STATUSES = ['queued', 'running'] as const;
export type PendingStatus = (typeof PENDING_STATUSES)[number];
/** Every state a stored check can be in: pending, then one verdict. */
export const ATTEMPT_STATUSES = [...PENDING_STATUSES, ...gradeStatusSchema.options] as const;
export type AttemptStatus = PendingStatus | GradeStatus;

export function isPendingStatus(status: string): status is PendingStatus {
  return (PENDING_STATUSES as readonly string[]).includes(status);
}

export const testStatusSchema = z.enum(['passed', 'failed', 'error']);
export type TestStatus = z.infer<typeof testStatusSchema>;

export const testResultSchema = z.object({
  name: z.string(),
  status: testStatusSchema,
  /** student-facing: the assertion's message (failed) or a short description (error); null when passed */
  message: z.string().nullable(),
  /**
   * set when the platform wrote `message` (an assertion without text, a wrapper's exit code):
   * the interface shows it in its own language. A test's own message has none: it is shown
   * as written.
   */
  // unknown to this version (a newer grader): dropped, the test's message stands
  messageCode: gradingMessageSchema.optional().catch(undefined),
  durationMs: z.number().nonnegative(),
  /** which checks file it came from */
  origin: z.enum(['public', 'hidden', 'wrapper', 'typecheck']),
});
export type TestResult = z.infer<typeof testResultSchema>;

/** A test's result as an attempt stores it: the grader's, plus whether the student may see its name. */
export type StoredTestResult = TestResult & { hidden: boolean };

export function toStoredTests(tests: readonly TestResult[]): StoredTestResult[] {
  return tests.map((t) => ({
    name: t.name,
    status: t.status,
    message: t.message,
    ...(t.messageCode ? { messageCode: t.messageCode } : {}),
    hidden: t.origin === 'hidden',
    origin: t.origin,
    durationMs: t.durationMs,
  }));
}

export const limitHitSchema = z.enum(['wall', 'cpu', 'memory', 'output', 'processes', 'disk']);
export type LimitHit = z.infer<typeof limitHitSchema>;

/**
 * Which engine produced a result: CPython in the bubblewrap sandbox, CPython without one
 * (development only, `GRADER_UNSAFE_NO_SANDBOX=1`), Pyodide in the browser, or no program at
 * all (`output-compare`: a "what does this print?" answer compared with the expected text).
 */
export const engineSchema = z.enum([
  'cpython-bwrap',
  'cpython-unsafe',
  'pyodide',
  'output-compare',
]);
export type Engine = z.infer<typeof engineSchema>;

/** One run of the student's program, as the tests see it (`Run` in lms_checks.py). */
export const runRecordSchema = z.object({
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number().int().nullable(),
  /** signal name when the process was killed by one (SIGKILL, SIGXCPU, SIGSEGV…) */
  signal: z.string().nullable(),
  elapsed: z.number().nonnegative(),
  timedOut: z.boolean(),
  /** the uncaught exception's traceback, harness frames removed */
  traceback: z.string().nullable(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

export const gradeResultSchema = z.object({
  version: z.literal(PROTOCOL_VERSION),
  status: gradeStatusSchema,
  /** student-facing summary of the outcome, in Russian (CLIs, logs, older clients) */
  message: z.string().nullable(),
  /**
   * the same summary as a code with parameters (`messages.ts`), for an interface to show in
   * its own language; null when there is no summary (or an older grader sent none)
   */
  // unknown to this version (a newer grader): null, and `message` is shown instead
  messageCode: gradingMessageSchema.nullable().default(null).catch(null),
  tests: z.array(testResultSchema),
  stdout: z.string(),
  stderr: z.string(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  traceback: z.string().nullable(),
  limitHit: limitHitSchema.nullable(),
  durations: z.object({
    /** the student's program, wall clock */
    programMs: z.number().nonnegative(),
    /** the tests' process */
    testsMs: z.number().nonnegative(),
    /** mypy, when it ran */
    typecheckMs: z.number().nonnegative(),
    /** everything, including queueing inside the grader */
    totalMs: z.number().nonnegative(),
    queuedMs: z.number().nonnegative(),
  }),
  limits: gradeLimitsSchema,
  stage: gradeStageSchema,
  engine: engineSchema,
  /** the interpreter's real version, e.g. 3.11.2 (Pyodide: 3.14.x) */
  pythonVersion: z.string(),
  /** true when the run was NOT sandboxed (GRADER_UNSAFE_NO_SANDBOX=1): never trust it */
  unsafe: z.boolean(),
  /**
   * a failure of the grader itself (`sandbox_error`): its id, which the student's message
   * names, and the details (paths, tool output) for the logs and staff, never for students
   */
  incident: z
    .object({ id: z.string().max(64), detail: z.string().max(8000) })
    .nullable()
    .default(null)
    .catch(null),
  /** the static type checker: null when the task does not ask for it */
  typecheck: z
    .object({
      tool: z.literal('mypy'),
      available: z.boolean(),
      passed: z.boolean().nullable(),
      output: z.string(),
    })
    .nullable(),
});
export type GradeResult = z.infer<typeof gradeResultSchema>;

/** The JSON the tests driver (lms_checks.run_tests / lms_tests_main.py) prints. */
export const testsDriverOutputSchema = z.object({
  tests: z.array(
    z.object({
      name: z.string(),
      status: testStatusSchema,
      message: z.string().nullable(),
      durationMs: z.number().nonnegative(),
      origin: z.enum(['public', 'hidden']),
    }),
  ),
  /** a checks file that could not be loaded (a bug in the task's tests) */
  loadError: z.string().nullable(),
  /** the student's code does not parse: "SyntaxError: …" (the line is `syntaxErrorLine`) */
  syntaxError: z.string().nullable(),
  /** the line of the syntax error, when Python names one */
  syntaxErrorLine: z.number().int().nullable().optional(),
  pythonVersion: z.string(),
});
export type TestsDriverOutput = z.infer<typeof testsDriverOutputSchema>;

/** Readable one-line description of a zod error, with the path of each issue. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

export function parseGradeRequest(
  input: unknown,
): { ok: true; request: GradeRequest } | { ok: false; error: string } {
  const parsed = gradeRequestSchema.safeParse(input);
  if (parsed.success) return { ok: true, request: parsed.data };
  return { ok: false, error: describeZodError(parsed.error) };
}
