import type { AppErrorCode } from '../server/errors.ts';
import { format } from './config.ts';
import type { Dictionary } from './dictionaries.ts';

/** What the errorFormatter (server/trpc.ts) puts beside a failed call's message. */
interface ServerErrorData {
  appCode?: unknown;
  appParams?: unknown;
}

function isParams(value: unknown): value is Record<string, string | number> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number')
  );
}

/**
 * The text to show for a failed server call, in the reader's language: the dictionary's words
 * for its `appCode` with its `appParams`; the server's own message when the code is unknown
 * (or there is none: a failure outside tRPC, an older server).
 */
export function serverErrorText(error: unknown, t: Pick<Dictionary, 'serverErrors'>): string {
  const data =
    typeof error === 'object' && error !== null
      ? ((error as { data?: ServerErrorData | null }).data ?? null)
      : null;
  const code = data?.appCode;
  if (typeof code === 'string' && Object.hasOwn(t.serverErrors, code)) {
    const params = data?.appParams;
    return format(t.serverErrors[code as AppErrorCode], isParams(params) ? params : {});
  }
  return error instanceof Error ? error.message : String(error);
}
