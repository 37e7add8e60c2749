import { env } from '../env';
import { getSessionFromHeaders } from './auth';
import { createContextInner } from './context';
import { getDb } from './db';
import { getGraderTransport } from './grader';

/** Context for one HTTP request (route handler) or one RSC render. */
export async function createRequestContext(opts: { headers: Headers }) {
  const [session, grader] = await Promise.all([
    getSessionFromHeaders(opts.headers),
    getGraderTransport(),
  ]);
  return createContextInner({
    db: getDb(),
    session,
    grader,
    submitsPerMinute: env().SUBMIT_RATE_PER_MINUTE,
  });
}
