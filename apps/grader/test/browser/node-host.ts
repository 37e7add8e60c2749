// The page's side in Node: a WorkerLike over worker_threads, and where the Pyodide files are.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerLike } from '../../src/browser/client.ts';

const require = createRequire(import.meta.url);
/** node_modules/pyodide/, as a directory path ending with '/' */
export const PYODIDE_DIR = `${dirname(require.resolve('pyodide/package.json'))}/`;

export function createNodeWorker(): WorkerLike {
  const worker = new Worker(new URL('./node-worker-entry.mjs', import.meta.url));
  return {
    postMessage: (message) => worker.postMessage(message),
    addEventListener(type: 'message' | 'error', listener: (event: never) => void) {
      if (type === 'message')
        worker.on('message', (data) => (listener as (e: { data: unknown }) => void)({ data }));
      else worker.on('error', (error) => (listener as (e: { message?: string }) => void)(error));
    },
    terminate: () => {
      worker.terminate();
    },
  } as WorkerLike;
}
