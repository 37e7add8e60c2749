import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox, processesOfUids, REAP_MS, request } from './helpers.ts';

/**
 * The path without cgroups (GRADER_CGROUPS=off, or a host without writable cgroups): Node
 * spawns `bash → setpriv → prlimit → bwrap` itself and only rlimits bound a run. Weaker than
 * the cgroup path (memory by RLIMIT_AS, no CPU-aware admission), but still a sandbox.
 */
const UID_BASE = 62600;
const MAX_RUNS = 8;
const LIMITS = { wallSeconds: 3, cpuSeconds: 2, memoryMb: 128 };
const ALWAYS = 'from lms_checks import test\n@test("ran")\ndef ran(run):\n    pass\n';

describeSandbox('sandbox without cgroups (rlimits only)', () => {
  let service: GradeService;
  const grade = (code: string, checks = ALWAYS) =>
    service.grade(request({ code, checks: { public: checks, hidden: null }, limits: LIMITS }));

  beforeAll(async () => {
    process.env.LMS_GRADER_FALLBACK_CANARY = 'lms-canary-fallback-71c3';
    service = await createService({
      GRADER_CGROUPS: 'off',
      GRADER_UID_BASE: String(UID_BASE),
      GRADER_MAX_RUNS: String(MAX_RUNS),
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('says it has no cgroups and still grades', async () => {
    expect(service.sandbox.cgroups.version).toBeNull();
    expect(service.sandbox.cgroups.reason).toMatch(/GRADER_CGROUPS=off/);
    const r = await grade(
      'print(42)',
      'from lms_checks import test\n@test("42")\ndef t(run):\n    assert run.lines == ["42"]\n',
    );
    expect([r.status, r.engine, r.stdout]).toEqual(['passed', 'cpython-bwrap', '42\n']);
  });

  it('passes on no inherited fd and no environment', async () => {
    const r = await grade(
      'import os\nprint("FDS", sorted(int(n) for n in os.listdir("/proc/self/fd")))\n' +
        'print("ENV", sorted(os.environ), open("/proc/1/environ", "rb").read())\n',
    );
    expect(r.stdout).toMatch(/^FDS \[0, 1, 2, 3\]$/m);
    expect(r.stdout).toContain("ENV ['HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR']");
    expect(r.stdout).not.toContain('lms-canary-fallback');
  });

  it('stops a memory bomb with RLIMIT_AS and a fork bomb with RLIMIT_NPROC', async () => {
    const [memory, forks] = await Promise.all([
      grade(
        'blocks = []\nwhile True:\n    blocks.append(bytearray(10_000_000))\n',
        'from lms_checks import test\n@test("exit 0")\ndef t(run):\n    assert run.exit_code == 0\n',
      ),
      grade(
        'import os, time\nn = 0\ntry:\n    for _ in range(1000):\n        if os.fork() == 0:\n            time.sleep(600)\n            os._exit(0)\n        n += 1\nexcept OSError as e:\n    print("refused after", n, e.errno)\n',
      ),
    ]);
    expect([memory.status, memory.exitCode]).toEqual(['failed', 1]);
    expect(memory.stderr).toContain('MemoryError');
    // RLIMIT_NPROC 64 per uid, bwrap and its init among them
    const refused = /refused after (\d+) 11/.exec(forks.stdout);
    expect(refused, forks.stdout + forks.stderr).not.toBeNull();
    expect(Number(refused![1])).toBeLessThan(64);
    expect(Number(refused![1])).toBeGreaterThan(50);
  });

  it('kills a sleeper at the wall limit and leaves no process behind', async () => {
    const r = await grade('import time\ntime.sleep(600)\n');
    expect([r.status, r.limitHit]).toEqual(['timeout', 'wall']);
    // gone once reaped: neither the sleeper nor anything of the fork bomb above (both sleep 600 s)
    await expect
      .poll(() => processesOfUids(UID_BASE, UID_BASE + MAX_RUNS), { timeout: REAP_MS })
      .toEqual([]);
  });
});
