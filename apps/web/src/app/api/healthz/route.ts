import { isDraining } from '@/server/lifecycle';

export const dynamic = 'force-dynamic';

/**
 * Liveness: the process answers HTTP. Nothing else is checked (a database outage must not
 * make an orchestrator restart every instance); readiness is `/api/readyz`.
 */
export function GET() {
  return Response.json(
    {
      ok: true,
      draining: isDraining(),
      pid: process.pid,
      uptimeSeconds: Math.round(process.uptime()),
    },
    { headers: { 'cache-control': 'no-store' } },
  );
}
