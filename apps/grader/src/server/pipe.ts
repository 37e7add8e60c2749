/**
 * `lms-grader pipe`: jobs as JSON lines on stdin, answers as JSON lines on stdout (contract:
 * `@lms/grading` pipe.ts). Jobs run concurrently up to the service's capacity; beyond it the
 * pipe stops reading its input until a job ends (back-pressure, so any number of queued lines
 * costs nothing). A bad line gets an error answer and the pipe goes on. Ends when stdin ends
 * and every job has answered.
 */
import { createInterface } from 'node:readline';
import { describeZodError, type PipeAnswer, type PipeJob, pipeJobSchema } from '@lms/grading';
import type { GradeService } from './service.ts';

export async function servePipe(
  service: GradeService,
  input: NodeJS.ReadableStream = process.stdin,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Promise<void> {
  const answer = (a: PipeAnswer) => write(`${JSON.stringify(a)}\n`);
  const running = new Set<Promise<void>>();
  const limit = Math.max(1, service.capacity);
  let lineNo = 0;
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
    const work = runJob(service, job).then(answer);
    running.add(work);
    // a failed write rejects `work`: servePipe then rejects through the race or the last wait
    work.finally(() => running.delete(work)).catch(() => {});
  }
  await Promise.all(running);
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
async function runJob(service: GradeService, job: PipeJob): Promise<PipeAnswer> {
  try {
    if (job.kind === 'grade') return { id: job.id, result: await service.grade(job.request) };
    return { id: job.id, run: await service.runProgram(job.code, job.limits) };
  } catch (error) {
    return { id: job.id, error: (error as Error).message };
  }
}
