// scripts/lib/round-robin-proxy.mjs, the proxy of `npm run start:cluster`: a request that a
// web instance may have acted on is never sent to another one (bench/load's chaos run found
// a final check stored twice when a killed instance's reset POST was re-sent); one it never
// saw (connection refused) is.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRoundRobinProxy } from '../../../../scripts/lib/round-robin-proxy.mjs';
import { freePort } from './helpers';

type Backend = { name: string; server: Server; port: number; seen: string[] };

async function backend(
  name: string,
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<Backend> {
  const seen: string[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.url === '/api/readyz') {
      res.writeHead(200).end('ok');
      return;
    }
    seen.push(`${req.method} ${req.url} ${body}`);
    handle(req, body, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { name, server, port: (server.address() as AddressInfo).port, seen };
}

const opened: Array<{ close(): Promise<void> } | Server> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    if ('closeAllConnections' in o) {
      o.closeAllConnections();
      await new Promise((r) => o.close(() => r(undefined)));
    } else await o.close();
  }
});

async function proxyFor(backends: Array<{ name: string; port: number }>) {
  const proxy = createRoundRobinProxy({
    backends: backends.map((b) => ({ name: b.name, host: '127.0.0.1', port: b.port })),
    healthEveryMs: 60_000,
  });
  const port = await freePort();
  await proxy.listen(port, '127.0.0.1');
  opened.push(proxy);
  // the first health probe has answered for every live backend
  await expect
    .poll(() => proxy.backends.filter((b) => b.ready).length)
    .toBe(backends.filter((b) => !('dead' in b)).length);
  return `http://127.0.0.1:${port}`;
}

describe('the try-out proxy of start:cluster', () => {
  it('a POST whose instance dies while handling it gets 502 and is not sent to another', async () => {
    // a dies after reading the request (as a kill -9 mid-request), b would answer
    const a = await backend('a', (req) => req.socket.destroy());
    const b = await backend('b', (_req, _body, res) => res.writeHead(200).end('stored'));
    opened.push(a.server, b.server);
    const base = await proxyFor([a, b]);
    // round robin: send until the POST lands on a (at most twice)
    let status = 0;
    for (let i = 0; i < 2 && a.seen.length === 0; i++) {
      const res = await fetch(`${base}/api/trpc/attempt.submit`, {
        method: 'POST',
        body: `try-${i}`,
      });
      status = res.status;
      await res.text();
    }
    expect(a.seen).toHaveLength(1);
    expect(status).toBe(502);
    // what reached a was never sent on to b
    const sentToA = a.seen[0]?.split(' ').at(-1);
    expect(b.seen.some((line) => line.endsWith(` ${sentToA}`))).toBe(false);
  });

  it('a POST whose instance refuses the connection goes to the next one', async () => {
    const b = await backend('b', (_req, body, res) => res.writeHead(200).end(`stored ${body}`));
    opened.push(b.server);
    const deadPort = await freePort(); // nothing listens there
    const base = await proxyFor([{ name: 'a', port: deadPort, dead: true } as never, b]);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/api/trpc/attempt.submit`, { method: 'POST', body: `n${i}` });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`stored n${i}`);
    }
    expect(b.seen).toHaveLength(2);
  });
});
