import { AsyncLocalStorage } from 'node:async_hooks';
import { hashPassword, isUserDisabled, verifyPassword } from '@lms/db';
import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { APIError, createAuthMiddleware, isAPIError } from 'better-auth/api';
import { nextCookies } from 'better-auth/next-js';
import type { Db } from '../db';
import { isSignupEnabled } from '../services/settings';
import {
  CLIENT_ADDRESS_HEADER,
  clientAddress,
  clientKeyOf,
  parseTrustedProxies,
  UNKNOWN_CLIENT,
} from './client-address';
import {
  createConcurrencyLimiter,
  createFailureLimiter,
  createFixedWindowLimiter,
} from './rate-limit';

export type CreateAuthOptions = {
  db: Db;
  secret: string;
  baseURL: string;
  provider: 'sqlite' | 'postgresql';
  /** origins besides baseURL allowed to POST to /api/auth (e.g. other hostnames of a proxy) */
  extraTrustedOrigins?: string[];
  /** proxies in front of the app (`TRUSTED_PROXIES`: IPs or CIDRs); without them the
   * client's address is unknown and forwarding headers are ignored (see client-address.ts) */
  trustedProxies?: readonly string[];
  /** the app runs under `apps/web/server.mjs`, which writes each request's socket address with this secret */
  socketAddressSecret?: string;
  /** sign-in tries per client address per minute, across e-mails (default 30) */
  signInPerIpPerMinute?: number;
  /** FAILED sign-ins per (client address, e-mail) per 10 minutes before that pair is refused
   * (default 10; same answer whether or not the email exists) */
  signInPerEmailPer10Min?: number;
  /** argon2 runs at once per client address (default 2); up to 8 more wait, others get 429 */
  argon2PerClient?: number;
};

export const TOO_MANY_SIGN_INS = 'Too many sign-in attempts. Wait a few minutes and try again.';
export const SIGNUP_CLOSED = 'Sign-up is closed. Ask an administrator for an account.';
export const ACCOUNT_DISABLED = 'This account is deactivated. Ask an administrator.';

/**
 * better-auth over @lms/db's Prisma client: email + password (argon2id via @lms/db), httpOnly
 * session cookies, `role` as a field the user can never set, sign-up closable by an admin.
 * Sign-in errors are the same for an unknown email and a wrong password, and better-auth
 * hashes the given password for unknown emails too, so both take about one argon2 run.
 * Sign-in limits (in memory, bounded LRUs): tries per client address per minute across
 * e-mails; failures per (client address, e-mail), so an attacker cannot lock the owner out
 * from elsewhere; at most `argon2PerClient` argon2 runs at once per client. The client's
 * address comes from trusted proxies only (client-address.ts); unknown clients share a key.
 */
