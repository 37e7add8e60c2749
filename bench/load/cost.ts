/**
 * Where the web's time goes: the CPU one web instance spends per call of each procedure, with
 * the database round trips it makes, measured one procedure at a time on an otherwise quiet
 * instance (issue 14: under load the web, not the graders, was the bottleneck).
 *
 *   npx tsx bench/load/cost.ts [--calls N] [--echo] [--no-build]
 *
 * Starts scripts/start-cluster.mjs with 1 web instance and 1 grader worker on PostgreSQL
 * database `lms_cost` (dropped and made again) and a Redis of its own (port 6391), then for
 * each step sends N calls (4 at a time) and reads, before and after:
 * - the web process's CPU time (utime + stime from /proc/<pid>/stat: its threads too, so
 *   argon2 on libuv's pool counts), whatever else the machine is doing;
 * - PostgreSQL's committed transactions on that database (pg_stat_database.xact_commit: a
 *   statement outside a transaction is one, a transaction of many statements is one).
 * The baseline, measured in the same run, is `GET /api/healthz` (Next's routing and our
 * server.mjs, no session, no database): every figure is also printed as a ratio to it.
 *
 * `attempt.submit` includes what the web does for the verdict later (the queue's events, the
 * stored verdict, the progress) and the attempt.watch stream the task page follows it with,
 * open until the verdict: what one final check costs the web.
 */
import pg from 'pg';
import { CallError, Recorder, StudentClient } from './client.ts';
import { procTimes } from './cpu.ts';
import { CHAPTER, COURSE, PROGRAMS, TASK } from './programs.ts';
import { PrivateRedis, startCluster } from './stack.ts';

const argv = process.argv.slice(2);
const callsArg = argv.includes('--calls') ? Number(argv[argv.indexOf('--calls') + 1]) : 200;
if (!Number.isInteger(callsArg) || callsArg < 8) {
  console.error(
    `--calls must be an integer of at least 8, got ${argv[argv.indexOf('--calls') + 1]}`,
  );
  process.exit(2);
}
const CALLS = callsArg;
const echo = argv.includes('--echo');
const build = !argv.includes('--no-build');
const log = (line: string) => console.log(`[cost] ${line}`);
type Row = { name: string; calls: number; cpuMs: number; xacts: number; wallP50: number };

