/**
 * The browser's quick check, run in Node for `lms-grader pipe` jobs with `engine: 'pyodide'`:
 * the same runner (`../browser/client.ts`), worker (`../browser/worker.ts`) and engine
 * (`../browser/engine.ts`, the shared harness), with the Web Worker replaced by a Node worker
 * thread (`pyodide-worker.ts`). Nothing here grades: it only starts and feeds workers.
 *
 * - Lazy: no worker before the first job; then kept warm for the next ones.
 * - Up to `workers` workers (default 2, ~150 MB each); the second starts only when two jobs
 *   wait at once. Jobs wait in one line and go to the first free worker.
 * - Time limit as in a cross-origin isolated page: the client writes SIGALRM into the
 *   worker's interrupt buffer at the wall limit; a program that still does not stop within
 *   1.5 s has its worker terminated and replaced (from the memory snapshot the first worker
 *   made, kept in a private temporary directory). Either way the answer is `timeout`.
 * - JSPI (WebAssembly stack switching, which asyncio.run needs): Node 20 has it only behind a
 *   V8 flag given at start. `Worker`'s execArgv refuses V8 flags, and turning the flag on in
 *   a running process (`v8.setFlagsFromString`) crashes it (SIGSEGV) once Pyodide switches
 *   stacks. So `createPyodideEngine` uses worker threads in this process when it has JSPI,
 *   and otherwise one child Node started with the flag (`pyodide-host.ts`) that does.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { GradeRequest, GradeResult } from '@lms/grading';
import { createPythonRunner, type PythonRunner, type WorkerLike } from '../browser/client.ts';

export interface PyodideGrader {
  /** the request graded as the browser's quick check does (public tests only) */
  grade(request: GradeRequest): Promise<GradeResult>;
  /** terminates the workers; jobs still waiting are refused */
  close(): Promise<void>;
}

export interface PyodidePoolOptions {
  /** workers at most (default 2) */
  workers?: number;
  /** the directory of the `pyodide` npm package; default: resolved from this app */
  pyodideDir?: string;
  /** keep the first worker's memory snapshot for later starts (default true) */
  snapshot?: boolean;
  /** how long a worker may take to start before its job fails (default 180 s) */
  loadTimeoutMs?: number;
  /** where the workers' console output goes (never stdout: that is the pipe's channel) */
  log?: (text: string) => void;
}

/** Pyodide cannot start here at all (its npm package is missing). */
export class PyodideUnavailableError extends Error {}

const DEFAULT_WORKERS = 2;
const DEFAULT_LOAD_TIMEOUT_MS = 180_000;

/** The `pyodide` npm package's directory, ending with '/'. */
export function findPyodideDir(): string {
  try {
    const require = createRequire(import.meta.url);
    return `${dirname(require.resolve('pyodide/package.json'))}/`;
  } catch (error) {
    throw new PyodideUnavailableError(
      `the Pyodide engine is not available: the npm package "pyodide" cannot be found ` +
        `(${(error as Error).message.split('\n')[0]}); install the workspace (npm ci)`,
    );
  }
}

/** WebAssembly stack switching in this process (Node started with the flag, or a newer Node)? */
export function hasJspi(): boolean {
  const wasm = (globalThis as { WebAssembly?: object }).WebAssembly ?? {};
  return 'Suspending' in wasm || 'Suspender' in wasm;
}

/** The V8 flag that gives this Node's isolates JSPI (Node 20 has V8 11: the old proposal's name). */
export function jspiFlag(): string {
  const v8Major = Number(process.versions.v8.split('.')[0]);
  return v8Major <= 11 ? '--experimental-wasm-stack-switching' : '--experimental-wasm-jspi';
}

