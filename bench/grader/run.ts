/**
 * Grader server figures, each beside a baseline measured in the same run:
 *   npx tsx bench/grader/run.ts            (as root, bubblewrap installed)
 * 1. sandbox start-up overhead: `python3 -I -S -c pass` bare vs inside the full sandbox,
 *    interleaved (p50/p95, ratio; target ≤ 1.6×)
 * 2. trivial gradings per second (program + tests: two sandboxed processes each)
 * 3. wall time to grade 100 concurrent correct solutions of task 0020 (each sleeps ~3 s; target < 8 s),
 *    with a chart of the burst in bench/grader/out/task-0020-burst.svg
 * 4. 20 waiting programs at once: CPU-aware admission vs a plain one-slot-per-core limit
 * Env: BENCH_N (runs in 1, default 60), BENCH_SECTIONS (e.g. "2,3"), any GRADER_* of the server.
 * The Pyodide figures are in bench/grader/pyodide.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { gradeRequestSchema } from '@lms/grading';
import { readServerEnv } from '../../apps/grader/src/server/env.ts';
import { GradeService } from '../../apps/grader/src/server/service.ts';
import { lineChart } from './chart.ts';

const REPO = join(import.meta.dirname, '../..');
const PYTHON = process.env.GRADER_PYTHON ?? '/usr/bin/python3';
const N = Number(process.env.BENCH_N ?? 60);
const SECTIONS = (process.env.BENCH_SECTIONS ?? '1,2,3,4').split(',');
const OUT = join(import.meta.dirname, 'out');

/** busy share of all cores between two readings of /proc/stat */
function cpuTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3]! + (fields[4] ?? 0);
  return { busy: total - idle, total };
}
/** machine-wide CPU since `from` (every process: ours, the kernel's workers, the rest) */
function cpuSince(from: { busy: number; total: number }): string {
  const to = cpuTimes();
  const share = (100 * (to.busy - from.busy)) / Math.max(1, to.total - from.total);
  const seconds = (to.busy - from.busy) / 100; // USER_HZ
  return `machine CPU ${seconds.toFixed(1)} CPU-s (cores busy ${share.toFixed(0)}%; on ${availableParallelism()} cores no schedule beats ${(seconds / availableParallelism()).toFixed(1)} s)`;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (n: number) => `${n.toFixed(1)} ms`;

const service = await GradeService.create(
  readServerEnv({ ...process.env, GRADER_UID_BASE: '64000' }),
);
const warmMs = await service.sandbox.warmUp();
console.log(
  `grader bench: engine ${service.sandbox.engine}, Python ${service.sandbox.pythonVersion}, cgroups v${service.sandbox.cgroups.version ?? '-'}, ` +
    `${availableParallelism()} cores, max runs ${service.sandbox.options.maxRuns}, cpu slots ${service.sandbox.options.cpuSlots}, ` +
    `load average ${loadavg()[0]!.toFixed(1)} at start; ${service.sandbox.options.maxRuns} slot launchers started in ${warmMs.toFixed(0)} ms (as \`lms-grader serve\` does)`,
);

async function startup(): Promise<number> {
  const bare: number[] = [];
  const boxed: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    spawnSync(PYTHON, ['-I', '-S', '-c', 'pass'], { env: {} });
    bare.push(performance.now() - t);
    const t2 = performance.now();
    const r = await service.sandbox.run({
      files: {},
      args: () => ['-I', '-S', '-c', 'pass'],
      limits: { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 },
    });
    boxed.push(performance.now() - t2);
    if (r.exitCode !== 0) throw new Error(`sandboxed run failed: ${r.stderr}`);
  }
  const [b50, b95, s50, s95] = [
    percentile(bare, 50),
    percentile(bare, 95),
    percentile(boxed, 50),
    percentile(boxed, 95),
  ];
  console.log(`\n1. start-up, ${N} runs each, interleaved (python3 -I -S -c pass)`);
  console.log(`   bare       p50 ${ms(b50)}  p95 ${ms(b95)}`);
  console.log(`   sandboxed  p50 ${ms(s50)}  p95 ${ms(s95)}   (+${ms(s50 - b50)} at p50)`);
  console.log(
    `   ratio      p50 ${(s50 / b50).toFixed(2)}×  p95 ${(s95 / b95).toFixed(2)}×   (target ≤ 1.6×)`,
  );
  return b50;
}

async function trivialRate(): Promise<void> {
  const checks = {
    public:
      'from lms_checks import test\n@test("42")\ndef t(run):\n    assert run.lines == ["42"]\n',
    hidden: null,
  };
  const COUNT = 100;
  // baseline: the same number of bare interpreter start-ups, 2 per grading, as parallel as the cores allow
  const tb = performance.now();
  await Promise.all(
    Array.from({ length: availableParallelism() }, async () => {
      for (let i = 0; i < (COUNT * 2) / availableParallelism(); i++)
        spawnSync(PYTHON, ['-I', '-S', '-c', 'pass'], { env: {} });
    }),
  );
  const bareSeconds = (performance.now() - tb) / 1000;
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: COUNT }, () =>
      service.grade(gradeRequestSchema.parse({ code: 'print(42)', checks })),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  const bad = results.filter((r) => r.status !== 'passed');
  if (bad.length)
    throw new Error(
      `${bad.length} trivial gradings did not pass, e.g. ${bad[0]!.status}: ${bad[0]!.message} ${bad[0]!.stderr.slice(0, 500)}`,
    );
  console.log(
    `\n2. trivial gradings (program + tests = 2 sandboxed processes each), ${COUNT} at once`,
  );
  console.log(`   ${(COUNT / seconds).toFixed(1)} gradings/s  (${seconds.toFixed(2)} s)`);
  console.log(
    `   baseline: ${COUNT * 2} bare start-ups (spawnSync, sequential per core) took ${bareSeconds.toFixed(2)} s → ${(COUNT / bareSeconds).toFixed(1)} "gradings"/s`,
  );
}

