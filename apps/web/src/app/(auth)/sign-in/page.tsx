import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth/auth-form';
import { safeNext } from '@/components/auth/safe-next';
import { getSignUpEnabled } from '@/components/auth/sign-up-setting';
import { getViewer } from '@/components/auth/viewer';
import { getI18n } from '@/i18n/server';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.auth.signInTitle };
}

export default async function SignInPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  // no destination asked for: the landing page sends each role to its own start
  const next = safeNext((await props.searchParams).next, '/');
  if (await getViewer()) redirect(next);
  return <AuthForm mode="sign-in" next={next} signUpEnabled={await getSignUpEnabled()} />;
}
