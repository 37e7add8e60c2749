import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox, request } from './helpers.ts';

/**
 * The program driver ends the process itself (lms_runner._exit_like_cpython) instead of
 * letting the interpreter tear every module down: whatever a program can observe at exit
 * must be what `python3 main.py` gives.
 */
const PROGRAM = `import atexit, sys, threading, time

class Noisy:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print("del", self.name)

class Cycle:
    def __init__(self):
        self.me = self
    def __del__(self):
        print("del cycle")

first = Noisy("first")
_second = Noisy("_second")
cycle = Cycle()
buffered = sys.stdout.write("no newline yet")

def late():
    time.sleep(1)  # after main's print even when a busy machine slows main down
    print(" / thread done")

threading.Thread(target=late).start()
atexit.register(print, "atexit runs")

def broken():
    raise ValueError("atexit boom")

atexit.register(broken)
print(" / main done")
sys.exit(3)
`;

/** more ends that differed before (found in review), each against plain python3 */
const MORE: Record<string, string> = {
  // a finalizer that uses a module global: CPython runs it while the globals are still there
  'finalizer using an import': `import math
class Circle:
    def __init__(self, r):
        self.r = r
    def __del__(self):
        print(f"Circle of area {math.pi * self.r ** 2:.2f} deleted")
c = Circle(1)
d = Circle(2)
`,
  // the original stdout still holds a partial line when the program swaps sys.stdout
  'partial line, stdout replaced': `import io, sys
print("answer: 42", end="")
sys.stdout = io.StringIO()
`,
  // flushing sys.stdout fails at exit: "Exception ignored in", exit status 120
  'stdout that cannot flush': `import sys
class Broken:
    def write(self, s):
        return len(s)
    def flush(self):
        raise OSError("flush broke")
print("before")
sys.stdout = Broken()
`,
  // an exception while waiting for threads at shutdown is reported, not raised (the alarm
  // comes when main waits for the thread, even when a busy machine slows main down)
  'exception while threads are joined': `import signal, threading, time
def handler(*args):
    raise RuntimeError("from the handler")
signal.signal(signal.SIGALRM, handler)
threading.Thread(target=time.sleep, args=(2,)).start()
signal.setitimer(signal.ITIMER_REAL, 0.5)
print("main done")
`,
};

const normalise = (text: string) =>
  text.replaceAll(/0x[0-9a-f]+/g, '0x…').replaceAll(/File "[^"]*main\.py"/g, 'File "main.py"');

describeSandbox('a program ends as under plain python3', () => {
  let service: GradeService;
  let dir: string;
  beforeAll(async () => {
    service = await createService({ GRADER_UID_BASE: '62700', GRADER_MAX_RUNS: '4' });
    dir = mkdtempSync(join(tmpdir(), 'exit-test-'));
  });
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('threads, atexit, __del__ of globals and cycles, exit code, buffered output', async () => {
    writeFileSync(join(dir, 'main.py'), PROGRAM);
    // the interpreter the grader runs (GRADER_PYTHON's default)
    const bare = spawnSync('/usr/bin/python3', ['main.py'], {
      cwd: dir,
      encoding: 'utf8',
      env: {},
    });
    const graded = await service.grade(
      request({
        code: PROGRAM,
        checks: {
          public: 'from lms_checks import test\n@test("ran")\ndef t(run):\n    pass\n',
          hidden: null,
        },
      }),
    );
    expect(bare.status).toBe(3);
    expect(bare.stdout).toContain('del cycle');
    expect(graded.exitCode).toBe(3);
    expect(graded.stdout).toBe(bare.stdout);
    expect(normalise(graded.stderr)).toBe(normalise(bare.stderr));
  });

  for (const [name, code] of Object.entries(MORE)) {
    it(name, async () => {
      const bare = plain(code);
      const graded = await service.grade(
        request({
          code,
          checks: {
            public: 'from lms_checks import test\n@test("ran")\ndef t(run):\n    pass\n',
            hidden: null,
          },
        }),
      );
      expect(bare.stdout + bare.stderr).not.toBe('');
      expect([graded.exitCode, graded.stdout]).toEqual([bare.status, bare.stdout]);
      expect(normalise(graded.stderr)).toBe(normalise(bare.stderr));
    });
  }
});

/** `python3 main.py` in a directory of its own, as a student would run it */
function plain(code: string) {
  const dir = mkdtempSync(join(tmpdir(), 'exit-test-'));
  try {
    writeFileSync(join(dir, 'main.py'), code);
    return spawnSync('/usr/bin/python3', ['main.py'], { cwd: dir, encoding: 'utf8', env: {} });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
