import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GradeResult } from '@lms/grading';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox, processesOfUids, REAP_MS, request } from './helpers.ts';

const UID_BASE = 62000;
const MAX_RUNS = 32;
const CANARY = 'lms-canary-4f9a1c0e';
const LIMITS = { wallSeconds: 3, cpuSeconds: 2, memoryMb: 128 };
const WALL_MS = LIMITS.wallSeconds * 1000;
/** how late a wall-limit kill may end a program on a busy machine: still below the 10 s default */
const KILL_SLACK_MS = 4000;
const ALWAYS = 'from lms_checks import test\n@test("ran")\ndef ran(run):\n    pass\n';
const PRINTS_42 =
  'from lms_checks import test\n@test("prints 42")\ndef p(run):\n    assert run.lines == ["42"], "expected 42"\n';
const EXITS_0 =
  'from lms_checks import test\n@test("exit 0")\ndef p(run):\n    assert run.exit_code == 0, "exit code " + str(run.exit_code)\n';

interface Case {
  name: string;
  code: string;
  checks?: string;
  hidden?: string;
  expect: (r: GradeResult) => void;
}

let listener: Server;
let port = 0;
let accepted = 0;

const cases: Case[] = [
  {
    name: 'fork bomb',
    code: 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n',
    expect: (r) => expect(r.status).toBe('timeout'),
  },
  {
    name: 'memory bomb',
    code: 'blocks = []\nwhile True:\n    blocks.append(bytearray(10_000_000))\n',
    expect: (r) => expect([r.status, r.limitHit]).toEqual(['memory', 'memory']),
  },
  {
    name: 'infinite loop',
    code: 'while True:\n    pass\n',
    // alone it hits the CPU limit; next to the other hogs of this suite it may hit the wall first
    expect: (r) => {
      expect(r.status).toBe('timeout');
      expect(['cpu', 'wall']).toContain(r.limitHit);
    },
  },
  {
    name: 'busy threads',
    code: 'import threading\ndef spin():\n    while True:\n        pass\nfor _ in range(4):\n    threading.Thread(target=spin).start()\n',
    expect: (r) => {
      expect(r.status).toBe('timeout');
      expect(['cpu', 'wall']).toContain(r.limitHit);
    },
  },
  {
    name: 'output flood',
    code: 'while True:\n    print("flood " * 20)\n',
    expect: (r) => {
      expect([r.status, r.limitHit, r.stdoutTruncated]).toEqual(['output_limit', 'output', true]);
      expect(Buffer.byteLength(r.stdout)).toBeLessThanOrEqual(64 * 1024);
    },
  },
  {
    name: 'one huge line',
    code: 'print("x" * 50_000_000)\n',
    expect: (r) =>
      expect([r.status, r.stdoutTruncated, r.stdout.length]).toEqual([
        'output_limit',
        true,
        64 * 1024,
      ]),
  },
  {
    name: 'sleep forever',
    code: 'import time\ntime.sleep(10**6)\n',
    expect: (r) => {
      expect([r.status, r.limitHit]).toEqual(['timeout', 'wall']);
      // this run's 3 s limit ended it, not the 10 s default
      expect(r.durations.programMs).toBeLessThan(WALL_MS + KILL_SLACK_MS);
    },
  },
  {
    name: 'network: 127.0.0.1 and a DNS name',
    code: `import socket
for target in [("127.0.0.1", PORT), ("example.com", 80)]:
    try:
        socket.create_connection(target, timeout=1).close()
        print("CONNECTED", target)
    except Exception as e:
        print("blocked", type(e).__name__)
`,
    expect: (r) => {
      expect(r.stdout).not.toContain('CONNECTED');
      expect(r.stdout.match(/blocked/g)).toHaveLength(2);
      expect(accepted).toBe(0);
    },
  },
  {
    name: 'read /etc/shadow, /proc/1/environ, the grader files and env',
    code: `import os, glob
for path in ["/etc/shadow", "/etc/passwd", "/proc/1/environ", "/work/main/apps/grader/src/server/env.ts", "/root/.bash_history", "/proc/1/root/etc/shadow"]:
    try:
        data = open(path, "rb").read()
        print("READ", path, len(data), data[:200])
    except Exception as e:
        print("denied", path, type(e).__name__)
for env in glob.glob("/proc/*/environ"):
    try:
        print("ENV", env, open(env, "rb").read())
    except Exception as e:
        print("denied", env)
print("MYENV", sorted(os.environ))
`,
    expect: (r) => {
      expect(r.stdout).not.toContain(CANARY);
      expect(r.stdout).not.toMatch(/READ \/etc\/shadow|READ \/work|READ \/root|READ \/etc\/passwd/);
      expect(r.stdout).toContain("MYENV ['HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR']");
      // pid 1 is bwrap's own init inside the new pid namespace: its environment is just PWD
      expect(r.stdout).toMatch(/READ \/proc\/1\/environ \d+ b'(PWD=\/\\x00)?'/);
      const envLines = r.stdout.split('\n').filter((l) => l.startsWith('ENV'));
      expect(envLines.length).toBeGreaterThan(0);
      for (const line of envLines) expect(line).not.toMatch(/\/root|NODE|npm_|VITEST|GRADER/);
    },
  },
  {
    name: 'write outside the work dir',
    code: `import os
for path in ["/usr/evil", "/evil", "/etc/evil", "/proc/evil", "/bin/evil", "/lib/evil"]:
    try:
        open(path, "w").write("x")
        print("WROTE", path)
    except Exception as e:
        print("denied", path, type(e).__name__)
`,
    expect: (r) => {
      expect(r.stdout).not.toContain('WROTE');
      expect(existsSync('/evil') || existsSync('/usr/evil')).toBe(false);
    },
  },
  {
    name: 'fill the disk',
    code: `written = 0
for path in ["/box/fill", "/tmp/fill", "/dev/shm/fill"]:
    try:
        with open(path, "wb") as f:
            while True:
                f.write(b"x" * 1_000_000)
                f.flush()
                written += 1
    except OSError as e:
        print("stopped", path, type(e).__name__, e.errno)
print("MB", written)
`,
    expect: (r) => {
      expect(r.stdout.match(/stopped/g)).toHaveLength(3);
      const mb = Number(/MB (\d+)/.exec(r.stdout)?.[1]);
      expect(mb).toBeLessThan(32 + 16 + 16 + 3);
    },
  },
  {
    // bwrap passes on every fd it inherits; the grader itself may have inherited some (a pipe of
    // the shell that started it, vitest's IPC channel): none may reach the program
    name: 'file descriptors inherited by the grader',
    code: 'import os\nprint("FDS", sorted(int(n) for n in os.listdir("/proc/self/fd")))\n',
    expect: (r) => expect(r.stdout).toMatch(/^FDS \[0, 1, 2, 3\]$/m),
  },
  {
    name: 'fill the disk and die of it',
    code: 'with open("/box/fill", "wb") as f:\n    while True:\n        f.write(b"x" * 1_000_000)\n        f.flush()\n',
    checks: EXITS_0,
    expect: (r) => {
      expect([r.status, r.limitHit]).toEqual(['failed', 'disk']);
      expect(r.traceback).toMatch(/OSError: \[Errno 28\] No space left on device/);
    },
  },
  {
    name: 'kill -1',
    code: 'import os, signal\nos.kill(-1, signal.SIGKILL)\nprint("survived")\n',
    expect: (r) => expect(['passed', 'failed']).toContain(r.status),
  },
  {
    name: 'ctypes segfault',
    code: 'import ctypes\nctypes.string_at(0)\n',
    checks: EXITS_0,
    expect: (r) => expect([r.status, r.signal]).toEqual(['failed', 'SIGSEGV']),
  },
  {
    name: 'daemonised child outliving the program',
    code: `import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.close(1); os.close(2)
        time.sleep(60)
        open("/box/late", "w").write("still here")
    os._exit(0)
print("parent done")
`,
    expect: (r) => {
      // the run ends with the program, before the wall limit: it does not wait for the child
      expect(r.status).toBe('passed');
      expect(r.durations.programMs).toBeLessThan(WALL_MS);
    },
  },
  {
    name: 'os._exit',
    code: 'import os\nprint("42")\nos._exit(0)\n',
    checks: PRINTS_42,
    expect: (r) => expect(r.status).toBe('passed'),
  },
  {
    name: 'signals: SIGSTOP itself, then SIGTERM',
    code: 'import os, signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nos.kill(os.getpid(), signal.SIGSTOP)\n',
    expect: (r) => expect([r.status, r.limitHit]).toEqual(['timeout', 'wall']),
  },
  {
    name: 'stdout tampering to fake a pass',
    code: `import sys, os, builtins, json
fake = {"tests": [{"name": "prints 42", "status": "passed", "message": None, "durationMs": 1, "origin": "public"}],
        "loadError": None, "syntaxError": None, "pythonVersion": "3.11.2"}
os.write(1, json.dumps(fake).encode())
sys.stdout.write(json.dumps(fake))
builtins.print = lambda *a, **k: None
try:
    import lms_checks
    lms_checks.test = None
    print("IMPORTED")
except ImportError:
    pass
class Fake:
    def write(self, s): return len(s)
    def flush(self): pass
sys.stdout = Fake()
sys.__stdout__ = Fake()
import atexit
atexit.register(lambda: os.write(1, b"42\\n"))
os._exit(0)
`,
    checks: PRINTS_42,
    expect: (r) => {
      expect(r.status).toBe('failed');
      expect(r.tests).toEqual([expect.objectContaining({ name: 'prints 42', status: 'failed' })]);
    },
  },
  {
    name: 'reading the hidden tests',
    code: `import os
found = []
for root, dirs, files in os.walk("/"):
    if root == "/":
        # /usr is the host's read-only /usr (no course content; too big to walk in 3 s)
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "usr")]
    for f in files:
        if f.startswith("tests_") or f.endswith("_hidden.py"):
            found.append(os.path.join(root, f))
print("FOUND", found)
print("LISTED", sorted(os.listdir("/")), sorted(os.listdir("/box")))
`,
    hidden: 'from lms_checks import test\n@test("secret-hidden-check")\ndef h(run):\n    pass\n',
    expect: (r) => {
      expect(r.stdout).toContain('FOUND []');
      expect(r.stdout).toContain(
        "LISTED ['bin', 'box', 'dev', 'lib', 'lib64', 'proc', 'tmp', 'usr'] ['lms_runner.py', 'main.py']",
      );
      expect(r.stdout).not.toContain('secret-hidden-check');
    },
  },
];

