// Entry of the Pyodide host process (`pyodide-node.ts`: a child Node, unprivileged, with the
// JSPI flag when needed): tsx for the .ts sources, then the host.
import { register } from 'tsx/esm/api';

register();
await import('./pyodide-host.ts');
