/**
 * `lms-grader pipe`: jobs as JSON lines on stdin, answers as JSON lines on stdout (contract:
 * `@lms/grading` pipe.ts). Jobs run concurrently up to the service's capacity; beyond it the
 * pipe stops reading its input until a job ends (back-pressure, so any number of queued lines
 * costs nothing). A bad line gets an error answer and the pipe goes on. Ends when stdin ends
 * and every job has answered.
 *
 * `grade` jobs with `engine: 'pyodide'` go to the browser's Pyodide engine (`pyodide-node.ts`:
 * worker threads in an unprivileged child Node), started with the first such job and closed
 * when the pipe ends. That runs code outside the sandbox, so only when the caller opted in
 * (`options.pyodide`; `lms-grader pipe --pyodide`): otherwise each such job gets an error
 * answer saying how to enable it. If the engine cannot start, the jobs waiting get error
 * answers at once (pyodide-node.ts has the retry rule).
 */
import { createInterface } from 'node:readline';
import { describeZodError, type PipeAnswer, type PipeJob, pipeJobSchema } from '@lms/grading';
import type { PyodideGrader } from './pyodide-node.ts';
import type { GradeService } from './service.ts';

export interface PipeOptions {
  /**
   * makes the Pyodide engine, on the first `pyodide` job (e.g. `() => createPyodideEngine()`);
   * none (the default): `pyodide` jobs are refused with PYODIDE_OFF
   */
  pyodide?: (() => PyodideGrader) | null;
}

/** The error answer of a `pyodide` job in a pipe that was not started with the engine. */
export const PYODIDE_OFF =
  "engine pyodide is off in this pipe: it runs the program outside the grader's sandbox (in " +
  'Node, as an unprivileged user), for trusted course files only. Start the pipe with ' +
  '`lms-grader pipe --pyodide` (or GRADER_PIPE_PYODIDE=1) to allow it';

export async function servePipe(
  service: GradeService,
  input: NodeJS.ReadableStream = process.stdin,
  write: (line: string) => void = (line) => process.stdout.write(line),
  options: PipeOptions = {},
): Promise<void> {
  const answer = (a: PipeAnswer) => write(`${JSON.stringify(a)}\n`);
  const running = new Set<Promise<void>>();
  const limit = Math.max(1, service.capacity);
  const makePyodide =
    options.pyodide ??
    (() => {
      throw new Error(PYODIDE_OFF);
    });
  let pyodide: PyodideGrader | null = null;
  const engines = {
    service,
    pyodide(): PyodideGrader {
      pyodide ??= makePyodide(); // a throw is this job's error; the next job tries again
      return pyodide;
    },
  };
  let lineNo = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      lineNo++;
      if (line.trim() === '') continue;
      const job = readJob(line, lineNo);
      if ('error' in job) {
        answer(job);
        continue;
      }
      // at capacity: wait for one job to end before taking the next line
      while (running.size >= limit) await Promise.race(running);
      const work = runJob(engines, job).then(answer);
      running.add(work);
      // a failed write rejects `work`: servePipe then rejects through the race or the last wait
      work.finally(() => running.delete(work)).catch(() => {});
    }
    await Promise.all(running);
  } finally {
    await (pyodide as PyodideGrader | null)?.close();
  }
}

function readJob(line: string, lineNo: number): PipeJob | { id: string | null; error: string } {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch (error) {
    return { id: null, error: `line ${lineNo}: not JSON (${(error as Error).message})` };
  }
  const parsed = pipeJobSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const id = (data as { id?: unknown } | null)?.id;
  return {
    id: typeof id === 'string' ? id : null,
    error: `line ${lineNo}: ${describeZodError(parsed.error)}`,
  };
}

/** One job's answer; a failure of the grader becomes an error answer (never a rejection). */
async function runJob(
  engines: { service: GradeService; pyodide: () => PyodideGrader },
  job: PipeJob,
): Promise<PipeAnswer> {
  try {
    if (job.kind === 'grade') {
      const result =
        job.engine === 'pyodide'
          ? await engines.pyodide().grade(job.request)
          : await engines.service.grade(job.request);
      return { id: job.id, result };
    }
    return { id: job.id, run: await engines.service.runProgram(job.code, job.limits) };
  } catch (error) {
    return { id: job.id, error: (error as Error).message };
  }
}
