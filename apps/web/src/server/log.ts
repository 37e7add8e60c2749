import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Structured logs of the web process: one JSON object per line on stdout (errors on stderr),
 * `{time, level, service: "web", pid, msg, requestId?, …fields}`, for a log shipper to read.
 *
 * The request id: `apps/web/server.mjs` gives every HTTP request one (the `x-request-id` a
 * trusted proxy sent, else a fresh one), answers it in `x-request-id` and runs Next's handler
 * inside `requestScope()` with it. Everything that request starts — a procedure, the dispatch
 * of its final check to the queue — reads it here (`currentRequestId()`), so the job carries it
 * to the grader's log line and back into the verdict's (grader/queue.ts).
 */

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

type RequestScope = { requestId: string };

/**
 * One store per process, shared by server.mjs (outside Next's bundle) and the app's modules
 * (inside it): kept on globalThis under a fixed name.
 */
const g = globalThis as unknown as { __lmsRequestScope?: AsyncLocalStorage<RequestScope> };

export function requestScope(): AsyncLocalStorage<RequestScope> {
  g.__lmsRequestScope ??= new AsyncLocalStorage<RequestScope>();
  return g.__lmsRequestScope;
}

/** The id of the HTTP request this code runs for, if any (background work has none). */
export function currentRequestId(): string | undefined {
  return requestScope().getStore()?.requestId;
}

/** `fn` with `requestId` as the current request id (tests, work started outside a request). */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requestScope().run({ requestId }, fn);
}

/** An id a client or proxy sent is kept only when it is short and plain (it ends up in logs). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,80}$/;

/** The JSON line of one event (exported for tests). Errors become their message. */
export function formatLogLine(
  level: LogLevel,
  msg: string,
  fields: LogFields = {},
  now: Date = new Date(),
): string {
  const requestId = fields.requestId ?? currentRequestId();
  const entry: LogFields = {
    time: now.toISOString(),
    level,
    service: 'web',
    pid: process.pid,
    msg,
    ...(requestId === undefined ? {} : { requestId }),
  };
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'requestId' || value === undefined) continue;
    entry[key] = value instanceof Error ? value.message : value;
  }
  return JSON.stringify(entry);
}

const RANK: Record<LogLevel, number> = { info: 0, warn: 1, error: 2 };

/**
 * `LMS_LOG_LEVEL` (info, warn or error; default info): lines below it are not written. Read
 * here, not through env.ts: server.mjs logs with this module before the app's env is parsed.
 */
function threshold(): number {
  // biome-ignore lint/style/noProcessEnv: see above
  const wanted = process.env.LMS_LOG_LEVEL;
  return wanted && Object.hasOwn(RANK, wanted) ? RANK[wanted as LogLevel] : 0;
}

function write(level: LogLevel, msg: string, fields?: LogFields): void {
  if (RANK[level] < threshold()) return;
  const line = `${formatLogLine(level, msg, fields)}\n`;
  if (level === 'error' || level === 'warn') process.stderr.write(line);
  else process.stdout.write(line);
}

export const log = {
  info: (msg: string, fields?: LogFields) => write('info', msg, fields),
  warn: (msg: string, fields?: LogFields) => write('warn', msg, fields),
  error: (msg: string, fields?: LogFields) => write('error', msg, fields),
};
