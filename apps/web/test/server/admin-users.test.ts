// The admins' people procedures (admin.users.*) against a real better-auth over the same
// database: search and paging, a role change (audited), deactivation that ends the sessions at
// once and refuses sign-in (and reactivation), and a reset link that better-auth's own
// /reset-password redeems once.
import { type Db, getUserByEmail } from '@lms/db';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSessionFromHeaders } from '../../src/server/auth';
import { ACCOUNT_DISABLED, type Auth, createAuth } from '../../src/server/auth/auth';
import { callerFor, createTestDb, makeUser } from './helpers';

const BASE = 'http://localhost:3000';
const PASSWORD = 'correct horse battery';

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
let auth: Auth;
let admin: ReturnType<typeof callerFor>;
let adminId: string;

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
  const a = await makeUser(db, 'admin', 'boss@example.test');
  adminId = a.user.id;
  admin = callerFor(db, a.session);
}, 60_000);
afterAll(() => t?.cleanup());

function post(path: string, body: unknown) {
  return auth.handler(
    new Request(`${BASE}/api/auth${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: BASE },
      body: JSON.stringify(body),
    }),
  );
}
const signIn = (email: string, password = PASSWORD) => post('/sign-in/email', { email, password });
const cookieOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

async function refusal(p: Promise<unknown>) {
  try {
    await p;
    return null;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { code: error.code, message: error.message };
  }
}

describe('admin.users', () => {
  it('lists users a page at a time and searches e-mail and name', async () => {
    for (let i = 0; i < 5; i++) await makeUser(db, 'student', `pupil${i}@school.test`);
    const first = await admin.admin.users.list({ query: 'school.test', page: 1, pageSize: 2 });
    expect(first.total).toBe(5);
    expect(first.users.map((u) => u.email)).toEqual(['pupil0@school.test', 'pupil1@school.test']);
    const last = await admin.admin.users.list({ query: 'SCHOOL', page: 3, pageSize: 2 });
    expect(last.users.map((u) => u.email)).toEqual(['pupil4@school.test']);
    const byName = await admin.admin.users.list({ query: 'admin user', role: 'admin' });
    expect(byName.users.map((u) => u.email)).toEqual(['boss@example.test']);
  });

  it('changes a role, audited; an admin cannot change their own', async () => {
    const { user } = await makeUser(db, 'student', 'promoted@example.test');
    const changed = await admin.admin.users.setRole({ userId: user.id, role: 'instructor' });
    expect(changed.role).toBe('instructor');
    const log = await admin.admin.audit({ action: 'user.role' });
    expect(log.entries[0]).toMatchObject({
      action: 'user.role',
      target: user.id,
      actor: { id: adminId },
      payload: { from: 'student', to: 'instructor' },
    });
    expect(await refusal(admin.admin.users.setRole({ userId: adminId, role: 'student' }))).toEqual({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('your own role'),
    });
  });

  it('deactivation ends the sessions at once and refuses sign-in; reactivation lets them in', async () => {
    const { user } = await makeUser(db, 'student', 'leaver@example.test');
    const res = await signIn(user.email);
    expect(res.status).toBe(200);
    const headers = new Headers({ cookie: cookieOf(res) });
    expect((await getSessionFromHeaders(headers, auth))?.user.id).toBe(user.id);

    const off = await admin.admin.users.setActive({ userId: user.id, active: false });
    expect(off.disabledAt).toBeInstanceOf(Date);
    // the same cookie, still inside its 60 s cache: no session any more
    expect(await getSessionFromHeaders(headers, auth)).toBeNull();
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
    const refused = await signIn(user.email);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toBe(ACCOUNT_DISABLED);
    // a wrong password still answers as for anyone (no hint that the account exists)
    expect((await signIn(user.email, 'wrong password')).status).toBe(401);
    expect(
      (await admin.admin.users.list({ status: 'disabled' })).users.map((u) => u.email),
    ).toEqual(['leaver@example.test']);

    await admin.admin.users.setActive({ userId: user.id, active: true });
    expect((await signIn(user.email)).status).toBe(200);
    const actions = (await admin.admin.audit({ action: 'user.' })).entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.disable', 'user.enable']));
    expect(
      await refusal(admin.admin.users.setActive({ userId: adminId, active: false })),
    ).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it("a reset link is redeemed once by better-auth's /reset-password; the new password signs in", async () => {
    const { user } = await makeUser(db, 'student', 'forgetful@example.test');
    const link = await admin.admin.users.resetLink({ userId: user.id });
    expect(link.email).toBe(user.email);
    expect(link.expiresAt.getTime()).toBeGreaterThan(Date.now());
    const token = new URL(link.path, BASE).searchParams.get('token');
    expect(token).toBeTruthy();
    const reset = await post('/reset-password', { token, newPassword: 'a brand new password' });
    expect(reset.status).toBe(200);
    expect((await signIn(user.email)).status).toBe(401);
    expect((await signIn(user.email, 'a brand new password')).status).toBe(200);
    const again = await post('/reset-password', { token, newPassword: 'yet another password' });
    expect(again.status).toBe(400);
    // the audit entry has no token in it
    const entry = (await admin.admin.audit({ action: 'user.passwordReset' })).entries[0];
    expect(JSON.stringify(entry)).not.toContain(token!);
    expect(await getUserByEmail(db, user.email)).not.toBeNull();
  });

  it('unknown users are NOT_FOUND', async () => {
    expect(await refusal(admin.admin.users.resetLink({ userId: 'nobody' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(
      await refusal(admin.admin.users.setActive({ userId: 'nobody', active: false })),
    ).toMatchObject({ code: 'NOT_FOUND' });
  });
});
