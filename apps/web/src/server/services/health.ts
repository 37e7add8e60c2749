import type { Context } from '../context';

/** Liveness, and who the server thinks the caller is (null when signed out). */
export function healthCheck(ctx: Context) {
  const user = ctx.session?.user ?? null;
  return {
    ok: true as const,
    time: new Date(),
    user: user ? { id: user.id, name: user.name, role: user.role } : null,
  };
}
