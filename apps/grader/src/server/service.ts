import type { GradeLimits, GradeRequest, GradeResult, ProgramRun } from '@lms/grading';
import type { ServerEnv } from './env.ts';
import { gradeOnServer, runProgram } from './grade.ts';
import { interpreterBinds, Sandbox } from './sandbox.ts';

/** Outcome counters and duration histogram for /metrics. */
export class GradeMetrics {
  readonly buckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40];
  readonly byStatus = new Map<string, number>();
  readonly counts = new Array<number>(this.buckets.length + 1).fill(0);
  sum = 0;
  total = 0;
  rejected = 0;

  observe(result: GradeResult): void {
    this.byStatus.set(result.status, (this.byStatus.get(result.status) ?? 0) + 1);
    const seconds = result.durations.totalMs / 1000;
    const i = this.buckets.findIndex((b) => seconds <= b);
    this.counts[i === -1 ? this.buckets.length : i]!++;
    this.sum += seconds;
    this.total++;
  }
}

export class BusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('the grader is busy: too many gradings queued, retry later');
  }
}

/**
 * The grading service of one process: a sandbox, admission (bounded queue), metrics.
 * Shared by the HTTP service, the queue worker and the CLI.
 */
export class GradeService {
  readonly metrics = new GradeMetrics();
  private pending = 0;

  private constructor(
    readonly sandbox: Sandbox,
    private readonly queueLimit: number,
  ) {}

  static async create(
    env: Pick<
      ServerEnv,
      | 'GRADER_PYTHON'
      | 'GRADER_BWRAP'
      | 'GRADER_UNSAFE_NO_SANDBOX'
      | 'GRADER_UID_BASE'
      | 'GRADER_MAX_RUNS'
      | 'GRADER_CPU_SLOTS'
      | 'GRADER_OUTPUT_CAP'
      | 'GRADER_QUEUE_LIMIT'
    > &
      Partial<Pick<ServerEnv, 'GRADER_CGROUPS'>>,
    options: { probeMypyAtStart?: boolean } = {},
  ): Promise<GradeService> {
    const sandbox = await Sandbox.create({
      python: env.GRADER_PYTHON,
      bwrap: env.GRADER_UNSAFE_NO_SANDBOX ? null : env.GRADER_BWRAP,
      unsafe: env.GRADER_UNSAFE_NO_SANDBOX,
      uidBase: env.GRADER_UID_BASE,
      maxRuns: env.GRADER_MAX_RUNS,
      cpuSlots: env.GRADER_CPU_SLOTS,
      outputCapBytes: env.GRADER_OUTPUT_CAP,
      extraReadOnly: interpreterBinds(env.GRADER_PYTHON),
      probeMypyAtStart: options.probeMypyAtStart,
      cgroups: env.GRADER_CGROUPS !== 'off',
    });
    return new GradeService(sandbox, env.GRADER_MAX_RUNS + env.GRADER_QUEUE_LIMIT);
  }

  /** gradings and runs it accepts at once (running plus waiting) before it answers busy */
  get capacity(): number {
    return this.queueLimit;
  }

  /** gradings accepted and not finished */
  get inFlight(): number {
    return this.pending;
  }

  /** Grade now or throw BusyError when the queue is full (never waits unboundedly). */
  async grade(request: GradeRequest): Promise<GradeResult> {
    if (this.pending >= this.queueLimit) {
      this.metrics.rejected++;
      throw new BusyError(Math.max(1, Math.ceil(request.limits.wallSeconds / 2)));
    }
    this.pending++;
    try {
      const result = await gradeOnServer(this.sandbox, request);
      this.metrics.observe(result);
      return result;
    } finally {
      this.pending--;
    }
  }

  /** Runs a plain program (no tests), under the same admission as gradings. */
  async runProgram(code: string, limits: GradeLimits): Promise<ProgramRun> {
    if (this.pending >= this.queueLimit) {
      this.metrics.rejected++;
      throw new BusyError(Math.max(1, Math.ceil(limits.wallSeconds / 2)));
    }
    this.pending++;
    try {
      return await runProgram(this.sandbox, code, limits);
    } finally {
      this.pending--;
    }
  }

  async close(): Promise<void> {
    await this.sandbox.close();
  }
}
