/**
 * `lms-grader pipe` with `engine: 'pyodide'`: the browser's quick check (Pyodide in worker
 * threads; in a child Node with the JSPI flag, since vitest's workers have none) beside the
 * sandbox's CPython, in one pipe.
 */
import { PassThrough } from 'node:stream';
import { type GradeResult, type PipeAnswer, pipeAnswerSchema } from '@lms/grading';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PipeOptions, servePipe } from '../../src/server/pipe.ts';
import {
  createPyodideEngine,
  type PyodideGrader,
  PyodideUnavailableError,
} from '../../src/server/pyodide-node.ts';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox } from './helpers.ts';

const CHECKS = `from lms_checks import test

@test("prints 2")
def two(run):
    assert run.stdout == "2\\n", "expected 2"
`;

/** Programs graded on both engines against CHECKS, with the status both must give. */
const PROGRAMS: Record<string, { code: string; status: GradeResult['status'] }> = {
  pass: { code: 'print(1 + 1)', status: 'passed' },
  fail: { code: 'print(3)', status: 'failed' },
  syntax: { code: 'print(2', status: 'error' },
  // the checks look at the output only: a traceback after it does not fail them
  crash: { code: 'print(2)\nraise ValueError("boom")', status: 'passed' },
  crashEarly: { code: 'raise ValueError("boom")\nprint(2)', status: 'failed' },
  // asyncio.run inside a function blocks only with JSPI (WebAssembly stack switching)
  asyncInFunction: {
    code: [
      'import asyncio',
      'async def two():',
      '    await asyncio.sleep(0.05)',
      '    return 2',
      'def main():',
      '    print(asyncio.run(two()))',
      'main()',
    ].join('\n'),
    status: 'passed',
  },
  blockingSleep: {
    code: 'import time\ntime.sleep(0.2)\nprint(2)',
    status: 'passed',
  },
};

async function pipe(service: GradeService, lines: string[], options: PipeOptions) {
  const input = new PassThrough();
  const answers: PipeAnswer[] = [];
  const done = servePipe(
    service,
    input,
    (line) => answers.push(pipeAnswerSchema.parse(JSON.parse(line))),
    options,
  );
  for (const line of lines) input.write(`${line}\n`);
  input.end();
  await done;
  return new Map(answers.map((a) => [a.id, a]));
}

function resultOf(answer: PipeAnswer | undefined): GradeResult {
  if (!answer || !('result' in answer)) throw new Error(`no result: ${JSON.stringify(answer)}`);
  return answer.result;
}

function gradeJob(id: string, code: string, extra: Record<string, unknown> = {}) {
  const { limits, ...rest } = extra;
  return JSON.stringify({
    id,
    kind: 'grade',
    ...rest,
    request: { code, checks: { public: CHECKS }, stage: 'quick', ...(limits ? { limits } : {}) },
  });
}

