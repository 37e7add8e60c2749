/**
 * `lms-grader pipe`: a long-lived grader process for tools (the course doctor) that send many
 * jobs. One JSON object per line each way: a job on stdin, its answer on stdout, matched by
 * `id`; jobs run concurrently, up to the grader's capacity, and answers come as they finish.
 * Two kinds of job: `grade` (a GradeRequest) and `run` (a plain program, e.g. an example).
 *
 * A `grade` job may name its engine (`pipeEngineSchema`): `cpython` (the default; CPython in
 * the sandbox, as the final check) or `pyodide` (the browser's quick check, run in Node by the
 * same engine code: public tests only, so the request must say `stage: 'quick'`). Pyodide is
 * started on the first `pyodide` job and kept warm; a job it cannot grade (Pyodide missing or
 * failing to start, a `final` stage) gets an error answer, never a crash of the pipe.
 */
import { z } from 'zod';
import { GRADER_CODE_CAP_CHARS } from './limits.ts';
import {
  DEFAULT_GRADE_LIMITS,
  engineSchema,
  gradeLimitsSchema,
  gradeRequestSchema,
  gradeResultSchema,
  gradeStatusSchema,
  limitHitSchema,
} from './protocol.ts';

/** How a plain program run ended: `ok` (exit 0), `error` (any other exit), or a limit. */
export const programRunStatusSchema = z.enum([
  'ok',
  ...gradeStatusSchema.extract(['error', 'timeout', 'memory', 'output_limit', 'sandbox_error'])
    .options,
]);
export type ProgramRunStatus = z.infer<typeof programRunStatusSchema>;

/** One run of a plain program in the sandbox (no tests). */
export const programRunSchema = z.object({
  status: programRunStatusSchema,
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  /** seconds, the program's wall clock */
  elapsed: z.number().nonnegative(),
  traceback: z.string().nullable(),
  limitHit: limitHitSchema.nullable(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  engine: engineSchema,
  pythonVersion: z.string(),
  unsafe: z.boolean(),
});
export type ProgramRun = z.infer<typeof programRunSchema>;

/** Which engine grades a pipe `grade` job: the sandbox's CPython, or Pyodide as in the browser. */
export const pipeEngineSchema = z.enum(['cpython', 'pyodide']);
export type PipeEngine = z.infer<typeof pipeEngineSchema>;

export const pipeJobSchema = z.discriminatedUnion('kind', [
  z.object({
    id: z.string().min(1).max(200),
    kind: z.literal('grade'),
    /** absent in older jobs: `cpython` */
    engine: pipeEngineSchema.default('cpython'),
    request: gradeRequestSchema,
  }),
  z.object({
    id: z.string().min(1).max(200),
    kind: z.literal('run'),
    /** plain runs are CPython's only: `pyodide` here is refused, not silently run on CPython */
    engine: z.literal('cpython').default('cpython'),
    code: z.string().max(GRADER_CODE_CAP_CHARS),
    limits: gradeLimitsSchema.default(DEFAULT_GRADE_LIMITS),
  }),
]);
export type PipeJobInput = z.input<typeof pipeJobSchema>;
export type PipeJob = z.output<typeof pipeJobSchema>;

export const pipeAnswerSchema = z.union([
  z.object({ id: z.string(), result: gradeResultSchema }),
  z.object({ id: z.string(), run: programRunSchema }),
  /** the job could not be read (bad JSON or shape: id may be null) or the grader failed on it */
  z.object({ id: z.string().nullable(), error: z.string() }),
]);
export type PipeAnswer = z.infer<typeof pipeAnswerSchema>;
