import { renderWebMetrics } from '@/server/metrics';

export const dynamic = 'force-dynamic';

/**
 * Prometheus text exposition of this instance (server/metrics.ts). For the operator's scraper:
 * keep it off the public address (the cluster's proxy, scripts/start-cluster.mjs, refuses
 * `/api/metrics`; README "Running at scale" shows the same for nginx).
 */
export async function GET() {
  const { contentType, body } = await renderWebMetrics();
  return new Response(body, {
    headers: { 'content-type': contentType, 'cache-control': 'no-store' },
  });
}
