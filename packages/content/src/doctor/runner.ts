import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_GRADE_LIMITS,
  type GradeResult,
  type GradeStage,
  type PipeAnswer,
  type PipeEngine,
  type PipeJobInput,
  pipeAnswerSchema,
  type TestResult,
} from '@lms/grading';
import { childEnv } from '../env.ts';
import { gradeRequestFor } from '../grading.ts';
import type { Task } from '../schema.ts';

/** One run of a plain program (an example, or the program of an output task). */
export interface ProgramResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  elapsed: number;
  timedOut: boolean;
}

/** The grader's verdict on one solution, the part the doctor reads. */
export type TaskCheckResult = Pick<GradeResult, 'status' | 'message'> & {
  tests: Array<Pick<TestResult, 'name' | 'status' | 'message'>>;
};

export interface DoctorRunner {
  /** how programs are run, for the report */
  describe: string;
  runProgram(code: string, wallSeconds: number): Promise<ProgramResult>;
  /**
   * Runs a solution against its task's checks (default: the final check on CPython; the quick
   * check carries the public tests only); null when no grader is available.
   */
  checkTask:
    | ((
        task: Task,
        code: string,
        how?: { stage?: GradeStage; engine?: PipeEngine },
      ) => Promise<TaskCheckResult>)
    | null;
  /** ends what the runner started (a grader process); it starts again when used again */
  close?(): Promise<void>;
}

const OUTPUT_CAP = 1 << 20;

interface Captured {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  elapsed: number;
}