async function main() {
  const redis = new PrivateRedis(6391);
  await redis.start();
  const cluster = await startCluster({
    web: 1,
    workers: 1,
    port: 3370,
    uidBase: 65300,
    redis,
    database: 'lms_cost',
    build,
    echo,
  });
  const admin = new pg.Client({ connectionString: cluster.databaseUrl });
  await admin.connect();
  const rows: Row[] = [];
  try {
    const pid = cluster.state().web[0]?.pid;
    if (!pid) throw new Error('the web instance has no pid in the cluster state');
    const xacts = async () =>
      Number(
        (
          await admin.query(
            'SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()',
          )
        ).rows[0].xact_commit,
      );
    const recorder = new Recorder();
    const students = Array.from(
      { length: Math.ceil(CALLS / 2) },
      (_, i) => new StudentClient(cluster.base, `10.78.${i >> 8}.${i & 255}`, recorder),
    );

    /** `CALLS` runs of `one(i)`, 4 at a time, measured; the first 8 (warm-up) are not. */
    async function measure(name: string, count: number, one: (i: number) => Promise<unknown>) {
      for (let i = 0; i < 8; i++) await one(i);
      // stats reach pg_stat_database with a delay: ask a fresh snapshot each time
      await admin.query('SELECT pg_stat_clear_snapshot()');
      const x0 = await xacts();
      const c0 = procTimes(pid as number).ownMs;
      const walls: number[] = [];
      let next = 8;
      const lane = async () => {
        while (next < count + 8) {
          const i = next++;
          const t = performance.now();
          await one(i);
          walls.push(performance.now() - t);
        }
      };
      await Promise.all([lane(), lane(), lane(), lane()]);
      const cpu = procTimes(pid as number).ownMs - c0;
      // an idle backend reports its statistics within PGSTAT_IDLE_INTERVAL (10 s) at most
      await new Promise((r) => setTimeout(r, 11_000));
      await admin.query('SELECT pg_stat_clear_snapshot()');
      // the count read itself (x0) and the clear above are statements of the bench too
      const x = (await xacts()) - x0 - 2;
      walls.sort((a, b) => a - b);
      const row = {
        name,
        calls: count,
        cpuMs: cpu / count,
        xacts: x / count,
        wallP50: walls[Math.floor(walls.length / 2)] ?? Number.NaN,
      };
      rows.push(row);
      log(
        `${name}: ${row.cpuMs.toFixed(1)} ms CPU, ${row.xacts.toFixed(1)} transactions, p50 ${row.wallP50.toFixed(0)} ms a call`,
      );
    }

    const student = (i: number) => students[i % students.length] as StudentClient;
    const email = (i: number) => `cost-${i}@bench.local`;
    const password = 'cost-bench-password-1';
    const task = { courseSlug: COURSE, taskId: TASK };

    await measure('GET /api/healthz', CALLS, async () => {
      const res = await fetch(`${cluster.base}/api/healthz`);
      await res.arrayBuffer();
    });
    // sign-up: one per student (the bench's students), beyond them: fresh e-mails
    let signedUp = 0;
    await measure('auth.sign-up', students.length - 8, async () => {
      const i = signedUp++;
      await student(i).auth('sign-up', { name: `Cost ${i}`, email: email(i), password });
    });
    await measure('auth.sign-in', CALLS, async (i) => {
      await student(i).auth('sign-in', {
        email: email(i % students.length),
        password,
      });
    });
    await measure('page.chapter (SSR)', CALLS, (i) =>
      student(i).page('page.chapter', `/courses/${COURSE}/chapters/${CHAPTER}`),
    );
    await measure('draft.save', CALLS, (i) =>
      student(i).mutation('draft.save', { ...task, code: `print(${i})\n` }),
    );
    const { code } = PROGRAMS.right;
    const ids: Array<{ id: string; i: number }> = [];
    await measure('attempt.submit + watch to verdict', CALLS, async (i) => {
      const s = student(i);
      for (;;) {
        try {
          const made = await s.mutation<{ id: string }>('attempt.submit', { ...task, code });
          ids.push({ id: made.id, i });
          // followed to its verdict as the task page follows it (the attempt.watch stream)
          let status = '';
          await s.subscribe<{ status: string }>(
            'attempt.watch',
            { id: made.id, courseSlug: COURSE },
            (a) => {
              status = a.status;
              return a.status !== 'queued' && a.status !== 'running';
            },
            AbortSignal.timeout(300_000),
          );
          if (status === 'queued' || status === 'running' || status === '')
            throw new Error(`attempt ${made.id}: the watch ended without a verdict`);
          return;
        } catch (error) {
          if (
            error instanceof CallError &&
            ['SUBMITS_IN_FLIGHT', 'RATE_LIMITED'].includes(error.code)
          ) {
            await new Promise((r) => setTimeout(r, 1000));
            continue;
          }
          throw error;
        }
      }
    });
    await measure('attempt.get (a verdict)', CALLS, (i) => {
      const { id, i: owner } = ids[i % ids.length] as { id: string; i: number };
      return student(owner).query('attempt.get', { id, courseSlug: COURSE });
    });

    const failed = recorder.samples.filter((s) => !s.ok);
    const base = rows[0] as Row;
    console.log(
      `\n=== web CPU per call (1 web instance, PostgreSQL, queue mode; ${CALLS} calls, 4 at a time) ===`,
    );
    console.log(
      `  ${'step'.padEnd(32)} ${'CPU ms'.padStart(8)} ${'× healthz'.padStart(10)} ${'db xacts'.padStart(9)} ${'p50 ms'.padStart(8)}`,
    );
    for (const r of rows) {
      console.log(
        `  ${r.name.padEnd(32)} ${r.cpuMs.toFixed(1).padStart(8)} ${(r.cpuMs / base.cpuMs).toFixed(1).padStart(10)} ${r.xacts.toFixed(1).padStart(9)} ${r.wallP50.toFixed(0).padStart(8)}`,
      );
    }
    console.log(
      `  errors: ${failed.length}${failed.length ? ` (${failed[0]?.name}: ${failed[0]?.error})` : ''}`,
    );
    return failed.length === 0;
  } finally {
    await admin.end();
    log('stopping');
    await cluster.stop();
    await redis.stop();
  }
}

// the exit code is the bench's verdict (0: every call answered); each failure path prints why
// first, and main's finally has stopped the cluster and its Redis by then
main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(`[cost] ${(error as Error).message}`);
    process.exit(1);
  },
);