export function createAuth(options: CreateAuthOptions) {
  const { db } = options;
  const trusted = parseTrustedProxies(options.trustedProxies ?? []);
  // the client of the request being handled (set by `handler` below), read by the hooks and
  // by the password functions, which better-auth calls without the request
  const client = new AsyncLocalStorage<string>();
  const clientKey = () => client.getStore() ?? UNKNOWN_CLIENT;
  const perAddress = createFixedWindowLimiter({
    max: options.signInPerIpPerMinute ?? 30,
    windowMs: 60_000,
  });
  const perAccount = createFailureLimiter({
    max: options.signInPerEmailPer10Min ?? 10,
    windowMs: 10 * 60_000,
  });
  const argon2 = createConcurrencyLimiter({ perKey: options.argon2PerClient ?? 2, queuePerKey: 8 });
  const gated = async <T>(work: () => Promise<T>): Promise<T> => {
    const result = await argon2.run(clientKey(), async () => ({ value: await work() }));
    if (!result) throw new APIError('TOO_MANY_REQUESTS', { message: TOO_MANY_SIGN_INS });
    return result.value;
  };
  const pairKey = (body: unknown) => `${clientKey()}|${emailOf(body)}`;

  const auth = betterAuth({
    appName: 'LMS',
    // "User not found"/"Invalid password" warnings would log every failed sign-in
    logger: { level: 'error' },
    secret: options.secret,
    baseURL: options.baseURL,
    // enforced in tests too (better-auth skips the origin check under NODE_ENV=test by default)
    advanced: {
      disableOriginCheck: false,
      disableCSRFCheck: false,
      // only the address our handler resolved (never a header the client sent); unknown:
      // better-auth's limits share one bucket and sessions record no IP
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
    },
    trustedOrigins: trustedOrigins(options.baseURL, options.extraTrustedOrigins ?? []),
    database: prismaAdapter(db, { provider: options.provider }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      autoSignIn: true,
      // a reset (an admin's link for a compromised account) ends every session of the user
      revokeSessionsOnPasswordReset: true,
      password: {
        hash: (password) => gated(() => hashPassword(password)),
        verify: (data) => gated(() => verifyPassword(data)),
      },
    },
    user: {
      additionalFields: {
        role: { type: 'string', required: false, defaultValue: 'student', input: false },
      },
    },
    session: {
      expiresIn: 60 * 60 * 24 * 14,
      updateAge: 60 * 60 * 24,
      // a signed cookie spares the session lookup on most requests; role changes and
      // revocations take effect within a minute
      cookieCache: { enabled: true, maxAge: 60 },
    },
    rateLimit: {
      enabled: true,
      storage: 'memory',
      window: 60,
      max: 200,
      customRules: {
        // ours (hooks below): per client address and per (address, e-mail)
        '/sign-in/email': false,
        '/sign-up/email': { window: 60, max: 5 },
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path === '/sign-up/email' && !(await isSignupEnabled(db))) {
          throw new APIError('FORBIDDEN', { message: SIGNUP_CLOSED });
        }
        if (ctx.path === '/sign-in/email') {
          if (!perAddress.take(clientKey()) || perAccount.blocked(pairKey(ctx.body))) {
            throw new APIError('TOO_MANY_REQUESTS', { message: TOO_MANY_SIGN_INS });
          }
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== '/sign-in/email' && ctx.path !== '/sign-up/email') return;
        const returned = ctx.context.returned;
        if (ctx.path === '/sign-in/email') {
          if (isAPIError(returned)) {
            if ((returned as APIError).statusCode === 401) perAccount.fail(pairKey(ctx.body));
          } else {
            perAccount.reset(pairKey(ctx.body));
          }
        }
        // the session lives in the httpOnly cookie only: don't hand its token to page scripts
        if (
          returned &&
          typeof returned === 'object' &&
          !isAPIError(returned) &&
          'token' in returned
        ) {
          return ctx.json({ ...(returned as Record<string, unknown>), token: null });
        }
      }),
    },
    databaseHooks: {
      session: {
        create: {
          // after the password was checked: a deactivated account gets no session (403),
          // whatever it signs in with; an unknown e-mail never gets this far
          before: async (session) => {
            if (await isUserDisabled(db, session.userId)) {
              throw new APIError('FORBIDDEN', { message: ACCOUNT_DISABLED });
            }
          },
        },
      },
    },
    plugins: [nextCookies()],
  });

  /** better-auth's handler, with the client's address resolved first: a client-sent
   * `x-lms-client-address` is dropped, ours set when the address is known. */
  const handler = (request: Request): Promise<Response> => {
    const address = clientAddress(request.headers, trusted, options.socketAddressSecret);
    const headers = new Headers(request.headers);
    headers.delete(CLIENT_ADDRESS_HEADER);
    if (address) headers.set(CLIENT_ADDRESS_HEADER, address);
    return client.run(clientKeyOf(address), () => auth.handler(new Request(request, { headers })));
  };
  /**
   * The session as stored now, under the cookie cache: null when it was ended (sign-out, an
   * admin's deactivation) or its user is deactivated, else the user's current role — so both
   * take effect at the next request, not when the cached cookie expires.
   */
  const liveSession = (sessionId: string, userId: string) =>
    // one primary-key lookup (the user's, with an EXISTS on the session): every request asks
    db.user.findFirst({
      where: {
        id: userId,
        disabledAt: null,
        sessions: { some: { id: sessionId, expiresAt: { gt: new Date() } } },
      },
      select: { role: true },
    });
  return { ...auth, handler, fetch: handler, liveSession };
}

export type Auth = ReturnType<typeof createAuth>;

/** baseURL, and for a local baseURL the same port on localhost / 127.0.0.1 / [::1]. */
export function trustedOrigins(baseURL: string, extra: string[]): string[] {
  const origins = new Set([new URL(baseURL).origin, ...extra]);
  const u = new URL(baseURL);
  if (['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) {
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      origins.add(`${u.protocol}//${host}${u.port ? `:${u.port}` : ''}`);
    }
  }
  return [...origins];
}

function emailOf(body: unknown): string {
  return String((body as { email?: unknown } | undefined)?.email ?? '')
    .trim()
    .toLowerCase();
}
