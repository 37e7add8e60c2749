/**
 * `lms-grader pipe` with `engine: 'pyodide'`: the browser's quick check (Pyodide in worker
 * threads of an unprivileged child Node, with the JSPI flag since vitest's workers have none)
 * beside the sandbox's CPython, in one pipe; only when the pipe was started with it.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { type GradeResult, type PipeAnswer, pipeAnswerSchema } from '@lms/grading';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readServerEnv } from '../../src/server/env.ts';
import { type PipeOptions, PYODIDE_OFF, servePipe } from '../../src/server/pipe.ts';
import {
  createPyodideEngine,
  type PyodideGrader,
  PyodideUnavailableError,
  pyodideHostUid,
} from '../../src/server/pyodide-node.ts';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox, GRADER_DIR } from './helpers.ts';

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

    // a pipe not started with the engine: pyodide jobs are refused, saying how to allow them
    const off = await pipe(
      service,
      [gradeJob('off', 'print(2)', { engine: 'pyodide' }), gradeJob('on', 'print(2)')],
      {},
    );
    expect(off.get('off')).toEqual({ id: 'off', error: PYODIDE_OFF });
    expect(PYODIDE_OFF).toMatch(/outside the grader's sandbox.*--pyodide.*GRADER_PIPE_PYODIDE=1/);
    expect(resultOf(off.get('on')).status).toBe('passed');

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
  it("keeps root, the host's process object, eval and Node's I/O out of the Python side's reach", {
    timeout: 180_000,
  }, async () => {
    // as root the host runs as nobody (when nobody can read its files: not in a 0700 checkout,
    // where it warns and keeps the uid); otherwise as this process's user
    const uid = pyodideHostUid();
    const code = [
      'import js, os',
      'print("uid", os.getuid(), js.process.getuid())',
      'print("process", [n for n in ("pid", "cwd", "env", "kill", "binding", "dlopen", "exit") if hasattr(js.process, n) and n != "env"], len(js.Object.keys(js.process.env)))',
      'print("globals", [n for n in ("fetch", "eval", "require", "caches", "location") if hasattr(js, n)])',
      'try:',
      '    js.Function("return process.pid")()',
      'except Exception as e:',
      '    print("Function", type(e).__name__, "EvalError" in str(e))',
      // Pyodide's own API holds Node's modules: their I/O is shut in the worker
      'import pyodide_js',
      'from pyodide.ffi import run_sync',
      'denied = lambda e: "is not available to the Python side" in str(e) or "does not exist" in str(e)',
      'try:',
      '    pyodide_js.mountNodeFS("/mnt", "/etc")',
      '    print("mountNodeFS", os.listdir("/mnt")[:1])',
      'except Exception as e:',
      '    print("mountNodeFS", denied(e))',
      'try:',
      '    print("read", len(run_sync(pyodide_js._api.loadBinaryFile("/etc/hostname"))))',
      'except Exception as e:',
      '    print("read", denied(e))',
      'try:',
      '    run_sync(pyodide_js.useNodeSockFS())',
      '    import socket',
      '    socket.create_connection(("127.0.0.1", 9), timeout=1)',
      '    print("tcp connected")',
      'except Exception as e:',
      '    print("tcp", denied(e))',
    ].join('\n');
    const expected = [
      `uid ${uid} ${uid}`,
      'process [] 0',
      'globals []',
      'Function JsException True',
      'mountNodeFS True',
      'read True',
      'tcp True',
      '',
    ].join('\n');
    const checks = `from lms_checks import test

@test("reach")
def reach(run):
    assert run.stdout == ${JSON.stringify(expected)}, run.stdout + run.stderr
`;
    const byId = await pipe(
      service,
      [
        JSON.stringify({
          id: 'reach',
          kind: 'grade',
          engine: 'pyodide',
          request: { code, checks: { public: checks }, stage: 'quick' },
        }),
      ],
      shared,
    );
    const result = resultOf(byId.get('reach'));
    expect({ status: result.status, message: result.tests[0]?.message }).toEqual({
      status: 'passed',
      message: null,
    });
  });

  /** `lms-grader pipe` itself, with its own temporary directory as TMPDIR. */
  function startPipe(args: string[], env: Record<string, string>) {
    const tmp = mkdtempSync(join(tmpdir(), 'lms-pipe-test-'));
    chmodSync(tmp, 0o755); // the sandbox's slots may have their directory there
    const child = spawn(
      process.execPath,
      [join(GRADER_DIR, 'bin/lms-grader.mjs'), 'pipe', ...args],
      {
        // uids 64008–64011: beside this file's service (64000–64007)
        env: {
          ...process.env,
          GRADER_UID_BASE: '64008',
          GRADER_MAX_RUNS: '4',
          TMPDIR: tmp,
          ...env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const answers = new Map<string, (answer: PipeAnswer) => void>();
    createInterface({ input: child.stdout }).on('line', (line) => {
      const answer = pipeAnswerSchema.parse(JSON.parse(line));
      if (answer.id !== null) answers.get(answer.id)?.(answer);
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    return {
      child,
      tmp,
      exited,
      stderr: () => stderr,
      send(line: string): Promise<PipeAnswer> {
        const { id } = JSON.parse(line) as { id: string };
        const answer = new Promise<PipeAnswer>((resolve) => answers.set(id, resolve));
        child.stdin.write(`${line}\n`);
        return answer;
      },
      cleanUp: () => rmSync(tmp, { recursive: true, force: true }),
    };
  }

  it('lms-grader pipe refuses pyodide jobs unless started with --pyodide (or GRADER_PIPE_PYODIDE=1)', {
    timeout: 120_000,
  }, async () => {
    const cli = startPipe([], { GRADER_PIPE_PYODIDE: '' });
    try {
      const [off, cpython] = await Promise.all([
        cli.send(gradeJob('off', 'print(2)', { engine: 'pyodide' })),
        cli.send(gradeJob('cpython', 'print(2)')),
      ]);
      cli.child.stdin.end();
      expect(off).toEqual({ id: 'off', error: PYODIDE_OFF });
      expect(resultOf(cpython).status).toBe('passed');
      expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });
      expect(readdirSync(cli.tmp).filter((name) => name.startsWith('lms-pyodide-'))).toEqual([]);
      // the setting the CLI reads besides --pyodide
      expect(readServerEnv({ GRADER_PIPE_PYODIDE: '1' }).GRADER_PIPE_PYODIDE).toBe(true);
      expect(readServerEnv({}).GRADER_PIPE_PYODIDE).toBe(false);
    } finally {
      cli.child.kill('SIGKILL');
      cli.cleanUp();
    }
  });

  it('lms-grader pipe --pyodide grades them as nobody, and on SIGTERM ends its host and removes its temporary directory', {
    timeout: 180_000,
  }, async () => {
    const cli = startPipe(['--pyodide'], { GRADER_PIPE_PYODIDE: '' });
    try {
      const answer = await cli.send(gradeJob('p', 'print(2)', { engine: 'pyodide' }));
      expect(resultOf(answer), cli.stderr()).toMatchObject({ status: 'passed', engine: 'pyodide' });
      const dirs = readdirSync(cli.tmp).filter((name) => name.startsWith('lms-pyodide-'));
      expect(dirs).toHaveLength(1);
      const hostDir = join(cli.tmp, dirs[0]!);
      if (process.getuid?.() === 0) expect(statSync(hostDir).uid).toBe(pyodideHostUid());
      // the host (and the esbuild service tsx started there): the processes in that directory
      const hosts = readdirSync('/proc')
        .filter((pid) => /^\d+$/.test(pid))
        .filter((pid) => {
          try {
            return readlinkSync(`/proc/${pid}/cwd`) === hostDir;
          } catch {
            return false;
          }
        });
      expect(hosts.length).toBeGreaterThanOrEqual(1);
      if (process.getuid?.() === 0) {
        for (const pid of hosts) {
          const uids = /^Uid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
          expect(uids?.split(/\s+/).map(Number)).toEqual(Array(4).fill(pyodideHostUid()));
        }
      }
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 143, signal: null });
      expect(readdirSync(cli.tmp).filter((name) => name.startsWith('lms-pyodide-'))).toEqual([]);
      await expect
        .poll(() => hosts.filter((pid) => existsSync(`/proc/${pid}`)), { timeout: 10_000 })
        .toEqual([]);
    } finally {
      cli.child.kill('SIGKILL');
      cli.cleanUp();
    }
  });
});
