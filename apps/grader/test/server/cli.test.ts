import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { readServerEnv } from '../../src/server/env.ts';
import { Sandbox, SandboxError } from '../../src/server/sandbox.ts';
import { GradeService } from '../../src/server/service.ts';
import {
  describeSandbox,
  GRADER_DIR,
  PARITY_DIR,
  processesOfUids,
  pythonsOfUids,
  REAP_MS,
  REPO,
  request,
} from './helpers.ts';

const run = promisify(execFile);
const BIN = join(GRADER_DIR, 'bin/lms-grader.mjs');
const COURSE = join(REPO, 'packages/content/courses/python');
const dir = mkdtempSync(join(tmpdir(), 'grader-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, GRADER_UID_BASE: '62800', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describeSandbox('CLI and start-up rules', () => {
  it('run: prints what the program did, exit 0 iff it ran cleanly', async () => {
    const ok = join(dir, 'ok.py');
    const bad = join(dir, 'bad.py');
    writeFileSync(ok, 'print("hello")\n');
    writeFileSync(bad, 'print("partial")\nraise ValueError("boom")\n');
    const [a, b] = await Promise.all([
      cli(['run', ok, '--json']),
      cli(['run', bad, '--json', '--wall', '5']),
    ]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({
      status: 'ok',
      stdout: 'hello\n',
      exitCode: 0,
      engine: 'cpython-bwrap',
    });
    expect(b.code).toBe(1);
    const report = JSON.parse(b.stdout);
    expect(report).toMatchObject({ status: 'error', stdout: 'partial\n', exitCode: 1 });
    expect(report.traceback).toMatch(/ValueError: boom/);
  });

  it('check: grades a file against a course task, exit 0 iff passed', async () => {
    const task = 'python_chapter_0320_task_0020';
    const [pass, fail, missing] = await Promise.all([
      cli(['check', COURSE, task, join(PARITY_DIR, 'task_0020_reference.py'), '--json']),
      cli(['check', COURSE, task, join(PARITY_DIR, 'task_0020_blocking_sleep.py')]),
      cli(['check', COURSE, 'no_such_task', join(PARITY_DIR, 'task_0020_reference.py')]),
    ]);
    expect(pass.code, pass.stderr).toBe(0);
    expect(JSON.parse(pass.stdout)).toMatchObject({ status: 'passed', stage: 'final' });
    expect(fail.code).toBe(1);
    expect(fail.stdout).toMatch(/^FAILED: /);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no task no_such_task');
  });

  it('refuses to start without bubblewrap unless the unsafe flag is given', async () => {
    const options = {
      python: '/usr/bin/python3',
      bwrap: '/nonexistent/bwrap',
      unsafe: false,
      uidBase: 62900,
      maxRuns: 2,
      cpuSlots: 2,
      outputCapBytes: 65536,
    };
    await expect(Sandbox.create(options)).rejects.toThrow(SandboxError);
    await expect(Sandbox.create(options)).rejects.toThrow(/GRADER_UNSAFE_NO_SANDBOX=1/);
    // a sandbox that cannot start is a sandbox error, never a student's failure
    await expect(
      Sandbox.create({
        ...options,
        bwrap: '/usr/bin/bwrap',
        extraReadOnly: ['/nonexistent-python-prefix'],
      }),
    ).rejects.toThrow(/the sandbox failed to start: bwrap: Can't find source path/);
    const serve = await cli(['serve'], {
      GRADER_BWRAP: '/nonexistent/bwrap',
      GRADER_SECRET: 'x'.repeat(32),
      GRADER_PORT: '0',
    });
    expect(serve.code).toBe(1);
    expect(serve.stderr).toMatch(/bubblewrap not found/);
  });

  it('unsafe development mode says so on every result', async () => {
    const service = await GradeService.create(
      readServerEnv({
        GRADER_UNSAFE_NO_SANDBOX: '1',
        GRADER_BWRAP: '/nonexistent',
        GRADER_UID_BASE: '62950',
        GRADER_MAX_RUNS: '2',
      }),
    );
    try {
      const result = await service.grade(
        request({
          code: 'print(42)',
          checks: {
            public:
              'from lms_checks import test\n@test("42")\ndef t(run):\n    assert run.lines == ["42"]\n',
          },
        }),
      );
      expect(result).toMatchObject({ status: 'passed', engine: 'cpython-unsafe', unsafe: true });
    } finally {
      await service.close();
    }
  });

  it('a grader killed with -9 takes the program it was running with it', async () => {
    const sleeper = join(dir, 'sleeper.py');
    writeFileSync(sleeper, 'import time\ntime.sleep(600)\n');
    const base = 62970;
    const grader = spawn(process.execPath, [BIN, 'run', sleeper, '--wall', '60'], {
      env: { ...process.env, GRADER_UID_BASE: String(base) },
      stdio: 'ignore',
    });
    await expect.poll(() => pythonsOfUids(base, base + 4)).not.toEqual([]);
    const leftovers = () =>
      ['/run', '/dev/shm', tmpdir()].flatMap((parent) =>
        readdirSync(parent).filter((name) => name.startsWith(`lms-grader-${grader.pid}-`)),
      );
    // Its slot directory, which a grader killed with -9 leaves behind for the next grader to
    // start to sweep. Looked at before the kill: from the kill on, any grader that starts (those
    // of the test files running beside this one too) may sweep it at any moment.
    expect(leftovers()).not.toEqual([]);
    grader.kill('SIGKILL');
    // the launcher dies with its grader (pdeathsig), bwrap with the launcher (--die-with-parent)
    await expect.poll(() => processesOfUids(base, base + 4), { timeout: REAP_MS }).toEqual([]);
    const ok = join(dir, 'after.py');
    writeFileSync(ok, 'print("after")\n');
    expect((await cli(['run', ok])).code).toBe(0);
    expect(leftovers()).toEqual([]);
  });
});