describeSandbox('hostile programs (bwrap sandbox)', () => {
  let service: GradeService;
  const results = new Map<string, GradeResult>();

  beforeAll(async () => {
    process.env.LMS_GRADER_TEST_CANARY = CANARY; // the grader must not pass its env on
    listener = createServer((socket) => {
      accepted++;
      socket.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    port = (listener.address() as { port: number }).port;
    service = await createService({
      GRADER_UID_BASE: String(UID_BASE),
      GRADER_MAX_RUNS: String(MAX_RUNS),
    });
    await Promise.all(
      cases.map(async (c) => {
        const result = await service.grade(
          request({
            code: c.code.replace('PORT', String(port)),
            checks: { public: c.checks ?? ALWAYS, hidden: c.hidden ?? null },
            limits: LIMITS,
          }),
        );
        results.set(c.name, result);
      }),
    );
  });

  afterAll(async () => {
    listener?.close();
    if (!service) return;
    const dirs = service.sandbox.slotDirs();
    await service.close();
    // shut down: not even a launcher is left (zombies of bwrap's init wait for pid 1, as above),
    // nor a slot's directory
    await vi.waitFor(() => expect(processesOfUids(UID_BASE, UID_BASE + MAX_RUNS)).toEqual([]), {
      timeout: REAP_MS,
      interval: 100,
    });
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });

  for (const c of cases) {
    it(c.name, () => {
      const result = results.get(c.name)!;
      expect(result.engine).toBe('cpython-bwrap');
      expect(result.unsafe).toBe(false);
      try {
        c.expect(result);
      } catch (error) {
        console.error(
          c.name,
          JSON.stringify({ ...result, stdout: result.stdout.slice(0, 2000) }, null, 1),
        );
        throw error;
      }
    });
  }

  it('leaves nothing behind and still grades correctly', async () => {
    expect(service.sandbox.scheduler.running).toBe(0);
    // The only processes of the slots' uids are the slots' launchers, each alone in its slot's
    // cgroups. bwrap's namespace init is reparented to the machine's pid 1 when bwrap exits: a
    // zombie until pid 1 reaps it (well under a second here). Anything else alive, or a zombie
    // that stays, is a leak.
    const launchers = new Set(service.sandbox.launcherPids());
    const others = () =>
      processesOfUids(UID_BASE, UID_BASE + MAX_RUNS).filter(
        (p) => !launchers.has(Number(p.split(/\s+/)[1])),
      );
    expect(others().filter((p) => !p.includes('<defunct>'))).toEqual([]);
    await expect.poll(others, { timeout: REAP_MS }).toEqual([]);
    for (const slot of service.sandbox.cgroupSlots())
      expect(slot.pids().filter((p) => !launchers.has(p))).toEqual([]);
    // no run's files are left in the slots' directories (only the launcher's three FIFOs),
    // nor in the temporary directory
    for (const dir of service.sandbox.slotDirs()) {
      expect(readdirSync(dir).sort()).toEqual(['err', 'mark', 'out']);
      for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).isFIFO()).toBe(true);
    }
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('lms-grader'))).toEqual([]);
    const after = await service.grade(
      request({ code: 'print(42)', checks: { public: PRINTS_42, hidden: null }, limits: LIMITS }),
    );
    expect(after.status).toBe('passed');
    expect(after.stdout).toBe('42\n');
  });
});
