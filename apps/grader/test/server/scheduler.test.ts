import { describe, expect, it } from 'vitest';
import { CpuScheduler } from '../../src/server/scheduler.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A probe whose CPU time grows at `rate` cores. */
function fakeProbe(rate: number) {
  const started = performance.now();
  return { cpuSeconds: () => ((performance.now() - started) / 1000) * rate };
}

describe('CpuScheduler', () => {
  it('admits many waiting runs once they are measured idle, and never more than maxRuns', async () => {
    const s = new CpuScheduler({ maxRuns: 10, cpuSlots: 2, sampleMs: 5 });
    const got: number[] = [];
    const all = Array.from({ length: 12 }, () =>
      s.acquire().then((slot) => {
        got.push(slot);
        s.attach(slot, fakeProbe(0)); // sleepers
      }),
    );
    await Promise.resolve();
    expect(s.running).toBe(2); // unmeasured runs count as a whole core each
    for (let i = 0; i < 100 && s.running < 10; i++) await tick(5);
    expect(s.running).toBe(10);
    expect(s.waiting).toBe(2);
    expect(new Set(got).size).toBe(10);
    s.release(got[0]!);
    s.release(got[1]!);
    await Promise.all(all);
    expect(s.running).toBe(10);
    s.stop();
  });

  it('holds new runs back while CPU-bound runs use every core', async () => {
    const s = new CpuScheduler({ maxRuns: 10, cpuSlots: 2, sampleMs: 5 });
    const hogs = [await s.acquire(), await s.acquire()];
    for (const slot of hogs) s.attach(slot, fakeProbe(1));
    let admitted = false;
    const next = s.acquire().then((slot) => {
      admitted = true;
      return slot;
    });
    await tick(60);
    expect(admitted).toBe(false);
    expect(s.load).toBeGreaterThan(1.5);
    s.release(hogs[0]!);
    await next;
    expect(admitted).toBe(true);
    s.stop();
  });

  it('lets the second half of a grading (priority) go before new gradings', async () => {
    const s = new CpuScheduler({ maxRuns: 1, cpuSlots: 1, sampleMs: 5 });
    const first = await s.acquire();
    const order: string[] = [];
    const a = s.acquire().then((slot) => {
      order.push('new');
      s.release(slot);
    });
    const b = s.acquire(true).then((slot) => {
      order.push('priority');
      s.release(slot);
    });
    s.release(first);
    await Promise.all([a, b]);
    expect(order).toEqual(['priority', 'new']);
    s.stop();
  });

  it('alternates second halves and new gradings when both wait', async () => {
    const s = new CpuScheduler({ maxRuns: 1, cpuSlots: 1, sampleMs: 5 });
    const first = await s.acquire();
    const order: string[] = [];
    const take = (name: string, priority: boolean) =>
      s.acquire(priority).then((slot) => {
        order.push(name);
        s.release(slot);
      });
    const all = [
      take('new1', false),
      take('new2', false),
      take('new3', false),
      take('tests1', true),
      take('tests2', true),
    ];
    s.release(first);
    await Promise.all(all);
    expect(order).toEqual(['tests1', 'new1', 'tests2', 'new2', 'new3']);
    s.stop();
  });

  it('counts a run not measured yet as what recent runs used at first', async () => {
    const s = new CpuScheduler({ maxRuns: 50, cpuSlots: 2, sampleMs: 5 });
    expect(s.expectedStartRate).toBe(1);
    // runs that use half a core in their first window (a start-up waiting on the kernel)
    for (let i = 0; i < 20; i++) {
      const slot = await s.acquire();
      s.attach(slot, fakeProbe(0.5));
      await tick(12);
      s.release(slot);
    }
    expect(s.expectedStartRate).toBeGreaterThan(0.4);
    expect(s.expectedStartRate).toBeLessThan(0.7);
    // so more of them start at once than there are cores, but not unboundedly many
    const held = await Promise.all([s.acquire(), s.acquire(), s.acquire()]);
    expect(s.running).toBe(3);
    let fourth = false;
    const next = s.acquire().then(() => {
      fourth = true;
    });
    await tick(20);
    expect(fourth).toBe(false);
    expect(s.load).toBeGreaterThan(1.2);
    for (const slot of held) s.release(slot);
    await next;
    expect(fourth).toBe(true);
    s.stop();
  });
});
