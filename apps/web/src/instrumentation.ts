// Next calls register() once per server instance (next start / next dev).
export async function register() {
  // biome-ignore lint/style/noProcessEnv: Next's runtime markers are only available here
  const { NEXT_RUNTIME, NEXT_PHASE } = process.env;
  if (NEXT_RUNTIME !== 'nodejs' || NEXT_PHASE === 'phase-production-build') return;
  const { startBackgroundWork } = await import('./server/startup');
  startBackgroundWork();
}
