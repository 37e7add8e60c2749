/**
 * `@lms/grading`: the contract between whoever asks for a grading (the web app, the course
 * doctor) and whoever grades (the server sandbox, the browser's Pyodide). Browser-safe: no
 * Node APIs. The Python harness sources are a separate entry (`@lms/grading/harness`).
 */
export * from './limits.ts';
export * from './messages.ts';
export * from './output.ts';
export * from './pipe.ts';
export * from './protocol.ts';
export * from './queue-contract.ts';
export * from './verdict.ts';
export * from './wrapper.ts';
