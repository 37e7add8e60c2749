// A small reverse proxy for the one-machine try-out of scripts/start-cluster.mjs: one public
// port in front of N web instances, round-robin over those whose /api/readyz answers 200
// (checked every second; when none does, over all of them). No proxy library is installed in the workspace (http-proxy is not),
// so this is Node's http with a plain round-robin; in production put nginx, HAProxy or a
// cloud load balancer there (README "Running at scale").
//
// - X-Forwarded-For gets the client's socket address appended (the web believes it only from
//   TRUSTED_PROXIES, here 127.0.0.1);
// - a request whose backend refuses the connection (it died, or is restarting) is sent to the
//   next one: the backend never saw it, so even a POST is safe to send again. The body is
//   buffered (up to 2 MiB) for that. A backend that fails mid-answer is not retried (it may
//   have acted on the request): the client gets 502. A GET whose kept-alive connection was
//   reset is sent again too (the backend had closed an idle socket); a POST never rides a
//   kept-alive connection, so its reset means the backend may have acted on it: 502 (the chaos
//   run of bench/load once found a final check stored twice when a killed instance's reset
//   POST was sent to the other one);
// - responses stream through (Server-Sent Events of attempt.watch included);
// - /api/metrics is refused (404): metrics are scraped from each instance's own port.
import { Agent, createServer, request as httpRequest } from 'node:http';

const MAX_BUFFERED_BODY = 2 * 1024 * 1024;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * @param {{ backends: Array<{ name: string, host: string, port: number }>, log?: (line: string) => void,
 *   healthPath?: string, healthEveryMs?: number }} options
 */
export function createRoundRobinProxy(options) {
  const log = options.log ?? (() => {});
  const healthPath = options.healthPath ?? '/api/readyz';
  const backends = options.backends.map((b) => ({ ...b, ready: false, inFlight: 0 }));
  // GET and HEAD: Node's global agent (keep-alive by default since Node 19); anything else on
  // a connection of its own, so that a reset can only mean the backend got it
  const freshConnection = new Agent({ keepAlive: false });
  const idempotent = (method) => method === 'GET' || method === 'HEAD';
  let turn = 0;
  let timer;

  function probe(backend) {
    const req = httpRequest(
      { host: backend.host, port: backend.port, path: healthPath, method: 'GET', timeout: 3_000 },
      (res) => {
        res.resume();
        const ready = res.statusCode === 200;
        if (ready !== backend.ready)
          log(`${backend.name} ${ready ? 'ready' : `not ready (${res.statusCode})`}`);
        backend.ready = ready;
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      if (backend.ready) log(`${backend.name} not ready (no answer)`);
      backend.ready = false;
    });
    req.end();
  }

  /**
   * The next ready backend after the ones already tried. When none is ready (a shared
   * dependency is down for all of them, e.g. Redis restarting, or every readiness probe timed
   * out on a saturated machine), the next untried one anyway: it may still serve pages, and
   * a refused connection moves on (fail open rather than answer 503 for everything).
   * Every backend tried: null.
   */
  function pick(tried) {
    for (const wantReady of [true, false]) {
      for (let i = 0; i < backends.length; i++) {
        const b = backends[(turn + i) % backends.length];
        if ((b.ready || !wantReady) && !tried.has(b)) {
          turn = (turn + i + 1) % backends.length;
          return b;
        }
      }
    }
    return null;
  }

  function forward(req, res, body, tried) {
    const path = (req.url ?? '/').split('?')[0];
    const backend = pick(tried);
    if (!backend) {
      if (!res.headersSent) {
        res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '2' });
      }
      res.end('no web instance answers\n');
      return;
    }
    tried.add(backend);
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
    const client = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = req.headers['x-forwarded-for']
      ? `${req.headers['x-forwarded-for']}, ${client}`
      : client;
    headers['x-forwarded-host'] = req.headers.host ?? '';
    if (body) headers['content-length'] = String(body.length);
    backend.inFlight++;
    let answered = false;
    const upstream = httpRequest(
      {
        host: backend.host,
        port: backend.port,
        method: req.method,
        path: req.url,
        headers,
        ...(idempotent(req.method) ? {} : { agent: freshConnection }),
      },
      (up) => {
        answered = true;
        const out = {};
        for (const [k, v] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
        res.writeHead(up.statusCode ?? 502, out);
        up.pipe(res);
        up.on('error', () => res.destroy());
        up.on('close', () => backend.inFlight--);
      },
    );
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.on('error', (error) => {
      if (answered) return;
      backend.inFlight--;
      // the backend never read it: refused (down, restarting), or a kept-alive socket the
      // backend had already closed. Mark it down until its readiness says otherwise, and send
      // the request to the next one
      if (
        error.code === 'ECONNREFUSED' ||
        (error.code === 'ECONNRESET' && upstream.reusedSocket && idempotent(req.method))
      ) {
        if (error.code === 'ECONNREFUSED') backend.ready = false;
        log(`${backend.name}: ${error.code}; ${req.method} ${path} sent to another instance`);
        forward(req, res, body, tried);
        return;
      }
      backend.ready = false;
      log(`${backend.name}: ${req.method} ${req.url}: ${error.message}`);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway\n');
    });
    upstream.end(body ?? undefined);
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/api/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('metrics are served on each instance, not through the proxy\n');
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BUFFERED_BODY) {
        res.writeHead(413, { 'content-type': 'text/plain' });
        res.end('request body over 2 MiB\n');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      forward(req, res, chunks.length ? Buffer.concat(chunks) : null, new Set());
    });
  });

  return {
    server,
    backends,
    /** starts the health checks and listens */
    listen(port, host) {
      for (const b of backends) probe(b);
      timer = setInterval(() => {
        for (const b of backends) probe(b);
      }, options.healthEveryMs ?? 1_000);
      timer.unref();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve(server.address()));
      });
    },
    close() {
      clearInterval(timer);
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
