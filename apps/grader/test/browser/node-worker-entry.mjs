// Worker-thread entry: tsx for the .ts sources, then the Web Worker shim and worker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./node-worker-entry.ts');
