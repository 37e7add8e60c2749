import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** One run of a plain program (an example, or the program of an output task). */
export interface ProgramResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  elapsed: number;
  timedOut: boolean;
}

/** The grader's verdict on one solution, the part the doctor reads. */
export interface TaskCheckResult {
  status: string;
  message: string | null;
  tests: Array<{ name: string; status: string; message: string | null }>;
}

export interface DoctorRunner {
  /** how programs are run, for the report */
  describe: string;
  runProgram(code: string, wallSeconds: number): Promise<ProgramResult>;
  /** runs a solution against its task's checks; null when no grader is available */
  checkTask: ((courseDir: string, taskId: string, code: string) => Promise<TaskCheckResult>) | null;
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
          env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8', HOME: dir },
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

const graderRunSchema = z
  .object({
    stdout: z.string(),
    stderr: z.string(),
    exitCode: z.number().int().nullable(),
    elapsed: z.number(),
    status: z.string(),
  })
  .loose();

const gradeResultSchema = z
  .object({
    status: z.string(),
    message: z.string().nullable().optional(),
    tests: z.array(
      z.object({ name: z.string(), status: z.string(), message: z.string().nullable() }).loose(),
    ),
  })
  .loose();

function parseJsonOutput<T>(schema: z.ZodType<T>, r: Captured, what: string): T {
  const text = r.stdout.trim();
  const start = text.indexOf('{');
  let data: unknown;
  try {
    data = JSON.parse(start > 0 ? text.slice(start) : text);
  } catch {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n');
    throw new Error(
      `${what} printed no JSON (exit ${r.exitCode ?? r.signal}): ${tail || '(no output)'}`,
    );
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new Error(`${what} printed unexpected JSON: ${parsed.error.message}`);
  return parsed.data;
}

/** The grader CLI as a subprocess: `run` for plain programs, `check` for solutions. */
export function graderCliRunner(graderBin: string): DoctorRunner {
  const node = process.execPath;
  return {
    describe: `lms-grader (${graderBin})`,
    async runProgram(code, wallSeconds) {
      const dir = mkdtempSync(join(tmpdir(), 'lms-doctor-'));
      try {
        const file = join(dir, 'main.py');
        writeFileSync(file, code);
        const r = await capture(
          node,
          [graderBin, 'run', file, '--json', '--wall', String(wallSeconds)],
          {
            timeoutMs: (wallSeconds + 60) * 1000,
          },
        );
        const res = parseJsonOutput(graderRunSchema, r, 'lms-grader run');
        return {
          stdout: res.stdout,
          stderr: res.stderr,
          exitCode: res.exitCode,
          elapsed: res.elapsed,
          timedOut: res.status === 'timeout',
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    async checkTask(courseDir, taskId, code) {
      const dir = mkdtempSync(join(tmpdir(), 'lms-doctor-'));
      try {
        const file = join(dir, 'solution.py');
        writeFileSync(file, code);
        const r = await capture(node, [graderBin, 'check', courseDir, taskId, file, '--json'], {
          timeoutMs: 180_000,
        });
        const res = parseJsonOutput(gradeResultSchema, r, 'lms-grader check');
        return { status: res.status, message: res.message ?? null, tests: res.tests };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Finds the grader CLI: `node_modules/.bin/lms-grader` or `apps/grader/bin/lms-grader.mjs`
 * in the repo holding `from` (walking up), or in the repo of this package.
 */
export function findGraderBin(from: string[] = [process.cwd()]): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const start of [...from, here]) {
    let dir = resolve(start);
    for (;;) {
      for (const candidate of [
        join(dir, 'apps', 'grader', 'bin', 'lms-grader.mjs'),
        join(dir, 'node_modules', '.bin', 'lms-grader'),
      ]) {
        if (existsSync(candidate)) return candidate;
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}
