import type { Db } from '@lms/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { env, resetEnvForTests } from '../../src/env';
import { getSessionFromHeaders } from '../../src/server/auth';
import {
  type Auth,
  createAuth,
  SIGNUP_CLOSED,
  TOO_MANY_SIGN_INS,
  trustedOrigins,
} from '../../src/server/auth/auth';
import {
  CLIENT_ADDRESS_HEADER,
  clientAddress,
  clientKeyOf,
  parseTrustedProxies,
} from '../../src/server/auth/client-address';
import {
  createBoundedLru,
  createConcurrencyLimiter,
  createFailureLimiter,
} from '../../src/server/auth/rate-limit';
import { callerFor, createTestDb, makeUser } from './helpers';

// every argon2 run (hash or verify) counted while it runs, to see how many run at once
const argon2Runs = vi.hoisted(() => ({ now: 0, max: 0 }));
vi.mock('@lms/db', async (importOriginal) => {
  const real = await importOriginal<typeof import('@lms/db')>();
  const counted =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      argon2Runs.now++;
      argon2Runs.max = Math.max(argon2Runs.max, argon2Runs.now);
      try {
        return await f(...args);
      } finally {
        argon2Runs.now--;
      }
    };
  return {
    ...real,
    hashPassword: counted(real.hashPassword),
    verifyPassword: counted(real.verifyPassword),
  };
});

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
let auth: Auth;
const BASE = 'http://localhost:3000';

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  auth = createAuth({
    db,
    secret: 'test-secret-test-secret-test-secret-1234',
    baseURL: BASE,
    provider: 'sqlite',
    signInPerIpPerMinute: 1000,
    signInPerEmailPer10Min: 1000,
  });
});
afterAll(() => t?.cleanup());

