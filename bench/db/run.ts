// Data-layer benchmark: inserts/s and p50/p95 latency of storing an attempt (createAttempt)
// and of recording its verdict (recordAttemptResult), on SQLite and PostgreSQL, each against
// a raw-driver baseline of the same rows measured in the same run.
//   npx tsx bench/db/run.ts [--n 300]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createDb, type Db } from '../../packages/db/src/client.ts';
import type { DbTarget } from '../../packages/db/src/env.ts';
import { createAttempt, createUser, recordAttemptResult } from '../../packages/db/src/index.ts';
import { migrate, pgAdmin } from '../../packages/db/src/migrate.ts';

const nArg = process.argv.indexOf('--n');
const N = nArg > 0 ? Number(process.argv[nArg + 1]) : 300;
const CONCURRENT = 100;
const CODE = 'import asyncio\n\nasync def main():\n    print("tick")\n\nasyncio.run(main())\n';
const RESULTS = JSON.stringify([{ name: 'prints tick', status: 'passed' }]);

type Stats = { label: string; perSec: number; p50: number; p95: number };

function stats(label: string, samples: number[], wallMs: number): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { label, perSec: (samples.length / wallMs) * 1000, p50: q(0.5), p95: q(0.95) };
}

async function timeSequential(
  label: string,
  n: number,
  fn: (i: number) => Promise<unknown> | unknown,
): Promise<Stats> {
  for (let i = 0; i < 20; i++) await fn(-1 - i); // warm-up
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return stats(label, samples, performance.now() - start);
}

async function timeConcurrent(
  label: string,
  n: number,
  fn: (i: number) => Promise<unknown>,
): Promise<Stats> {
  const samples: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const t = performance.now();
      await fn(i);
      samples.push(performance.now() - t);
    }),
  );
  return stats(label, samples, performance.now() - start);
}

function print(title: string, rows: Stats[], baseline: Stats) {
  console.log(`\n${title}`);
  console.log(
    '  what'.padEnd(52),
    'ops/s'.padStart(9),
    'p50 ms'.padStart(9),
    'p95 ms'.padStart(9),
    '  ops/s ÷ baseline ops/s',
  );
  for (const r of rows) {
    const ratio =
      r === baseline ? 'baseline' : `${(r.perSec / baseline.perSec).toFixed(2)}× baseline`;
    console.log(
      `  ${r.label}`.padEnd(52),
      r.perSec.toFixed(0).padStart(9),
      r.p50.toFixed(2).padStart(9),
      r.p95.toFixed(2).padStart(9),
      ` ${ratio}`,
    );
  }
}

async function prismaRuns(db: Db, userId: string, courseId: string): Promise<Stats[]> {
  const ids: string[] = [];
  const create = await timeSequential('createAttempt (Prisma, sequential)', N, async (i) => {
    const { attempt } = await createAttempt(db, {
      userId,
      courseId,
      taskId: 'bench_task',
      stage: 'final',
      code: CODE,
    });
    if (i >= 0) ids.push(attempt.id);
  });
  let k = 0;
  const warm: string[] = [];
  for (let i = 0; i < 20; i++)
    warm.push(
      (
        await createAttempt(db, {
          userId,
          courseId,
          taskId: 'bench_task',
          stage: 'final',
          code: CODE,
        })
      ).attempt.id,
    );
  const record = await timeSequential(
    'recordAttemptResult (verdict+progress, seq.)',
    N,
    async (i) => {
      const id = i < 0 ? warm[-1 - i]! : ids[k++]!;
      await recordAttemptResult(
        db,
        { attemptId: id },
        {
          status: 'passed',
          results: JSON.parse(RESULTS),
          stdout: 'tick\n',
          pythonImpl: 'cpython',
          pythonVersion: '3.11.2',
        },
      );
    },
  );
  const conc = await timeConcurrent(`createAttempt ×${CONCURRENT} concurrent`, CONCURRENT, (i) =>
    createAttempt(db, {
      userId,
      courseId,
      taskId: 'bench_task',
      stage: 'quick',
      code: `${CODE}#${i}`,
    }),
  );
  return [create, record, conc];
}

