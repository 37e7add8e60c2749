import { demoPasswordRefusal } from '@lms/db';
import { env } from '../env';
import { type Db, getDb } from './db';
import { getGraderTransport } from './grader';
import { recoverPendingAttempts } from './grader/pipeline';

/**
 * Work at server start (instrumentation.ts): attempts stored but never graded — the server
 * stopped between storing and grading — go to the grader again. Runs in the background so a
 * slow database or grader never delays the first request.
 */
export function startBackgroundWork(): void {
  void (async () => {
    try {
      const transport = await getGraderTransport();
      // queue mode: the transport's reconcile (started with it) re-sends what was lost, once,
      // by one instance, and keeps doing so while the process runs (grader/queue.ts)
      if (transport.kind === 'queue') return;
      const { recovered } = await recoverPendingAttempts(getDb(), transport);
      if (recovered > 0) console.log(`[web] re-sent ${recovered} pending attempt(s) to the grader`);
    } catch (error) {
      console.error(`[web] could not recover pending attempts: ${(error as Error).message}`);
    }
  })();
}

/**
 * The address this server listens on: `-H/--hostname` of `next start`/`next dev` when given,
 * else HOST, else Next's own default, every interface (`0.0.0.0`).
 */
export function listenHost(argv: readonly string[], host: string | undefined): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if ((a === '-H' || a === '--hostname') && argv[i + 1]) return argv[i + 1] as string;
    if (a.startsWith('--hostname=')) return a.slice('--hostname='.length);
  }
  return host ?? '0.0.0.0';
}

/**
 * The start-up refusal (instrumentation.ts, before any request): listening beyond loopback or
 * in production while a demo account still has its public password. Returns the one line to
 * print, or null. The rule itself is @lms/db's `demoPasswordRefusal` (also run by
 * `lms-db setup --host` in scripts/start.mjs).
 */
export async function startupRefusal(
  db: Db,
  where: {
    argv: readonly string[];
    host: string | undefined;
    nodeEnv: string;
    /** started by scripts/start.mjs for the embedded default, not for production */
    embedded?: boolean;
  },
): Promise<string | null> {
  return demoPasswordRefusal(db, {
    host: listenHost(where.argv, where.host),
    production: where.nodeEnv === 'production' && !where.embedded,
  });
}

/** Exits the process with the refusal's line when the server must not start. */
export async function refuseUnsafeStart(): Promise<void> {
  const e = env();
  let refusal: string | null;
  try {
    refusal = await startupRefusal(getDb(), {
      argv: process.argv,
      host: e.HOST,
      nodeEnv: e.NODE_ENV,
      embedded: e.LMS_DEPLOYMENT === 'embedded',
    });
  } catch (error) {
    // exposed and unable to tell whether the demo passwords still work: do not serve
    refusal = `cannot check the demo accounts' passwords: ${(error as Error).message}`;
  }
  if (refusal) {
    console.error(`[web] ${refusal}`);
    process.exit(1);
  }
}
