// Next calls register() once per server instance (next start / next dev).
export async function register() {
  // biome-ignore lint/style/noProcessEnv: Next's runtime markers are only available here
  const { NEXT_RUNTIME, NEXT_PHASE } = process.env;
  if (NEXT_RUNTIME !== 'nodejs' || NEXT_PHASE === 'phase-production-build') return;
  // a missing secret (BETTER_AUTH_SECRET; GRADER_SECRET unless GRADER_TRANSPORT=queue) or a bad
  // variable: one line naming it, and no server (not "Ready" and a 500 on every sign-in)
  const { startupEnvProblem } = await import('./env');
  const problem = startupEnvProblem();
  if (problem) {
    console.error(`[web] ${problem}`);
    process.exit(1);
  }
  const { refuseUnsafeStart, startBackgroundWork } = await import('./server/startup');
  // public demo passwords never serve beyond loopback or in production (exits with one line)
  // (`next start` forces NODE_ENV=production; scripts/start.mjs says `embedded` when the
  // person starting it did not mean production — a bare `next start` counts as production)
  await refuseUnsafeStart();
  startBackgroundWork();
  // metrics, the HTTP observer server.mjs reports to, the SIGTERM drain (server/lifecycle.ts)
  const { startObservability } = await import('./server/lifecycle');
  await startObservability();
}
