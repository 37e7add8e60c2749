/**
 * Structured logs of the grader's long-running modes (`serve`, `worker`): one JSON object per
 * line, `{time, level, service: "grader", pid, msg, …fields}` — the same shape as the web's
 * (apps/web/src/server/log.ts), so one shipper reads both and a `requestId` joins the web
 * request, the grading job and the verdict. Info on stdout, warnings and errors on stderr.
 */
export type LogLevel = 'info' | 'warn' | 'error';

export function formatLogLine(
  level: LogLevel,
  msg: string,
  fields: Record<string, unknown> = {},
  now: Date = new Date(),
): string {
  const entry: Record<string, unknown> = {
    time: now.toISOString(),
    level,
    service: 'grader',
    pid: process.pid,
    msg,
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) entry[key] = value instanceof Error ? value.message : value;
  }
  return JSON.stringify(entry);
}

const RANK: Record<LogLevel, number> = { info: 0, warn: 1, error: 2 };

/** `LMS_LOG_LEVEL` (info, warn or error; default info), as the web's: lines below it are dropped. */
function threshold(): number {
  // biome-ignore lint/style/noProcessEnv: read at each line, like the web's log.ts
  const wanted = process.env.LMS_LOG_LEVEL;
  return wanted && Object.hasOwn(RANK, wanted) ? RANK[wanted as LogLevel] : 0;
}

function write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
  if (RANK[level] < threshold()) return;
  const line = `${formatLogLine(level, msg, fields)}\n`;
  (level === 'info' ? process.stdout : process.stderr).write(line);
}

export const log = {
  /** an info line written at any LMS_LOG_LEVEL (the start line others wait for) */
  always: (msg: string, fields?: Record<string, unknown>) =>
    process.stdout.write(`${formatLogLine('info', msg, fields)}\n`),
  info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
};
