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

function write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
  const line = `${formatLogLine(level, msg, fields)}\n`;
  (level === 'info' ? process.stdout : process.stderr).write(line);
}

export const log = {
  info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
};
