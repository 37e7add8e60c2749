/**
 * `lms-grader pipe`: a long-lived grader process for tools (the course doctor) that send many
 * jobs. One JSON object per line each way: a job on stdin, its answer on stdout, matched by
 * `id`; jobs run concurrently, up to the grader's capacity, and answers come as they finish.
 * Two kinds of job: `grade` (a GradeRequest) and `run` (a plain program, e.g. an example).
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

export const pipeJobSchema = z.discriminatedUnion('kind', [
  z.object({
    id: z.string().min(1).max(200),
    kind: z.literal('grade'),
    request: gradeRequestSchema,
  }),
  z.object({
    id: z.string().min(1).max(200),
    kind: z.literal('run'),
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
