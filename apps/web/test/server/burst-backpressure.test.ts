import type { Db } from '@lms/db';
import type { GradeRequestInput } from '@lms/grading';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/server/context';
import { createFairLine, createInProcessTransport } from '../../src/server/grader/pipeline';
import { clearContentCache } from '../../src/server/services/content';
import { callerFor, createTestDb, gradeResult, publishTestCourse } from './helpers';

// Issue 14: a class submitting together. The web no longer holds gradings back 4 at a time: the
// grader's own admission decides what runs at once (bench/burst/run.ts measures it against the
// real grader). When grading is saturated, the submit says the check's place in the waiting line
// (in the order the round-robin line will take them) and attempt.watch keeps it current until
// the grading starts.

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
  await publishTestCourse(db);
});
afterAll(async () => {
  await t?.cleanup();
});

let made = 0;
/** A student without a password (no argon2 run: 30 of them cost nothing). */
async function student(): Promise<Session> {
  made++;
  const user = await db.user.create({
    data: { email: `burst-${made}-${process.pid}@example.test`, name: `S${made}`, role: 'student' },
  });
  return {
    user: { id: user.id, email: user.email, name: user.name, role: 'student' },
    sessionId: `burst-${user.id}`,
    expiresAt: new Date(Date.now() + 3_600_000),
  };
}

/** A grader that answers each request only when the test says so, and says when one arrives. */
function heldGrader() {
  const held: Array<{ code: string; answer: () => void }> = [];
  const waiters: Array<{ n: number; wake: () => void }> = [];
  return {
    held,
    grade: async (request: GradeRequestInput) => {
      await new Promise<void>((answer) => {
        held.push({ code: request.code, answer });
        for (const w of waiters.filter((w) => held.length >= w.n)) w.wake();
      });
      return gradeResult('passed');
    },
    /** resolves once `n` requests have reached the grader */
    reached(n: number): Promise<void> {
      if (held.length >= n) return Promise.resolve();
      return new Promise((wake) => waiters.push({ n, wake }));
    },
  };
}

describe('a class submitting together', () => {
  it('30 students at once: all 30 reach the grader together, none held back in the web', async () => {
    const grader = heldGrader();
    const transport = createInProcessTransport({ db, grade: grader.grade, log: () => {} });
    const students = await Promise.all(Array.from({ length: 30 }, () => student()));
    const answers = await Promise.all(
      students.map((s, i) =>
        callerFor(db, s, { grader: transport }).attempt.submit({
          courseSlug: 'testcourse',
          taskId: 't1',
          code: `print(${i})`,
        }),
      ),
    );
    await grader.reached(30); // with the old limit this never happened: 4, then 4 more…
    expect(grader.held).toHaveLength(30);
    expect(await transport.backlog()).toBe(0);
    // not saturated: nobody was told to wait
    expect(answers.map((a) => a.queuePosition)).toEqual(answers.map(() => null));
    for (const h of grader.held) h.answer();
    await transport.idle();
    expect(await db.attempt.count({ where: { status: 'passed' } })).toBe(30);
  });

  it('the fair line: at most `perUser` of one user at once, others take the free slots', async () => {
    const line = createFairLine(3, 1);
    const order: string[] = [];
    const gates = new Map<string, () => void>();
    const job = (user: string, n: number) =>
      line.withSlot(user, async () => {
        order.push(`${user}${n}`);
        await new Promise<void>((r) => gates.set(`${user}${n}`, r));
      });
    const all = [job('A', 1), job('A', 2), job('A', 3), job('B', 1), job('C', 1)];
    await expect.poll(() => order.length).toBe(3);
    // A's second waits for A's first although a slot is free for it
    expect(order).toEqual(['A1', 'B1', 'C1']);
    expect(line.running).toBe(3);
    expect(line.waiting).toBe(2);
    gates.get('B1')?.();
    await expect.poll(() => line.running).toBe(2); // the freed slot stays free: only A waits
    gates.get('A1')?.();
    await expect.poll(() => order.length).toBe(4);
    expect(order[3]).toBe('A2');
    for (const k of ['C1', 'A2']) gates.get(k)?.();
    await expect.poll(() => order.length).toBe(5);
    gates.get('A3')?.();
    await Promise.all(all);
  });
});

describe('backpressure: "busy, your check is queued as number N"', () => {
  it('saturated: the submit says the place, watch updates it, fair between students', async () => {
    const grader = heldGrader();
    // two gradings at a time: the third submission onwards waits
    const transport = createInProcessTransport({
      db,
      grade: grader.grade,
      concurrency: 2,
      log: () => {},
    });
    const [a, b, c, d] = await Promise.all([student(), student(), student(), student()]);
    const api = (s: Session | undefined) => callerFor(db, s ?? null, { grader: transport });
    const submit = (s: Session | undefined, code: string) =>
      api(s).attempt.submit({ courseSlug: 'testcourse', taskId: 't1', code });

    await submit(a, 'a1');
    await submit(b, 'b1');
    await grader.reached(2); // both slots taken
    const a2 = await submit(a, 'a2'); // A's second: the first to wait
    const c1 = await submit(c, 'c1');
    const d1 = await submit(d, 'd1');
    // A's third, beyond the in-flight cap (recovered after a restart): behind everyone's next
    const release = await db.contentRelease.findFirstOrThrow({ where: { status: 'published' } });
    const a3 = await db.attempt.create({
      data: {
        userId: a?.user.id as string,
        courseId: release.courseId,
        releaseId: release.id,
        taskId: 't1',
        stage: 'final',
        code: 'a3',
      },
    });
    void transport.dispatch(a3.id);
    await expect.poll(() => transport.placeOf(a3.id)).toBe(4);
    expect([a2, c1, d1].map((x) => x.queuePosition)).toEqual([1, 2, 3]);
    expect(await transport.backlog()).toBe(4);
    const a3Now = await api(a).attempt.get({ courseSlug: 'testcourse', id: a3.id });
    expect(a3Now.queuePosition).toBe(4);

    // D follows its attempt: its place goes down as gradings finish, then it runs, then its verdict
    const stream = await api(d).attempt.watch({ courseSlug: 'testcourse', id: d1.id });
    const it = stream[Symbol.asyncIterator]();
    const next = async () => {
      const r = await it.next();
      if (r.done) throw new Error('the watch ended early');
      return r.value;
    };
    const first = await next();
    expect([first.status, first.queuePosition]).toEqual(['queued', 3]);
    grader.held[0]?.answer(); // a1 done: a2 starts
    expect((await next()).queuePosition).toBe(2);
    grader.held[1]?.answer(); // b1 done: c1 starts
    expect((await next()).queuePosition).toBe(1);
    await grader.reached(4);
    grader.held[2]?.answer(); // a2 done: d1 starts (before A's third)
    const running = await next();
    expect([running.status, running.queuePosition]).toEqual(['running', null]);
    await grader.reached(5);
    expect(grader.held.map((h) => h.code)).toEqual(['a1', 'b1', 'a2', 'c1', 'd1']);
    for (const h of grader.held.slice(3)) h.answer();
    const verdict = await next();
    expect([verdict.status, verdict.queuePosition, verdict.done]).toEqual(['passed', null, true]);
    await grader.reached(6);
    expect(grader.held[5]?.code).toBe('a3');
    grader.held[5]?.answer();
    await transport.idle();
  }, 30_000);
});
