/**
 * The browser's quick check, run in Node for `lms-grader pipe` jobs with `engine: 'pyodide'`:
 * the same runner (`../browser/client.ts`), worker (`../browser/worker.ts`) and engine
 * (`../browser/engine.ts`, the shared harness), with the Web Worker replaced by a Node worker
 * thread (`pyodide-worker.ts`). Nothing here grades: it only starts and feeds workers.
 *
 * This is code execution OUTSIDE the bwrap sandbox, for trusted course files only (the pipe
 * takes such jobs only with `--pyodide`). So the workers always live in a child Node, the
 * host (`pyodide-host.ts`, `createPyodideEngine`): started with an empty environment, in a
 * private temporary directory, unable to make code from strings (no `eval`/`Function` for
 * the Python side to reach `import()` with), and, when the pipe runs as root, as nobody
 * (65534:65534). Once Pyodide is up, the worker hides Node's globals from Python's `js`
 * module and shuts Node's I/O in its thread (`pyodide-worker.ts`); apps/grader/README.md
 * says what stays reachable.
 *
 * - Lazy: no worker before the first job; then kept warm for the next ones.
 * - Up to `workers` workers (default 2, ~150 MB each); the second starts only when two jobs
 *   wait at once. Jobs wait in one line and go to the first free worker.
 * - Time limit as in a cross-origin isolated page: the client writes SIGALRM into the
 *   worker's interrupt buffer at the wall limit; a program that still does not stop within
 *   1.5 s has its worker terminated and replaced (from the memory snapshot the first worker
 *   made, kept in a private temporary directory). Either way the answer is `timeout`.
 * - Start-up failures: a start that fails or takes longer than `loadTimeoutMs` (60 s, well
 *   under the course doctor's slack) fails every job waiting at once, and the jobs of the next
 *   `retryAfterMs` (30 s) too, instead of trying again for each in turn.
 * - JSPI (WebAssembly stack switching, which asyncio.run needs): Node 20 has it only behind a
 *   V8 flag given at start. `Worker`'s execArgv refuses V8 flags, and turning the flag on in
 *   a running process (`v8.setFlagsFromString`) crashes it (SIGSEGV) once Pyodide switches
 *   stacks. The host is started with the flag when this Node lacks JSPI.
 * - Temporary directories (the host's, the snapshot's) are removed on close and when this
 *   process exits (`process.exit`, e.g. the pipe's SIGTERM handler), whatever the mode.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { chownSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  /** how long a worker may take to start before the jobs waiting fail (default 60 s) */
  loadTimeoutMs?: number;
  /** after a failed start: how long new jobs fail at once before the next try (default 30 s) */
  retryAfterMs?: number;
  /** where the workers' console output goes (never stdout: that is the pipe's channel) */
  log?: (text: string) => void;
}

/** The user the host process runs as. */
export interface RunAs {
  uid: number;
  gid: number;
}

export interface PyodideEngineOptions extends PyodidePoolOptions {
  /** default: nobody (65534:65534) when this process is root, else null (this process's user) */
  runAs?: RunAs | null;
}

/** Pyodide cannot start here at all (its npm package is missing). */
export class PyodideUnavailableError extends Error {}

const DEFAULT_WORKERS = 2;
const DEFAULT_LOAD_TIMEOUT_MS = 60_000;
const DEFAULT_RETRY_AFTER_MS = 30_000;
/** nobody:nogroup on Debian; no passwd entry is needed */
export const NOBODY: RunAs = { uid: 65534, gid: 65534 };

/** What must go when this process exits, however (a signal handler's `process.exit` too). */
const atExit = new Set<() => void>();
let exitHooked = false;
function onExit(cleanup: () => void): () => void {
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => {
      for (const run of atExit) {
        try {
          run();
        } catch {
          // best effort: the others still run
        }
      }
    });
  }
  atExit.add(cleanup);
  return () => atExit.delete(cleanup);
}

