/**
 * Load, chaos and scaling of the whole product over HTTP on loopback (issue 14).
 *
 *   npx tsx bench/load/run.ts --small      # CI size: 4 students on the embedded default
 *   npx tsx bench/load/run.ts              # by hand: 300 students on 2 web instances + 3 grader
 *                                          #   workers (PostgreSQL + Redis), then the embedded
 *                                          #   default at 30 students
 *   npx tsx bench/load/run.ts --chaos      # the cluster run, killing a worker (-9), then a web
 *                                          #   instance (-9), then restarting Redis, under load
 *   npx tsx bench/load/run.ts --scaling    # gradings/s with 1, 2, 3 workers, CPU beside it
 *
 * Options: --students N, --submissions N, --only cluster|embedded, --echo (show the app's log),
 * --base-url URL (a running app instead of starting one; no database check then unless
 * --database-url is given too).
 *
 * What it starts: the embedded default through scripts/start.mjs on a SQLite file of its own
 * (ports 3390/4390); the cluster through scripts/start-cluster.mjs on PostgreSQL database
 * `lms_load` (dropped and made again) and a Redis of its own on port 6390 with AOF (ports
 * 3380…, 3481…), sandbox uids from 65000. PostgreSQL at 127.0.0.1:5432 (trust) is needed for
 * the cluster.
 *
 * Prints p50/p95/p99 per procedure, gradings per second, the errors, every attempt's outcome
 * against the verdict its program must get, and the database check (verify.ts). Exit 1 when
 * an error happened (outside the chaos), a verdict is wrong, or the database check fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Sample } from './client.ts';
import { cpuByRoleLines, type Role, startCpuByRole } from './cpu.ts';
import { type LoadOptions, type LoadResult, runLoad } from './load.ts';
import { type Kind, PROGRAMS } from './programs.ts';
import { cpuTimes, PrivateRedis, ROOT, type Stack, startCluster, startEmbedded } from './stack.ts';
import { verifyInDatabase, waitSettled } from './verify.ts';

function flag(name: string): boolean {
  return process.argv.includes(name);
}
function value(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  return v && !v.startsWith('--') ? v : undefined;
}
function numberArg(name: string, fallback: number): number {
  const v = value(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${name} must be a positive integer, got ${v}`);
    process.exit(2);
  }
  return n;
}

const small = flag('--small');
const chaos = flag('--chaos');
const scaling = flag('--scaling');
const echo = flag('--echo');
const only = value('--only');
const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const log = (line: string) => console.log(`[load] ${line}`);

// ---------------------------------------------------------------------------------------------
// figures

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

function latencyTable(samples: Sample[]): string[] {
  const names = [...new Set(samples.map((s) => s.name))].sort();
  const lines = [
    `  ${'procedure'.padEnd(16)} ${'calls'.padStart(6)} ${'errors'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`,
  ];
  for (const name of names) {
    const mine = samples.filter((s) => s.name === name);
    const ok = mine.filter((s) => s.ok).map((s) => s.ms);
    ok.sort((a, b) => a - b);
    const f = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(0)).padStart(8);
    lines.push(
      `  ${name.padEnd(16)} ${String(mine.length).padStart(6)} ${String(mine.length - ok.length).padStart(6)} ${f(quantile(ok, 0.5))} ${f(quantile(ok, 0.95))} ${f(quantile(ok, 0.99))} ${f(ok.at(-1) ?? Number.NaN)}`,
    );
  }
  return lines;
}

function tally(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([v, n]) => `${v} ×${n}`)
    .join(', ');
}

type Report = {
  title: string;
  result: LoadResult;
  cpuBusyShare: number;
  /** CPU seconds by role over the load (cpu.ts); none for a stack started elsewhere */
  cpuByRole?: Map<Role, number>;
  verification: Awaited<ReturnType<typeof verifyInDatabase>> | null;
  chaosEvents: string[];
};