interface Job {
  request: GradeRequest;
  resolve: (result: GradeResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  runner: PythonRunner | null;
  busy: boolean;
  /** its runner has started once (a later start is a respawn, from the snapshot) */
  started: boolean;
}

export function createPyodidePool(options: PyodidePoolOptions = {}): PyodideGrader {
  const pyodideDir = options.pyodideDir ?? findPyodideDir();
  const log = options.log ?? ((text: string) => process.stderr.write(text));
  const loadTimeoutMs = options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
  const snapshotDir =
    options.snapshot === false ? null : mkdtempSync(join(tmpdir(), 'lms-pyodide-snapshot-'));
  const slots: Slot[] = Array.from(
    { length: Math.max(1, options.workers ?? DEFAULT_WORKERS) },
    () => ({
      runner: null,
      busy: false,
      started: false,
    }),
  );
  const queue: Job[] = [];
  let closed = false;
  let warnedMode = false;

  function newRunner(slot: Slot): PythonRunner {
    // a worker that dies between jobs: forget its runner (one mid-job is the client's to handle)
    const died = () => {
      if (!slot.busy && slot.runner === runner) {
        slot.runner = null;
        runner.dispose();
      }
    };
    const runner = createPythonRunner({
      baseUrl: pyodideDir,
      createWorker: () => nodeWorker(snapshotDir, log, died),
      // worker threads share memory: the interrupt buffer works as on an isolated page
      crossOriginIsolated: true,
      snapshot: snapshotDir !== null,
    });
    runner.onState((state, info) => {
      if (state === 'ready' && info && info.mode !== 'jspi' && !warnedMode) {
        warnedMode = true;
        log(
          `lms-grader: Pyodide runs without WebAssembly stack switching (mode ${info.mode}): ` +
            'asyncio.run inside a function fails, as in a browser without JSPI\n',
        );
      }
    });
    return runner;
  }

  async function runOn(slot: Slot, job: Job): Promise<GradeResult> {
    slot.runner ??= newRunner(slot);
    const runner = slot.runner;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        runner.warm(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(`Pyodide did not start within ${Math.round(loadTimeoutMs / 1000)} s`),
              ),
            loadTimeoutMs,
          );
        }),
      ]);
      if (!slot.started) {
        slot.started = true;
        pump(); // the next worker may start now, from this one's snapshot
      }
    } catch (error) {
      // a worker that failed or hung while starting is not kept: the next job starts afresh
      runner.dispose();
      if (slot.runner === runner) slot.runner = null;
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return runner.quickCheck(job.request);
  }

  /** A second worker starts once the first is up: then from its snapshot, and not both cold
   * at once on the same cores (a cold start is 3 s alone, 15 s beside another under load). */
  function mayStart(slot: Slot): boolean {
    if (slot.runner) return true;
    return slots.every((other) => other === slot || !other.busy || other.started);
  }

  function pump(): void {
    for (const slot of slots) {
      if (closed || queue.length === 0) return;
      if (slot.busy || !mayStart(slot)) continue;
      const job = queue.shift()!;
      slot.busy = true;
      runOn(slot, job)
        .then(job.resolve, (error: unknown) =>
          job.reject(error instanceof Error ? error : new Error(String(error))),
        )
        .finally(() => {
          slot.busy = false;
          pump();
        });
    }
  }

  return {
    grade(request) {
      if (closed) return Promise.reject(new Error('the Pyodide engine was closed'));
      if (request.stage !== 'quick') {
        return Promise.reject(
          new Error(
            "engine pyodide grades the quick stage only (public tests, as the browser's quick " +
              "check): send the request with stage 'quick'",
          ),
        );
      }
      return new Promise<GradeResult>((resolve, reject) => {
        queue.push({ request, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('the Pyodide engine was closed'));
      for (const slot of slots) {
        slot.runner?.dispose();
        slot.runner = null;
      }
      if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
    },
  };
}

/** A worker thread running the browser's worker.ts, as the client's `WorkerLike`. */
function nodeWorker(
  snapshotDir: string | null,
  log: (text: string) => void,
  died: () => void,
): WorkerLike {
  const worker = new Worker(new URL('./pyodide-worker.mjs', import.meta.url), {
    workerData: { snapshotDir },
    // not inherited: the pipe's stdout carries its answers and nothing else
    stdout: true,
    stderr: true,
  });
  worker.stdout.setEncoding('utf8').on('data', log);
  worker.stderr.setEncoding('utf8').on('data', log);
  let terminated = false;
  const errorListeners: ((event: { message?: string }) => void)[] = [];
  worker.on('error', (error) => {
    for (const listener of errorListeners) listener({ message: error.message });
  });
  worker.on('exit', (code) => {
    if (terminated) return;
    for (const listener of errorListeners)
      listener({ message: `the Pyodide worker exited (code ${code})` });
    died();
  });
  return {
    postMessage: (message) => worker.postMessage(message),
    addEventListener(type: 'message' | 'error', listener: (event: never) => void) {
      if (type === 'message')
        worker.on('message', (data) => (listener as (e: { data: unknown }) => void)({ data }));
      else errorListeners.push(listener as (e: { message?: string }) => void);
    },
    terminate: () => {
      terminated = true;
      worker.terminate().catch(() => {});
    },
  } as WorkerLike;
}

/** Worker threads here when this Node has JSPI, else a child Node with the flag that hosts them. */
export function createPyodideEngine(options: PyodidePoolOptions = {}): PyodideGrader {
  const pyodideDir = options.pyodideDir ?? findPyodideDir();
  if (hasJspi()) return createPyodidePool({ ...options, pyodideDir });
  return createPyodideHost({ ...options, pyodideDir });
}

/** What the parent sends the host process, and what it answers (`pyodide-host.ts`). */
export type HostRequest = { type: 'grade'; id: number; request: GradeRequest } | { type: 'close' };
export type HostAnswer =
  | { type: 'result'; id: number; result: GradeResult }
  | { type: 'error'; id: number; message: string };

/** Options the host process is started with (its argv[2], as JSON). */
export type HostOptions = Omit<PyodidePoolOptions, 'log'>;

const HOST_CLOSE_MS = 10_000;

/**
 * The pool in a child Node started with the JSPI flag, over its IPC channel. Started on the
 * first job; if it dies, its jobs fail with what it said on stderr and the next job starts
 * another. It ends with its IPC channel, so it never outlives the pipe (even `kill -9`).
 */
export function createPyodideHost(options: PyodidePoolOptions): PyodideGrader {
  const log = options.log ?? ((text: string) => process.stderr.write(text));
  const { log: _log, ...hostOptions } = options;
  const waiting = new Map<
    number,
    { resolve: (r: GradeResult) => void; reject: (e: Error) => void }
  >();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let nextId = 1;
  let closed = false;
  let tail = '';

  function start(): ChildProcess {
    const started = fork(
      new URL('./pyodide-host.mjs', import.meta.url),
      [JSON.stringify(hostOptions satisfies HostOptions)],
      {
        execArgv: [jspiFlag()],
        // its stdout must never reach the pipe's: both go to our log
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'advanced',
      },
    );
    tail = '';
    const keep = (text: string) => {
      tail = (tail + text).slice(-2000);
      log(text);
    };
    started.stdout?.setEncoding('utf8').on('data', keep);
    started.stderr?.setEncoding('utf8').on('data', keep);
    started.on('message', (message: HostAnswer) => {
      const waiter = waiting.get(message.id);
      if (!waiter) return;
      waiting.delete(message.id);
      if (message.type === 'result') waiter.resolve(message.result);
      else waiter.reject(new Error(message.message));
    });
    exited = new Promise((resolve) => {
      const end = (why: string) => {
        if (child === started) child = null;
        const said = tail.trim().split('\n').slice(-5).join('\n');
        for (const waiter of waiting.values())
          waiter.reject(new Error(`the Pyodide host process ${why}${said ? `: ${said}` : ''}`));
        waiting.clear();
        resolve();
      };
      started.on('error', (error) => end(`could not start (${error.message})`));
      started.on('exit', (code, signal) => end(`exited (${code ?? signal})`));
    });
    return started;
  }

  return {
    grade(request) {
      if (closed) return Promise.reject(new Error('the Pyodide engine was closed'));
      child ??= start();
      const id = nextId++;
      const sent = child;
      return new Promise<GradeResult>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        sent.send({ type: 'grade', id, request } satisfies HostRequest, (error) => {
          if (!error) return;
          waiting.delete(id);
          reject(new Error(`the Pyodide host process took no job (${error.message})`));
        });
      });
    },
    async close() {
      closed = true;
      const running = child;
      if (!running) return;
      if (running.connected) running.send({ type: 'close' } satisfies HostRequest);
      const timer = setTimeout(() => running.kill('SIGKILL'), HOST_CLOSE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
