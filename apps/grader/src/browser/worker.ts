/**
 * The module Web Worker that runs Pyodide (start it with `{ type: 'module' }`). It waits
 * for an `init` message from `client.ts`, then runs one program or quick check at a time.
 */
import { describe, PyodideEngine } from './engine.ts';
import type { ClientToWorker, WorkerToClient } from './messages.ts';

interface WorkerScope {
  postMessage(message: WorkerToClient, transfer?: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: ClientToWorker }) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
let engine: Promise<PyodideEngine> | null = null;

function post(message: WorkerToClient): void {
  if (message.type === 'snapshot')
    scope.postMessage(message, [message.bytes.buffer as ArrayBuffer]);
  else scope.postMessage(message);
}

scope.addEventListener('message', (event) => {
  const message = event.data;
  if (message.type === 'init') {
    if (engine) return;
    engine = PyodideEngine.load({
      indexURL: message.indexURL,
      interruptBuffer: message.interruptBuffer,
      snapshot: message.snapshot,
      makeSnapshot: message.makeSnapshot,
      post,
    }).then(
      ({ engine: loaded, ready }) => {
        post(ready);
        return loaded;
      },
      (error: unknown) => {
        post({ type: 'load-error', message: describe(error) });
        throw error;
      },
    );
    engine.catch(() => {});
    return;
  }
  if (message.type === 'run') {
    if (!engine) {
      post({ type: 'crash', id: message.id, message: 'the worker was not initialised' });
      return;
    }
    engine.then(
      (loaded) => loaded.run(message),
      (error: unknown) => post({ type: 'crash', id: message.id, message: describe(error) }),
    );
  }
});