function printReport(r: Report): boolean {
  const { result } = r;
  const samples = result.recorder.samples;
  const errors = samples.filter((s) => !s.ok);
  const graded = result.attempts.filter((a) => a.status);
  const verdictMs = graded.map((a) => (a.verdictAt ?? 0) - a.submittedAt).sort((a, b) => a - b);
  console.log(`\n=== ${r.title} ===`);
  console.log(latencyTable(samples).join('\n'));
  console.log(
    `  submit → verdict (what a student waits): p50 ${(quantile(verdictMs, 0.5) / 1000).toFixed(1)} s, ` +
      `p95 ${(quantile(verdictMs, 0.95) / 1000).toFixed(1)} s, p99 ${(quantile(verdictMs, 0.99) / 1000).toFixed(1)} s`,
  );
  const perSecond = graded.length / (result.gradingWindowMs / 1000);
  console.log(
    `  gradings: ${graded.length} in ${(result.gradingWindowMs / 1000).toFixed(1)} s = ${perSecond.toFixed(2)}/s; ` +
      `CPU busy ${(r.cpuBusyShare * 100).toFixed(0)} % of ${availableParallelism()} cores`,
  );
  if (r.cpuByRole) console.log(cpuByRoleLines(r.cpuByRole, graded.length).join('\n'));
  console.log(
    `  errors: ${errors.length}${errors.length ? ` (${tally(errors.map((e) => `${e.name}: ${e.error}`))})` : ''}`,
  );
  // the outcome of every attempt, by program kind
  console.log('  attempts by kind: submitted → verdicts (expected)');
  let wrong = 0;
  for (const kind of Object.keys(PROGRAMS) as Kind[]) {
    const mine = result.attempts.filter((a) => a.kind === kind);
    if (mine.length === 0) continue;
    const ok = mine.filter((a) => a.status === a.expected).length;
    wrong += mine.filter((a) => a.status && a.status !== a.expected).length;
    const outcome = tally(
      mine.map((a) => a.status ?? `submit ${a.submit}${a.why ? `: ${a.why}` : ''}`),
    );
    console.log(
      `    ${kind.padEnd(6)} ${String(mine.length).padStart(4)} → ${outcome}  (${PROGRAMS[kind].expected}: ${ok}/${mine.length} right)`,
    );
  }
  for (const e of r.chaosEvents) console.log(`  chaos: ${e}`);
  let ok = wrong === 0 && (chaos || errors.length === 0);
  if (r.verification) {
    const v = r.verification;
    console.log(
      `  database: ${v.counts.students} students, ${v.counts.attemptsInDb} final attempts stored ` +
        `(${v.counts.submittedAccepted} acknowledged, ${v.counts.submitUnknown} submits without an answer), ` +
        `${v.counts.pending} without a verdict, ${v.counts.wrongVerdict} wrong verdicts: ${v.ok ? 'CONSISTENT' : 'PROBLEMS'}`,
    );
    for (const p of v.problems.slice(0, 30)) console.log(`    ✗ ${p}`);
    if (v.problems.length > 30) console.log(`    … and ${v.problems.length - 30} more`);
    ok = ok && v.ok;
  }
  console.log(`  → ${ok ? 'PASS' : 'FAIL'}`);
  return ok;
}