async function task0020(): Promise<void> {
  const tasks = join(
    REPO,
    'packages/content/courses/python/python_chapter_0320/tasks/python_chapter_0320_task_0020',
  );
  const checks = {
    public: readFileSync(join(tasks, 'tests_public.py'), 'utf8'),
    hidden: readFileSync(join(tasks, 'tests_hidden.py'), 'utf8'),
  };
  const answer = readFileSync(
    join(REPO, 'apps/grader/test/fixtures/parity/task_0020_reference.py'),
    'utf8',
  );
  const cpu0 = cpuTimes();
  const t0 = performance.now();
  // sampled every 50 ms for the chart: gradings done, runs in a slot, runs waiting for one
  let finished = 0;
  const samples: { t: number; done: number; running: number; waiting: number }[] = [];
  const sample = () =>
    samples.push({
      t: (performance.now() - t0) / 1000,
      done: finished,
      running: service.sandbox.scheduler.running,
      waiting: service.sandbox.scheduler.waiting,
    });
  const sampler = setInterval(sample, 50);
  const results = await Promise.all(
    Array.from({ length: 100 }, () =>
      service.grade(gradeRequestSchema.parse({ code: answer, checks })).then((r) => {
        finished++;
        return r;
      }),
    ),
  );
  clearInterval(sampler);
  sample();
  const seconds = (performance.now() - t0) / 1000;
  const cpuUsed = cpuSince(cpu0);
  const passed = results.filter((r) => r.status === 'passed').length;
  const programs = results.map((r) => r.durations.programMs / 1000);
  const queued = results.map((r) => r.durations.queuedMs / 1000);
  const done = results.map((r) => r.durations.totalMs / 1000);
  console.log('\n3. 100 concurrent correct solutions of task 0020 (each sleeps ~3 s)');
  console.log(
    `   wall ${seconds.toFixed(2)} s  (target < 8 s; baseline: one program alone sleeps 3 s, serial would be ≥ 300 s); passed ${passed}/100`,
  );
  console.log(
    `   program elapsed p50 ${percentile(programs, 50).toFixed(2)} s  max ${Math.max(...programs).toFixed(2)} s; queued p50 ${percentile(queued, 50).toFixed(2)} s  max ${Math.max(...queued).toFixed(2)} s`,
  );
  console.log(
    `   each grading done after p50 ${percentile(done, 50).toFixed(2)} s, mean ${(done.reduce((a, b) => a + b, 0) / done.length).toFixed(2)} s, max ${Math.max(...done).toFixed(2)} s`,
  );
  console.log(`   ${cpuUsed}`);
  mkdirSync(OUT, { recursive: true });
  const chart = join(OUT, 'task-0020-burst.svg');
  writeFileSync(
    chart,
    lineChart(
      `100 × task 0020 at once: done in ${seconds.toFixed(2)} s (${availableParallelism()} cores)`,
      'seconds since the 100 gradings arrived',
      [
        { name: 'gradings done', color: '#2a7', points: samples.map((p) => [p.t, p.done]) },
        { name: 'runs in a slot', color: '#36c', points: samples.map((p) => [p.t, p.running]) },
        { name: 'runs waiting', color: '#d60', points: samples.map((p) => [p.t, p.waiting]) },
      ],
    ),
  );
  console.log(`   chart: ${chart}`);
  const failed = results.find((r) => r.status !== 'passed');
  if (failed) console.log(`   e.g. not passed: ${failed.status}: ${failed.message}`);
}

async function sleepers(): Promise<void> {
  const COUNT = 20;
  const code =
    'import asyncio\nasync def main():\n    await asyncio.sleep(1)\n    print("ok")\nasyncio.run(main())\n';
  const checks = {
    public:
      'from lms_checks import test\n@test("ok")\ndef ok(run):\n    assert run.lines == ["ok"]\n',
    hidden: null,
  };
  const timeBatch = async (svc: GradeService) => {
    const t0 = performance.now();
    const rs = await Promise.all(
      Array.from({ length: COUNT }, () => svc.grade(gradeRequestSchema.parse({ code, checks }))),
    );
    if (!rs.every((r) => r.status === 'passed')) throw new Error('a sleeper did not pass');
    return (performance.now() - t0) / 1000;
  };
  const ours = await timeBatch(service);
  // baseline: slots held for the whole wall time, one per core (what a plain concurrency limit does)
  const plain = await GradeService.create(
    readServerEnv({
      ...process.env,
      GRADER_UID_BASE: '64300',
      GRADER_MAX_RUNS: String(availableParallelism()),
    }),
  );
  const baseline = await timeBatch(plain);
  await plain.close();
  console.log(`\n4. ${COUNT} programs that only wait (asyncio.sleep(1)), graded at once`);
  console.log(
    `   CPU-aware admission ${ours.toFixed(2)} s  vs  ${availableParallelism()} wall-time slots ${baseline.toFixed(2)} s  (${(baseline / ours).toFixed(1)}× faster)`,
  );
}

if (SECTIONS.includes('1')) await startup();
if (SECTIONS.includes('2')) await trivialRate();
if (SECTIONS.includes('3')) await task0020();
if (SECTIONS.includes('4')) await sleepers();
console.log(
  `\nload average ${loadavg()[0]!.toFixed(1)} at the end (2 cores shared with other work inflate every figure)`,
);
await service.close();
