/**
 * The module Web Worker that runs Pyodide (start it with `{ type: 'module' }`). It waits
 * for an `init` message from `client.ts`, then runs one program or quick check at a time.
 */
import { describe, PyodideEngine, type SnapshotCache } from './engine.ts';
import type { ClientToWorker, WorkerToClient } from './messages.ts';

interface WorkerScope {
  postMessage(message: WorkerToClient, transfer?: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: ClientToWorker }) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
let engine: Promise<PyodideEngine> | null = null;

function post(message: WorkerToClient): void {
  scope.postMessage(message);
}

interface CacheStorageLike {
  open(name: string): Promise<{
    match(url: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | undefined>;
    put(url: string, response: unknown): Promise<void>;
    delete(url: string): Promise<boolean>;
    keys(): Promise<{ url: string }[]>;
  }>;
}
declare const Response: new (body: Uint8Array) => unknown;

/** The snapshot in Cache Storage, under a URL beside the Pyodide files it belongs to. */
function cacheStorageSnapshots(indexURL: string): SnapshotCache | null {
  const caches = (globalThis as { caches?: CacheStorageLike }).caches;
  const location = (globalThis as { location?: { href: string } }).location;
  if (!caches || !location || typeof Response !== 'function') return null;
  const urlOf = (key: string) => new URL(`${indexURL}${key}.snapshot`, location.href).href;
  const open = () => caches.open('lms-pyodide-snapshots');
  return {
    async get(key) {
      const found = await (await open()).match(urlOf(key));
      return found ? new Uint8Array(await found.arrayBuffer()) : null;
    },
    async put(key, bytes) {
      const cache = await open();
      // one snapshot is enough (~31 MB): drop those of older Pyodide or harness versions
      for (const old of await cache.keys()) if (old.url !== urlOf(key)) await cache.delete(old.url);
      await cache.put(urlOf(key), new Response(bytes));
    },
    async delete(key) {
      await (await open()).delete(urlOf(key));
    },
  };
}

scope.addEventListener('message', (event) => {
  const message = event.data;
  if (message.type === 'init') {
    if (engine) return;
    engine = PyodideEngine.load({
      indexURL: message.indexURL,
      interruptBuffer: message.interruptBuffer,
      snapshotCache: message.snapshot ? cacheStorageSnapshots(message.indexURL) : null,
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
