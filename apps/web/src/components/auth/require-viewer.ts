import 'server-only';
import { redirect } from 'next/navigation';
import type { Viewer } from '@/components/layout/user-menu';
import { getViewer } from './viewer';

/** Pages for signed-in users: everyone else goes to sign-in, and comes back to `path`. */
export async function requireViewer(path: string): Promise<Viewer> {
  const viewer = await getViewer();
  if (viewer) return viewer;
  redirect(`/sign-in?next=${encodeURIComponent(path)}`);
}
