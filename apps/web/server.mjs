#!/usr/bin/env node
// The web app's own server (what `npm start` runs instead of `next start`): Next's request
// handler behind a plain Node HTTP server that tells the app which socket each request came
// from. Next's route handlers cannot see the socket, and `next start` passes on whatever
// X-Forwarded-For a client sends, so without this a client could pick its own address for the
// sign-in limits. The header is always overwritten here; the app trusts it only when this
// server started it: the value carries a secret made afresh by this process (an environment
// copied from a running deployment into a bare `next start` cannot make a forged one count).
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOCKET_HEADER = 'x-lms-socket-address';
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST || '127.0.0.1';

// it needs no privilege: `npm start` (scripts/start.mjs) runs it as an unprivileged user
if (process.getuid?.() === 0) {
  console.warn(
    'web: running as root; scripts/start.mjs runs the web server as an unprivileged user (LMS_WEB_USER)',
  );
}

process.env.NODE_ENV = 'production';
// what `next start` sets (next/dist/bin/next) and src/instrumentation.ts checks before its
// start-up work (the refusals, the recovery of pending attempts, metrics, the drain): without
// it, under this server, register() returned at once and none of that ran
process.env.NEXT_RUNTIME = 'nodejs';
// the start-up check of the app reads where it listens from HOST
process.env.HOST = hostname;
const secret = randomBytes(24).toString('hex');
process.env.LMS_SOCKET_ADDRESS_SECRET = secret;
const { default: next } = await import('next');
const app = next({ dev: false, dir: dirname(fileURLToPath(import.meta.url)), hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

// Structured logs (src/server/log.ts writes the same shape from inside the app): one JSON
// line per event. Every request gets an id (a proxy's x-request-id when plain, else a fresh
// one), answered in x-request-id and kept in an AsyncLocalStorage the app reads
// (currentRequestId): a final check's job carries it to the grader and back.
// LMS_LOG_LEVEL=warn|error drops the info lines (the access log among them), as in log.ts
const quietInfo = ['warn', 'error'].includes(process.env.LMS_LOG_LEVEL ?? '');
const jsonLog = (level, msg, fields = {}) => {
  if (level === 'info' && quietInfo) return;
  (level === 'info' ? process.stdout : process.stderr).write(
    `${JSON.stringify({ time: new Date().toISOString(), level, service: 'web', pid: process.pid, msg, ...fields })}\n`,
  );
};
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,80}$/;
globalThis.__lmsRequestScope ??= new AsyncLocalStorage();
const requestScope = globalThis.__lmsRequestScope;
const QUIET = /^\/(_next|pyodide)\/|^\/favicon/; // static files: timed, not logged

const server = createServer((req, res) => {
  req.headers[SOCKET_HEADER] = `${secret} ${req.socket.remoteAddress ?? ''}`;
  const sent = req.headers['x-request-id'];
  const requestId = typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
  req.headers['x-request-id'] = requestId;
  res.setHeader('x-request-id', requestId);
  const started = process.hrtime.bigint();
  res.once('close', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const path = req.url ?? '/';
    // src/server/metrics.ts, installed at start-up (instrumentation.ts)
    globalThis.__lmsObserveHttp?.(req.method ?? 'GET', path, res.statusCode, seconds);
    if (!QUIET.test(path))
      jsonLog('info', 'http', {
        requestId,
        method: req.method,
        path: path.split('?')[0],
        status: res.statusCode,
        ms: Math.round(seconds * 1000),
        ...(res.writableFinished ? {} : { aborted: true }),
      });
  });
  requestScope.run({ requestId }, () =>
    handle(req, res).catch((error) => {
      jsonLog('error', 'request failed', {
        requestId,
        method: req.method,
        path: req.url,
        error: String(error?.stack ?? error),
      });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }),
  );
});
server.listen(port, hostname, () => {
  console.log(`▲ Ready on http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`);
});
// Graceful stop: no new connections, readiness says draining (src/server/lifecycle.ts), the
// requests under way finish, event streams (attempt.watch, which would hold the close forever)
// are cut after a few seconds, gradings this process runs get the grace to store their
// verdicts (the rest stay queued in the database for the next start); then exit.
const graceMs = Number(process.env.LMS_SHUTDOWN_GRACE_MS ?? 20_000) || 20_000;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    globalThis.__lmsDraining = true;
    jsonLog('info', 'stopping', { signal, graceMs });
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), Math.min(5_000, graceMs)).unref();
    setTimeout(() => process.exit(1), graceMs + 5_000).unref();
    Promise.allSettled([closed, globalThis.__lmsDrain?.(graceMs)]).then(() => {
      jsonLog('info', 'stopped', { signal });
      process.exit(0);
    });
  });
}
