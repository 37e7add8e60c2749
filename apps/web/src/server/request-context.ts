import { createContextInner } from './context';
import { getDb } from './db';

/** Context for one HTTP request (route handler) or one RSC render. */
export async function createRequestContext(_opts: { headers: Headers }) {
  const db = await getDb();
  return createContextInner({ db, session: null });
}
