/**
 * The browser's Pyodide worker (`../browser/worker.ts`) in a Node worker thread: this gives it
 * the Web Worker globals it uses (postMessage, addEventListener) and, when the pool names a
 * directory, the Cache Storage it keeps its memory snapshot in, so that a replaced worker
 * starts from the snapshot as it would in a browser. Started by `pyodide-node.ts`.
 *
 * The program runs in this thread, outside any sandbox (the host is unprivileged, see
 * pyodide-node.ts). Once Pyodide is up, before any program runs, this thread gives up what a
 * browser worker does not have (`lockDown`):
 * - Python's `js` module is this thread's globalThis (as a browser worker's is its global
 *   scope): `process` becomes a stub with only what Pyodide's runtime reads (`os.getuid()`
 *   calls `process.getuid()`), and `fetch`, `eval`, `require` and this shim's `caches` /
 *   `location` are gone. Node's own code keeps its own reference to the real `process`.
 * - Pyodide's API (`import pyodide_js`) holds Node's modules: `mountNodeFS` reads the host's
 *   files, `useNodeSockFS` opens TCP connections. So the I/O functions of `node:fs`,
 *   `node:child_process`, `node:net`, `node:dgram` throw EACCES in this thread from then on
 *   (Pyodide needs none of them after its start; the snapshot shim below kept its own).
 */
import { createHash } from 'node:crypto';
import * as fsPromises from 'node:fs/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { parentPort, threadId, workerData } from 'node:worker_threads';

// the real ones, for the snapshot's files (taken now: lockDown replaces the module's)
const { readFile, rename, rm, writeFile } = fsPromises;

if (!parentPort) throw new Error('pyodide-worker.ts must run in a worker thread');
const port = parentPort;
const scope = globalThis as unknown as Record<string, unknown>;
let hidden = false;
scope.postMessage = (message: unknown, transfer?: ArrayBuffer[]) => {
  // the worker says it is ready only once Pyodide has loaded (which needs the real process)
  if (!hidden && (message as { type?: string } | null)?.type === 'ready') {
    hidden = true;
    lockDown();
  }
  port.postMessage(message, transfer);
};
scope.addEventListener = (type: string, listener: (event: { data: unknown }) => void) => {
  if (type === 'message') port.on('message', (data) => listener({ data }));
};

const snapshotDir = (workerData as { snapshotDir?: string | null } | undefined)?.snapshotDir;
if (snapshotDir) {
  const fileOf = (url: string) =>
    `${snapshotDir}/${createHash('sha256').update(url).digest('hex')}.bin`;
  scope.location = { href: 'file:///' };
  scope.caches = {
    open: async () => ({
      match: async (url: string) => {
        const bytes = await readFile(fileOf(url)).catch(() => null);
        return bytes ? new Response(bytes) : undefined;
      },
      put: async (url: string, response: Response) => {
        // written whole under another name first: a worker loading it meanwhile never reads half
        const temp = `${fileOf(url)}.${threadId}.tmp`;
        await writeFile(temp, new Uint8Array(await response.arrayBuffer()));
        await rename(temp, fileOf(url));
      },
      keys: async () => [],
      delete: async (url: string) => {
        await rm(fileOf(url), { force: true });
        return true;
      },
    }),
  };
}

/** What the Python side must not reach: see the top of this file. */
function lockDown(): void {
  const real = process;
  const stub = {
    // Pyodide's and Emscripten's reads after start-up (uname, getuid, umask, exit)
    version: real.version,
    versions: { ...real.versions },
    platform: real.platform,
    release: { name: real.release.name },
    argv: [],
    env: {},
    exitCode: undefined as number | undefined,
    getuid: () => real.getuid?.() ?? 0,
    umask: () => 0o022,
  };
  Object.defineProperty(globalThis, 'process', {
    value: stub,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  for (const name of [
    'fetch',
    'WebSocket',
    'EventSource',
    'eval',
    'require',
    'caches',
    'location',
  ]) {
    delete scope[name];
  }

  const require = createRequire(import.meta.url);
  const denied = (what: string) =>
    function denied(): never {
      throw Object.assign(new Error(`${what} is not available to the Python side`), {
        code: 'EACCES',
      });
    };
  /** every function of a module but its classes (`fs.Stats`, `net.Socket`, …) */
  const denyAll = (module: Record<string, unknown>, name: string) => {
    for (const key of Object.keys(module)) {
      if (typeof module[key] === 'function' && !/^[A-Z]/.test(key)) {
        module[key] = denied(`${name}.${key}`);
      }
    }
  };
  const fs = require('node:fs') as Record<string, unknown> & { promises: Record<string, unknown> };
  denyAll(fs, 'node:fs');
  denyAll(fs.promises, 'node:fs/promises');
  denyAll(require('node:child_process'), 'node:child_process');
  const net = require('node:net') as typeof import('node:net');
  for (const key of ['connect', 'createConnection', 'createServer'] as const) {
    (net as Record<string, unknown>)[key] = denied(`node:net.${key}`);
  }
  net.Socket.prototype.connect = denied('node:net Socket.connect') as never;
  net.Server.prototype.listen = denied('node:net Server.listen') as never;
  const dgram = require('node:dgram') as Record<string, unknown>;
  dgram.createSocket = denied('node:dgram.createSocket');
  // the ESM views (`import('node:fs')`, as Pyodide has them) follow the CommonJS objects
  syncBuiltinESMExports();
}

await import('../browser/worker.ts');