async function benchSqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lms-bench-db-'));
  const file = join(dir, 'bench.db');
  try {
    const target: DbTarget = { provider: 'sqlite', file, url: `file:${file}` };
    await migrate(target);
    const db = createDb({ url: target.url });
    const userId = (await createUser(db, { email: 'bench@example.org', name: 'Bench' })).id;
    const courseId = (
      await db.course.create({ data: { slug: 'bench', title: 'Bench' }, select: { id: true } })
    ).id;

    const raw = new Database(file, { timeout: 10_000 });
    raw.pragma('journal_mode = WAL');
    const insert = raw.prepare(
      'INSERT INTO "attempt" ("id","userId","courseId","taskId","stage","status","code","createdAt") VALUES (?,?,?,?,?,?,?,?)',
    );
    const baseline = await timeSequential('raw better-sqlite3 INSERT (baseline)', N, () =>
      insert.run(
        randomUUID(),
        userId,
        courseId,
        'raw_task',
        'final',
        'queued',
        CODE,
        new Date().toISOString(),
      ),
    );
    const upd = raw.prepare(
      'UPDATE "attempt" SET "status"=?, "results"=?, "stdout"=?, "gradedAt"=? WHERE "id"=? AND "status" IN (\'queued\',\'running\')',
    );
    const prog = raw.prepare(
      'INSERT INTO "progress" ("id","userId","courseId","taskId","attempts","lastAttemptAt","updatedAt") VALUES (?,?,?,?,1,?,?) ON CONFLICT("userId","courseId","taskId") DO UPDATE SET "attempts"="attempts"+1, "lastAttemptAt"=excluded."lastAttemptAt"',
    );
    const rawIds = Array.from({ length: N + 20 }, () => {
      const id = randomUUID();
      insert.run(
        id,
        userId,
        courseId,
        'raw_task',
        'final',
        'queued',
        CODE,
        new Date().toISOString(),
      );
      return id;
    });
    let r = 0;
    const recordTx = raw.transaction((id: string) => {
      const now = new Date().toISOString();
      upd.run('passed', RESULTS, 'tick\n', now, id);
      prog.run(randomUUID(), userId, courseId, 'raw_task', now, now);
    });
    const rawRecord = await timeSequential('raw UPDATE + progress upsert in a transaction', N, () =>
      recordTx(rawIds[r++]!),
    );
    raw.close();

    const rows = await prismaRuns(db, userId, courseId);
    await db.$disconnect();
    print(
      `SQLite (${file}, WAL), n=${N}`,
      [baseline, rows[0]!, rawRecord, rows[1]!, rows[2]!],
      baseline,
    );
    console.log(
      `  recordAttemptResult ops/s ÷ raw transaction ops/s: ${(rows[1]!.perSec / rawRecord.perSec).toFixed(2)}×`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(): Promise<void> {
  const server = 'postgres://postgres@127.0.0.1:5432/postgres';
  const probe = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 });
  try {
    await probe.connect();
  } catch (error) {
    console.log(`\nPostgreSQL: skipped (127.0.0.1:5432 unreachable: ${(error as Error).message})`);
    return;
  } finally {
    await probe.end().catch(() => {});
  }
  const name = `lms_bench_${process.pid}`;
  await pgAdmin(server, `CREATE DATABASE "${name}"`);
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  try {
    await migrate({ provider: 'postgresql', url });
    const db = createDb({ url });
    const userId = (await createUser(db, { email: 'bench@example.org', name: 'Bench' })).id;
    const courseId = (
      await db.course.create({ data: { slug: 'bench', title: 'Bench' }, select: { id: true } })
    ).id;
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    const baseline = await timeSequential('raw pg INSERT (baseline)', N, () =>
      raw.query(
        'INSERT INTO "attempt" ("id","userId","courseId","taskId","stage","status","code") VALUES ($1,$2,$3,$4,$5,$6,$7)',
        [randomUUID(), userId, courseId, 'raw_task', 'final', 'queued', CODE],
      ),
    );
    await raw.end();
    const rows = await prismaRuns(db, userId, courseId);
    await db.$disconnect();
    print(`PostgreSQL (127.0.0.1:5432, fresh database), n=${N}`, [baseline, ...rows], baseline);
  } finally {
    await pgAdmin(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

console.log(
  `@lms/db bench — ${new Date().toISOString()}, node ${process.version}, load average ${(
    await import('node:os')
  )
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
await benchSqlite();
await benchPostgres();