/** Runs a command in its own process group; kills the whole group on timeout. */
export function capture(
  command: string,
  args: string[],
  options: { cwd?: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<Captured> {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      if (outBytes < OUTPUT_CAP) out.push(b);
      outBytes += b.length;
    });
    child.stderr.on('data', (b: Buffer) => {
      if (errBytes < OUTPUT_CAP) err.push(b);
      errBytes += b.length;
    });
    const finish = (exitCode: number | null, signal: string | null, spawnError?: Error) => {
      clearTimeout(timer);
      resolvePromise({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: spawnError ? `${spawnError.message}\n` : Buffer.concat(err).toString('utf8'),
        exitCode,
        signal,
        timedOut,
        elapsed: (performance.now() - started) / 1000,
      });
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** Examples through `/usr/bin/python3 -I` in a fresh temp dir: the fallback without a grader. */
export function pythonSubprocessRunner(python = '/usr/bin/python3'): DoctorRunner {
  return {
    describe: `${python} -I subprocess (no sandbox)`,
    async runProgram(code, wallSeconds) {
      const dir = mkdtempSync(join(tmpdir(), 'lms-doctor-'));
      try {
        writeFileSync(join(dir, 'main.py'), code);
        const r = await capture(python, ['-I', 'main.py'], {
          cwd: dir,
          timeoutMs: wallSeconds * 1000,
          // a cast: an app that augments ProcessEnv (Next: NODE_ENV required) type-checks this too
          env: {
            PATH: '/usr/bin:/bin',
            LC_ALL: 'C.UTF-8',
            HOME: dir,
          } as unknown as NodeJS.ProcessEnv,
        });
        return {
          stdout: r.stdout,
          stderr: r.stderr,
          exitCode: r.exitCode,
          elapsed: r.elapsed,
          timedOut: r.timedOut,
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    checkTask: null,
  };
}

/**
 * The grader as one long-lived `lms-grader pipe` process (contract: `@lms/grading` pipe.ts):
 * every example and solution is a job on its stdin, run concurrently up to the grader's
 * capacity, answered on its stdout.
 */
export function graderCliRunner(
  graderBin: string,
  options: {
    /** seconds a job may take beyond its own limits before it is given up (the grader queues) */
    slackSeconds?: number;
    /** settings for the grader process beyond the environment's (e.g. GRADER_UID_BASE) */
    env?: Record<string, string>;
  } = {},
): DoctorRunner {
  const slack = options.slackSeconds ?? 120;
  const jobTimeoutMs = (wallSeconds: number) => (wallSeconds + slack) * 1000;
  let child: GraderPipe | null = null;
  const pipe = () => {
    if (!child?.usable) child = new GraderPipe(graderBin, options.env);
    return child;
  };
  return {
    describe: `lms-grader pipe (${graderBin})`,
    async runProgram(code, wallSeconds) {
      const limits = { ...DEFAULT_GRADE_LIMITS, wallSeconds };
      const answer = await pipe().send({ kind: 'run', code, limits }, jobTimeoutMs(wallSeconds));
      if (!('run' in answer)) throw new Error('lms-grader answered a run with a grading');
      const run = answer.run;
      if (run.status === 'sandbox_error') throw new Error(`grader sandbox error: ${run.stderr}`);
      return {
        stdout: run.stdout,
        stderr: run.stderr,
        exitCode: run.exitCode,
        elapsed: run.elapsed,
        timedOut: run.status === 'timeout',
      };
    },
    async checkTask(task, code, how = {}) {
      const answer = await pipe().send(
        {
          kind: 'grade',
          engine: how.engine ?? 'cpython',
          request: gradeRequestFor(task, code, how.stage ?? 'final', { authorView: true }),
        },
        // the program, the tests' process, mypy and a wrapper_test, each up to its limit
        jobTimeoutMs(task.limits.wallSeconds * 3 + 60),
      );
      if (!('result' in answer)) throw new Error('lms-grader answered a grading with a run');
      return answer.result;
    },
    async close() {
      await child?.close();
      child = null;
    },
  };
}

type PipeJobBody = PipeJobInput extends infer J
  ? J extends PipeJobInput
    ? Omit<J, 'id'>
    : never
  : never;
type Answered = Exclude<PipeAnswer, { error: string }>;

class GraderPipe {
  exited = false;
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<
    string,
    { resolve(a: Answered): void; reject(e: Error): void }
  >();
  private nextId = 1;
  private stderrTail = '';
  /** killed (stopped answering): jobs go to a new grader, its waiting jobs fail when it exits */
  private retired = false;
  private readonly done: Promise<void>;

  constructor(bin: string, env?: Record<string, string>) {
    this.process = spawn(process.execPath, [bin, 'pipe', '--pyodide'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: childEnv(env),
    });
    this.process.stderr.setEncoding('utf8');
    this.process.stderr.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-2000);
    });
    const lines = createInterface({ input: this.process.stdout });
    lines.on('line', (line) => this.onLine(line));
    this.done = new Promise((resolveDone) => {
      const end = (why: string) => {
        if (this.exited) return;
        this.exited = true;
        const tail = this.stderrTail.trim().split('\n').slice(-5).join('\n');
        for (const w of this.waiting.values())
          w.reject(new Error(`lms-grader ${why}${tail ? `: ${tail}` : ''}`));
        this.waiting.clear();
        resolveDone();
      };
      this.process.on('error', (e) => end(`could not start (${e.message})`));
      // the grader died while a job was being written to it (EPIPE)
      this.process.stdin.on('error', (e) => end(`stopped reading jobs (${e.message})`));
      this.process.on('close', (code, signal) => end(`exited (${code ?? signal})`));
    });
  }

  /** takes new jobs */
  get usable(): boolean {
    return !this.exited && !this.retired;
  }

  send(job: PipeJobBody, timeoutMs: number): Promise<Answered> {
    if (!this.usable) return Promise.reject(new Error('lms-grader is not running'));
    const id = String(this.nextId++);
    return new Promise((resolveAnswer, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`lms-grader gave no answer in ${Math.round(timeoutMs / 1000)} s`));
        // a grader that stopped answering is replaced: the next job starts a new one
        this.kill();
      }, timeoutMs);
      const settle = () => clearTimeout(timer);
      this.waiting.set(id, {
        resolve: (a) => {
          settle();
          resolveAnswer(a);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      this.process.stdin.write(`${JSON.stringify({ ...job, id })}\n`);
    });
  }

  private onLine(line: string) {
    let answer: PipeAnswer;
    try {
      answer = pipeAnswerSchema.parse(JSON.parse(line));
    } catch (e) {
      this.stderrTail = `${this.stderrTail}\nunreadable answer: ${(e as Error).message}`.slice(
        -2000,
      );
      return;
    }
    const waiter = answer.id === null ? undefined : this.waiting.get(answer.id);
    if (!waiter || answer.id === null) return;
    this.waiting.delete(answer.id);
    if ('error' in answer) waiter.reject(new Error(`lms-grader: ${answer.error}`));
    else waiter.resolve(answer);
  }

  /** Ends the grader: stdin closed, it finishes its jobs and exits; killed if it has not within a minute. */
  async close(): Promise<void> {
    this.process.stdin.end();
    const timer = setTimeout(() => this.kill(), 60_000);
    await this.done;
    clearTimeout(timer);
  }

  private kill(): void {
    this.retired = true;
    try {
      this.process.kill('SIGTERM');
    } catch {
      // already gone
    }
  }
}

/**
 * Finds the grader's command, `lms-grader`, where npm links the workspace's commands
 * (`node_modules/.bin`, walking up from each of `from`, then from this package's own
 * directory). `LMS_GRADER_BIN` overrides it.
 */
export function findGraderBin(from: string[] = [process.cwd()]): string | null {
  return findBin('lms-grader', from);
}

/** A command npm linked into node_modules/.bin, walking up from each start (and this package). */
export function findBin(name: string, from: string[] = [process.cwd()]): string | null {
  for (const start of [...from, dirname(fileURLToPath(import.meta.url))]) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, 'node_modules', '.bin', name);
      if (existsSync(candidate)) return realpathSync(candidate);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}
