import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { gradeResultSchema } from '@lms/grading';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GradeJobData, redisConnection } from '../../src/server/queue.ts';
import { testEnv } from './env.ts';
import { describeSandbox, GRADER_DIR, processesOfUids, pythonsOfUids, REAP_MS } from './helpers.ts';

/**
 * Worker mode across processes: two `lms-grader worker` processes on one queue; the one that
 * took the job is killed with -9 mid-grading; the other one grades it; the job completes once.
 */
const QUEUE = `lms-grade-test-${process.pid}-${Date.now()}`;
const UID_A = 63000;
const UID_B = 63100;
/** a worker's start (node, tsx, Redis, the sandbox's launchers) on a busy machine */
const START_MS = 60_000;

async function redisUp(url: string): Promise<boolean> {
  const { host, port } = redisConnection(url);
  return new Promise((resolve) => {
    // refused at once when Redis is absent: the timeout only meets a slow one
    const socket = connect({ host, port, timeout: 5000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const redisAvailable = await redisUp(testEnv.redisUrl);
if (!redisAvailable && !testEnv.ci)
  console.warn(`[grader tests] skipping the queue tests: no Redis at ${testEnv.redisUrl}`);
const describeQueue = redisAvailable || testEnv.ci ? describeSandbox : describe.skip;

function startWorker(uidBase: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(GRADER_DIR, 'bin/lms-grader.mjs'), 'worker'], {
    env: {
      ...process.env,
      REDIS_URL: testEnv.redisUrl,
      GRADER_QUEUE_NAME: QUEUE,
      GRADER_UID_BASE: String(uidBase),
      GRADER_MAX_RUNS: '4',
      GRADER_JOB_LOCK_MS: '2000',
      GRADER_STALLED_INTERVAL_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker did not start in ${START_MS / 1000} s:\n${log}`)),
      START_MS,
    );
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes(`worker ${child.pid} on`)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}):\n${log}`));
    });
  });
}

/** Resolves true once the child has exited, false if it has not after `ms`. */
function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describeQueue('BullMQ worker mode', () => {
  let queue: Queue<GradeJobData>;
  let events: QueueEvents;
  const workers: ChildProcess[] = [];
  const completed: Array<{ jobId: string; returnvalue: unknown }> = [];

  beforeAll(async () => {
    const connection = redisConnection(testEnv.redisUrl);
    queue = new Queue(QUEUE, { connection });
    events = new QueueEvents(QUEUE, { connection });
    events.on('completed', (e) => completed.push(e));
    await events.waitUntilReady();
  });

  afterAll(async () => {
    // on SIGTERM a worker closes its sandbox (slot cgroups and directories); one that has not
    // exited by a generous deadline is killed
    await Promise.all(
      workers.map(async (w) => {
        w.kill('SIGTERM');
        if (!(await exited(w, 20_000))) w.kill('SIGKILL');
      }),
    );
    await events?.close();
    await queue?.obliterate({ force: true }).catch(() => {});
    await queue?.close();
  });

  it('a job survives its worker killed with -9 and completes exactly once', async () => {
    const a = await startWorker(UID_A);
    workers.push(a);
    const request = {
      code: 'import time\nprint("start", flush=True)\ntime.sleep(3)\nprint("done")\n',
      checks: {
        public:
          'from lms_checks import test\n@test("done")\ndef d(run):\n    assert run.lines == ["start", "done"]\n',
      },
    };
    const job = await queue.add(
      'grade',
      { attemptId: 'attempt-1', request },
      { jobId: 'attempt-1', attempts: 3 },
    );
    // re-adding the same attempt is a no-op (idempotent enqueue)
    await queue.add(
      'grade',
      { attemptId: 'attempt-1', request },
      { jobId: 'attempt-1', attempts: 3 },
    );
    await expect.poll(() => job.getState()).toBe('active');
    // mid-grading: the program is running (sleeping) in one of worker A's sandboxes
    await expect.poll(() => pythonsOfUids(UID_A, UID_A + 4)).not.toEqual([]);
    a.kill('SIGKILL');
    await new Promise((r) => a.once('exit', r));
    // --die-with-parent: the dead worker's sandboxes go with it (zombies are reaped by pid 1)
    await expect.poll(() => processesOfUids(UID_A, UID_A + 4), { timeout: REAP_MS }).toEqual([]);

    const b = await startWorker(UID_B);
    workers.push(b);
    await expect.poll(() => completed.length).toBeGreaterThan(0);
    // Would a second completion arrive? Only after a lock expired (GRADER_JOB_LOCK_MS, 2 s) and
    // a stalled check found it (every 1 s): the absence of an event can only be watched for a
    // while, here longer than both. A busy machine can make it miss a late duplicate, never
    // fail a correct run.
    await new Promise((r) => setTimeout(r, 3000));
    const forJob = completed.filter((e) => e.jobId === 'attempt-1');
    expect(forJob).toHaveLength(1);
    const raw = forJob[0]!.returnvalue;
    const result = gradeResultSchema.parse(typeof raw === 'string' ? JSON.parse(raw) : raw);
    expect(result.status).toBe('passed');
    const done = await queue.getJob('attempt-1');
    expect(await done!.getState()).toBe('completed');
  }, 180_000); // two worker starts, a grading and a reap, each waited for with a deadline

  it('rejects a malformed job without retrying it', async () => {
    const job = await queue.add(
      'grade',
      { attemptId: 'bad', request: { code: 42 } as never },
      { jobId: 'bad', attempts: 3 },
    );
    await expect.poll(() => job.getState()).toBe('failed');
    const failed = (await queue.getJob('bad'))!;
    expect(failed.failedReason).toMatch(/invalid grade request.*code/);
    expect(failed.attemptsMade).toBe(1);
  });
});
