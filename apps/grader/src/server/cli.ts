import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_GRADE_LIMITS,
  type GradeResult,
  type GradeStage,
  gradeRequestSchema,
  redisAddress,
  typedOutputMatches,
} from '@lms/grading';
import { readServerEnv, type ServerEnv } from './env.ts';
import { buildHttpServer } from './http.ts';
import { log } from './log.ts';
import { createWorkerObservability } from './observe.ts';
import { servePipe } from './pipe.ts';
import { createPyodideEngine } from './pyodide-node.ts';
import { GRADE_QUEUE, startGradeWorker, workerConnection } from './queue.ts';
import { SandboxError } from './sandbox.ts';
import { GradeService } from './service.ts';

const USAGE = `usage: lms-grader <command>
  serve                                    HTTP service (POST /v1/grade, /healthz, /metrics)
  worker                                   BullMQ worker on REDIS_URL, queue ${GRADE_QUEUE}
  check <courseDir> <taskId> <codeFile> [--json] [--stage final|quick]
                                           grade a file against a task of a course
  run <codeFile> [--json] [--wall S]       run a program in the sandbox, print what it did
  pipe [--pyodide]                         jobs as JSON lines on stdin, answers on stdout
                                           (the course doctor's way in; see @lms/grading);
                                           --pyodide (or GRADER_PIPE_PYODIDE=1): also grade
                                           engine "pyodide" jobs, in Node OUTSIDE the sandbox
                                           (as nobody when root): trusted course files only
exit code: 0 when passed (check) / ran cleanly (run), 1 otherwise, 2 on bad usage`;

class UsageError extends Error {}

function fail(message: string, code = 1): never {
  console.error(`lms-grader: ${message}`);
  process.exit(code);
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

async function startService(env: ServerEnv, maxRuns?: number): Promise<GradeService> {
  try {
    // one-shot commands (check, run) look for mypy only if a task asks for it
    const service = await GradeService.create(
      maxRuns ? { ...env, GRADER_MAX_RUNS: maxRuns } : env,
      {
        probeMypyAtStart: maxRuns === undefined,
      },
    );
    if (service.sandbox.engine === 'cpython-unsafe') {
      console.error(
        'lms-grader: WARNING: GRADER_UNSAFE_NO_SANDBOX=1 — programs run WITHOUT a sandbox (development only)',
      );
    }
    if (service.sandbox.cgroups.version === null) {
      console.error(`lms-grader: no cgroups (${service.sandbox.cgroups.reason}); rlimits only`);
    } else if (maxRuns === undefined) {
      // a long-running service: start the slots' launchers now, not on each slot's first run
      const ms = await service.sandbox.warmUp();
      console.error(
        `lms-grader: ${service.sandbox.options.maxRuns} slot launchers started in ${Math.round(ms)} ms`,
      );
    }
    return service;
  } catch (error) {
    if (error instanceof SandboxError) fail(`cannot start: ${error.message}`);
    throw error;
  }
}

function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      void close().finally(() => process.exit(0));
    });
  }
}

