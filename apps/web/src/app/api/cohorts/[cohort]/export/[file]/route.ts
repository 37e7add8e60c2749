import { getSessionFromHeaders } from '@/server/auth';
import { createContextInner } from '@/server/context';
import { getDb } from '@/server/db';
import { AppError } from '@/server/errors';
import { attemptsCsv, matrixCsv } from '@/server/services/dashboard-export';
import { hasRole } from '@/server/services/roles';

export const dynamic = 'force-dynamic';

const FILES = ['matrix.csv', 'attempts.csv'] as const;

/**
 * GET /api/cohorts/<cohort>/export/matrix.csv | attempts.csv — the dashboards' CSV downloads,
 * for the cohort's instructors and admins (the same check as the `cohort` router:
 * services/dashboard.ts watchableCohort). Refusals are plain text: 401 signed out, 403 for a
 * student, 404 for a cohort the caller does not teach or a file that does not exist.
 */
export async function GET(
  req: Request,
  { params }: { params: Promise<{ cohort: string; file: string }> },
): Promise<Response> {
  const { cohort, file } = await params;
  const text = (status: number, body: string) =>
    new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (!(FILES as readonly string[]).includes(file)) return text(404, `no export "${file}"`);
  const session = await getSessionFromHeaders(req.headers);
  if (!session) return text(401, 'sign in first');
  if (!hasRole(session.user, 'instructor')) return text(403, 'instructors and admins only');
  const ctx = { ...createContextInner({ db: getDb(), session }), session };
  const name = `${cohort.replace(/[^A-Za-z0-9_.-]/g, '_')}-${file}`;
  const headers = {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}"`,
    'cache-control': 'no-store',
  };
  try {
    if (file === 'matrix.csv') return new Response(await matrixCsv(ctx, cohort), { headers });
    return new Response(await attemptsCsv(ctx, cohort), { headers });
  } catch (error) {
    if (error instanceof AppError) {
      return text(error.code === 'NOT_FOUND' ? 404 : 400, error.message);
    }
    console.error(`[export] ${cohort}/${file}:`, error);
    return text(500, 'the export failed; the details are in the server log');
  }
}
