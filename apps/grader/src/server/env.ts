import { availableParallelism } from 'node:os';
import { DEFAULT_OUTPUT_CAP_BYTES, GRADE_QUEUE } from '@lms/grading';
import { z } from 'zod';

/** Every setting of the grader server: name, default, validation (read once, here only). */
const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');

export const serverEnvSchema = z.object({
  /** address the HTTP service listens on */
  GRADER_HOST: z.string().default('127.0.0.1'),
  GRADER_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  /** shared secret: callers send `Authorization: Bearer <secret>`; required by `serve` */
  GRADER_SECRET: z.string().min(16, 'GRADER_SECRET must be at least 16 characters').optional(),
  /** development only: run programs without bubblewrap; every result says unsafe: true */
  GRADER_UNSAFE_NO_SANDBOX: flag,
  /**
   * `off`: do not use cgroups even where they work (rlimits only: RLIMIT_AS for memory, no
   * CPU-aware admission); for hosts whose cgroups misbehave, and to test that path
   */
  GRADER_CGROUPS: z.enum(['auto', 'off']).default('auto'),
  /** Redis for the BullMQ worker mode */
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** the interpreter that runs programs and tests */
  GRADER_PYTHON: z.string().default('/usr/bin/python3'),
  GRADER_BWRAP: z.string().default('/usr/bin/bwrap'),
  /**
   * `1`: refuse to start without the sandbox's seccomp filter (python3-seccomp missing);
   * CI=true implies it. Otherwise the grader starts with a warning and says so in its self-test
   */
  GRADER_REQUIRE_SECCOMP: flag,
  /** slot i runs as uid GRADER_UID_BASE + i (no passwd entry needed) */
  GRADER_UID_BASE: z.coerce.number().int().min(1000).max(4_000_000_000).default(61000),
  /** sandboxed processes alive at once (sleepers included) */
  GRADER_MAX_RUNS: z.coerce.number().int().min(1).max(1024).default(128),
  /** processes burning CPU at once (default: the cores) */
  GRADER_CPU_SLOTS: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
  /** gradings waiting beyond the running ones before the service answers 503 busy */
  GRADER_QUEUE_LIMIT: z.coerce.number().int().min(0).max(100_000).default(256),
  /** bytes kept of stdout and of stderr */
  GRADER_OUTPUT_CAP: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(DEFAULT_OUTPUT_CAP_BYTES),
  /** BullMQ worker: gradings taken at once by one worker process */
  GRADER_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(64),
  /** BullMQ: a dead worker's job is retried after its lock expires (ms) */
  GRADER_JOB_LOCK_MS: z.coerce.number().int().min(1000).default(15_000),
  /** BullMQ: how often workers look for stalled jobs (ms) */
  GRADER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(5_000),
  /**
   * `lms-grader worker`: port of its /healthz, /readyz and /metrics (observe.ts) on
   * GRADER_HOST; 0 (default) = none. Give each worker on one machine its own
   */
  GRADER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /**
   * on SIGTERM (serve, worker): how long the gradings under way may take to finish before the
   * process exits anyway (a worker's unfinished jobs then go back to the queue: another
   * worker's stalled-job check takes them after GRADER_JOB_LOCK_MS)
   */
  GRADER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** BullMQ queue name */
  GRADER_QUEUE_NAME: z.string().default(GRADE_QUEUE),
  /**
   * `1`: `lms-grader pipe` grades `engine: 'pyodide'` jobs, as `--pyodide` does: Pyodide in
   * Node, outside the sandbox (as nobody when root), for trusted course files only
   */
  GRADER_PIPE_PYODIDE: flag,
});
export type ServerEnv = z.infer<typeof serverEnvSchema>;

export function readServerEnv(source: Record<string, string | undefined> = process.env): ServerEnv {
  const parsed = serverEnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid grader environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/**
 * Whether the grader must refuse to start without its seccomp filter: GRADER_REQUIRE_SECCOMP=1,
 * or CI (any value but empty, 0 and false). Read on its own: the sandbox asks it at start-up.
 */
export function seccompRequired(source: Record<string, string | undefined> = process.env): boolean {
  const ci = (source.CI ?? '').toLowerCase();
  const require = (source.GRADER_REQUIRE_SECCOMP ?? '').toLowerCase();
  return (ci !== '' && ci !== '0' && ci !== 'false') || require === '1' || require === 'true';
}
