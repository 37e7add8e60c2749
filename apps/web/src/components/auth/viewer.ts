import 'server-only';
import { headers } from 'next/headers';
import { cache } from 'react';
import type { Viewer } from '@/components/layout/user-menu';
import { getSessionFromHeaders } from '@/server/auth';

/** The signed-in user for page rendering (header, guards); null when signed out. */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  const session = await getSessionFromHeaders(await headers()).catch(() => null);
  if (!session) return null;
  return { name: session.user.name, email: session.user.email, role: session.user.role };
});
