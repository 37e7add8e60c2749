// Entry of the Pyodide host process (`pyodide-node.ts`, started with the JSPI flag): tsx for
// the .ts sources, then the host.
import { register } from 'tsx/esm/api';

register();
await import('./pyodide-host.ts');
