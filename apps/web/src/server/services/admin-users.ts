import {
  createPasswordResetToken,
  getUserById,
  searchUsers,
  setUserDisabled,
  setUserRole,
  type UserRole,
} from '@lms/db';
import type { SignedInContext } from '../context';
import { AppError } from '../errors';
import { asAppErrors, refuse } from './admin-shared';

/* The admins' people page (routers/admin.ts, adminProcedure): list, role, (de)activation, reset link. */

/** How long a reset link an admin hands over stays valid. */
export const RESET_LINK_TTL_SECONDS = 24 * 3600;

/** One page of users matching the search (e-mail or name), with the total. */
export async function listUsersPage(
  ctx: SignedInContext,
  input: {
    query?: string;
    role?: UserRole;
    status?: 'active' | 'disabled';
    page: number;
    pageSize: number;
  },
) {
  const { users, total } = await searchUsers(ctx.db, {
    query: input.query,
    role: input.role,
    status: input.status,
    limit: input.pageSize,
    offset: (input.page - 1) * input.pageSize,
  });
  return { users, total, page: input.page, pageSize: input.pageSize };
}

/** Changes a user's role (audited `user.role`); an admin cannot change their own. */
export async function changeUserRole(
  ctx: SignedInContext,
  input: { userId: string; role: UserRole },
) {
  if (input.userId === ctx.session.user.id)
    refuse('you cannot change your own role (ask another admin)');
  return asAppErrors(() => setUserRole(ctx.db, { ...input, actorId: ctx.session.user.id }));
}

/**
 * Deactivates or reactivates a user (audited); deactivating ends their sessions at once and
 * sign-in is refused while deactivated. An admin cannot deactivate themselves.
 */
export async function setUserActive(
  ctx: SignedInContext,
  input: { userId: string; active: boolean },
) {
  if (input.userId === ctx.session.user.id && !input.active)
    refuse('you cannot deactivate your own account');
  return asAppErrors(() =>
    setUserDisabled(ctx.db, {
      userId: input.userId,
      disabled: !input.active,
      actorId: ctx.session.user.id,
    }),
  );
}

/**
 * A password-reset link for the admin to hand over (no mail is sent): the path of the reset
 * page with a one-time token, valid RESET_LINK_TTL_SECONDS; audited `user.passwordReset`.
 */
export async function passwordResetLink(ctx: SignedInContext, input: { userId: string }) {
  const user = await getUserById(ctx.db, input.userId);
  if (!user) throw new AppError('NOT_FOUND');
  const { token, expiresAt } = await asAppErrors(() =>
    createPasswordResetToken(ctx.db, {
      userId: input.userId,
      actorId: ctx.session.user.id,
      ttlSeconds: RESET_LINK_TTL_SECONDS,
    }),
  );
  return { email: user.email, path: resetPath(token), expiresAt };
}

/** The reset page's path for a token (the page redeems it with better-auth's /reset-password). */
export const resetPath = (token: string) => `/reset-password?token=${encodeURIComponent(token)}`;
