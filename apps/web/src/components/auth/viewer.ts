import 'server-only';
import { cache } from 'react';
import type { Viewer } from '@/components/layout/user-menu';

/** The signed-in user for page rendering (header, guards); null when signed out. */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  // wired to the server's session reader once src/server/auth lands
  return null;
});
