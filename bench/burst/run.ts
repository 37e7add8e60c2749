/**
 * A classroom burst on the embedded default (issue 14): N students (default 30) submit task
 * 0020's answer at the same moment through the web's own grading path — tRPC caller →
 * services/attempts.ts → the HTTP transport's fair line (apps/web grader/pipeline.ts) → the
 * real grader service (`lms-grader serve`, CPython in bubblewrap) on loopback — and each is
 * followed to its verdict as the task page follows it (`attempt.watch`). The baseline is one
 * lone submission, measured in the same run (the median of --lone runs). Prints p50/p95 of the
 * burst's verdicts and the whole burst's time as ratios of the lone time (target: within about
 * 2.5×), and the same burst with the old limit of 4 gradings at a time for comparison.
 *
 *   npx tsx bench/burst/run.ts [--students 30] [--lone 3] [--window 64] [--compare-window 4|0]
 *
 * As root with bubblewrap (the grader's sandbox); the grader's slots use uids 65000–65127.
 * Exits 1 when a verdict is not `passed` (every program submitted is the task's answer).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCourse } from '@lms/content';
import { createContextInner, type Session } from '../../apps/web/src/server/context.ts';
import { gradeOverHttp } from '../../apps/web/src/server/grader/http.ts';
import { createInProcessTransport } from '../../apps/web/src/server/grader/pipeline.ts';
import { createCaller } from '../../apps/web/src/server/root.ts';
import { createDb } from '../../packages/db/src/client.ts';
import { resolveTarget } from '../../packages/db/src/env.ts';
import { createUser, publishCompiledCourse } from '../../packages/db/src/index.ts';
import { migrate } from '../../packages/db/src/migrate.ts';

const ROOT = join(import.meta.dirname, '../..');
const COURSE = 'python';
const CHAPTER = 'python_chapter_0320';
const TASK = 'python_chapter_0320_task_0020';
const SECRET = 'burst-bench-secret-0123456789abcdef';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0)
    throw new Error(`--${name}: a number, got ${process.argv[i + 1]}`);
  return v;
}
const STUDENTS = arg('students', 30);
const LONE = Math.max(1, arg('lone', 3));
const WINDOW = arg('window', 64);
const OLD_WINDOW = arg('compare-window', 4);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

// --- the grader service, as `npm start` runs it --------------------------------------------
const port = await freePort();
const graderUrl = `http://127.0.0.1:${port}`;
let graderLog = '';
const grader: ChildProcess = spawn(
  process.execPath,
  [join(ROOT, 'apps/grader/bin/lms-grader.mjs'), 'serve'],
  {
    cwd: ROOT,
    env: {
      ...process.env,
      GRADER_HOST: '127.0.0.1',
      GRADER_PORT: String(port),
      GRADER_SECRET: SECRET,
      GRADER_UID_BASE: '65000', // issue 14's range (65000–65499): 128 slots
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
grader.stdout?.on('data', (d) => {
  graderLog += d;
});
grader.stderr?.on('data', (d) => {
  graderLog += d;
});
const stopGrader = () => {
  if (grader.exitCode === null) grader.kill('SIGTERM');
};
process.on('exit', stopGrader);

const dir = mkdtempSync(join(tmpdir(), 'lms-burst-'));
const url = `file:${join(dir, 'burst.db')}`;
let failed = false;
try {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`${graderUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (grader.exitCode !== null || Date.now() > deadline)
      throw new Error(`the grader did not start (exit ${grader.exitCode}):\n${graderLog}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  // --- the embedded default's database, the shipped course, the students ------------------
  await migrate(resolveTarget(url));
  const db = createDb({ url });
  const { course, errors } = compileCourse(join(ROOT, 'packages/content/courses/python'));
  if (!course || errors.length > 0) throw new Error(`course: ${JSON.stringify(errors)}`);
  await publishCompiledCourse(db, { compiled: course, source: {}, publishedById: null });
  const answer = course.chapters
    .find((c) => c.id === CHAPTER)
    ?.tasks.find((t) => t.id === TASK)?.answer;
  if (!answer) throw new Error(`no answer for ${TASK}`);
  const sessions: Session[] = [];
  for (let i = 0; i <= STUDENTS; i++) {
    const user = await createUser(db, {
      email: `burst-${i}@example.test`,
      name: `Student ${i}`,
      role: 'student',
      password: 'burst bench password',
    });
    sessions.push({
      user: { id: user.id, email: user.email, name: user.name, role: 'student' },
      sessionId: `burst-${i}`,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
  }

  const status = (await fetch(`${graderUrl}/healthz`).then((r) => r.json())) as {
    engine: string;
    pythonVersion: string;
    cgroups: number | null;
  };
  console.log(
    `burst bench: ${STUDENTS} students × ${TASK} (its answer sleeps ~3 s), web → grader over HTTP on loopback, SQLite; ` +
      `grader ${status.engine}, Python ${status.pythonVersion}, cgroups v${status.cgroups ?? '-'}, ` +
      `${availableParallelism()} cores, load average ${loadavg()[0]?.toFixed(1)} at start`,
  );

  /** One submission followed to its verdict as the page does: ms until it is seen, and its status. */
  async function submitAndWatch(
    api: ReturnType<typeof createCaller>,
  ): Promise<{ seenMs: number; storedMs: number; status: string; place: number | null }> {
    const t0 = performance.now();
    const { id, queuePosition } = await api.attempt.submit({
      courseSlug: COURSE,
      taskId: TASK,
      code: answer as string,
    });
    let last: { status: string; done: boolean; createdAt: Date; gradedAt: Date | null } | null =
      null;
    for await (const a of await api.attempt.watch({ id, courseSlug: COURSE })) {
      last = a;
      if (a.done) break;
    }
    const seenMs = performance.now() - t0;
    if (!last?.done) throw new Error(`attempt ${id}: no verdict within the watch's deadline`);
    const storedMs = (last.gradedAt?.getTime() ?? NaN) - last.createdAt.getTime();
    return { seenMs, storedMs, status: last.status, place: queuePosition };
  }

  async function measure(window: number) {
    const transport = createInProcessTransport({
      db,
      concurrency: window,
      // as apps/web grader/index.ts: never shorter than the task's own wall limit
      grade: (request) =>
        gradeOverHttp(request, {
          url: graderUrl,
          secret: SECRET,
          timeoutMs: Math.max(60_000, ((request.limits?.wallSeconds ?? 10) * 2 + 15) * 1000),
        }),
      log: (line) => console.warn(`  [grader-client] ${line}`),
    });
    const apiOf = (session: Session) =>
      createCaller(createContextInner({ db, session, grader: transport, submitsPerMinute: 100 }));

    const lone: number[] = [];
    const loneStored: number[] = [];
    for (let i = 0; i < LONE; i++) {
      const r = await submitAndWatch(apiOf(sessions[0] as Session));
      if (r.status !== 'passed') throw new Error(`lone submission: ${r.status}`);
      lone.push(r.seenMs);
      loneStored.push(r.storedMs);
    }
    const started = performance.now();
    const results = await Promise.all(
      sessions.slice(1).map((session) => submitAndWatch(apiOf(session))),
    );
    const totalMs = performance.now() - started;
    await transport.idle();
    return {
      lone: percentile(lone, 50),
      loneStored: percentile(loneStored, 50),
      results,
      totalMs,
    };
  }

  function report(label: string, m: Awaited<ReturnType<typeof measure>>) {
    const seen = m.results.map((r) => r.seenMs);
    const stored = m.results.map((r) => r.storedMs);
    const wrong = m.results.filter((r) => r.status !== 'passed');
    const busy = m.results.filter((r) => r.place !== null).length;
    const ratio = (ms: number) => `${(ms / m.lone).toFixed(2)}×`;
    console.log(`\n${label}`);
    console.log(
      `  lone submission (median of ${LONE})  seen ${s(m.lone)}   (stored ${s(m.loneStored)} after submit)`,
    );
    console.log(
      `  burst of ${m.results.length}: p50 ${s(percentile(seen, 50))} = ${ratio(percentile(seen, 50))}   ` +
        `p95 ${s(percentile(seen, 95))} = ${ratio(percentile(seen, 95))}   ` +
        `all done ${s(m.totalMs)} = ${ratio(m.totalMs)}   (target ≤ 2.5×)`,
    );
    console.log(
      `  stored (gradedAt − createdAt): p50 ${s(percentile(stored, 50))}  p95 ${s(percentile(stored, 95))}; ` +
        `verdicts: ${m.results.length - wrong.length} passed, ${wrong.length} other` +
        `${wrong.length ? ` (${wrong.map((w) => w.status).join(', ')})` : ''}; ` +
        `told "busy, queued as number N" at submit: ${busy}`,
    );
    if (wrong.length > 0) failed = true;
    return percentile(seen, 95) / m.lone;
  }

  const now = await measure(WINDOW);
  const p95Ratio = report(
    `web window ${WINDOW} (the grader's CPU-aware admission decides what runs at once)`,
    now,
  );
  if (OLD_WINDOW > 0) {
    report(
      `for comparison, the old web limit: ${OLD_WINDOW} gradings at a time`,
      await measure(OLD_WINDOW),
    );
  }
  console.log(
    `\n${p95Ratio <= 2.5 ? 'target met' : 'target MISSED'}: the burst's p95 is ${p95Ratio.toFixed(2)}× the lone submission (target ≤ 2.5×)`,
  );
  await db.$disconnect();
} catch (error) {
  console.error(`burst bench: ${(error as Error).message}`);
  failed = true;
} finally {
  stopGrader();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
