import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Db } from '../client.ts';
import { DbError, isUniqueViolation } from '../errors.ts';
import type { Prisma } from '../generated/sqlite/client.ts';
import { hashPassword, verifyPassword } from '../password.ts';
import { USER_ROLES, type UserRole } from '../types.ts';
import { TX_OPTIONS } from './attempts.ts';
import { audit, type DbOrTx } from './audit.ts';

export const userSelect = {
  id: true,
  name: true,
  email: true,
  role: true,
  emailVerified: true,
  createdAt: true,
} satisfies Prisma.UserSelect;
type UserRow = Prisma.UserGetPayload<{ select: typeof userSelect }>;
export type UserSummary = Omit<UserRow, 'role'> & { role: UserRole };

export function asRole(role: string): UserRole {
  return (USER_ROLES as readonly string[]).includes(role) ? (role as UserRole) : 'student';
}
const toUser = (u: UserRow): UserSummary => ({ ...u, role: asRole(u.role) });

export function assertRole(role: string): asserts role is UserRole {
  if (!(USER_ROLES as readonly string[]).includes(role)) {
    throw new DbError('INVALID', `role must be one of ${USER_ROLES.join(', ')}; got "${role}"`);
  }
}

const normalizeEmail = (email: string) => email.trim().toLowerCase();

/**
 * Creates a user with a better-auth credential account (providerId "credential", accountId =
 * user id, argon2id password hash) — the same rows better-auth's email sign-up writes.
 */
export async function createUser(
  db: DbOrTx,
  input: {
    email: string;
    name: string;
    role?: UserRole;
    password?: string;
    emailVerified?: boolean;
  },
): Promise<UserSummary> {
  const role = input.role ?? 'student';
  assertRole(role);
  const email = normalizeEmail(input.email);
  if (!/^[^@\s]+@[^@\s]+$/.test(email))
    throw new DbError('INVALID', `not an email address: "${input.email}"`);
  const password = input.password === undefined ? undefined : await hashPassword(input.password);
  try {
    const user = await db.user.create({
      data: { email, name: input.name, role, emailVerified: input.emailVerified ?? false },
      select: userSelect,
    });
    if (password) {
      await db.account.create({
        data: { userId: user.id, accountId: user.id, providerId: 'credential', password },
      });
    }
    return toUser(user);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new DbError('CONFLICT', `a user with email ${email} already exists`);
    throw error;
  }
}

/** Replaces (or creates) the user's credential password. */
export async function setPassword(db: DbOrTx, userId: string, plain: string): Promise<void> {
  const password = await hashPassword(plain);
  const existing = await db.account.findFirst({
    where: { userId, providerId: 'credential' },
    select: { id: true },
  });
  if (existing) await db.account.update({ where: { id: existing.id }, data: { password } });
  else
    await db.account.create({
      data: { userId, accountId: userId, providerId: 'credential', password },
    });
}

export async function getUserById(db: DbOrTx, id: string): Promise<UserSummary | null> {
  const u = await db.user.findUnique({ where: { id }, select: userSelect });
  return u ? toUser(u) : null;
}

export async function getUserByEmail(db: DbOrTx, email: string): Promise<UserSummary | null> {
  const u = await db.user.findUnique({
    where: { email: normalizeEmail(email) },
    select: userSelect,
  });
  return u ? toUser(u) : null;
}

export async function listUsers(
  db: DbOrTx,
  options: { role?: UserRole; limit?: number; offset?: number } = {},
): Promise<UserSummary[]> {
  const rows = await db.user.findMany({
    where: options.role ? { role: options.role } : {},
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: Math.min(options.limit ?? 500, 5000),
    skip: options.offset ?? 0,
    select: userSelect,
  });
  return rows.map(toUser);
}

/** Changes a user's role and writes an audit entry `user.role`. */
export async function setUserRole(
  db: DbOrTx,
  input: { userId: string; role: UserRole; actorId: string | null },
): Promise<UserSummary> {
  assertRole(input.role);
  const before = await db.user.findUnique({ where: { id: input.userId }, select: { role: true } });
  if (!before) throw new DbError('NOT_FOUND', `no user ${input.userId}`);
  const user = await db.user.update({
    where: { id: input.userId },
    data: { role: input.role },
    select: userSelect,
  });
  await audit(db, {
    actorId: input.actorId,
    action: 'user.role',
    target: input.userId,
    payload: { from: before.role, to: input.role },
  });
  return toUser(user);
}

