/** Messages between the page (`client.ts`) and the Pyodide worker (`worker.ts`). */
import type { TestsDriverOutput } from '@lms/grading';

/** How the program ran: with stack switching (asyncio.run as in CPython) or, where the
 * runtime lacks JSPI, with top-level asyncio.run(...) rewritten into `await`. */
export type ExecutionMode = 'jspi' | 'top-level-await';

export type OutputStream = 'stdout' | 'stderr';

/** One run of a program inside Pyodide, as the runtime module reports it. */
export interface PyodideRunRecord {
  stdout: string;
  stderr: string;
  exit_code: number | null;
  elapsed: number;
  timed_out: boolean;
  traceback: string | null;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  limit_hit: 'wall' | 'output' | null;
  mode: ExecutionMode;
}

export interface InitMessage {
  type: 'init';
  /** where pyodide.mjs, pyodide.asm.wasm, python_stdlib.zip… are served; ends with '/' */
  indexURL: string;
  /** shared with the page when it is cross-origin isolated: the page writes a signal
   * number into it to interrupt Python that never yields */
  interruptBuffer: SharedArrayBuffer | null;
  /** keep a memory snapshot of the started interpreter in Cache Storage and start from it
   * next time (Pyodide's experimental `_makeSnapshot`/`_loadSnapshot`) */
  snapshot: boolean;
}

export interface RunMessage {
  type: 'run';
  id: number;
  code: string;
  wallMs: number;
  outputCapBytes: number;
  /** tests_public.py for a quick check; null to just run the program */
  publicTests: string | null;
}

export type ClientToWorker = InitMessage | RunMessage;

export interface ReadyMessage {
  type: 'ready';
  pyodideVersion: string;
  pythonVersion: string;
  mode: ExecutionMode;
  loadMs: number;
  snapshotUsed: boolean;
}

export interface LoadErrorMessage {
  type: 'load-error';
  message: string;
}

export interface OutputMessage {
  type: 'output';
  id: number;
  stream: OutputStream;
  text: string;
}

export interface DoneMessage {
  type: 'done';
  id: number;
  record: PyodideRunRecord;
  tests: TestsDriverOutput | null;
  testsMs: number;
}

/** The engine itself failed (not the student's program). */
export interface CrashMessage {
  type: 'crash';
  id: number;
  message: string;
}

export type WorkerToClient =
  | ReadyMessage
  | LoadErrorMessage
  | OutputMessage
  | DoneMessage
  | CrashMessage;

/** Signal numbers the page writes into the interrupt buffer. */
export const SIGINT = 2;
export const SIGALRM = 14;