function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

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
  const retryAfterMs = options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  const snapshotDir =
    options.snapshot === false ? null : mkdtempSync(join(tmpdir(), 'lms-pyodide-snapshot-'));
  const forgetSnapshotDir = snapshotDir ? onExit(() => removeDir(snapshotDir)) : () => {};
  const slots: Slot[] = Array.from(
    { length: Math.max(1, options.workers ?? DEFAULT_WORKERS) },
    () => ({
      runner: null,
      busy: false,
      started: false,
    }),
  );
  const queue: Job[] = [];
  /** starts under way: each ends its wait (and clears its timer) when called */
  const starting = new Set<(error?: Error) => void>();
  /** the last start failed: jobs fail at once with its error until `until` */
  let failure: { error: Error; until: number } | null = null;
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

  /** The runner's start, given up at the load timeout or when the pool is closed. */
  function started(runner: PythonRunner): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (error?: Error) => {
        clearTimeout(timer);
        starting.delete(settle);
        if (error) reject(error);
        else resolve();
      };
      timer = setTimeout(
        () =>
          settle(new Error(`Pyodide did not start within ${Math.round(loadTimeoutMs / 1000)} s`)),
        loadTimeoutMs,
      );
      starting.add(settle);
      runner.warm().then(
        () => settle(),
        (error: unknown) => settle(error instanceof Error ? error : new Error(String(error))),
      );
    });
  }

  async function runOn(slot: Slot, job: Job): Promise<GradeResult> {
    slot.runner ??= newRunner(slot);
    const runner = slot.runner;
    try {
      await started(runner);
      if (!slot.started) {
        slot.started = true;
        pump(); // the next worker may start now, from this one's snapshot
      }
    } catch (error) {
      // a worker that failed or hung while starting is not kept: the next job starts afresh
      runner.dispose();
      if (slot.runner === runner) slot.runner = null;
      if (!closed && !slots.some((other) => other !== slot && other.runner && other.started)) {
        // no worker to fall back on: the jobs waiting would each wait as long, so they fail now
        failure = { error: error as Error, until: performance.now() + retryAfterMs };
        for (const waiting of queue.splice(0)) waiting.reject(error as Error);
      }
      throw error;
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
      if (failure) {
        const left = failure.until - performance.now();
        if (left > 0) {
          return Promise.reject(
            new Error(
              `${failure.error.message} (the last start failed; the next try in ${Math.ceil(left / 1000)} s)`,
            ),
          );
        }
        failure = null;
      }
      return new Promise<GradeResult>((resolve, reject) => {
        queue.push({ request, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      const error = new Error('the Pyodide engine was closed');
      for (const job of queue.splice(0)) job.reject(error);
      for (const abort of [...starting]) abort(error);
      for (const slot of slots) {
        slot.runner?.dispose();
        slot.runner = null;
      }
      if (snapshotDir) removeDir(snapshotDir);
      forgetSnapshotDir();
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

/**
 * The engine the pipe uses: the pool in a child Node (`createPyodideHost`), never in this
 * process, which may be root and holds the pipe's channels.
 */
export function createPyodideEngine(options: PyodideEngineOptions = {}): PyodideGrader {
  const pyodideDir = options.pyodideDir ?? findPyodideDir();
  return createPyodideHost({ ...options, pyodideDir });
}

/** What the parent sends the host process, and what it answers (`pyodide-host.ts`). */
export type HostRequest = { type: 'grade'; id: number; request: GradeRequest } | { type: 'close' };
export type HostAnswer =
  | { type: 'booted' }
  | { type: 'result'; id: number; result: GradeResult }
  | { type: 'error'; id: number; message: string };

/** Options the host process is started with (its argv[2], as JSON). */
export type HostOptions = Omit<PyodidePoolOptions, 'log'> & {
  /** its private temporary directory (its cwd, HOME and TMPDIR): removed when it ends */
  dir: string;
};

const HOST_CLOSE_MS = 10_000;
/** the host's own start (Node, tsx, the pool; not Pyodide's): ~1 s */
const HOST_BOOT_MS = 30_000;
const HOST_ENTRY = fileURLToPath(new URL('./pyodide-host.mjs', import.meta.url));

/** `path` and every directory above it, as `who` can reach them (mode bits only, no ACLs)? */
export function unreachableFor(path: string, who: RunAs): string | null {
  let current = path;
  for (let first = true; ; first = false) {
    const stat = statSync(current);
    const bits =
      stat.uid === who.uid ? stat.mode >> 6 : stat.gid === who.gid ? stat.mode >> 3 : stat.mode;
    const need = stat.isDirectory() ? (first ? 0o5 : 0o1) : 0o4;
    if ((bits & need) !== need) return current;
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/**
 * The uid a Pyodide host started now runs as: nobody when this process is root and nobody can
 * read the host's files, else this process's own.
 */
export function pyodideHostUid(pyodideDir?: string): number {
  const me = process.getuid?.() ?? 0;
  if (me !== 0) return me;
  return unreadable(NOBODY, pyodideDir) ? me : NOBODY.uid;
}

/** Why `who` cannot read the host's entry file or the Pyodide package, or null when it can. */
function unreadable(who: RunAs, pyodideDir?: string): string | null {
  const paths = [realpathSync(HOST_ENTRY)];
  try {
    if (pyodideDir) paths.push(realpathSync(pyodideDir));
  } catch {
    // a missing package directory: Pyodide says so when it fails to load from it
  }
  for (const path of paths) {
    const blocked = unreachableFor(path, who);
    if (blocked) return `it cannot read ${blocked} (on the way to ${path})`;
  }
  return null;
}

/**
 * The pool in a child Node over its IPC channel: started on the first job (with the JSPI flag
 * when this Node lacks it), as `runAs`, with an empty environment and a private temporary
 * directory for cwd, HOME and TMPDIR. If it dies, its jobs fail with what it said on stderr and
 * the next job starts another (at once if it had started, else after `retryAfterMs`). It ends
 * with its IPC channel, so it never outlives the pipe (even `kill -9`).
 */
export function createPyodideHost(options: PyodideEngineOptions): PyodideGrader {
  const log = options.log ?? ((text: string) => process.stderr.write(text));
  const { log: _log, runAs: _runAs, ...poolOptions } = options;
  const wanted =
    options.runAs === undefined ? (process.getuid?.() === 0 ? NOBODY : null) : options.runAs;
  const blocked = wanted ? unreadable(wanted, options.pyodideDir) : null;
  if (wanted && blocked)
    log(
      `[pyodide] WARNING: the Pyodide host cannot drop to uid ${wanted.uid}: ${blocked}; it runs as ` +
        `uid ${process.getuid?.()} (still without the pipe's environment and with Node's I/O shut ` +
        "off from Python). Make the grader's files world-readable to run it unprivileged\n",
    );
  /** the uid the host runs as: `wanted`, unless it could not read the host's own files */
  const runAs = blocked ? null : wanted;
  const retryAfterMs = options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  const waiting = new Map<
    number,
    { resolve: (r: GradeResult) => void; reject: (e: Error) => void }
  >();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let nextId = 1;
  let closed = false;
  let tail = '';
  /** the last host died before it had started: jobs fail at once with this until `until` */
  let failure: { message: string; until: number } | null = null;

  function start(): ChildProcess {
    const dir = mkdtempSync(join(tmpdir(), 'lms-pyodide-'));
    if (runAs) chownSync(dir, runAs.uid, runAs.gid);
    let started: ChildProcess;
    try {
      started = fork(HOST_ENTRY, [JSON.stringify({ ...poolOptions, dir } satisfies HostOptions)], {
        cwd: dir,
        // nothing of the pipe's environment (secrets, REDIS_URL, …): the Python side could read it
        env: { HOME: dir, TMPDIR: dir, PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
        execArgv: [
          ...(hasJspi() ? [] : [jspiFlag()]),
          // no eval / new Function: no way from Python's `js` to `import('node:…')`
          '--disallow-code-generation-from-strings',
        ],
        ...(runAs ?? {}),
        // its stdout must never reach the pipe's: both go to our log
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'advanced',
      });
    } catch (error) {
      removeDir(dir);
      throw error;
    }
    const forget = onExit(() => {
      started.kill('SIGKILL');
      removeDir(dir);
    });
    let booted = false;
    const bootTimer = setTimeout(() => {
      tail += `\ndid not start within ${HOST_BOOT_MS / 1000} s`;
      started.kill('SIGKILL');
    }, HOST_BOOT_MS);
    tail = '';
    const keep = (text: string) => {
      tail = (tail + text).slice(-2000);
      log(text);
    };
    started.stdout?.setEncoding('utf8').on('data', keep);
    started.stderr?.setEncoding('utf8').on('data', keep);
    started.on('message', (message: HostAnswer) => {
      if (message.type === 'booted') {
        booted = true;
        clearTimeout(bootTimer);
        return;
      }
      const waiter = waiting.get(message.id);
      if (!waiter) return;
      waiting.delete(message.id);
      if (message.type === 'result') waiter.resolve(message.result);
      else waiter.reject(new Error(message.message));
    });
    exited = new Promise((resolve) => {
      let ended = false;
      const end = (why: string) => {
        if (ended) return;
        ended = true;
        clearTimeout(bootTimer);
        forget();
        removeDir(dir);
        if (child === started) child = null;
        const said = tail.trim().split('\n').slice(-5).join('\n');
        const message = closed
          ? 'the Pyodide engine was closed'
          : `the Pyodide host process ${why}${said ? `: ${said}` : ''}`;
        if (!booted && !closed) failure = { message, until: performance.now() + retryAfterMs };
        for (const waiter of waiting.values()) waiter.reject(new Error(message));
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
      if (failure && !child) {
        const left = failure.until - performance.now();
        if (left > 0) {
          return Promise.reject(
            new Error(`${failure.message} (the next try in ${Math.ceil(left / 1000)} s)`),
          );
        }
        failure = null;
      }
      try {
        child ??= start();
      } catch (error) {
        return Promise.reject(error);
      }
      const id = nextId++;
      const sent = child;
      return new Promise<GradeResult>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        sent.send({ type: 'grade', id, request } satisfies HostRequest, (error) => {
          if (!error || !waiting.has(id)) return;
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