// ---- the admins' people page ----

export const adminUserSelect = { ...userSelect, disabledAt: true } satisfies Prisma.UserSelect;
type AdminUserRow = Prisma.UserGetPayload<{ select: typeof adminUserSelect }>;
export type AdminUserSummary = Omit<AdminUserRow, 'role'> & { role: UserRole };

/**
 * One page of users for the admins' list: `query` matches a part of the e-mail (e-mails are
 * stored lower-case) or of the name (as typed: SQLite's LIKE ignores ASCII case, PostgreSQL's
 * does not), newest last; `total` counts every match.
 */
export async function searchUsers(
  db: DbOrTx,
  options: {
    query?: string;
    role?: UserRole;
    status?: 'active' | 'disabled';
    limit?: number;
    offset?: number;
  } = {},
): Promise<{ users: AdminUserSummary[]; total: number }> {
  const q = options.query?.trim() ?? '';
  const where: Prisma.UserWhereInput = {
    ...(options.role ? { role: options.role } : {}),
    ...(options.status === 'disabled'
      ? { disabledAt: { not: null } }
      : options.status === 'active'
        ? { disabledAt: null }
        : {}),
    ...(q ? { OR: [{ email: { contains: q.toLowerCase() } }, { name: { contains: q } }] } : {}),
  };
  const [rows, total] = await Promise.all([
    db.user.findMany({
      where,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: Math.min(Math.max(options.limit ?? 50, 1), 200),
      skip: Math.max(options.offset ?? 0, 0),
      select: adminUserSelect,
    }),
    db.user.count({ where }),
  ]);
  return { users: rows.map((u) => ({ ...u, role: asRole(u.role) })), total };
}

/**
 * Deactivates (`disabled: true`) or reactivates a user, audited as `user.disable` /
 * `user.enable`. Deactivating deletes every session of the user in the same transaction: they
 * are signed out at once (the web checks the session row on each request), and sign-in is
 * refused while `disabledAt` is set. Their work stays.
 */
export async function setUserDisabled(
  db: Db,
  input: { userId: string; disabled: boolean; actorId: string | null },
): Promise<AdminUserSummary> {
  return db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({
      where: { id: input.userId },
      select: { disabledAt: true },
    });
    if (!before) throw new DbError('NOT_FOUND', `no user ${input.userId}`);
    const user = await tx.user.update({
      where: { id: input.userId },
      data: { disabledAt: input.disabled ? (before.disabledAt ?? new Date()) : null },
      select: adminUserSelect,
    });
    let sessionsEnded = 0;
    if (input.disabled) {
      sessionsEnded = (await tx.session.deleteMany({ where: { userId: input.userId } })).count;
    }
    await audit(tx, {
      actorId: input.actorId,
      action: input.disabled ? 'user.disable' : 'user.enable',
      target: input.userId,
      payload: input.disabled ? { email: user.email, sessionsEnded } : { email: user.email },
    });
    return { ...user, role: asRole(user.role) };
  }, TX_OPTIONS);
}

/** Whether the user exists and is deactivated (sign-in refuses them). */
export async function isUserDisabled(db: DbOrTx, userId: string): Promise<boolean> {
  const u = await db.user.findUnique({ where: { id: userId }, select: { disabledAt: true } });
  return u?.disabledAt != null;
}

/** The prefix better-auth's `/reset-password` looks its tokens up by (Verification.identifier). */
export const PASSWORD_RESET_PREFIX = 'reset-password:';

/**
 * A one-time password-reset token in better-auth's own format (Verification row
 * `reset-password:<token>` → user id, with an expiry), redeemed by better-auth's
 * `POST /api/auth/reset-password {token, newPassword}`. Audited as `user.passwordReset`
 * (without the token). For an admin to hand over: no mail is sent.
 */
