import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth/auth-form';
import { safeNext } from '@/components/auth/safe-next';
import { getSignUpEnabled } from '@/components/auth/sign-up-setting';
import { getViewer } from '@/components/auth/viewer';
import { getI18n } from '@/i18n/server';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.auth.signUpTitle };
}

export default async function SignUpPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const next = safeNext((await props.searchParams).next);
  if (await getViewer()) redirect(next);
  const { t } = await getI18n();
  if (!(await getSignUpEnabled())) {
    return (
      <div className="mx-auto max-w-sm px-4 py-16">
        <h1 className="mb-4 text-2xl font-semibold tracking-tight">{t.auth.signUpTitle}</h1>
        <p className="card p-6 text-sm">{t.auth.signUpDisabled}</p>
      </div>
    );
  }
  return <AuthForm mode="sign-up" next={next} signUpEnabled />;
}
