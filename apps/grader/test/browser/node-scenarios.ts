/**
 * Child process of node-runner.test.ts / parity.node.test.ts: drives the real client and
 * worker (in a worker thread) and prints one JSON line `RESULT {...}` for the test to check.
 * Run with `node [--experimental-wasm-stack-switching] --import tsx node-scenarios.ts
 * <semantics|parity> [isolated]`: the flag gives Pyodide JSPI, `isolated` the interrupt buffer.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPythonRunner, type RunnerState } from '../../src/browser/client.ts';
import { createNodeWorker, PYODIDE_DIR } from './node-host.ts';
import { loadParityCases } from './parity-cases.ts';

const [which = 'semantics', isolation = ''] = process.argv.slice(2);
// Workers keep their memory snapshot here (see node-worker-entry.ts); removed at the end.
const snapshotDir = mkdtempSync(join(tmpdir(), 'lms-pyodide-snapshots-'));
process.env.LMS_TEST_SNAPSHOT_DIR = snapshotDir;
const runner = createPythonRunner({
  baseUrl: PYODIDE_DIR,
  createWorker: createNodeWorker,
  crossOriginIsolated: isolation === 'isolated',
  graceMs: 300,
  // the interrupt is what is tested, not how fast a loaded machine delivers it: 1.5 s (the
  // default) was once not enough in CI, and the worker was replaced instead
  interruptWaitMs: 15_000,
});
const states: RunnerState[] = [];
runner.onState((state) => states.push(state));
const out: Record<string, unknown> = {};

async function semantics(): Promise<void> {
  const info = await runner.warm();
  out.info = info;

  // Fresh files and modules: task 0010's reference creates senjun.py through the Timer.
  const reference = readFileSync(
    new URL('../fixtures/parity/task_0010_reference.py', import.meta.url),
    'utf8',
  );
  const first = await runner.runProgram(reference);
  out.timerProgram = {
    status: first.status,
    stdout: first.stdout,
    programMs: first.durations.programMs,
  };
  const second = await runner.runProgram(
    [
      'import os, sys, json, builtins',
      'print(os.path.exists("senjun.py"), os.listdir("."))',
      'print(hasattr(json, "patched"), "mymod" in sys.modules, hasattr(builtins, "leak"))',
      'json.patched = 1',
      'sys.modules["mymod"] = json',
      'builtins.leak = 1',
      'open("left.txt", "w").write("x")',
    ].join('\n'),
  );
  const third = await runner.runProgram(
    [
      'import os, sys, json, builtins',
      'print(os.path.exists("left.txt"), os.listdir("."))',
      'print(hasattr(json, "patched"), "mymod" in sys.modules, hasattr(builtins, "leak"))',
    ].join('\n'),
  );
  out.freshState = { second: second.stdout, third: third.stdout };

  // Timer shim: the program waits for a started Timer, like CPython waits for its thread.
  const timer = await runner.runProgram(
    'from threading import Timer\nTimer(0.3, print, ["fired"]).start()\nprint("main")',
  );
  out.timer = { status: timer.status, stdout: timer.stdout };

  // asyncio leftovers: the chapter's example leaves tick() running when main() returns.
  // main() waits for the third tick (an event, not a time: a busy machine changes no output).
  const ticking = await runner.runProgram(
    [
      'import asyncio',
      'async def tick(third):',
      '    n = 0',
      '    while True:',
      '        print("tick")',
      '        n += 1',
      '        if n == 3:',
      '            third.set()',
      '        await asyncio.sleep(0.2)',
      'async def main():',
      '    third = asyncio.Event()',
      '    asyncio.create_task(tick(third))',
      '    await third.wait()',
      '    print("main done")',
      'asyncio.run(main())',
    ].join('\n'),
  );
  const after = await runner.runProgram('import time\ntime.sleep(0.7)\nprint("quiet")');
  out.leftovers = { first: ticking.stdout, second: after.stdout };

  // A blocking time.sleep blocks the event loop (Pyodide's own would let tasks interleave).
  const blocking = await runner.runProgram(
    [
      'import asyncio, time',
      'async def s(name):',
      '    for i in range(2):',
      '        print(name, i)',
      '        time.sleep(0.3)',
      'async def main():',
      '    await asyncio.gather(s("A"), s("B"))',
      'asyncio.run(main())',
    ].join('\n'),
  );
  out.blockingSleep = { stdout: blocking.stdout, programMs: blocking.durations.programMs };

  // Output cap.
  const flood = await runner.runProgram('while True:\n    print("x" * 1000)');
  out.flood = {
    status: flood.status,
    limitHit: flood.limitHit,
    stdoutTruncated: flood.stdoutTruncated,
    stdoutBytes: Buffer.byteLength(flood.stdout),
  };

  // Time limits: awaiting forever (the worker stops it), a busy loop and a blocking sleep
  // (interrupt buffer when isolated, else the worker is terminated and a new one started).
  const limits = { wallSeconds: 1 };
  const sleeper = await runner.runProgram(
    'import asyncio\nasync def main():\n    print("zz")\n    await asyncio.sleep(100)\nasyncio.run(main())',
    { limits },
  );
  const busyStart = states.length;
  const busy = await runner.runProgram('print("spin")\nwhile True:\n    pass', { limits });
  const blocked = await runner.runProgram('import time\ntime.sleep(100)', { limits });
  const afterLimit = await runner.runProgram('print("alive")');
  out.limits = {
    sleeper: { status: sleeper.status, limitHit: sleeper.limitHit, stdout: sleeper.stdout },
    busy: { status: busy.status, limitHit: busy.limitHit, stdout: busy.stdout },
    blocked: { status: blocked.status, limitHit: blocked.limitHit },
    afterLimit: afterLimit.stdout,
    respawned: states.slice(busyStart).includes('loading'),
    snapshotUsedNow: runner.info?.snapshotUsed,
  };

  // Exceptions and exit codes.
  const crash = await runner.runProgram('def f():\n    return 1 / 0\nf()');
  const exit = await runner.runProgram('import sys\nprint("bye")\nsys.exit(3)');
  const syntax = await runner.runProgram('print("a"');
  out.errors = {
    crash: { status: crash.status, exitCode: crash.exitCode, traceback: crash.traceback },
    exit: { status: exit.status, exitCode: exit.exitCode, stdout: exit.stdout },
    syntax: { status: syntax.status, exitCode: syntax.exitCode, stderr: syntax.stderr },
  };

  // Output is streamed while the program runs, not only at the end.
  const chunks: { at: number; text: string }[] = [];
  const started = performance.now();
  const unsubscribe = runner.onOutput((chunk) =>
    chunks.push({ at: performance.now() - started, text: chunk.text }),
  );
  await runner.runProgram(
    'import time\nprint("early", flush=True)\ntime.sleep(0.6)\nprint("late")',
  );
  unsubscribe();
  out.streaming = chunks;
}

/** Pyodide's memory snapshot: made on the first start, the second starts from it. */
async function snapshot(): Promise<void> {
  const { PyodideEngine } = await import('../../src/browser/engine.ts');
  const stored = new Map<string, Uint8Array>();
  // the engine does not await its put of the snapshot: the scenario waits for it to happen
  let onPut = () => {};
  const put = new Promise<void>((resolve) => {
    onPut = resolve;
  });
  const cache = {
    get: async (key: string) => stored.get(key) ?? null,
    put: async (key: string, bytes: Uint8Array) => {
      stored.set(key, bytes);
      onPut();
    },
    delete: async (key: string) => {
      stored.delete(key);
    },
  };
  const records: unknown[] = [];
  const post = (message: { type: string }) => {
    if (message.type === 'done') records.push(message);
  };
  const load = () =>
    PyodideEngine.load({
      indexURL: PYODIDE_DIR,
      interruptBuffer: null,
      snapshotCache: cache,
      post,
    });
  let started = performance.now();
  const first = await load();
  const firstMs = performance.now() - started;
  // (a put that never comes shows as second: false below, after a generous deadline)
  await Promise.race([put, new Promise((resolve) => setTimeout(resolve, 60_000).unref())]);
  started = performance.now();
  const second = await load();
  const secondMs = performance.now() - started;
  const reference = readFileSync(
    new URL('../fixtures/parity/task_0010_reference.py', import.meta.url),
    'utf8',
  );
  const publicTests =
    loadParityCases().find((c) => c.file === 'task_0010_reference.py')?.publicTests ?? '';
  await second.engine.run({
    type: 'run',
    id: 1,
    code: reference,
    wallMs: 6000,
    outputCapBytes: 65536,
    publicTests,
  });
  await second.engine.run({
    type: 'run',
    id: 2,
    code: 'import os\nprint(os.listdir("."))',
    wallMs: 6000,
    outputCapBytes: 65536,
    publicTests: null,
  });
  // a broken snapshot is dropped and the engine starts the slow way
  for (const key of stored.keys()) stored.set(key, new Uint8Array([1, 2, 3]));
  const third = await load();
  out.snapshot = {
    keys: [...stored.keys()],
    first: first.ready.snapshotUsed,
    second: second.ready.snapshotUsed,
    third: third.ready.snapshotUsed,
    firstMs,
    secondMs,
    mode: second.engine.mode,
    records,
  };
}

async function parity(): Promise<void> {
  const info = await runner.warm();
  out.info = info;
  const results: Record<string, { status: string; message: string | null }> = {};
  for (const testCase of loadParityCases()) {
    const result = await runner.quickCheck({
      code: testCase.code,
      checks: { public: testCase.publicTests },
      limits: testCase.limits,
      stage: 'quick',
    });
    results[testCase.file] = { status: result.status, message: result.message };
  }
  out.results = results;
}

try {
  if (which === 'parity') await parity();
  else if (which === 'snapshot') await snapshot();
  else await semantics();
  out.states = states;
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
} finally {
  runner.dispose();
  rmSync(snapshotDir, { recursive: true, force: true });
}
