import 'server-only';
import { headers } from 'next/headers';
import { cache } from 'react';
import { getSessionFromHeaders } from './auth';
import type { Session } from './context';

/** The signed-in session for server components (read once per render); null when signed out. */
export const getSession = cache(async (): Promise<Session | null> => {
  return getSessionFromHeaders(await headers());
});
