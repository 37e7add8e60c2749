// Next calls register() once per server instance (next start / next dev).
export async function register() {
  // biome-ignore lint/style/noProcessEnv: Next's runtime markers are only available here
  const { NEXT_RUNTIME, NEXT_PHASE } = process.env;
  if (NEXT_RUNTIME !== 'nodejs' || NEXT_PHASE === 'phase-production-build') return;
  const { refuseUnsafeStart, startBackgroundWork } = await import('./server/startup');
  // public demo passwords never serve beyond loopback or in production (exits with one line)
  // (`next start` forces NODE_ENV=production; scripts/start.mjs says `embedded` when the
  // person starting it did not mean production — a bare `next start` counts as production)
  await refuseUnsafeStart();
  startBackgroundWork();
}
