/**
 * The Pyodide host: a child Node that `createPyodideHost` (pyodide-node.ts) starts with the
 * JSPI flag when the pipe's own Node lacks it. It runs the worker-thread pool and answers
 * grade requests over its IPC channel; it ends when told to, or when the channel closes (the
 * parent is gone).
 */
import {
  createPyodidePool,
  type HostAnswer,
  type HostOptions,
  type HostRequest,
} from './pyodide-node.ts';

if (!process.send) throw new Error('pyodide-host.ts runs as a child process with an IPC channel');
const send = (answer: HostAnswer) => process.send?.(answer);
const options = JSON.parse(process.argv[2] ?? '{}') as HostOptions;
const pool = createPyodidePool({ ...options, log: (text) => process.stderr.write(text) });

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await pool.close();
  process.disconnect?.();
  process.exit(0);
}

process.on('message', (message: HostRequest) => {
  if (message.type === 'close') {
    void shutdown();
    return;
  }
  const { id, request } = message;
  pool.grade(request).then(
    (result) => send({ type: 'result', id, result }),
    (error: unknown) =>
      send({ type: 'error', id, message: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => void shutdown());
