import { z } from 'zod';

/**
 * The grader's wire format: what a caller sends (`GradeRequest`) and what every engine
 * answers (`GradeResult`). Shared by the server (CPython in bubblewrap), the browser
 * (Pyodide in a Web Worker), the queue worker and the web app. Close to the Exercism test
 * runner's result (status + per-test name/status/message), plus the run's output and limits.
 * Documented in apps/grader/README.md. Extend, never rename.
 */

export const PROTOCOL_VERSION = 1 as const;

/** Resource limits of one run. Same shape and defaults as `limitsSchema` in `@lms/content`. */
export const gradeLimitsSchema = z.object({
  wallSeconds: z.number().positive().max(120).default(10),
  cpuSeconds: z.number().positive().max(60).default(5),
  memoryMb: z.number().int().min(16).max(4096).default(256),
});
export type GradeLimits = z.infer<typeof gradeLimitsSchema>;
export const DEFAULT_GRADE_LIMITS: GradeLimits = { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 };

/** A task's checks, as `taskChecksSchema` in `@lms/content`: Python sources in our check format. */
export const gradeChecksSchema = z.object({
  public: z.string().nullable().default(null),
  hidden: z.string().nullable().default(null),
  wrapperTest: z.string().nullable().default(null),
});
export type GradeChecks = z.infer<typeof gradeChecksSchema>;

/** 'quick': public tests only (the browser's advisory check); 'final': public + hidden + wrapper_test. */
export const gradeStageSchema = z.enum(['quick', 'final']);
export type GradeStage = z.infer<typeof gradeStageSchema>;

const MAX_CODE_BYTES = 256 * 1024;

export const gradeRequestSchema = z.object({
  /** the student's program */
  code: z.string().max(MAX_CODE_BYTES, `code is longer than ${MAX_CODE_BYTES} characters`),
  /** for logs and results only */
  taskId: z.string().max(200).optional(),
  checks: gradeChecksSchema,
  limits: gradeLimitsSchema.default(DEFAULT_GRADE_LIMITS),
  flags: z
    .object({ runStaticTypeChecker: z.boolean().default(false) })
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
 * - error: the program cannot be graded as written (syntax error, mypy errors) or a test
 *   crashed (status error of a test: a bug in the checks or an unexpected record);
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

export const testStatusSchema = z.enum(['passed', 'failed', 'error']);
export type TestStatus = z.infer<typeof testStatusSchema>;

export const testResultSchema = z.object({
  name: z.string(),
  status: testStatusSchema,
  /** student-facing: the assertion's message (failed) or a short description (error); null when passed */
  message: z.string().nullable(),
  durationMs: z.number().nonnegative(),
  /** which checks file it came from */
  origin: z.enum(['public', 'hidden', 'wrapper', 'typecheck']),
});
export type TestResult = z.infer<typeof testResultSchema>;

export const limitHitSchema = z.enum(['wall', 'cpu', 'memory', 'output', 'processes', 'disk']);
export type LimitHit = z.infer<typeof limitHitSchema>;

export const engineSchema = z.enum(['cpython-bwrap', 'cpython-unsafe', 'pyodide']);
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
  /** student-facing summary of the outcome */
  message: z.string().nullable(),
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
  /** the student's code does not parse: "SyntaxError: … (строка N)" */
  syntaxError: z.string().nullable(),
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