let ipCounter = 1;
function post(a: Auth, path: string, body: unknown, ip = `10.0.0.${ipCounter++ % 250}`) {
  return a.handler(
    new Request(`${BASE}/api/auth${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: BASE, 'x-forwarded-for': ip },
      body: JSON.stringify(body),
    }),
  );
}

function cookieHeader(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

describe('better-auth', () => {
  it('signs up a student with an httpOnly session cookie; the session reaches the tRPC context', async () => {
    const res = await post(auth, '/sign-up/email', {
      email: 'new@example.test',
      password: 'a long password',
      name: 'New',
    });
    expect(res.status).toBe(200);
    expect(((await res.clone().json()) as { token: unknown }).token).toBeNull();
    const setCookie = res.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/session_token=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    const session = await getSessionFromHeaders(new Headers({ cookie: cookieHeader(res) }), auth);
    expect(session?.user).toMatchObject({ email: 'new@example.test', role: 'student' });
    const me = await callerFor(db, session).health.check();
    expect(me.user).toMatchObject({ role: 'student' });
    // the stored hash is argon2id (via @lms/db)
    const account = await db.account.findFirst({ where: { user: { email: 'new@example.test' } } });
    expect(account?.password).toMatch(/^\$argon2id\$/);
  });

  it('the role cannot be chosen at sign-up', async () => {
    const res = await post(auth, '/sign-up/email', {
      email: 'sneaky@example.test',
      password: 'a long password',
      name: 'Sneaky',
      role: 'admin',
    });
    // better-auth drops (or refuses) a field declared input: false; either way no admin
    expect([200, 400]).toContain(res.status);
    const user = await db.user.findUnique({ where: { email: 'sneaky@example.test' } });
    if (res.status === 200) expect(user?.role).toBe('student');
    else expect(user).toBeNull();
    // nor later, through better-auth's update-user endpoint
    if (res.status === 200) {
      const upd = await auth.handler(
        new Request(`${BASE}/api/auth/update-user`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: BASE, cookie: cookieHeader(res) },
          body: JSON.stringify({ role: 'admin' }),
        }),
      );
      expect(upd.status).toBeGreaterThanOrEqual(400);
      expect((await db.user.findUnique({ where: { email: 'sneaky@example.test' } }))?.role).toBe(
        'student',
      );
    }
  });

  it('signs in the seeded kind of user (created by @lms/db) with the same argon2 hashes', async () => {
    const { user } = await makeUser(db, 'instructor', 'teach@example.test');
    const res = await post(auth, '/sign-in/email', {
      email: 'teach@example.test',
      password: 'correct horse battery',
    });
    expect(res.status).toBe(200);
    const body = (await res.clone().json()) as { token: unknown; user: { email: string } };
    expect(body).toMatchObject({ token: null, user: { email: 'teach@example.test' } });
    const session = await getSessionFromHeaders(new Headers({ cookie: cookieHeader(res) }), auth);
    expect(session?.user).toMatchObject({ id: user.id, role: 'instructor' });
  });

  it('unknown email and wrong password get the same answer in similar time', async () => {
    await makeUser(db, 'student', 'known@example.test');
    const wrong = await post(auth, '/sign-in/email', {
      email: 'known@example.test',
      password: 'wrong password!',
    });
    const unknown = await post(auth, '/sign-in/email', {
      email: 'nobody@example.test',
      password: 'wrong password!',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(wrong.status);
    expect(await unknown.json()).toEqual(await wrong.json());

    // timing: both paths run one argon2 (better-auth hashes the password for unknown emails)
    const time = async (email: string) => {
      const t0 = performance.now();
      await post(auth, '/sign-in/email', { email, password: 'wrong password!' });
      return performance.now() - t0;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const nobody: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time('known@example.test'));
      nobody.push(await time('nobody@example.test'));
    }
    const ratio = median(nobody) / median(known);
    console.log(
      `sign-in timing: known ${median(known).toFixed(1)} ms, unknown ${median(nobody).toFixed(1)} ms, ratio ${ratio.toFixed(2)}`,
    );
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(2.5);
  });

  it('sign-in is rate limited per email, with the same answer whether or not it exists', async () => {
    const limited = createAuth({
      db,
      secret: 'test-secret-test-secret-test-secret-1234',
      baseURL: BASE,
      provider: 'sqlite',
      signInPerIpPerMinute: 1000,
      signInPerEmailPer10Min: 3,
    });
    await makeUser(db, 'student', 'target@example.test');
    for (const email of ['target@example.test', 'ghost@example.test']) {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) {
        last = await post(limited, '/sign-in/email', { email, password: 'wrong password!' });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect(await last!.json()).toMatchObject({ message: TOO_MANY_SIGN_INS });
    }
  });

  it('successful sign-ins are never limited per email, and a success clears earlier failures', async () => {
    const limited = createAuth({
      db,
      secret: 'test-secret-test-secret-test-secret-1234',
      baseURL: BASE,
      provider: 'sqlite',
      signInPerIpPerMinute: 1000,
      signInPerEmailPer10Min: 2,
    });
    await makeUser(db, 'student', 'often@example.test');
    const ok = { email: 'often@example.test', password: 'correct horse battery' };
    const bad = { email: 'often@example.test', password: 'wrong password!' };
    const statuses: number[] = [];
    for (const body of [ok, ok, ok, bad, ok, bad, ok, bad, bad, ok]) {
      statuses.push((await post(limited, '/sign-in/email', body)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 401, 200, 401, 200, 401, 401, 429]);
  });

  it('sign-in is rate limited per IP', async () => {
    const limited = createAuth({
      db,
      secret: 'test-secret-test-secret-test-secret-1234',
      baseURL: BASE,
      provider: 'sqlite',
      signInPerIpPerMinute: 2,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await post(
        limited,
        '/sign-in/email',
        { email: `p${i}@example.test`, password: 'x'.repeat(10) },
        '10.9.9.9',
      );
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses.slice(2)).toEqual([429, 429]);
  });

  it('sign-up is refused once an admin switched it off', async () => {
    const admin = await makeUser(db, 'admin');
    await callerFor(db, admin.session).settings.setSignup({ enabled: false });
    const res = await post(auth, '/sign-up/email', {
      email: 'late@example.test',
      password: 'a long password',
      name: 'Late',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ message: SIGNUP_CLOSED });
    expect(await db.user.findUnique({ where: { email: 'late@example.test' } })).toBeNull();
    await callerFor(db, admin.session).settings.setSignup({ enabled: true });
    const again = await post(auth, '/sign-up/email', {
      email: 'late@example.test',
      password: 'a long password',
      name: 'Late',
    });
    expect(again.status).toBe(200);
  });

  it('trusts the local origin under each of its names, and refuses foreign origins', async () => {
    expect(trustedOrigins('http://localhost:3000', [])).toEqual(
      expect.arrayContaining(['http://localhost:3000', 'http://127.0.0.1:3000']),
    );
    expect(trustedOrigins('https://lms.example.org', ['https://a.example.org'])).toEqual([
      'https://lms.example.org',
      'https://a.example.org',
    ]);
    await makeUser(db, 'student', 'origin@example.test');
    const body = JSON.stringify({
      email: 'origin@example.test',
      password: 'correct horse battery',
    });
    const from = (origin: string) =>
      auth.handler(
        new Request(`${BASE}/api/auth/sign-in/email`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin, cookie: 'x=1' },
          body,
        }),
      );
    expect((await from('http://127.0.0.1:3000')).status).toBe(200);
    expect((await from('https://evil.example')).status).toBe(403);
  });

  it('rotating X-Forwarded-For values without TRUSTED_PROXIES still get 429 after the per-address limit', async () => {
    // issue 11 #2: 36 wrong sign-ins, a new header value each, were 36 × 401
    const limited = createAuth({
      db,
      secret: 'test-secret-test-secret-test-secret-1234',
      baseURL: BASE,
      provider: 'sqlite',
      signInPerEmailPer10Min: 1000,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 36; i++) {
      const res = await post(
        limited,
        '/sign-in/email',
        { email: `rot${i}@example.test`, password: 'wrong password!' },
        `198.18.${i}.${i + 1}`,
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(30).fill(401), ...Array(6).fill(429)]);
  });

  it('with TRUSTED_PROXIES the client is the right-most address not a trusted proxy', async () => {
    const limited = createAuth({
      db,
      secret: 'test-secret-test-secret-test-secret-1234',
      baseURL: BASE,
      provider: 'sqlite',
      trustedProxies: ['192.0.2.10', '198.51.100.0/24'],
      signInPerIpPerMinute: 3,
      signInPerEmailPer10Min: 1000,
    });
    // the client writes whatever it likes on the left; the proxies append what they saw
    const via = (forged: string, client: string) =>
      `${forged}, ${client}, 198.51.100.7, 192.0.2.10`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(
        limited,
        '/sign-in/email',
        { email: `tp${i}@example.test`, password: 'wrong password!' },
        via(`6.6.6.${i}`, '203.0.113.5'),
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // another client behind the same proxies has its own count
    const other = await post(
      limited,
      '/sign-in/email',
      { email: 'tp@example.test', password: 'wrong password!' },
      via('203.0.113.5', '203.0.113.6'),
    );
    expect(other.status).toBe(401);
    // the session records that address, not the forged one nor a client-sent internal header
    const { user } = await makeUser(db, 'student', 'proxied@example.test');
    const ok = await limited.handler(
      new Request(`${BASE}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          origin: BASE,
          'x-forwarded-for': via('6.6.6.6', '203.0.113.9'),
          [CLIENT_ADDRESS_HEADER]: '6.6.6.7',
        },
        body: JSON.stringify({ email: 'proxied@example.test', password: 'correct horse battery' }),
      }),
    );
    expect(ok.status).toBe(200);
    const session = await db.session.findFirst({ where: { userId: user.id } });
    expect(session?.ipAddress).toBe('203.0.113.9');
  });

  it("an attacker's failures on the admin's e-mail from one address do not lock the admin out from another", async () => {
    // issue 11 #4: 10 failures for an e-mail blocked it for everyone, right password included
    const limited = createAuth({
      db,
      secret: 'test-secret-test-secret-test-secret-1234',
      baseURL: BASE,
      provider: 'sqlite',
      trustedProxies: ['192.0.2.10'],
    });
    await makeUser(db, 'admin', 'boss@example.test');
    const from = (address: string, password: string) =>
      post(
        limited,
        '/sign-in/email',
        { email: 'boss@example.test', password },
        `${address}, 192.0.2.10`,
      );
    const attacker: number[] = [];
    for (let i = 0; i < 12; i++) attacker.push((await from('203.0.113.66', 'guess!guess')).status);
    expect(attacker).toEqual([...Array(10).fill(401), 429, 429]);
    // the owner, from elsewhere, with the right password
    expect((await from('198.51.100.20', 'correct horse battery')).status).toBe(200);
    // the attacker's address stays blocked for that e-mail, even with the right password
    expect((await from('203.0.113.66', 'correct horse battery')).status).toBe(429);
  });

  it('spraying 60,000 e-mails does not reset an existing failure counter (bounded LRU)', () => {
    const limiter = createFailureLimiter({ max: 10, windowMs: 10 * 60_000 });
    for (let i = 0; i < 10; i++) limiter.fail('203.0.113.66|boss@example.test');
    expect(limiter.blocked('203.0.113.66|boss@example.test')).toBe(true);
    for (let i = 0; i < 60_000; i++) limiter.fail(`203.0.113.66|spray${i}@example.test`);
    expect(limiter.blocked('203.0.113.66|boss@example.test')).toBe(true);

    // the bound: the least recently used key goes, one at a time
    const lru = createBoundedLru<number>(3);
    for (const k of ['a', 'b', 'c']) lru.set(k, 1);
    lru.get('a');
    lru.set('d', 1);
    expect([lru.get('a'), lru.get('b'), lru.get('c'), lru.get('d'), lru.size]).toEqual([
      1,
      undefined,
      1,
      1,
      3,
    ]);
  });

  it('the concurrency limiter: at most N at once per key, a bounded queue, others refused', async () => {
    const slots = createConcurrencyLimiter({ perKey: 2, queuePerKey: 3 });
    let running = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const task = () =>
      new Promise<string>((resolve) => {
        running++;
        most = Math.max(most, running);
        release.push(() => {
          running--;
          resolve('done');
        });
      });
    const a = Array.from({ length: 6 }, () => slots.run('a', task));
    const b = slots.run('b', task); // another client is not held up by 'a'
    expect(await a[5]).toBeUndefined(); // 2 running + 3 waiting: the 6th is refused
    while (release.length) {
      release.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await Promise.all([...a.slice(0, 5), b])).toEqual(Array(6).fill('done'));
    expect(most).toBe(3); // 2 for 'a' + 1 for 'b'
    expect(slots.size).toBe(0);
  });

  it('12 sign-ins at once from one client never run more than 2 argon2s at a time', async () => {
    const limited = createAuth({
      db,
      secret: 'test-secret-test-secret-test-secret-1234',
      baseURL: BASE,
      provider: 'sqlite',
      signInPerIpPerMinute: 1000,
      signInPerEmailPer10Min: 1000,
    });
    argon2Runs.max = 0;
    const statuses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        post(limited, '/sign-in/email', {
          email: i % 2 ? 'known@example.test' : `flood${i}@example.test`,
          password: 'wrong password!',
        }).then((r) => r.status),
      ),
    );
    expect(argon2Runs.max).toBeLessThanOrEqual(2);
    expect(argon2Runs.max).toBeGreaterThan(0);
    for (const status of statuses) expect([401, 429]).toContain(status);
  });

  it('reads the client address only through trusted proxies', () => {
    const none = parseTrustedProxies([]);
    const proxies = parseTrustedProxies(['192.0.2.10', '10.1.0.0/16', '2001:db8:ffff::/48']);
    const xff = (v: string) => new Headers({ 'x-forwarded-for': v });
    expect(clientAddress(xff('203.0.113.5'), none)).toBeNull();
    expect(clientAddress(xff('1.1.1.1, 203.0.113.5, 10.1.2.3, 192.0.2.10'), proxies)).toBe(
      '203.0.113.5',
    );
    expect(clientAddress(xff('::ffff:203.0.113.5, 192.0.2.10'), proxies)).toBe('203.0.113.5');
    expect(clientAddress(xff('[2001:db8:1:2::5]:443, 2001:db8:ffff::1'), proxies)).toBe(
      '2001:db8:1:2::5',
    );
    expect(clientAddress(xff('203.0.113.5:5123, 192.0.2.10'), proxies)).toBe('203.0.113.5');
    expect(clientAddress(xff('10.1.9.9, 192.0.2.10'), proxies)).toBeNull(); // only proxies
    expect(clientAddress(xff('203.0.113.5, not-an-ip, 192.0.2.10'), proxies)).toBeNull();
    expect(clientAddress(new Headers(), proxies)).toBeNull();
    // IPv6 clients are keyed by their /64; unknown clients share one key
    expect(clientKeyOf('2001:db8:1:2::5')).toBe(clientKeyOf('2001:db8:1:2:ffff::9'));
    expect(clientKeyOf('2001:db8:1:2::5')).not.toBe(clientKeyOf('2001:db8:1:3::5'));
    expect(clientKeyOf(null)).toBe(clientKeyOf(null));
    expect(() => parseTrustedProxies(['10.0.0.0/33'])).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseTrustedProxies(['proxy.internal'])).toThrow(/TRUSTED_PROXIES/);
  });

  it('TRUSTED_PROXIES is read from the environment as a list of IPs and CIDRs', () => {
    const saved = process.env.TRUSTED_PROXIES;
    try {
      delete process.env.TRUSTED_PROXIES;
      resetEnvForTests();
      expect(env().TRUSTED_PROXIES).toEqual([]);
      process.env.TRUSTED_PROXIES = '192.0.2.10, 10.0.0.0/8,2001:db8::/32';
      resetEnvForTests();
      expect(env().TRUSTED_PROXIES).toEqual(['192.0.2.10', '10.0.0.0/8', '2001:db8::/32']);
      process.env.TRUSTED_PROXIES = 'proxy.internal';
      resetEnvForTests();
      expect(() => env()).toThrow(/TRUSTED_PROXIES/);
    } finally {
      if (saved === undefined) delete process.env.TRUSTED_PROXIES;
      else process.env.TRUSTED_PROXIES = saved;
      resetEnvForTests();
    }
  });
});
