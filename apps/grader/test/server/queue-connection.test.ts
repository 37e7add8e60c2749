import { type AddressInfo, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startGradeWorker, workerConnection } from '../../src/server/queue.ts';
import type { GradeService } from '../../src/server/service.ts';

// issue 11, finding 11: the worker reads REDIS_URL as the web does (@lms/grading's
// redisConnection): rediss:// is TLS, user/password/db are honoured. No TLS Redis here: the
// options are checked, and what the worker sends first on the wire.

/** A listener that records what each client sends first (300 ms), then hangs up. */
async function captureServer() {
  const firstBytes: Buffer[] = [];
  const server = createServer((socket) => {
    let got = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
    });
    socket.on('error', () => {});
    setTimeout(() => {
      firstBytes.push(got);
      socket.destroy();
    }, 300);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { port, firstBytes, close: () => new Promise((r) => server.close(r)) };
}

/** What a worker started on `url(port)` sends first. */
async function workerSends(url: (port: number) => string): Promise<Buffer> {
  const capture = await captureServer();
  // no job ever arrives: the service is never called
  const worker = startGradeWorker({} as GradeService, {
    redisUrl: url(capture.port),
    concurrency: 1,
    log: () => {},
  });
  try {
    await expect.poll(() => capture.firstBytes.length).toBeGreaterThan(0);
    return capture.firstBytes[0]!;
  } finally {
    await worker.close(true);
    await capture.close();
  }
}

describe('worker Redis connection from REDIS_URL', () => {
  it('rediss:// is TLS; user, password (percent-decoded) and db are passed to ioredis', () => {
    expect(workerConnection('rediss://grader:p%40ss@redis.example.net:6380/4')).toMatchObject({
      host: 'redis.example.net',
      port: 6380,
      username: 'grader',
      password: 'p@ss',
      db: 4,
      tls: {},
      // a worker blocks on Redis and waits out any outage
      maxRetriesPerRequest: null,
    });
    const plain = workerConnection('redis://127.0.0.1:6379');
    expect(plain).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0 });
    expect(plain).not.toHaveProperty('tls');
    expect(plain).not.toHaveProperty('password');
  });

  it('on the wire: rediss:// starts a TLS handshake; redis:// sends AUTH and SELECT', async () => {
    // a TLS record of type handshake (22), not a RESP command
    expect((await workerSends((port) => `rediss://127.0.0.1:${port}`))[0]).toBe(0x16);
    const plain = (
      await workerSends((port) => `redis://grader:s3cret@127.0.0.1:${port}/5`)
    ).toString();
    expect(plain).toMatch(/\$4\r\nauth\r\n\$6\r\ngrader\r\n\$6\r\ns3cret\r\n/i);
    expect(plain).toMatch(/\$6\r\nselect\r\n\$1\r\n5\r\n/i);
  });
});
