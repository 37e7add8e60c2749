import { DbError, isUniqueViolation } from '../errors.ts';
import type { Prisma } from '../generated/sqlite/client.ts';
import { hashPassword } from '../password.ts';
import { USER_ROLES, type UserRole } from '../types.ts';
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
