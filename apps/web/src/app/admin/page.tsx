import { redirect } from 'next/navigation';

/** The console opens on its people page. */
export default function AdminPage() {
  redirect('/admin/users');
}
