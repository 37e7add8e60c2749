/**
 * The browser's Pyodide worker (`../browser/worker.ts`) in a Node worker thread: this gives it
 * the Web Worker globals it uses (postMessage, addEventListener) and, when the pool names a
 * directory, the Cache Storage it keeps its memory snapshot in, so that a replaced worker
 * starts from the snapshot as it would in a browser. Started by `pyodide-node.ts`.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { parentPort, threadId, workerData } from 'node:worker_threads';

if (!parentPort) throw new Error('pyodide-worker.ts must run in a worker thread');
const port = parentPort;
const scope = globalThis as unknown as Record<string, unknown>;
scope.postMessage = (message: unknown, transfer?: ArrayBuffer[]) =>
  port.postMessage(message, transfer);
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

await import('../browser/worker.ts');
