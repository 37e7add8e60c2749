#!/usr/bin/env node
// The web app's own server (what `npm start` runs instead of `next start`): Next's request
// handler behind a plain Node HTTP server that tells the app which socket each request came
// from. Next's route handlers cannot see the socket, and `next start` passes on whatever
// X-Forwarded-For a client sends, so without this a client could pick its own address for the
// sign-in limits. The header is always overwritten here; the app trusts it only when this
// server started it: the value carries a secret made afresh by this process (an environment
// copied from a running deployment into a bare `next start` cannot make a forged one count).
import { randomBytes } from 'node:crypto';
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
// the start-up check of the app reads where it listens from HOST
process.env.HOST = hostname;
const secret = randomBytes(24).toString('hex');
process.env.LMS_SOCKET_ADDRESS_SECRET = secret;
const { default: next } = await import('next');
const app = next({ dev: false, dir: dirname(fileURLToPath(import.meta.url)), hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  req.headers[SOCKET_HEADER] = `${secret} ${req.socket.remoteAddress ?? ''}`;
  handle(req, res).catch((error) => {
    console.error(`web: ${req.method} ${req.url}: ${error?.stack ?? error}`);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.listen(port, hostname, () => {
  console.log(`▲ Ready on http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    // open event streams (attempt.watch) would hold the close forever
    server.closeAllConnections();
  });
}
