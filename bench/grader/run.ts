/**
 * Grader server figures, each beside a baseline measured in the same run:
 *   npx tsx bench/grader/run.ts            (as root, bubblewrap installed)
 * - sandbox start-up overhead: `python3 -I -S -c pass` bare vs inside the full sandbox (p50/p95, ratio; target ≤ 1.6×)
 * - trivial gradings per second (program + tests, two sandboxed processes each)
 * - wall time to grade 100 concurrent correct solutions of task 0020 (each sleeps ~3 s; target < 8 s)
 * The Pyodide figures are in bench/grader/pyodide.ts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { gradeRequestSchema } from '../../apps/grader/src/harness/protocol.ts';
import { readServerEnv } from '../../apps/grader/src/server/env.ts';
import { GradeService } from '../../apps/grader/src/server/service.ts';

const REPO = join(import.meta.dirname, '../..');
const PYTHON = process.env.GRADER_PYTHON ?? '/usr/bin/python3';
const N = Number(process.env.BENCH_N ?? 60);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (n: number) => `${n.toFixed(1)} ms`;

const service = await GradeService.create(
  readServerEnv({ ...process.env, GRADER_UID_BASE: '64000' }),
);
console.log(
  `grader bench: engine ${service.sandbox.engine}, Python ${service.sandbox.pythonVersion}, cgroups v${service.sandbox.cgroups.version ?? '-'}, ` +
    `${availableParallelism()} cores, max runs ${service.sandbox.options.maxRuns}, cpu slots ${service.sandbox.options.cpuSlots}`,
);

// 1. start-up overhead, interleaved so both see the same machine
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
console.log(`\n1. start-up, ${N} runs each (python3 -I -S -c pass)`);
console.log(`   bare       p50 ${ms(b50)}  p95 ${ms(b95)}`);
console.log(`   sandboxed  p50 ${ms(s50)}  p95 ${ms(s95)}`);
console.log(
  `   ratio      p50 ${(s50 / b50).toFixed(2)}×  p95 ${(s95 / b95).toFixed(2)}×   (target ≤ 1.6×)`,
);

// 2. trivial gradings per second
const trivialChecks = {
  public: 'from lms_checks import test\n@test("42")\ndef t(run):\n    assert run.lines == ["42"]\n',
  hidden: null,
};
const TRIVIAL = 100;
let t0 = performance.now();
const trivial = await Promise.all(
  Array.from({ length: TRIVIAL }, () =>
    service.grade(gradeRequestSchema.parse({ code: 'print(42)', checks: trivialChecks })),
  ),
);
let seconds = (performance.now() - t0) / 1000;
const notPassed = trivial.filter((r) => r.status !== 'passed');
if (notPassed.length) {
  const r = notPassed[0]!;
  throw new Error(
    `${notPassed.length} trivial gradings did not pass, e.g. ${r.status}: ${r.message} ${r.stderr.slice(0, 500)}`,
  );
}
console.log(
  `\n2. trivial gradings (program + tests = 2 sandboxed processes each), ${TRIVIAL} at once`,
);
console.log(
  `   ${(TRIVIAL / seconds).toFixed(1)} gradings/s  (${seconds.toFixed(2)} s; bare python start-ups alone would allow ${(((1000 / b50) * availableParallelism()) / 2).toFixed(1)}/s)`,
);

// 3. 100 concurrent correct solutions of task 0020
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
t0 = performance.now();
const results = await Promise.all(
  Array.from({ length: 100 }, () =>
    service.grade(gradeRequestSchema.parse({ code: answer, checks })),
  ),
);
seconds = (performance.now() - t0) / 1000;
const passed = results.filter((r) => r.status === 'passed').length;
const programs = results.map((r) => r.durations.programMs / 1000);
console.log('\n3. 100 concurrent correct solutions of task 0020 (each sleeps ~3 s)');
console.log(
  `   wall ${seconds.toFixed(2)} s  (target < 8 s; serial would be ≥ ${(3 * 100).toFixed(0)} s); passed ${passed}/100`,
);
console.log(
  `   program elapsed p50 ${percentile(programs, 50).toFixed(2)} s  max ${Math.max(...programs).toFixed(2)} s`,
);

await service.close();
