import { timingSafeEqual } from 'node:crypto';
import { env } from '@/env';
import { renderWebMetrics } from '@/server/metrics';

export const dynamic = 'force-dynamic';

/** Whether the request carries `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time). */
function hasToken(req: Request, token: string): boolean {
  const given = Buffer.from(req.headers.get('authorization') ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * Prometheus text exposition of this instance (server/metrics.ts). For the operator's scraper:
 * with `METRICS_TOKEN` set, only a scraper that sends `Authorization: Bearer <token>` gets it
 * (401 otherwise); without it, keep it off the public address (the cluster's proxy,
 * scripts/start-cluster.mjs, refuses `/api/metrics`; README "Running at scale" shows the same
 * for nginx).
 */
export async function GET(req: Request) {
  const token = env().METRICS_TOKEN;
  if (token && !hasToken(req, token)) {
    return new Response('metrics need the bearer token (METRICS_TOKEN)\n', {
      status: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  const { contentType, body } = await renderWebMetrics();
  return new Response(body, {
    headers: { 'content-type': contentType, 'cache-control': 'no-store' },
  });
}
