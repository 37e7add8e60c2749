import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v2Support } from '../../src/server/cgroups.ts';

/**
 * The cgroup v2 path on a simulated tree of plain files: this machine's kernel has every
 * controller on v1, so the real v2 path cannot run here. What this checks is our side of it
 * (which files, what is written, how counters are read, whom the kill loop spares); the
 * kernel's side (a write to cgroup.subtree_control, cgroup.kill, migrations) is not.
 */
describe('cgroup v2 (simulated tree)', () => {
  let root: string;
  const own = '/system.slice/lms-grader.service';
  const file = (...parts: string[]) => join(root, own, ...parts);
  let children: ChildProcess[] = [];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cgroup2-sim-'));
    writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    mkdirSync(file(), { recursive: true });
    writeFileSync(file('cgroup.subtree_control'), '');
  });
  afterEach(() => {
    for (const child of children) child.kill('SIGKILL');
    children = [];
    rmSync(root, { recursive: true, force: true });
  });

  it('enables the controllers top-down and sweeps subtrees of dead graders', () => {
    const stale = file('lms-grader-999999999-1');
    mkdirSync(join(stale, 'slot-0'), { recursive: true });
    const live = file('lms-grader-1-1'); // pid 1 is alive: not ours to touch
    mkdirSync(live);
    const support = v2Support('lms-grader-4242-1', root, own);
    expect(support.version).toBe(2);
    expect(readFileSync(file('cgroup.subtree_control'), 'utf8')).toBe('+memory +pids +cpu');
    expect(readFileSync(file('lms-grader-4242-1', 'cgroup.subtree_control'), 'utf8')).toBe(
      '+memory +pids +cpu',
    );
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it('sets a slot’s limits and reads its counters since prepare', () => {
    const slot = v2Support('lms-grader-4242-1', root, own).createSlot('slot-3');
    const dir = file('lms-grader-4242-1', 'slot-3');
    expect(slot.procsFiles).toEqual([join(dir, 'cgroup.procs')]);
    writeFileSync(join(dir, 'memory.swap.max'), 'max\n');
    writeFileSync(join(dir, 'cpu.stat'), 'usage_usec 1000000\nuser_usec 600000\n');
    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n');
    writeFileSync(join(dir, 'pids.events'), 'max 2\n');
    slot.prepare({ memoryMb: 256, processes: 65 });
    expect(readFileSync(join(dir, 'memory.max'), 'utf8')).toBe(String(256 * 1024 * 1024));
    expect(readFileSync(join(dir, 'memory.swap.max'), 'utf8')).toBe('0');
    expect(readFileSync(join(dir, 'pids.max'), 'utf8')).toBe('65');
    writeFileSync(join(dir, 'cpu.stat'), 'usage_usec 1250000\nuser_usec 700000\n');
    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 9\noom 3\noom_kill 3\n');
    writeFileSync(join(dir, 'pids.events'), 'max 7\n');
    expect(slot.cpuSeconds()).toBeCloseTo(0.25, 6);
    expect(slot.oomKills()).toBe(2);
    expect(slot.pidsRefused()).toBe(5);
  });

  it('kills every process of the slot but the launcher, without cgroup.kill', async () => {
    const slot = v2Support('lms-grader-4242-1', root, own).createSlot('slot-0');
    const dir = file('lms-grader-4242-1', 'slot-0');
    const launcher = spawn('sleep', ['30']);
    const run = spawn('sleep', ['30']);
    children.push(launcher, run);
    writeFileSync(join(dir, 'cgroup.procs'), `${launcher.pid}\n${run.pid}\n`);
    // the kernel drops a dead process from cgroup.procs; here the test does
    run.on('exit', () => writeFileSync(join(dir, 'cgroup.procs'), `${launcher.pid}\n`));
    const exited = new Promise<NodeJS.Signals | null>((r) => run.on('exit', (_c, sig) => r(sig)));
    expect(await slot.killAll(launcher.pid)).toBe(true);
    expect(await exited).toBe('SIGKILL');
    expect(launcher.exitCode).toBeNull();
    expect(launcher.signalCode).toBeNull();
    expect(existsSync(join(dir, 'cgroup.kill'))).toBe(false);
    expect(slot.pids()).toEqual([launcher.pid]);
    // without a launcher to spare, cgroup.kill is written
    launcher.on('exit', () => writeFileSync(join(dir, 'cgroup.procs'), ''));
    expect(await slot.killAll()).toBe(true);
    expect(readFileSync(join(dir, 'cgroup.kill'), 'utf8')).toBe('1');
  });
});