function saveAttempts(name: string, result: LoadResult): string {
  const dir = join(ROOT, 'bench/load/out');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${runId}-${name}.json`);
  writeFileSync(file, `${JSON.stringify(result.attempts, null, 1)}\n`);
  return file;
}

// ---------------------------------------------------------------------------------------------
// runs

async function loadAndVerify(
  stack: Stack,
  title: string,
  load: Omit<LoadOptions, 'base' | 'runId'>,
  options: { settleMs: number; chaos?: (submitted: number) => void; chaosEvents?: string[] },
): Promise<boolean> {
  log(`${title}: ${load.students} students × ${load.submissions} final checks on ${stack.base}`);
  const cpu0 = cpuTimes();
  const byRole = startCpuByRole();
  const result = await runLoad({
    ...load,
    base: stack.base,
    runId: `${runId}${stack.kind[0]}`,
    onProgress: options.chaos,
  });
  const cpu1 = cpuTimes();
  const cpuByRole = byRole.stop();
  const cpuBusyShare = (cpu1.busy - cpu0.busy) / Math.max(1, cpu1.total - cpu0.total);
  log(`load done; waiting for every attempt to settle in the database`);
  const pending = await waitSettled(stack.databaseUrl, result.emails, options.settleMs, (n) =>
    log(`  ${n} attempt(s) still queued or running`),
  );
  if (pending) log(`${pending} attempt(s) still pending after ${options.settleMs / 1000} s`);
  const verification = await verifyInDatabase(stack.databaseUrl, result.emails, result.attempts);
  const file = saveAttempts(stack.kind, result);
  const ok = printReport({
    title,
    result,
    cpuBusyShare,
    cpuByRole,
    verification,
    chaosEvents: options.chaosEvents ?? [],
  });
  console.log(`  every attempt: ${file}`);
  return ok;
}

async function withStack<T>(
  start: () => Promise<Stack>,
  run: (s: Stack) => Promise<T>,
): Promise<T> {
  const stack = await start();
  try {
    return await run(stack);
  } finally {
    log('stopping');
    await stack.stop();
  }
}

const EMBEDDED = { port: 3390, graderPort: 4390, uidBase: 65000 };
const CLUSTER_PORT = 3380;

async function embeddedRun(students: number, submissions: number, mix: 'full' | 'small') {
  return withStack(
    () => startEmbedded({ ...EMBEDDED, echo }),
    (stack) =>
      loadAndVerify(
        stack,
        `embedded default (SQLite, one grader), ${students} students`,
        {
          students,
          submissions,
          rampSeconds: mix === 'small' ? 1 : 5,
          mix,
          verdictTimeoutMs: 120_000,
        },
        { settleMs: 60_000 },
      ),
  );
}

async function clusterRun(redis: PrivateRedis, build: boolean): Promise<boolean> {
  const students = numberArg('--students', 300);
  const submissions = numberArg('--submissions', 2);
  const web = numberArg('--web', 2);
  const workers = numberArg('--workers', 3);
  const cluster = await startCluster({
    web,
    workers,
    port: CLUSTER_PORT,
    uidBase: 65000,
    redis,
    database: 'lms_load',
    build,
    echo,
  });
  const events: string[] = [];
  let stage = 0;
  const total = students * submissions;
  const chaosStep = (submitted: number) => {
    // a worker at a quarter of the submissions, a web instance at half, Redis at three quarters
    const due = [0.25, 0.5, 0.75].filter((f) => submitted >= f * total).length;
    while (stage < due) {
      const step = stage++;
      void (async () => {
        const state = cluster.state();
        if (step === 0) {
          const w = state.workers[0];
          if (w?.pid) process.kill(w.pid, 'SIGKILL');
          events.push(`kill -9 ${w?.name} (pid ${w?.pid}) at ${submitted}/${total} submissions`);
        } else if (step === 1) {
          const w = state.web[0];
          if (w?.pid) process.kill(w.pid, 'SIGKILL');
          events.push(`kill -9 ${w?.name} (pid ${w?.pid}) at ${submitted}/${total} submissions`);
        } else {
          const ms = await redis.restart();
          events.push(
            `Redis restarted (SHUTDOWN with AOF, same command line) at ${submitted}/${total} submissions: away ${(ms / 1000).toFixed(1)} s`,
          );
        }
        log(events.at(-1) ?? '');
      })().catch((error) => events.push(`chaos step ${step} failed: ${(error as Error).message}`));
    }
  };
  try {
    return await loadAndVerify(
      cluster,
      `${chaos ? 'CHAOS: ' : ''}cluster (PostgreSQL + Redis, ${web} web, ${workers} workers), ${students} students`,
      {
        students,
        submissions,
        rampSeconds: 30,
        mix: 'full',
        verdictTimeoutMs: chaos ? 600_000 : 300_000,
      },
      {
        settleMs: chaos ? 600_000 : 120_000,
        chaos: chaos ? chaosStep : undefined,
        chaosEvents: events,
      },
    );
  } finally {
    log('stopping the cluster');
    await cluster.stop();
  }
}

async function scalingRun(redis: PrivateRedis): Promise<boolean> {
  const students = numberArg('--students', 60);
  const rows: Array<{
    workers: number;
    gradings: number;
    seconds: number;
    perSecond: number;
    cpu: number;
    cpuPerGrading: number;
    graderPerGrading: number;
  }> = [];
  let build = true;
  for (const workers of [1, 2, 3]) {
    const cluster = await startCluster({
      web: 2,
      workers,
      port: CLUSTER_PORT,
      uidBase: 65000,
      redis,
      database: 'lms_load',
      build,
      echo,
    });
    build = false;
    try {
      log(`${workers} worker(s): ${students} students sign in, then submit 2 checks each at once`);
      const cpu0 = cpuTimes();
      const byRole = startCpuByRole();
      const result = await runLoad({
        base: cluster.base,
        runId: `${runId}s${workers}`,
        students,
        submissions: 2,
        rampSeconds: 0,
        mix: 'full',
        verdictTimeoutMs: 300_000,
        burst: true,
      });
      const cpu1 = cpuTimes();
      const cpuByRole = byRole.stop();
      const graded = result.attempts.filter((a) => a.status).length;
      const seconds = result.gradingWindowMs / 1000;
      const cores = availableParallelism();
      const busyShare = (cpu1.busy - cpu0.busy) / Math.max(1, cpu1.total - cpu0.total);
      // core-seconds the machine was busy per grading (web, database and Redis included;
      // the sign-ins before the burst too, a small share: one argon2 run each)
      const cpuPerGrading = (busyShare * cores * seconds) / Math.max(1, graded);
      rows.push({
        workers,
        gradings: graded,
        seconds,
        perSecond: graded / seconds,
        cpu: busyShare,
        cpuPerGrading,
        graderPerGrading: (cpuByRole.get('grader') ?? 0) / Math.max(1, graded),
      });
      console.log(cpuByRoleLines(cpuByRole, graded).join('\n'));
      const errors = result.recorder.samples.filter((s) => !s.ok).length;
      log(`  ${graded} graded in ${seconds.toFixed(1)} s, errors ${errors}`);
    } finally {
      await cluster.stop();
    }
  }
  const cores = availableParallelism();
  console.log(
    `\n=== scaling: gradings per second by grader workers (this machine: ${cores} cores) ===`,
  );
  console.log(
    '  workers  gradings  seconds  gradings/s  CPU busy  core-s per grading  of which graders',
  );
  for (const r of rows) {
    console.log(
      `  ${String(r.workers).padStart(7)}  ${String(r.gradings).padStart(8)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.perSecond.toFixed(2).padStart(10)}  ${`${(r.cpu * 100).toFixed(0)} %`.padStart(8)}  ${r.cpuPerGrading.toFixed(2).padStart(18)}  ${r.graderPerGrading.toFixed(2).padStart(16)}`,
    );
  }
  const cost = Math.min(...rows.map((r) => r.cpuPerGrading));
  const graderCost = Math.max(1e-3, Math.min(...rows.map((r) => r.graderPerGrading)));
  console.log(
    `  One grading of this mix costs ~${cost.toFixed(2)} core-seconds all-in here (${graderCost.toFixed(2)} in the graders and ` +
      `the programs they run); CPU-bound, a machine of ${cores} cores tops out near ${(cores / cost).toFixed(1)} gradings/s ` +
      `whatever the worker count. Three such machines running only workers (web and database elsewhere) would give about ` +
      `${((3 * cores) / graderCost).toFixed(1)} gradings/s — an upper bound: the loops' 5 CPU-seconds dominate the mix.`,
  );
  return true;
}

