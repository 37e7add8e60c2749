/**
 * The Pyodide engine as it lives inside a worker: loads Pyodide, installs the shared
 * harness (`HARNESS_SOURCES`, its runtime module `lms_pyodide` included), runs programs and
 * quick checks one at a time.
 * No DOM and no Node APIs: the same code runs in a browser's module worker and, for the
 * tests, in a Node worker thread.
 */

import type { TestsDriverOutput } from '@lms/grading';
import { HARNESS_SOURCES } from '@lms/grading/harness';
import type { PyodideAPI } from 'pyodide';
import type { PyProxy } from 'pyodide/ffi';
import type {
  ExecutionMode,
  OutputStream,
  PyodideRunRecord,
  ReadyMessage,
  RunMessage,
  WorkerToClient,
} from './messages.ts';

const HARNESS_DIR = '/lms';
/** The engine's Python side (`packages/grading/python/lms_pyodide.py`). */
const RUNTIME_MODULE_NAME = 'lms_pyodide';
/** Output is posted at most this often (about one animation frame). */
const OUTPUT_FLUSH_MS = 16;

type LoadPyodide = (options: Record<string, unknown>) => Promise<PyodideAPI>;

/** Where the memory snapshot of a started interpreter is kept (Cache Storage in the worker). */
export interface SnapshotCache {
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface EngineOptions {
  indexURL: string;
  interruptBuffer: SharedArrayBuffer | null;
  /** null: no snapshot */
  snapshotCache: SnapshotCache | null;
  post: (message: WorkerToClient) => void;
  /** defaults to importing `${indexURL}pyodide.mjs` */
  importPyodide?: (url: string) => Promise<{ loadPyodide: LoadPyodide; version: string }>;
}

/** Names the snapshot after everything baked into it: Pyodide and our Python sources. */
export function snapshotKey(pyodideVersion: string): string {
  let hash = 0x811c9dc5;
  const text = JSON.stringify(HARNESS_SOURCES);
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `lms-pyodide-${pyodideVersion}-${hash.toString(16)}`;
}

export class PyodideEngine {
  private constructor(
    private readonly runtime: PyProxy,
    private readonly post: (message: WorkerToClient) => void,
    private readonly interrupt: Int32Array | null,
    readonly mode: ExecutionMode,
    readonly pythonVersion: string,
  ) {}

  private queue: Promise<unknown> = Promise.resolve();

  static async load(
    options: EngineOptions,
  ): Promise<{ engine: PyodideEngine; ready: ReadyMessage }> {
    const started = performance.now();
    const importer =
      options.importPyodide ??
      ((url: string) =>
        import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ url));
    const { loadPyodide, version } = await importer(`${options.indexURL}pyodide.mjs`);
    const base = {
      indexURL: options.indexURL,
      // Nothing should reach the console: every run installs its own sys.stdout/stderr.
      stdout: () => {},
      stderr: () => {},
      env: { HOME: '/home/pyodide', PYTHONHASHSEED: '0' },
    };
    const cache = options.snapshotCache;
    const key = snapshotKey(version);
    const saved = cache ? await cache.get(key).catch(() => null) : null;
    let fromSnapshot: PyodideAPI | null = null;
    if (cache && saved) {
      try {
        // Modules are in the snapshot's memory; files (MEMFS) are not, and none are needed.
        const loaded = await loadPyodide({ ...base, _loadSnapshot: saved });
        loaded.pyimport(RUNTIME_MODULE_NAME);
        fromSnapshot = loaded;
      } catch {
        fromSnapshot = null; // a stale or broken snapshot: forget it, start the slow way
        await cache.delete(key).catch(() => {});
      }
    }
    const snapshotUsed = fromSnapshot !== null;
    const pyodide = fromSnapshot ?? (await startFresh(loadPyodide, base, cache, key));
    const runtime = pyodide.pyimport(RUNTIME_MODULE_NAME) as PyProxy;
    const interrupt = options.interruptBuffer ? new Int32Array(options.interruptBuffer) : null;
    if (interrupt) pyodide.setInterruptBuffer(interrupt);
    const mode = await detectMode(pyodide);
    const pythonVersion = String(runtime.python_version());
    runtime.capture_baseline();
    const engine = new PyodideEngine(runtime, options.post, interrupt, mode, pythonVersion);
    const ready: ReadyMessage = {
      type: 'ready',
      pyodideVersion: pyodide.version,
      pythonVersion,
      mode,
      loadMs: Math.round(performance.now() - started),
      snapshotUsed,
    };
    return { engine, ready };
  }

  /** Runs are serialised: a second run waits for the first. */
  run(message: RunMessage): Promise<void> {
    const next = this.queue.then(() => this.runNow(message));
    this.queue = next.catch(() => {});
    return next;
  }

