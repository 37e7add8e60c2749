import { PassThrough } from 'node:stream';
import { type PipeAnswer, pipeAnswerSchema } from '@lms/grading';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { servePipe } from '../../src/server/pipe.ts';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox } from './helpers.ts';

const CHECKS = `from lms_checks import test

@test("prints 2")
def two(run):
    assert run.stdout == "2\\n", "expected 2"
`;

/** Feeds `lines` to `lms-grader pipe`'s loop and returns every answer it wrote, by id. */
async function pipe(service: GradeService, lines: string[]) {
  const input = new PassThrough();
  const answers: PipeAnswer[] = [];
  const done = servePipe(service, input, (line) => {
    expect(line.endsWith('\n')).toBe(true);
    answers.push(pipeAnswerSchema.parse(JSON.parse(line)));
  });
  for (const line of lines) input.write(`${line}\n`);
  input.end();
  await done;
  return answers;
}

describeSandbox('lms-grader pipe', () => {
  let service: GradeService;
  beforeAll(async () => {
    // one slot and no queue beyond it: three jobs at once must wait for each other, not fail
    service = await createService({
      GRADER_UID_BASE: '63100',
      GRADER_MAX_RUNS: '1',
      GRADER_QUEUE_LIMIT: '0',
    });
  });
  afterAll(() => service?.close());

  it('answers runs and gradings by id, and bad lines with an error naming the line', async () => {
    const answers = await pipe(service, [
      JSON.stringify({ id: 'run', kind: 'run', code: 'print(1 + 1)' }),
      'not json',
      JSON.stringify({ id: 'odd', kind: 'compile' }),
      '',
      JSON.stringify({
        id: 'pass',
        kind: 'grade',
        request: { code: 'print(2)', checks: { public: CHECKS } },
      }),
      JSON.stringify({
        id: 'fail',
        kind: 'grade',
        request: { code: 'print(3)', checks: { public: CHECKS } },
      }),
    ]);
    const byId = new Map(answers.map((a) => [a.id, a]));
    expect(answers).toHaveLength(5);

    const run = byId.get('run');
    expect(run && 'run' in run && run.run).toMatchObject({
      status: 'ok',
      stdout: '2\n',
      exitCode: 0,
    });
    expect(byId.get(null)).toEqual({ id: null, error: expect.stringMatching(/^line 2: not JSON/) });
    expect(byId.get('odd')).toEqual({ id: 'odd', error: expect.stringMatching(/^line 3: kind:/) });
    const pass = byId.get('pass');
    expect(pass && 'result' in pass && pass.result.status).toBe('passed');
    const fail = byId.get('fail');
    expect(fail && 'result' in fail && fail.result).toMatchObject({
      status: 'failed',
      tests: [expect.objectContaining({ name: 'prints 2', message: 'expected 2' })],
    });
  });

  it('takes more lines than it has room for by waiting, and answers each once', async () => {
    const lines = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ id: `p${i}`, kind: 'run', code: `print(${i})` }),
    );
    const answers = await pipe(service, lines);
    expect(answers.map((a) => a.id).sort()).toEqual(lines.map((_, i) => `p${i}`).sort());
    for (const a of answers) {
      expect('run' in a && a.run.stdout).toBe(`${a.id!.slice(1)}\n`);
    }
  });

  it('reports a program that hits its limit as that limit, not as an error of the pipe', async () => {
    const [answer] = await pipe(service, [
      JSON.stringify({
        id: 'loop',
        kind: 'run',
        code: 'while True:\n    pass',
        limits: { wallSeconds: 1, cpuSeconds: 1 },
      }),
    ]);
    expect(answer && 'run' in answer && answer.run.status).toBe('timeout');
  });
});
