/**
 * The Pyodide host: the child Node that `createPyodideHost` (pyodide-node.ts) starts for the
 * pipe's Pyodide engine (with the JSPI flag when needed, code generation from strings off,
 * an empty environment, cwd its private temporary directory, as nobody when the pipe is
 * root). It runs the worker-thread pool and answers grade requests over its IPC channel; it
 * ends when told to, when the channel closes (the parent is gone) or on SIGTERM / SIGINT
 * (e.g. Ctrl-C to the pipe's process group), removing its temporary directory.
 */
import { rmSync } from 'node:fs';
import {
  createPyodidePool,
  type HostAnswer,
  type HostOptions,
  type HostRequest,
} from './pyodide-node.ts';

if (!process.send) throw new Error('pyodide-host.ts runs as a child process with an IPC channel');
const send = (answer: HostAnswer) => process.send?.(answer);
const { dir, ...options } = JSON.parse(process.argv[2] ?? '{}') as HostOptions;
const pool = createPyodidePool({ ...options, log: (text) => process.stderr.write(text) });

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await pool.close();
  // the parent removes it too; this is for a parent killed with SIGKILL
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
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
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown());
send({ type: 'booted' });
