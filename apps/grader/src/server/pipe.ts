/**
 * `lms-grader pipe`: jobs as JSON lines on stdin, answers as JSON lines on stdout (contract:
 * `@lms/grading` pipe.ts). Jobs run concurrently under the service's admission; a bad line
 * gets an error answer and the pipe goes on. Ends when stdin ends and every job has answered.
 */
import { createInterface } from 'node:readline';
import { describeZodError, type PipeAnswer, pipeJobSchema } from '@lms/grading';
import { BusyError, type GradeService } from './service.ts';

export async function servePipe(
  service: GradeService,
  input: NodeJS.ReadableStream = process.stdin,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Promise<void> {
  const answer = (a: PipeAnswer) => write(`${JSON.stringify(a)}\n`);
  const running = new Set<Promise<void>>();
  let lineNo = 0;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNo++;
    if (line.trim() === '') continue;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (error) {
      answer({ id: null, error: `line ${lineNo}: not JSON (${(error as Error).message})` });
      continue;
    }
    const parsed = pipeJobSchema.safeParse(data);
    if (!parsed.success) {
      const id = (data as { id?: unknown } | null)?.id;
      answer({
        id: typeof id === 'string' ? id : null,
        error: `line ${lineNo}: ${describeZodError(parsed.error)}`,
      });
      continue;
    }
    const job = parsed.data;
    const work = (async () => {
      for (;;) {
        try {
          if (job.kind === 'grade')
            answer({ id: job.id, result: await service.grade(job.request) });
          else answer({ id: job.id, run: await service.runProgram(job.code, job.limits) });
          return;
        } catch (error) {
          // a full queue is back-pressure, not a failure: wait for a running job to end
          if (error instanceof BusyError && running.size > 1) {
            await Promise.race([...running].filter((p) => p !== work));
            continue;
          }
          answer({ id: job.id, error: (error as Error).message });
          return;
        }
      }
    })();
    running.add(work);
    void work.finally(() => running.delete(work));
  }
  await Promise.all(running);
}