describeSandbox('lms-grader pipe, engine pyodide', () => {
  let service: GradeService;
  let engine: PyodideGrader;
  let closes = 0;
  // one warm engine for the whole file: each servePipe closes what it was given, so it gets a view
  const shared: PipeOptions = {
    pyodide: () => ({
      grade: (request) => engine.grade(request),
      close: async () => {
        closes++;
      },
    }),
  };

  beforeAll(async () => {
    // uids 64000–64007 (seed-solutions.test.ts has 64040–64071)
    service = await createService({ GRADER_UID_BASE: '64000', GRADER_MAX_RUNS: '8' });
    engine = createPyodideEngine();
  });
  afterAll(async () => {
    await engine?.close();
    await service?.close();
  });

  it('gives the same statuses as CPython for the same programs', {
    timeout: 180_000,
  }, async () => {
    const lines = Object.entries(PROGRAMS).flatMap(([name, p]) => [
      gradeJob(`cpython:${name}`, p.code),
      gradeJob(`pyodide:${name}`, p.code, { engine: 'pyodide' }),
    ]);
    const byId = await pipe(service, lines, shared);
    expect(closes).toBe(1);
    for (const [name, p] of Object.entries(PROGRAMS)) {
      const cpython = resultOf(byId.get(`cpython:${name}`));
      const pyodide = resultOf(byId.get(`pyodide:${name}`));
      expect(cpython.engine).toMatch(/^cpython-/);
      expect(pyodide).toMatchObject({ engine: 'pyodide', stage: 'quick' });
      expect(pyodide.pythonVersion).toMatch(/^3\.\d+\.\d+$/);
      expect({ name, cpython: cpython.status }).toEqual({ name, cpython: p.status });
      expect({ name, pyodide: pyodide.status, message: pyodide.message }).toEqual({
        name,
        pyodide: p.status,
        message: cpython.message,
      });
    }
  });

  it('ends a program that loops forever with timeout and goes on answering', {
    timeout: 180_000,
  }, async () => {
    const limits = { wallSeconds: 1, cpuSeconds: 1 };
    const byId = await pipe(
      service,
      [
        gradeJob('loop', 'while True:\n    pass', { engine: 'pyodide', limits }),
        // deaf to the interrupt: its worker is terminated and replaced
        gradeJob(
          'deaf',
          'while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass',
          { engine: 'pyodide', limits },
        ),
        gradeJob('after', 'print(2)', { engine: 'pyodide' }),
        gradeJob('cpython', 'print(2)'),
      ],
      shared,
    );
    expect(resultOf(byId.get('loop'))).toMatchObject({ status: 'timeout', limitHit: 'wall' });
    expect(resultOf(byId.get('deaf'))).toMatchObject({ status: 'timeout', limitHit: 'wall' });
    expect(resultOf(byId.get('after')).status).toBe('passed');
    expect(resultOf(byId.get('cpython')).status).toBe('passed');
    // and the same engine still answers a later pipe
    const later = await pipe(
      service,
      [gradeJob('later', 'print(2)', { engine: 'pyodide' })],
      shared,
    );
    expect(resultOf(later.get('later')).status).toBe('passed');
  });

  it('answers a bad engine, a final stage or an engine that cannot start with an error for that job', {
    timeout: 180_000,
  }, async () => {
    const finalStage = JSON.stringify({
      id: 'final',
      kind: 'grade',
      engine: 'pyodide',
      request: { code: 'print(2)', checks: { public: CHECKS } },
    });
    const byId = await pipe(
      service,
      [
        gradeJob('bad', 'print(2)', { engine: 'jython' }),
        finalStage,
        gradeJob('old', 'print(2)'), // no engine: cpython, as before
        JSON.stringify({ id: 'run', kind: 'run', engine: 'pyodide', code: 'print(2)' }),
      ],
      shared,
    );
    expect(byId.get('bad')).toEqual({
      id: 'bad',
      error: expect.stringMatching(/^line 1: engine: .*"cpython"\|"pyodide"/),
    });
    expect(byId.get('final')).toEqual({
      id: 'final',
      error: expect.stringMatching(/quick stage only.*stage 'quick'/),
    });
    expect(resultOf(byId.get('old'))).toMatchObject({ status: 'passed', engine: 'cpython-bwrap' });
    // plain runs are CPython's: not silently run there when Pyodide was asked for
    expect(byId.get('run')).toEqual({
      id: 'run',
      error: expect.stringMatching(/^line 4: engine: .*"cpython"/),
    });

    // Pyodide missing: every pyodide job says so, the others are graded
    let made = 0;
    const missing = await pipe(
      service,
      [
        gradeJob('p1', 'print(2)', { engine: 'pyodide' }),
        gradeJob('c1', 'print(2)'),
        gradeJob('p2', 'print(2)', { engine: 'pyodide' }),
      ],
      {
        pyodide: () => {
          made++;
          return createPyodideEngine({ pyodideDir: '/nonexistent/pyodide/', snapshot: false });
        },
      },
    );
    expect(made).toBe(1);
    for (const id of ['p1', 'p2']) {
      expect(missing.get(id)).toEqual({
        id,
        error: expect.stringMatching(/^Pyodide failed to load from \/nonexistent\/pyodide\//),
      });
    }
    expect(resultOf(missing.get('c1')).status).toBe('passed');

    // the package itself missing: the engine's factory throws, the job gets its words
    const absent = await pipe(service, [gradeJob('p3', 'print(2)', { engine: 'pyodide' })], {
      pyodide: () => {
        throw new PyodideUnavailableError('the Pyodide engine is not available: no pyodide');
      },
    });
    expect(absent.get('p3')).toEqual({
      id: 'p3',
      error: 'the Pyodide engine is not available: no pyodide',
    });
  });
});
