import { isPostgresUrl } from '@lms/db/client';
import { env } from '../../env';
import { ROLES, type Role, type Session } from '../context';
import { getDb } from '../db';
import { type Auth, createAuth } from './auth';

const g = globalThis as unknown as { __lmsAuth?: Auth };

/** The app's better-auth instance (one per process). */
export function getAuth(): Auth {
  if (!g.__lmsAuth) {
    const e = env();
    if (!e.LMS_SOCKET_ADDRESS_SECRET && e.TRUSTED_PROXIES.length === 0) {
      console.warn(
        'lms web: client addresses are unknown (not started by apps/web/server.mjs, no TRUSTED_PROXIES): ' +
          'every client shares one sign-in bucket; run `node apps/web/server.mjs` or set TRUSTED_PROXIES',
      );
    }
    g.__lmsAuth = createAuth({
      db: getDb(),
      secret: e.BETTER_AUTH_SECRET,
      baseURL: e.BETTER_AUTH_URL,
      extraTrustedOrigins: e.BETTER_AUTH_TRUSTED_ORIGINS,
      trustedProxies: e.TRUSTED_PROXIES,
      socketAddressSecret: e.LMS_SOCKET_ADDRESS_SECRET,
      provider: isPostgresUrl(e.DATABASE_URL) ? 'postgresql' : 'sqlite',
    });
  }
  return g.__lmsAuth;
}

export function toRole(value: unknown): Role {
  return (ROLES as readonly unknown[]).includes(value) ? (value as Role) : 'student';
}

/** The session of a request (cookie), as the tRPC context and RSC see it; null when signed out. */
export async function getSessionFromHeaders(
  headers: Headers,
  auth: Auth = getAuth(),
): Promise<Session | null> {
  const found = await auth.api.getSession({ headers });
  if (!found) return null;
  // the cookie cache may outlive the session row: ended sessions and deactivated users stop here
  const live = await auth.liveSession(found.session.id, found.user.id);
  if (!live) return null;
  const user = found.user as { id: string; email: string; name: string; role?: unknown };
  return {
    user: { id: user.id, email: user.email, name: user.name, role: toRole(live.role) },
    sessionId: found.session.id,
    expiresAt: found.session.expiresAt,
  };
}