export async function createPasswordResetToken(
  db: DbOrTx,
  input: { userId: string; actorId: string | null; ttlSeconds?: number; action?: string },
): Promise<{ token: string; expiresAt: Date }> {
  const user = await db.user.findUnique({ where: { id: input.userId }, select: { email: true } });
  if (!user) throw new DbError('NOT_FOUND', `no user ${input.userId}`);
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + (input.ttlSeconds ?? 24 * 3600) * 1000);
  // one link at a time: a new one voids the links made before it
  await db.verification.deleteMany({
    where: { value: input.userId, identifier: { startsWith: PASSWORD_RESET_PREFIX } },
  });
  await db.verification.create({
    data: { identifier: `${PASSWORD_RESET_PREFIX}${token}`, value: input.userId, expiresAt },
  });
  await audit(db, {
    actorId: input.actorId,
    action: input.action ?? 'user.passwordReset',
    target: input.userId,
    payload: { email: user.email, expiresAt: expiresAt.toISOString() },
  });
  return { token, expiresAt };
}

// ---- demo accounts and where they may be used ----

export type DemoAccount = { email: string; password: string; name: string; role: UserRole };

/**
 * The demo accounts of the embedded default (made by `lms-db seed`, printed by `npm start`).
 * Their passwords are public: a server listening beyond loopback, or in production, refuses
 * to start while one still works (`demoPasswordRefusal`).
 */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { email: 'admin@lms.local', password: 'demo-admin-pass', name: 'Admin', role: 'admin' },
  {
    email: 'instructor@lms.local',
    password: 'demo-instructor-pass',
    name: 'Ирина Преподаватель',
    role: 'instructor',
  },
  {
    email: 'student1@lms.local',
    password: 'demo-student1-pass',
    name: 'Анна Студентка',
    role: 'student',
  },
  {
    email: 'student2@lms.local',
    password: 'demo-student2-pass',
    name: 'Борис Студент',
    role: 'student',
  },
];

/** Demo accounts that still exist and still have their demo password. */
export async function usableDemoAccounts(db: DbOrTx): Promise<DemoAccount[]> {
  const out: DemoAccount[] = [];
  for (const acc of DEMO_ACCOUNTS) {
    const row = await db.account.findFirst({
      where: { providerId: 'credential', user: { email: acc.email } },
      select: { password: true },
    });
    if (row?.password && (await verifyPassword({ hash: row.password, password: acc.password })))
      out.push(acc);
  }
  return out;
}

/**
 * Removes the password of every demo account that still has its demo password, and ends their
 * sessions: nobody can sign in as them any more; their rows and work stay. Returns the e-mails.
 */
export async function disableDemoAccounts(db: DbOrTx): Promise<string[]> {
  const done: string[] = [];
  for (const acc of await usableDemoAccounts(db)) {
    const user = await db.user.findUnique({ where: { email: acc.email }, select: { id: true } });
    if (!user) continue;
    await db.account.deleteMany({ where: { userId: user.id, providerId: 'credential' } });
    await db.session.deleteMany({ where: { userId: user.id } });
    done.push(acc.email);
  }
  return done;
}

/** A random password for a person to be told once (24 characters, 144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Does this listen address stay on the machine? `127.0.0.0/8`, `::1`, `localhost` (and
 * `[::1]`, `::ffff:127.x.x.x`). Anything else — `0.0.0.0`, `::`, a LAN address, a name — is
 * reachable from elsewhere.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  if (isIP(h) === 6) return /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(h);
  return false;
}

/**
 * The start-up rule for public passwords: listening beyond loopback, or in production, with a
 * demo account that still has its demo password, the server must not start. Returns the one
 * line to print (which accounts, how to fix) or null when it may start. `host` is the address
 * the server listens on (Next's default when none is given is every interface).
 */
export async function demoPasswordRefusal(
  db: DbOrTx,
  where: { host: string; production: boolean },
): Promise<string | null> {
  const exposed = where.production || !isLoopbackHost(where.host);
  if (!exposed) return null;
  const demo = await usableDemoAccounts(db);
  if (demo.length === 0) return null;
  const why = where.production ? 'in production' : `listening on ${where.host} (beyond loopback)`;
  return (
    `refusing to start ${why}: demo account(s) ${demo.map((a) => a.email).join(', ')} still ` +
    'have their published demo password. Run `npx lms-db demo-accounts --disable` (or ' +
    '`npx lms-db set-password <email>` for each), or listen on loopback only (HOST=127.0.0.1).'
  );
}
