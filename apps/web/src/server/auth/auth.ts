import { hashPassword, verifyPassword } from '@lms/db';
import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { APIError, createAuthMiddleware, isAPIError } from 'better-auth/api';
import { nextCookies } from 'better-auth/next-js';
import type { Db } from '../db';
import { isSignupEnabled } from '../services/settings';
import { createFailureLimiter } from './rate-limit';

export type CreateAuthOptions = {
  db: Db;
  secret: string;
  baseURL: string;
  provider: 'sqlite' | 'postgresql';
  /** origins besides baseURL allowed to POST to /api/auth (e.g. other hostnames of a proxy) */
  extraTrustedOrigins?: string[];
  /** sign-in tries per IP per minute (better-auth's limiter; default 30) */
  signInPerIpPerMinute?: number;
  /** FAILED sign-ins per email per 10 minutes before that email is refused (ours; default 10;
   * same answer whether or not the email exists) */
  signInPerEmailPer10Min?: number;
};

export const TOO_MANY_SIGN_INS = 'Too many sign-in attempts. Wait a few minutes and try again.';
export const SIGNUP_CLOSED = 'Sign-up is closed. Ask an administrator for an account.';

/**
 * better-auth over @lms/db's Prisma client: email + password (argon2id via @lms/db), httpOnly
 * session cookies, `role` as a field the user can never set, sign-up closable by an admin.
 * Sign-in errors are the same for an unknown email and a wrong password, and better-auth
 * hashes the given password for unknown emails too, so both take about one argon2 run.
 */
export function createAuth(options: CreateAuthOptions) {
  const { db } = options;
  const perEmail = createFailureLimiter({
    max: options.signInPerEmailPer10Min ?? 10,
    windowMs: 10 * 60_000,
  });
  return betterAuth({
    appName: 'LMS',
    // "User not found"/"Invalid password" warnings would log every failed sign-in
    logger: { level: 'error' },
    secret: options.secret,
    baseURL: options.baseURL,
    // enforced in tests too (better-auth skips the origin check under NODE_ENV=test by default)
    advanced: { disableOriginCheck: false, disableCSRFCheck: false },
    trustedOrigins: trustedOrigins(options.baseURL, options.extraTrustedOrigins ?? []),
    database: prismaAdapter(db, { provider: options.provider }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      autoSignIn: true,
      password: { hash: hashPassword, verify: verifyPassword },
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
        '/sign-in/email': { window: 60, max: options.signInPerIpPerMinute ?? 30 },
        '/sign-up/email': { window: 60, max: 5 },
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path === '/sign-up/email' && !(await isSignupEnabled(db))) {
          throw new APIError('FORBIDDEN', { message: SIGNUP_CLOSED });
        }
        if (ctx.path === '/sign-in/email') {
          const email = emailOf(ctx.body);
          if (perEmail.blocked(email)) {
            throw new APIError('TOO_MANY_REQUESTS', { message: TOO_MANY_SIGN_INS });
          }
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== '/sign-in/email' && ctx.path !== '/sign-up/email') return;
        const returned = ctx.context.returned;
        if (ctx.path === '/sign-in/email') {
          const email = emailOf(ctx.body);
          if (isAPIError(returned)) {
            if ((returned as APIError).statusCode === 401) perEmail.fail(email);
          } else {
            perEmail.reset(email);
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
    plugins: [nextCookies()],
  });
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
