// Runs src/browser/worker.ts in a Node worker thread: gives it the Web Worker globals it uses.
import { parentPort } from 'node:worker_threads';

if (!parentPort) throw new Error('node-worker-entry.ts must run in a worker thread');
const port = parentPort;
const scope = globalThis as unknown as Record<string, unknown>;
scope.postMessage = (message: unknown, transfer?: ArrayBuffer[]) =>
  port.postMessage(message, transfer);
scope.addEventListener = (type: string, listener: (event: { data: unknown }) => void) => {
  if (type === 'message') port.on('message', (data) => listener({ data }));
};

// Cache Storage for the memory snapshot, in a directory the test process owns, so that a
// respawned worker starts from the snapshot as it would in a browser.
const snapshotDir = process.env.LMS_TEST_SNAPSHOT_DIR;
if (snapshotDir) {
  const { createHash } = await import('node:crypto');
  const { readFile, rm, writeFile } = await import('node:fs/promises');
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
        await writeFile(fileOf(url), new Uint8Array(await response.arrayBuffer()));
      },
      keys: async () => [],
      delete: async (url: string) => {
        await rm(fileOf(url), { force: true });
        return true;
      },
    }),
  };
}

await import('../../src/browser/worker.ts');