  private async runNow(message: RunMessage): Promise<void> {
    const { id } = message;
    const output = new OutputBatcher((stream, text) =>
      this.post({ type: 'output', id, stream, text }),
    );
    if (this.interrupt) Atomics.store(this.interrupt, 0, 0);
    this.runtime._emit = (stream: OutputStream, text: string) => output.push(stream, text);
    const deadline = setTimeout(() => {
      try {
        this.runtime.on_deadline();
      } catch {
        // Python is mid-run and refused: the page's own timer terminates the worker.
      }
    }, message.wallMs);
    try {
      const record = await this.execute(message);
      output.flush();
      let tests: TestsDriverOutput | null = null;
      let testsMs = 0;
      if (message.publicTests !== null) {
        const started = performance.now();
        const result = this.runtime.run_checks(
          JSON.stringify(record),
          message.code,
          message.publicTests,
        );
        tests = result.toJs({ dict_converter: Object.fromEntries }) as TestsDriverOutput;
        result.destroy();
        tests.loadError ??= null;
        tests.syntaxError ??= null;
        for (const test of tests.tests) test.message ??= null;
        testsMs = performance.now() - started;
      }
      this.post({ type: 'done', id, record, tests, testsMs });
    } catch (error) {
      output.flush();
      this.post({ type: 'crash', id, message: describe(error) });
    } finally {
      clearTimeout(deadline);
      this.runtime._emit = null;
      if (this.interrupt) Atomics.store(this.interrupt, 0, 0);
    }
  }

  private async execute(message: RunMessage): Promise<PyodideRunRecord> {
    let result: PyProxy;
    if (this.mode === 'jspi') {
      result = await this.runtime.run_jspi.callPromising(message.code, message.outputCapBytes);
    } else {
      const task = this.runtime.start_awaited(message.code, message.outputCapBytes);
      try {
        result = await task;
      } finally {
        task.destroy?.();
        this.runtime.close_last_loop();
      }
    }
    const record = result.toJs({ dict_converter: Object.fromEntries }) as PyodideRunRecord;
    result.destroy();
    // None arrives as undefined
    record.exit_code ??= null;
    record.traceback ??= null;
    record.limit_hit ??= null;
    return record;
  }
}

/** A plain start: harness files (runtime module included); then a snapshot for next time. */
async function startFresh(
  loadPyodide: LoadPyodide,
  base: Record<string, unknown>,
  cache: SnapshotCache | null,
  key: string,
): Promise<PyodideAPI> {
  const pyodide = await loadPyodide({ ...base, ...(cache ? { _makeSnapshot: true } : {}) });
  pyodide.FS.mkdirTree(HARNESS_DIR);
  for (const [name, source] of Object.entries(HARNESS_SOURCES)) {
    pyodide.FS.writeFile(`${HARNESS_DIR}/${name}`, source);
  }
  pyodide.runPython(`import sys\nsys.path.insert(0, ${JSON.stringify(HARNESS_DIR)})`);
  pyodide.runPython(`import ${RUNTIME_MODULE_NAME}`);
  if (cache) {
    const bytes = pyodide.makeMemorySnapshot();
    cache.put(key, bytes).catch(() => {});
  }
  return pyodide;
}

/** JSPI (WebAssembly stack switching) present? Then asyncio.run can block as in CPython. */
async function detectMode(pyodide: PyodideAPI): Promise<ExecutionMode> {
  const probe = pyodide.runPython(
    'from pyodide.ffi import can_run_sync\n(lambda: can_run_sync())',
  ) as PyProxy;
  try {
    const ok = await probe.callPromising();
    return ok === true ? 'jspi' : 'top-level-await';
  } catch {
    return 'top-level-await';
  } finally {
    probe.destroy();
  }
}

/** Collects output and posts it in chunks, at most every OUTPUT_FLUSH_MS, in order. */
class OutputBatcher {
  private stream: OutputStream | null = null;
  private pending = '';
  private lastFlush = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly send: (stream: OutputStream, text: string) => void) {}

  push(stream: OutputStream, text: string): void {
    if (this.stream !== null && this.stream !== stream) this.flush();
    this.stream = stream;
    this.pending += text;
    const now = performance.now();
    // Python busy in a loop never lets a timer fire: flush inline once the interval passed.
    if (now - this.lastFlush >= OUTPUT_FLUSH_MS) this.flush();
    else if (this.timer === null) this.timer = setTimeout(() => this.flush(), OUTPUT_FLUSH_MS);
  }

  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.stream !== null && this.pending !== '') this.send(this.stream, this.pending);
    this.pending = '';
    this.lastFlush = performance.now();
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