async function main(): Promise<void> {
  let ok = true;
  if (value('--base-url')) {
    const base = (value('--base-url') as string).replace(/\/$/, '');
    const databaseUrl = value('--database-url');
    const stack: Stack = {
      kind: 'embedded',
      base,
      databaseUrl: databaseUrl ?? '',
      describe: base,
      stop: async () => {},
    };
    const students = numberArg('--students', small ? 4 : 30);
    const load = {
      students,
      submissions: numberArg('--submissions', 2),
      rampSeconds: small ? 1 : 10,
      mix: small ? ('small' as const) : ('full' as const),
      verdictTimeoutMs: 300_000,
    };
    if (databaseUrl)
      ok = await loadAndVerify(stack, `${base}, ${students} students`, load, { settleMs: 120_000 });
    else {
      const result = await runLoad({ ...load, base, runId });
      ok = printReport({
        title: base,
        result,
        cpuBusyShare: 0,
        verification: null,
        chaosEvents: [],
      });
    }
  } else if (small) {
    ok = await embeddedRun(numberArg('--students', 4), numberArg('--submissions', 3), 'small');
  } else if (scaling || chaos || only !== 'embedded') {
    const redis = new PrivateRedis(6390);
    await redis.start();
    try {
      if (scaling) ok = await scalingRun(redis);
      else ok = await clusterRun(redis, true);
    } finally {
      await redis.stop();
    }
    if (!scaling && !chaos && only !== 'cluster') {
      ok = (await embeddedRun(30, numberArg('--submissions', 2), 'full')) && ok;
    }
  } else {
    ok = await embeddedRun(numberArg('--students', 30), numberArg('--submissions', 2), 'full');
  }
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  console.error(`[load] ${(error as Error).message}`);
  process.exit(2);
});
