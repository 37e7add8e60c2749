import { z } from 'zod';

/**
 * Server-side settings of the web app, read once and validated. Names are shared with the
 * rest of the system (see COMMON conventions): DATABASE_URL unset means the embedded SQLite
 * file; GRADER_TRANSPORT picks HTTP (embedded default) or the BullMQ queue (at scale).
 * Parsed lazily so `next build` can import modules without the runtime secrets.
 */
const DEV_SECRET = 'lms-dev-secret-do-not-use-in-production-0000';

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().positive().default(3000),
    HOST: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v === '' ? undefined : v))
      .describe('the address `next start -H` listens on (scripts/start.mjs: 127.0.0.1)'),
    DATABASE_URL: z
      .string()
      .optional()
      .describe('postgres://… for PostgreSQL; unset: SQLite under data/'),
    BETTER_AUTH_SECRET: z
      .string()
      .min(32, 'BETTER_AUTH_SECRET must be at least 32 characters')
      .optional(),
    BETTER_AUTH_URL: z.url('BETTER_AUTH_URL must be a URL like http://localhost:3000').optional(),
    /** when set, /api/metrics answers only `Authorization: Bearer <METRICS_TOKEN>` */
    METRICS_TOKEN: z.string().min(1).optional(),
    BETTER_AUTH_TRUSTED_ORIGINS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .describe('comma-separated extra origins allowed to sign in (proxies)'),
    LMS_DEPLOYMENT: z
      .enum(['embedded', 'production'])
      .optional()
      .describe(
        "scripts/start.mjs: 'embedded' when its caller did not mean production (`next start` always sets NODE_ENV=production)",
      ),
    LMS_SOCKET_ADDRESS_SECRET: z
      .string()
      .min(32)
      .optional()
      .describe(
        'made afresh by apps/web/server.mjs at each start: x-lms-socket-address carries it with the socket address',
      ),
    TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], {
            error: 'TRUSTED_PROXIES: each entry must be an IP address or CIDR range',
          }),
        ),
      )
      .describe(
        'comma-separated IPs/CIDRs of the proxies in front of the app; only then is X-Forwarded-For read (right-most address not in the list)',
      ),
    GRADER_URL: z
      .url('GRADER_URL must be a URL like http://127.0.0.1:4100')
      .default('http://127.0.0.1:4100'),
    GRADER_SECRET: z.string().min(1).optional(),
    GRADER_TRANSPORT: z.enum(['http', 'queue']).default('http'),
    GRADER_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
    REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
    SUBMIT_RATE_PER_MINUTE: z.coerce.number().int().positive().default(10),
  })
  .transform((e, ctx) => {
    const prod = e.NODE_ENV === 'production';
    // the grader's bearer secret is for the HTTP transport only: queue-mode workers take jobs
    // from Redis and never hear from the web
    const required =
      e.GRADER_TRANSPORT === 'queue'
        ? (['BETTER_AUTH_SECRET'] as const)
        : (['BETTER_AUTH_SECRET', 'GRADER_SECRET'] as const);
    for (const name of required) {
      if (prod && !e[name]) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `${name} is required in production${name === 'GRADER_SECRET' ? " with GRADER_TRANSPORT=http (the grader service's bearer secret, the same as the grader's)" : ' (at least 32 random characters: sessions are signed with it)'}`,
        });
      }
    }
    return {
      ...e,
      BETTER_AUTH_SECRET: e.BETTER_AUTH_SECRET ?? DEV_SECRET,
      GRADER_SECRET: e.GRADER_SECRET ?? DEV_SECRET,
      BETTER_AUTH_URL: e.BETTER_AUTH_URL ?? `http://localhost:${e.PORT}`,
    };
  });

export type Env = z.output<typeof envSchema>;

let cached: Env | undefined;

/** The validated settings; throws one clear line per bad variable. */
export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`apps/web: bad environment:\n${lines.join('\n')}`);
  }
  cached = parsed.data;
  return cached;
}

/**
 * What is wrong with the environment for a server start, as one line naming each bad variable
 * (instrumentation.ts prints it and exits before the first request), or null when it is fine.
 */
export function startupEnvProblem(
  source: Record<string, string | undefined> = process.env,
): string | null {
  const parsed = envSchema.safeParse(source);
  if (parsed.success) return null;
  const what = parsed.error.issues.map((i) => {
    const name = i.path.join('.') || '(env)';
    return i.message.startsWith(name) ? i.message : `${name}: ${i.message}`;
  });
  return `cannot start: ${what.join('; ')}`;
}

/** Tests change process.env between suites. */
export function resetEnvForTests(): void {
  cached = undefined;
}