async function serve(env: ServerEnv): Promise<void> {
  if (!env.GRADER_SECRET)
    fail('GRADER_SECRET is not set: callers authenticate with it (Authorization: Bearer …)');
  const service = await startService(env);
  let draining = false;
  const app = buildHttpServer(service, {
    secret: env.GRADER_SECRET,
    isDraining: () => draining,
  });
  const address = await app.listen({ host: env.GRADER_HOST, port: env.GRADER_PORT });
  console.log(
    `lms-grader: listening on ${address} (engine ${service.sandbox.engine}, Python ${service.sandbox.pythonVersion}, ` +
      `cgroups ${service.sandbox.cgroups.version ?? 'none'}, mypy ${service.sandbox.mypyAvailable ? 'yes' : 'no'}, ` +
      `seccomp ${service.sandbox.seccomp.active ? 'yes' : 'no'})`,
  );
  // SIGTERM: /readyz says draining, no new connections, the gradings under way finish (up
  // to GRADER_SHUTDOWN_GRACE_MS; their callers retry elsewhere after that), then exit
  onShutdown(async () => {
    draining = true;
    log.info('stopping: finishing the gradings under way', { inFlight: service.inFlight });
    await Promise.race([app.close(), sleep(env.GRADER_SHUTDOWN_GRACE_MS)]);
    await service.close();
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

async function worker(env: ServerEnv): Promise<void> {
  const service = await startService(env);
  const observe = createWorkerObservability(service);
  const w = startGradeWorker(service, {
    redisUrl: env.REDIS_URL,
    queueName: env.GRADER_QUEUE_NAME,
    concurrency: env.GRADER_WORKER_CONCURRENCY,
    lockDurationMs: env.GRADER_JOB_LOCK_MS,
    stalledIntervalMs: env.GRADER_STALLED_INTERVAL_MS,
    observe,
  });
  // a read-only handle for the queue's counts in /metrics (its own connection)
  const { Queue } = await import('bullmq');
  const counts = new Queue(env.GRADER_QUEUE_NAME, { connection: workerConnection(env.REDIS_URL) });
  counts.on('error', () => {});
  observe.attach(w, counts);
  const listening = env.GRADER_METRICS_PORT
    ? await observe.listen(env.GRADER_HOST, env.GRADER_METRICS_PORT)
    : null;
  await w.waitUntilReady();
  // written whatever LMS_LOG_LEVEL says: supervisors and tests wait for this line
  log.always(
    `lms-grader: worker ${process.pid} on ${redisAddress(env.REDIS_URL)} queue ${env.GRADER_QUEUE_NAME} ` +
      `(concurrency ${env.GRADER_WORKER_CONCURRENCY}, engine ${service.sandbox.engine}, ` +
      `uids from ${env.GRADER_UID_BASE})`,
    { health: listening ? `${listening}/healthz` : null },
  );
  // SIGTERM: take no new job; the jobs under way finish and store their results (up to
  // GRADER_SHUTDOWN_GRACE_MS); past that the worker closes without them: their locks lapse and
  // another worker's stalled-job check grades them again (nothing is lost, nothing counted twice:
  // the verdict is stored by attempt id)
  onShutdown(async () => {
    observe.setDraining();
    log.info('stopping: no new jobs; finishing the jobs under way', {
      graceMs: env.GRADER_SHUTDOWN_GRACE_MS,
    });
    const finished = await Promise.race([
      w.close().then(() => true),
      sleep(env.GRADER_SHUTDOWN_GRACE_MS).then(() => false),
    ]);
    if (!finished) {
      // exit now, without closing the sandbox under the jobs (that would finish them with a
      // sandbox error): their runs die with this process (--die-with-parent), the next grader
      // sweeps their cgroups, and their locks lapse, so another worker takes them
      log.warn('stopping: grace over; unfinished jobs go back to the queue');
      process.exit(1);
    }
    await Promise.allSettled([counts.close(), observe.close()]);
    await service.close();
    log.info('stopped');
  });
}

function printResult(result: GradeResult): void {
  const mark = { passed: '✓', failed: '✗', error: '!' } as const;
  console.log(`${result.status.toUpperCase()}: ${result.message ?? ''}`);
  for (const t of result.tests) {
    console.log(
      `  ${mark[t.status]} [${t.origin}] ${t.name}${t.message ? `\n      ${t.message.replaceAll('\n', '\n      ')}` : ''}`,
    );
  }
  if (result.unsafe) console.log('  (unsafe: no sandbox)');
  console.log(
    `  engine ${result.engine}, Python ${result.pythonVersion}, program ${(result.durations.programMs / 1000).toFixed(2)} s` +
      (result.limitHit ? `, limit hit: ${result.limitHit}` : ''),
  );
}

async function check(env: ServerEnv, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      stage: { type: 'string', default: 'final' },
    },
  });
  if (positionals.length !== 3) throw new UsageError('check needs <courseDir> <taskId> <codeFile>');
  const [courseDir, taskId, codeFile] = positionals as [string, string, string];
  if (values.stage !== 'final' && values.stage !== 'quick')
    throw new UsageError('--stage is final or quick');
  const code = readText(codeFile, 'code file');
  const { compileCourse, gradeRequestFor } = await import('@lms/content');
  const compiled = compileCourse(resolve(courseDir));
  if (!compiled.course) {
    for (const e of compiled.errors) console.error(`${e.file}:${e.line}:${e.column}: ${e.message}`);
    throw new UsageError(`course ${courseDir} does not compile`);
  }
  const task = compiled.course.chapters.flatMap((c) => c.tasks).find((t) => t.id === taskId);
  if (!task) throw new UsageError(`no task ${taskId} in ${courseDir}`);
  if (task.kind === 'output') {
    const passed = typedOutputMatches(code, task.answer);
    if (values.json)
      console.log(JSON.stringify({ status: passed ? 'passed' : 'failed', kind: 'output' }));
    else
      console.log(
        passed ? 'PASSED: the output matches' : 'FAILED: the output differs from the answer',
      );
    return passed ? 0 : 1;
  }
  const service = await startService(env, 8);
  try {
    const request = gradeRequestSchema.parse(
      gradeRequestFor(task, code, values.stage as GradeStage),
    );
    const result = await service.grade(request);
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else printResult(result);
    return result.status === 'passed' ? 0 : 1;
  } finally {
    await service.close();
  }
}

