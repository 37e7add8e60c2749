/** lms_pyodide.py (the browser engine's Python side) in CPython: runs, limits, resets, checks. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARNESS_DIR } from '../scripts/generate-harness.ts';
import { testsDriverOutputSchema } from '../src/protocol.ts';
import { PYTHON, runProgram, useTempDir } from './python.ts';

const dir = useTempDir();

/**
 * lms_pyodide.py (the browser engine's side) in plain CPython: stand-ins replace what only
 * Pyodide has (`js`: no page, so no Timer; `pyodide.ffi`: no stack switching, so
 * can_run_sync() is false; `pyodide.webloop.WebLoop`: an asyncio loop of CPython's), and
 * its work and scratch directories are moved into a temporary one. Each call is its own
 * python3 process; `body` runs after capture_baseline() and assigns `result`, in a namespace
 * of its own (every run puts `__main__` back as it was at capture_baseline()).
 */
function inPyodideModule(body: string): Record<string, unknown> {
  const root = mkdtempSync(join(dir, 'pyodide-'));
  const script = `
import asyncio, json, os, signal, sys, time, types
sys.path.insert(0, ${JSON.stringify(HARNESS_DIR)})

def _no_page(*args, **kwargs):
    raise RuntimeError("no page in CPython")

js = types.ModuleType("js")
js.setTimeout = js.clearTimeout = _no_page
ffi = types.ModuleType("pyodide.ffi")
ffi.can_run_sync = lambda: False
ffi.run_sync = _no_page
ffi.create_once_callable = lambda function, **kwargs: function
webloop = types.ModuleType("pyodide.webloop")
webloop.WebLoop = type("WebLoop", (asyncio.SelectorEventLoop,), {})
webloop._orig_sleep = time.sleep
pyodide = types.ModuleType("pyodide")
pyodide.ffi, pyodide.webloop = ffi, webloop
sys.modules.update({"js": js, "pyodide": pyodide, "pyodide.ffi": ffi, "pyodide.webloop": webloop})
asyncio.set_event_loop(asyncio.new_event_loop())

import lms_pyodide as rt

ROOT = ${JSON.stringify(root)}
rt.WORK_DIR = os.path.join(ROOT, "work")
rt.SCRATCH_DIRS = (os.path.join(ROOT, "scratch"),)
os.makedirs(rt.SCRATCH_DIRS[0])

def run(source, mode="jspi", cap=65536, during=None):
    if mode == "jspi":
        return rt.run_jspi(source, cap)
    driver = rt.start_awaited(source, cap)
    loop = driver.get_loop()
    if during is not None:
        during(loop)
    try:
        return loop.run_until_complete(driver)
    finally:
        rt.close_last_loop()

namespace = dict(globals(), result=None)
rt.capture_baseline()
exec(compile(${JSON.stringify(body)}, "<test>", "exec"), namespace)
sys.__stdout__.write(json.dumps(namespace["result"]))
`;
  const r = spawnSync(PYTHON, ['-I', '-B', '-X', 'utf8', '-c', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`python3 exited with ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('lms_pyodide (browser engine) in CPython', () => {
  const programs = [
    'print("out")\nimport sys\nprint("err", file=sys.stderr)\nsys.exit(3)',
    'import sys\nsys.exit("bye")',
    'raise SystemExit(-1)',
    'def f():\n    raise ValueError("boom")\nprint("before")\nf()\n',
    'try:\n    {}["k"]\nexcept KeyError as e:\n    raise RuntimeError("wrapped") from e\n',
    'raise KeyboardInterrupt',
    'x = (\n',
    'print(1)\nreturn 5\n',
    'print(__name__, __file__)\nimport sys\nprint(sys.argv)',
    'import sys\nsys.stdout.write(b"bytes")', // the stream's own frame is not shown
  ];

  it("runs programs with lms_runner's driver: output, exit code and traceback as the server's", () => {
    const out = inPyodideModule(`
programs = json.loads(${JSON.stringify(JSON.stringify(programs))})
result = {mode: [run(p, mode) for p in programs] for mode in ("jspi", "awaited")}
`);
    for (const [i, code] of programs.entries()) {
      const server = runProgram(dir, code);
      for (const [driver, mode] of [
        ['jspi', 'jspi'],
        ['awaited', 'top-level-await'],
      ]) {
        const record = (out[driver!] as Record<string, unknown>[])[i]!;
        // the program's text in the object: a failure says which one
        expect({ program: code, ...record }).toMatchObject({
          program: code,
          mode,
          stdout: server.stdout,
          stderr: server.stderr,
          exit_code: server.status,
          limit_hit: null,
          timed_out: false,
          stdout_truncated: false,
        });
        if (server.status === 1 && !server.stderr.startsWith('bye'))
          expect(record.traceback).toBe(server.stderr);
        else expect(record.traceback).toBeNull();
      }
    }
  });

  it('rewrites top-level asyncio.run into an await without JSPI, and cancels the leftovers', () => {
    const main =
      'async def tick():\n    while True:\n        print("tick")\n        await asyncio.sleep(0.01)\n' +
      'async def main():\n    asyncio.create_task(tick())\n    await asyncio.sleep(0.035)\n    print("main done")\n    return 7\n';
    const out = inPyodideModule(`
main = ${JSON.stringify(main)}
result = {
    "plain": run("import asyncio\\n" + main + "print(asyncio.run(main()))", "awaited"),
    "alias": run("import asyncio as aio\\nasyncio = aio\\n" + main + "print(aio.run(main()))", "awaited"),
    "from": run("import asyncio\\nfrom asyncio import run as go\\n" + main + "print(go(main()))", "awaited"),
    "next": run("print('quiet')", "awaited"),
    "in_function": run("import asyncio\\nasync def m(): pass\\ndef f():\\n    asyncio.run(m())\\nf()", "awaited"),
    "no_jspi": run("import asyncio\\nasync def m(): pass\\nasyncio.run(m())", "jspi"),
}
`);
    for (const name of ['plain', 'alias', 'from']) {
      const record = out[name] as Record<string, unknown>;
      expect(record.stdout, name).toMatch(/^(tick\n){2,5}main done\n7\n$/);
      expect(record).toMatchObject({ exit_code: 0, mode: 'top-level-await' });
    }
    expect(out.next).toMatchObject({ stdout: 'quiet\n', stderr: '', exit_code: 0 });
    for (const name of ['in_function', 'no_jspi']) {
      const record = out[name] as Record<string, unknown>;
      expect(record.exit_code).toBe(1);
      expect(record.traceback).toMatch(
        /^Traceback \(most recent call last\):\n {2}File "main.py", line \d+, in <module>\n[\s\S]*RuntimeError: asyncio.run\(\) inside a function needs WebAssembly stack switching/,
      );
      expect(record.traceback).not.toMatch(/lms_pyodide|lms_runner/);
    }
  });

  it('stops a program past the output cap, keeping what fits and streaming it', () => {
    const out = inPyodideModule(`
streamed = []
rt._emit = lambda stream, text: streamed.append([stream, text])
flood = run('print("start")\\nprint("é" * 10)\\nprint("never")', cap=13)
caught = run('import sys\\ntry:\\n    print("x" * 100)\\nexcept BaseException:\\n    pass\\nprint("more", file=sys.stderr)', cap=10)
rt._emit = None
result = {"flood": flood, "caught": caught, "streamed": streamed}
`);
    expect(out.flood).toMatchObject({
      stdout: 'start\nééé',
      stdout_truncated: true,
      stderr_truncated: false,
      limit_hit: 'output',
      exit_code: null,
      traceback: null,
      timed_out: false,
    });
    // a program that catches the interrupt cannot write any more, on either stream
    expect(out.caught).toMatchObject({
      stdout: 'x'.repeat(10),
      stderr: '',
      limit_hit: 'output',
      exit_code: null,
    });
    expect(out.streamed).toEqual([
      ['stdout', 'start'],
      ['stdout', '\n'],
      ['stdout', 'ééé'],
      ['stdout', 'x'.repeat(10)],
    ]);
  });

  it('stops a busy program at SIGALRM and an awaiting one at on_deadline', () => {
    const out = inPyodideModule(`
signal.setitimer(signal.ITIMER_REAL, 0.3)
busy = run('print("start")\\nwhile True:\\n    pass')
waiting = run(
    'import asyncio\\nasync def main():\\n    print("waiting")\\n    await asyncio.sleep(30)\\nasyncio.run(main())',
    "awaited",
    during=lambda loop: loop.call_later(0.3, rt.on_deadline),
)
after = run('print("next")')
result = {"busy": busy, "waiting": waiting, "after": after}
`);
    for (const [name, stdout] of [
      ['busy', 'start\n'],
      ['waiting', 'waiting\n'],
    ] as const) {
      expect(out[name], name).toMatchObject({
        stdout,
        stderr: '',
        timed_out: true,
        limit_hit: 'wall',
        exit_code: null,
        traceback: null,
      });
      expect((out[name] as { elapsed: number }).elapsed).toBeLessThan(10);
    }
    expect(out.after).toMatchObject({ stdout: 'next\n', exit_code: 0, limit_hit: null });
  });

  it('gives every run a fresh interpreter state', () => {
    const out = inPyodideModule(`
import threading
first = run("""
import builtins, colorsys, os, sys, threading, time
builtins.patched = 1
time.patched = 1
os.environ["LMS_PATCHED"] = "1"
sys.path.append("/patched")
open("senjun.py", "w").write("x = 1")
open(os.path.join(__import__("lms_pyodide").SCRATCH_DIRS[0], "left.txt"), "w").write("x")
print(os.getcwd() == __import__("lms_pyodide").WORK_DIR, threading.Timer.__module__, time.sleep.__name__)
""")
second = run("""
import builtins, os, sys, time
print("colorsys" in sys.modules, hasattr(builtins, "patched"), hasattr(time, "patched"))
print("LMS_PATCHED" in os.environ, "/patched" in sys.path, os.listdir("."))
print(os.listdir(__import__("lms_pyodide").SCRATCH_DIRS[0]))
""")
result = {
    "first": first,
    "second": second,
    "after": [threading.Timer.__module__, time.sleep is rt._orig_sleep, sys.stdout is sys.__stdout__],
}
`);
    expect(out.first).toMatchObject({ stdout: 'True lms_pyodide _blocking_sleep\n', exit_code: 0 });
    expect(out.second).toMatchObject({
      stdout: 'False False False\nFalse False []\n[]\n',
      exit_code: 0,
    });
    expect(out.after).toEqual(['threading', true, true]);
  });

  it('runs the public tests against a run record (run_checks)', () => {
    const out = inPyodideModule(`
source = "print('hi')"
record = run(source)
tests = rt.run_checks(json.dumps(record), source, "from lms_checks import test\\n@test('says hi')\\ndef t(run):\\n    assert run.stdout == 'hi\\\\n' and run.calls('print')\\n")
result = {"tests": tests, "version": rt.python_version()}
`);
    expect(testsDriverOutputSchema.parse(out.tests).tests).toMatchObject([
      { name: 'says hi', status: 'passed', origin: 'public' },
    ]);
    expect(out.version).toMatch(/^3\.\d+\.\d+$/);
  });
});
