import { redirect } from 'next/navigation';
import { getViewer } from '@/components/auth/viewer';
import { hasRole } from '@/server/services/roles';

/**
 * The landing page after sign-in (the sign-in form's default destination): each kind of
 * user starts where their work is. Admins go to the admin console, instructors to their
 * cohorts, students and visitors to the catalog.
 */
export default async function Home() {
  const viewer = await getViewer();
  if (hasRole(viewer, 'admin')) redirect('/admin');
  if (hasRole(viewer, 'instructor')) redirect('/instructor');
  redirect('/courses');
}
