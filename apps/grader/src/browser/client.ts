/**
 * The web app's Python runner: Pyodide in a module Web Worker, loaded from files the app
 * serves itself (`baseUrl`, e.g. `/pyodide/314.0.7/`). Loading starts on `warm()` (the
 * chapter page calls it on open) or with the first run; everything heavy happens off the
 * main thread. One file over 400 lines on purpose: the worker's life (start, interrupt,
 * respawn, snapshot) and the runs it serves share one state machine that reads best whole.
 *
 * Time limit: the worker stops a program that is awaiting by itself; one that never yields
 * gets SIGALRM through a SharedArrayBuffer interrupt buffer when the page is
 * cross-origin isolated; if that does not end it (or there is no shared memory) the worker
 * is terminated and a fresh one started.
 */
import {
  codedMessage,
  DEFAULT_GRADE_LIMITS,
  describeZodError,
  type GradeLimits,
  type GradeRequestInput,
  type GradeResult,
  gradeRequestSchema,
} from '@lms/grading';
import type {
  ClientToWorker,
  DoneMessage,
  ExecutionMode,
  OutputStream,
  ReadyMessage,
  WorkerToClient,
} from './messages.ts';
import { SIGALRM, SIGINT } from './messages.ts';
import { abandonedRecord, setSummary, toGradeResult } from './result.ts';

export type { ExecutionMode, OutputStream } from './messages.ts';

// The DOM's Worker (this package builds without the DOM lib). Written as
// `new Worker(new URL('./worker.ts', import.meta.url), …)` so bundlers pick the worker up.
declare const Worker: new (url: URL, options: { type: 'module' }) => WorkerLike;

export type RunnerState = 'idle' | 'loading' | 'ready' | 'running' | 'error';

export interface RunnerInfo {
  pyodideVersion: string;
  pythonVersion: string;
  /** 'jspi': asyncio.run as in CPython; 'top-level-await': no JSPI in this browser, top-level
   * asyncio.run(...) calls are awaited instead */
  mode: ExecutionMode;
  loadMs: number;
  snapshotUsed: boolean;
  /** true when the page is cross-origin isolated and Python can be interrupted in place */
  interruptible: boolean;
}

export interface OutputChunk {
  runId: number;
  stream: OutputStream;
  text: string;
}

