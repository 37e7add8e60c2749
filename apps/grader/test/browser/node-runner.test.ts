/**
 * Run semantics of the Pyodide engine in Node, through the real client and worker (in a
 * worker thread). Pyodide runs in child processes: JSPI needs
 * `node --experimental-wasm-stack-switching`, which vitest's own workers do not have.
 *  - jspi + isolated: stack switching, interrupt buffer (SharedArrayBuffer);
 *  - top-level-await: no JSPI (asyncio.run rewritten to await), no interrupt buffer
 *    (a busy program ends by terminating and respawning the worker).
 */
import { describe, expect, it } from 'vitest';
import { runScenarios } from './run-scenarios.ts';

const variants = [
  {
    name: 'jspi, interrupt buffer',
    flags: ['--experimental-wasm-stack-switching'],
    args: ['semantics', 'isolated'],
    mode: 'jspi',
    interruptible: true,
  },
  {
    name: 'no JSPI, terminate and respawn',
    flags: [],
    args: ['semantics'],
    mode: 'top-level-await',
    interruptible: false,
  },
] as const;

describe.concurrent('Pyodide engine in Node', () => {
  for (const variant of variants) {
    it(`runs programs with CPython's semantics (${variant.name})`, {
      timeout: 240_000,
    }, async () => {
      const out = await runScenarios([...variant.args], [...variant.flags]);
      expect(out.info.mode).toBe(variant.mode);
      expect(out.info.interruptible).toBe(variant.interruptible);
      expect(out.info.pyodideVersion).toBe('314.0.7');
      expect(out.info.pythonVersion).toMatch(/^3\.\d+\.\d+$/);

      // task 0010's reference: Timer shim + asyncio, and senjun.py gone in the next run
      expect(out.timerProgram.status).toBe('passed');
      // The Timer fires at 2.0 s, when tick's second sleep ends too: under load a tick may
      // come before or even just after exists! (the same race exists in CPython, narrower).
      expect(out.timerProgram.stdout).toMatch(/^(tick\n){2,3}exists!\n(tick\n)?$/);
      expect(out.timerProgram.programMs).toBeGreaterThanOrEqual(1900);
      expect(out.freshState.second).toBe('False []\nFalse False False\n');
      expect(out.freshState.third).toBe('False []\nFalse False False\n');

      expect(out.timer).toEqual({ status: 'passed', stdout: 'main\nfired\n' });

      // the endless tick() of the first program is cancelled, nothing leaks into the next
      expect(out.leftovers.first).toBe('tick\ntick\ntick\nmain done\n');
      expect(out.leftovers.second).toBe('quiet\n');

      // time.sleep blocks the loop: the tasks run one after the other
      expect(out.blockingSleep.stdout).toBe('A 0\nA 1\nB 0\nB 1\n');
      expect(out.blockingSleep.programMs).toBeGreaterThanOrEqual(1150);

      expect(out.flood).toEqual({
        status: 'output_limit',
        limitHit: 'output',
        stdoutTruncated: true,
        stdoutBytes: 64 * 1024,
      });

      expect(out.limits.sleeper).toEqual({ status: 'timeout', limitHit: 'wall', stdout: 'zz\n' });
      expect(out.limits.busy).toMatchObject({ status: 'timeout', limitHit: 'wall' });
      // a terminated worker loses what it had not posted yet (at most ~16 ms of output)
      expect(out.limits.busy.stdout).toMatch(/^spin/);
      expect(out.limits.blocked).toEqual({ status: 'timeout', limitHit: 'wall' });
      expect(out.limits.afterLimit).toBe('alive\n');
      // with the interrupt buffer Python is stopped in place; without it the worker is replaced
      expect(out.limits.respawned).toBe(!variant.interruptible);
      // a respawned worker starts from the memory snapshot the first one made
      expect(out.limits.snapshotUsedNow).toBe(!variant.interruptible);

      expect(out.errors.crash.status).toBe('error');
      expect(out.errors.crash.exitCode).toBe(1);
      expect(out.errors.crash.traceback).toMatch(
        /^Traceback \(most recent call last\):\n {2}File "main\.py", line 3/,
      );
      expect(out.errors.crash.traceback).toMatch(/ZeroDivisionError: division by zero\n$/);
      expect(out.errors.crash.traceback).not.toMatch(/lms_pyodide|lms_runner/);
      expect(out.errors.exit).toEqual({ status: 'error', exitCode: 3, stdout: 'bye\n' });
      expect(out.errors.syntax.status).toBe('error');
      expect(out.errors.syntax.stderr).toMatch(/SyntaxError/);

      // "early" reaches the page before the program ends
      const early = out.streaming.find((c: { text: string }) => c.text.includes('early'));
      const late = out.streaming.find((c: { text: string }) => c.text.includes('late'));
      expect(early && late).toBeTruthy();
      expect(late.at - early.at).toBeGreaterThanOrEqual(400);

      expect(out.states[0]).toBe('loading');
      expect(out.states).toContain('running');
      expect(out.states.at(-1)).toBe('ready');
    });
  }
});

describe("Pyodide's memory snapshot in Node", () => {
  it('starts from the snapshot made by the first start, and drops a broken one', {
    timeout: 240_000,
  }, async () => {
    const out = await runScenarios(['snapshot'], ['--experimental-wasm-stack-switching']);
    const snap = out.snapshot;
    expect(snap.keys).toEqual([expect.stringMatching(/^lms-pyodide-314\.0\.7-[0-9a-f]+$/)]);
    expect([snap.first, snap.second, snap.third]).toEqual([false, true, false]);
    expect(snap.mode).toBe('jspi');
    // the snapshot-started engine runs task 0010's reference and its public tests
    const [check, listing] = snap.records;
    expect(check.record.stdout).toMatch(/^(tick\n){2,3}exists!\n(tick\n)?$/);
    expect(check.tests.tests.length).toBeGreaterThanOrEqual(3);
    expect(check.tests.tests[0]).toMatchObject({ status: 'passed', origin: 'public' });
    expect(listing.record.stdout).toBe('[]\n');
  });
});
