/**
 * The Python harness for an engine that loads it itself (Pyodide): write every file of
 * `HARNESS_SOURCES` into one directory, put it on `sys.path`, then
 * `import lms_runner, lms_checks`. Browser-safe (no Node APIs).
 */
export { HARNESS_SOURCES, type HarnessFileName } from './harness.gen.ts';
