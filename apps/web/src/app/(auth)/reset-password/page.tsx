import type { Metadata } from 'next';
import { ResetPasswordForm } from '@/components/admin/reset-password-form';
import { getI18n } from '@/i18n/server';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t.adminConsole.resetTitle };
}

/** The page of a reset link an admin handed over (`?token=`): a new password, then sign in. */
export default async function ResetPasswordPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { t } = await getI18n();
  const token = (await props.searchParams).token;
  return (
    <div className="mx-auto max-w-sm px-4 py-16">
      <h1 className="mb-6 text-2xl font-semibold">{t.adminConsole.resetTitle}</h1>
      {typeof token === 'string' && token ? (
        <ResetPasswordForm token={token} />
      ) : (
        <p role="alert">{t.adminConsole.resetFailed}</p>
      )}
    </div>
  );
}