async function run(env: ServerEnv, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, wall: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('run needs <codeFile>');
  const wall = values.wall === undefined ? DEFAULT_GRADE_LIMITS.wallSeconds : Number(values.wall);
  if (!Number.isFinite(wall) || wall <= 0 || wall > 120)
    throw new UsageError('--wall is seconds, 0 < S ≤ 120');
  const code = readText(positionals[0]!, 'code file');
  const service = await startService(env, 4);
  try {
    const report = await service.runProgram(code, { ...DEFAULT_GRADE_LIMITS, wallSeconds: wall });
    const status = report.status;
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else {
      process.stdout.write(report.stdout);
      process.stderr.write(report.stderr);
      console.error(
        `[${status}, exit ${report.exitCode ?? report.signal}, ${report.elapsed.toFixed(2)} s]`,
      );
    }
    return status === 'ok' ? 0 : 1;
  } finally {
    await service.close();
  }
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  let env: ServerEnv;
  try {
    env = readServerEnv();
  } catch (error) {
    fail((error as Error).message, 2);
  }
  try {
    switch (command) {
      case 'serve':
        return await serve(env);
      case 'worker':
        return await worker(env);
      case 'check':
        process.exitCode = await check(env, rest);
        return;
      case 'run':
        process.exitCode = await run(env, rest);
        return;
      case 'pipe': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { pyodide: { type: 'boolean', default: false } },
        });
        if (positionals.length > 0) throw new UsageError('pipe takes no arguments but --pyodide');
        const pyodide = values.pyodide || env.GRADER_PIPE_PYODIDE;
        const service = await startService(env);
        // end through process.exit, after the sandbox's slots are released (cgroups, launchers;
        // at most 10 s): its 'exit' hooks kill the Pyodide host and remove the temporary
        // directories, which a signal's default death would leave
        for (const signal of ['SIGINT', 'SIGTERM'] as const)
          process.once(signal, () => {
            const code = 128 + constants.signals[signal];
            setTimeout(() => process.exit(code), 10_000).unref();
            void service.close().finally(() => process.exit(code));
          });
        try {
          await servePipe(service, process.stdin, undefined, {
            pyodide: pyodide ? () => createPyodideEngine() : null,
          });
        } finally {
          await service.close();
        }
        return;
      }
      case undefined:
      case '-h':
      case '--help':
        console.log(USAGE);
        process.exitCode = command === undefined ? 2 : 0;
        return;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`lms-grader: ${(error as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw error;
  }
}
