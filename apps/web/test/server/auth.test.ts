import type { Db } from '@lms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSessionFromHeaders } from '../../src/server/auth';
import {
  type Auth,
  createAuth,
  SIGNUP_CLOSED,
  TOO_MANY_SIGN_INS,
  trustedOrigins,
} from '../../src/server/auth/auth';
import { callerFor, createTestDb, makeUser } from './helpers';

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
});
