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
await import('../../src/browser/worker.ts');
