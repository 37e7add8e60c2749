import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import superjson from 'superjson';
import { APP_ERROR_CODES, appErrorMessage } from '@/server/errors';
import { createRequestContext } from '@/server/request-context';
import { appRouter } from '@/server/root';
import { MAX_BATCH_SIZE } from '@/trpc/limits';

export const dynamic = 'force-dynamic';

/**
 * Calls in one batched request, at most (the client's batch link must not send more). A batch
 * runs its calls at once, so without a cap one request could carry any number of them.
 */

/** A batch over the cap: refused with 400 before any context is made or procedure runs. */
function batchTooLarge(req: Request): Response | null {
  const url = new URL(req.url);
  if (url.searchParams.get('batch') !== '1') return null;
  const raw = url.pathname.replace(/^.*\/api\/trpc\/?/, '');
  let path = raw;
  try {
    path = decodeURIComponent(raw);
  } catch {
    // a malformed escape: count the raw path (tRPC itself answers the bad path with a 4xx)
  }
  const count = path.split(',').length;
  if (count <= MAX_BATCH_SIZE) return null;
  const params = { count, limit: MAX_BATCH_SIZE };
  // the error shape the errorFormatter gives (server/trpc.ts), encoded by the same transformer
  const shape = {
    message: appErrorMessage('BATCH_TOO_LARGE', params),
    code: -32600,
    data: {
      code: APP_ERROR_CODES.BATCH_TOO_LARGE,
      httpStatus: 400,
      path: null,
      appCode: 'BATCH_TOO_LARGE',
      appParams: params,
      zodError: null,
    },
  };
  return Response.json({ error: superjson.serialize(shape) }, { status: 400 });
}

function handler(req: Request) {
  const refused = batchTooLarge(req);
  if (refused) return refused;
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    // the same cap inside tRPC, should a request reach it by another spelling
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: () => createRequestContext({ headers: req.headers }),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        console.error(`[trpc] ${path ?? '?'}: ${error.message}`, error.cause ?? '');
      }
    },
  });
}

export { handler as GET, handler as POST };