/** What `new Worker(...)` gives; Node tests pass an adapter over worker_threads. */
export interface WorkerLike {
  postMessage(message: ClientToWorker): void;
  addEventListener(type: 'message', listener: (event: { data: WorkerToClient }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
  terminate(): void;
}

export interface PythonRunnerOptions {
  /** URL of the directory serving node_modules/pyodide/* (pyodide.mjs, pyodide.asm.wasm,
   * python_stdlib.zip, pyodide-lock.json); a trailing '/' is added when missing */
  baseUrl: string;
  /** defaults to `new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })` */
  createWorker?: () => WorkerLike;
  /** per stream; the server's cap is the same (64 KiB) */
  outputCapBytes?: number;
  /** limits of runExample/runProgram when none are given */
  limits?: Partial<GradeLimits>;
  /** after the time limit: how long to wait for the worker to stop the program by itself */
  graceMs?: number;
  /** after the interrupt was written: how long before the worker is terminated anyway
   * (default 1.5 s; a test on a loaded machine gives it longer, to see the interrupt work) */
  interruptWaitMs?: number;
  /** keep Pyodide's memory snapshot (experimental API, ~31 MB) in Cache Storage and start
   * from it next time: a much faster start after the first (default true) */
  snapshot?: boolean;
  /** defaults to globalThis.crossOriginIsolated */
  crossOriginIsolated?: boolean;
}

export interface RunOptions {
  limits?: Partial<GradeLimits>;
}

export interface PythonRunner {
  readonly state: RunnerState;
  readonly info: RunnerInfo | null;
  /** start loading Pyodide now; resolves when it is ready */
  warm(): Promise<RunnerInfo>;
  /** run a chapter example; tests: [] and status passed when it exited with code 0 */
  runExample(code: string, options?: RunOptions): Promise<GradeResult>;
  /** run the student's program without tests */
  runProgram(code: string, options?: RunOptions): Promise<GradeResult>;
  /** the quick check: the program, then the public tests only (advisory) */
  quickCheck(request: GradeRequestInput): Promise<GradeResult>;
  /** stop the current run (its result comes back with status error, message code run_stopped) */
  stop(): void;
  onOutput(listener: (chunk: OutputChunk) => void): () => void;
  onState(listener: (state: RunnerState, info: RunnerInfo | null) => void): () => void;
  /** terminate the worker for good */
  dispose(): void;
}

export const DEFAULT_OUTPUT_CAP_BYTES = 64 * 1024;
const DEFAULT_GRACE_MS = 500;
/** after SIGALRM was written: how long before the worker is terminated anyway */
const INTERRUPT_WAIT_MS = 1500;

interface PendingRun {
  id: number;
  limits: GradeLimits;
  publicTests: string | null;
  code: string;
  queuedAt: number;
  startedAt: number;
  stdout: string;
  stderr: string;
  stopped: boolean;
  resolve: (result: GradeResult) => void;
  reject: (error: Error) => void;
  timers: ReturnType<typeof setTimeout>[];
}

export function createPythonRunner(options: PythonRunnerOptions): PythonRunner {
  const baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const outputCapBytes = options.outputCapBytes ?? DEFAULT_OUTPUT_CAP_BYTES;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const interruptWaitMs = options.interruptWaitMs ?? INTERRUPT_WAIT_MS;
  const defaultLimits: GradeLimits = { ...DEFAULT_GRADE_LIMITS, ...options.limits };
  const isolated =
    options.crossOriginIsolated ??
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const createWorker =
    options.createWorker ??
    (() =>
      new Worker(new URL('./worker.ts', import.meta.url), {
        type: 'module',
      }));

  const outputListeners = new Set<(chunk: OutputChunk) => void>();
  const stateListeners = new Set<(state: RunnerState, info: RunnerInfo | null) => void>();
  let state: RunnerState = 'idle';
  let info: RunnerInfo | null = null;
  let worker: WorkerLike | null = null;
  let interrupt: Int32Array | null = null;
  let ready: Promise<RunnerInfo> | null = null;
  let current: PendingRun | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let nextId = 1;
  let disposed = false;

  function setState(next: RunnerState): void {
    state = next;
    for (const listener of stateListeners) listener(state, info);
  }

  function spawn(): Promise<RunnerInfo> {
    setState('loading');
    const shared = isolated && typeof SharedArrayBuffer === 'function';
    const buffer = shared ? new SharedArrayBuffer(4) : null;
    interrupt = buffer ? new Int32Array(buffer) : null;
    const spawned = createWorker();
    worker = spawned;
    return new Promise<RunnerInfo>((resolve, reject) => {
      spawned.addEventListener('message', (event) => {
        if (worker !== spawned) return; // a terminated worker's late messages
        const message = event.data;
        switch (message.type) {
          case 'ready':
            info = readyInfo(message, buffer !== null);
            setState(current ? 'running' : 'ready');
            resolve(info);
            break;
          case 'load-error':
            setState('error');
            reject(new Error(`Pyodide failed to load from ${baseUrl}: ${message.message}`));
            break;
          case 'output':
            onOutputMessage(message.id, message.stream, message.text);
            break;
          case 'done':
            onDone(message);
            break;
          case 'crash':
            onCrash(message.id, message.message);
            break;
        }
      });
      spawned.addEventListener('error', (event) => {
        if (worker !== spawned) return;
        const text = event.message ?? 'the Pyodide worker failed';
        if (state === 'loading') {
          setState('error');
          reject(new Error(`Pyodide failed to load from ${baseUrl}: ${text}`));
        } else if (current) {
          onCrash(current.id, text);
        }
      });
      spawned.postMessage({
        type: 'init',
        indexURL: baseUrl,
        interruptBuffer: buffer,
        snapshot: options.snapshot ?? true,
      });
    });
  }

  function warm(): Promise<RunnerInfo> {
    if (disposed) return Promise.reject(new Error('the Python runner was disposed'));
    if (!ready) {
      ready = spawn();
      ready.catch(() => {
        ready = null; // a later warm() may try again
      });
    }
    return ready;
  }

  function respawn(): void {
    worker?.terminate();
    worker = null;
    info = null;
    ready = null;
    if (!disposed) warm().catch(() => {});
  }

  function onOutputMessage(id: number, stream: OutputStream, text: string): void {
    if (!current || current.id !== id) return;
    if (stream === 'stdout') current.stdout += text;
    else current.stderr += text;
    for (const listener of outputListeners) listener({ runId: id, stream, text });
  }

  function finish(run: PendingRun, result: GradeResult): void {
    for (const timer of run.timers) clearTimeout(timer);
    if (current === run) current = null;
    if (state === 'running') setState('ready');
    run.resolve(result);
  }

  function onDone(message: DoneMessage): void {
    const run = current;
    if (!run || run.id !== message.id) return;
    const now = performance.now();
    const result = toGradeResult(message.record, message.tests, {
      limits: run.limits,
      pythonVersion: info?.pythonVersion ?? '',
      outputCapBytes,
      totalMs: now - run.queuedAt,
      queuedMs: run.startedAt - run.queuedAt,
      testsMs: message.testsMs,
    });
    if (run.stopped && result.status !== 'timeout') {
      setSummary(result, 'error', codedMessage('run_stopped'));
    }
    finish(run, result);
  }

  function onCrash(id: number, text: string): void {
    const run = current;
    if (!run || run.id !== id) return;
    for (const timer of run.timers) clearTimeout(timer);
    current = null;
    run.reject(new Error(`the Pyodide engine failed: ${text}`));
    respawn();
  }

  /** The worker did not end the run itself: terminate it and answer from what streamed. */
  function abandon(run: PendingRun, reason: 'wall' | 'stopped'): void {
    if (current !== run) return;
    const now = performance.now();
    const record = abandonedRecord(
      run.stdout,
      run.stderr,
      now - run.startedAt,
      reason,
      info?.mode ?? 'jspi',
    );
    const result = toGradeResult(record, null, {
      limits: run.limits,
      pythonVersion: info?.pythonVersion ?? '',
      outputCapBytes,
      totalMs: now - run.queuedAt,
      queuedMs: run.startedAt - run.queuedAt,
      testsMs: 0,
    });
    if (reason === 'stopped') setSummary(result, 'error', codedMessage('run_stopped'));
    for (const timer of run.timers) clearTimeout(timer);
    current = null;
    respawn();
    run.resolve(result);
  }

  function hardStop(run: PendingRun, reason: 'wall' | 'stopped'): void {
    if (current !== run) return;
    if (reason === 'stopped') run.stopped = true;
    if (interrupt) {
      Atomics.store(interrupt, 0, reason === 'wall' ? SIGALRM : SIGINT);
      run.timers.push(setTimeout(() => abandon(run, reason), interruptWaitMs));
    } else {
      abandon(run, reason);
    }
  }

  function execute(
    code: string,
    limits: GradeLimits,
    publicTests: string | null,
  ): Promise<GradeResult> {
    const queuedAt = performance.now();
    const result = chain.then(
      () =>
        new Promise<GradeResult>((resolve, reject) => {
          warm().then(
            () => {
              const run: PendingRun = {
                id: nextId++,
                limits,
                publicTests,
                code,
                queuedAt,
                startedAt: performance.now(),
                stdout: '',
                stderr: '',
                stopped: false,
                resolve,
                reject,
                timers: [],
              };
              current = run;
              setState('running');
              const wallMs = limits.wallSeconds * 1000;
              run.timers.push(setTimeout(() => hardStop(run, 'wall'), wallMs + graceMs));
              worker?.postMessage({
                type: 'run',
                id: run.id,
                code,
                wallMs,
                outputCapBytes,
                publicTests,
              });
            },
            (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
          );
        }),
    );
    chain = result.catch(() => {});
    return result;
  }

  function resolveLimits(partial?: Partial<GradeLimits>): GradeLimits {
    return { ...defaultLimits, ...partial };
  }

  return {
    get state() {
      return state;
    },
    get info() {
      return info;
    },
    warm,
    runExample: (code, runOptions) => execute(code, resolveLimits(runOptions?.limits), null),
    runProgram: (code, runOptions) => execute(code, resolveLimits(runOptions?.limits), null),
    quickCheck(input) {
      const parsed = gradeRequestSchema.safeParse(input);
      if (!parsed.success) {
        return Promise.reject(
          new Error(`invalid quick check request: ${describeZodError(parsed.error)}`),
        );
      }
      const request = parsed.data;
      // Hidden tests never reach the browser; the quick check runs the public ones only.
      if (!request.checks.public) return Promise.resolve(noPublicChecks(request.limits, info));
      return execute(request.code, request.limits, request.checks.public);
    },
    stop() {
      if (current) hardStop(current, 'stopped');
    },
    onOutput(listener) {
      outputListeners.add(listener);
      return () => outputListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    dispose() {
      disposed = true;
      if (current) abandon(current, 'stopped');
      worker?.terminate();
      worker = null;
      setState('idle');
    },
  };
}

/** As the server answers a quick check of a task without public tests. */
function noPublicChecks(limits: GradeLimits, info: RunnerInfo | null): GradeResult {
  const result = toGradeResult(abandonedRecord('', '', 0, 'stopped', info?.mode ?? 'jspi'), null, {
    limits,
    pythonVersion: info?.pythonVersion ?? '',
    outputCapBytes: DEFAULT_OUTPUT_CAP_BYTES,
    totalMs: 0,
    queuedMs: 0,
    testsMs: 0,
  });
  setSummary(result, 'error', codedMessage('no_checks_for_stage'));
  return result;
}

function readyInfo(message: ReadyMessage, interruptible: boolean): RunnerInfo {
  return {
    pyodideVersion: message.pyodideVersion,
    pythonVersion: message.pythonVersion,
    mode: message.mode,
    loadMs: message.loadMs,
    snapshotUsed: message.snapshotUsed,
    interruptible,
  };
}
