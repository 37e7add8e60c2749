// Worker-thread entry of the pipe's Pyodide engine (`pyodide-node.ts`): tsx for the .ts
// sources (a worker thread does not inherit the parent's loader), then the Web Worker shim.
import { register } from 'tsx/esm/api';

register();
await import('./pyodide-worker.ts');
