'use client';
import Link from 'next/link';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useI18n } from '@/i18n/client';
import { format } from '@/i18n/config';
import { authClient } from './auth-client';

export const MIN_PASSWORD = 8;

type Mode = 'sign-in' | 'sign-up';

/**
 * Email + password form. Whatever went wrong with the credentials, the message is the same
 * ("wrong email or password" / "could not create the account"), so the form never tells
 * whether an email is registered.
 */
export function AuthForm(props: { mode: Mode; next: string; signUpEnabled: boolean }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const ids = { email: useId(), password: useId(), name: useId(), error: useId() };
  const signUp = props.mode === 'sign-up';

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const name = String(form.get('name') ?? '').trim();
    setError(null);
    if (signUp && password.length < MIN_PASSWORD) {
      show(format(t.auth.passwordTooShort, { n: MIN_PASSWORD }));
      return;
    }
    setPending(true);
    try {
      const result = signUp
        ? await authClient.signUp.email({
            email,
            password,
            name: name || email.split('@')[0] || email,
          })
        : await authClient.signIn.email({ email, password });
      if (result.error) {
        const status = result.error.status;
        if (status === 429) show(t.auth.rateLimited);
        else if (signUp) show(status === 403 ? t.auth.signUpDisabled : t.auth.signUpFailed);
        else show(t.auth.invalidCredentials);
        return;
      }
      // a full load: the header and every server component see the new session at once
      window.location.assign(props.next);
    } catch {
      show(t.auth.unexpected);
    } finally {
      setPending(false);
    }
  }

  function show(message: string) {
    setError(message);
    // move focus so screen readers and keyboard users land on the message
    requestAnimationFrame(() => errorRef.current?.focus());
  }

  const title = signUp ? t.auth.signUpTitle : t.auth.signInTitle;
  return (
    <div className="mx-auto w-full max-w-sm px-4 py-16">
      <h1 className="mb-6 text-2xl font-semibold tracking-tight">{title}</h1>
      <form
        onSubmit={onSubmit}
        className="card space-y-4 p-6"
        noValidate={false}
        aria-describedby={error ? ids.error : undefined}
      >
        {signUp && (
          <div className="space-y-1.5">
            <label htmlFor={ids.name} className="block text-sm font-medium">
              {t.auth.name}
            </label>
            <input
              id={ids.name}
              name="name"
              type="text"
              autoComplete="name"
              className="input"
              maxLength={100}
            />
          </div>
        )}
        <div className="space-y-1.5">
          <label htmlFor={ids.email} className="block text-sm font-medium">
            {t.auth.email}
          </label>
          <input
            id={ids.email}
            name="email"
            type="email"
            autoComplete="email"
            required
            className="input"
          />
        </div>
        <div className="space-y-1.5">
          <label htmlFor={ids.password} className="block text-sm font-medium">
            {t.auth.password}
          </label>
          <input
            id={ids.password}
            name="password"
            type="password"
            autoComplete={signUp ? 'new-password' : 'current-password'}
            required
            minLength={signUp ? MIN_PASSWORD : undefined}
            className="input"
          />
        </div>
        {error && (
          <p
            ref={errorRef}
            id={ids.error}
            role="alert"
            tabIndex={-1}
            className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
          >
            {error}
          </p>
        )}
        <button type="submit" className="btn-primary w-full py-2" disabled={pending}>
          {pending ? t.auth.pending : signUp ? t.auth.submitSignUp : t.auth.submitSignIn}
        </button>
      </form>
      {signUp ? (
        <p className="mt-4 text-center text-sm text-slate-600 dark:text-slate-400">
          {t.auth.haveAccount}{' '}
          <Link
            className="font-medium text-brand-600 underline-offset-4 hover:underline dark:text-brand-100"
            href={`/sign-in?next=${encodeURIComponent(props.next)}`}
          >
            {t.header.signIn}
          </Link>
        </p>
      ) : (
        props.signUpEnabled && (
          <p className="mt-4 text-center text-sm text-slate-600 dark:text-slate-400">
            {t.auth.noAccount}{' '}
            <Link
              className="font-medium text-brand-600 underline-offset-4 hover:underline dark:text-brand-100"
              href={`/sign-up?next=${encodeURIComponent(props.next)}`}
            >
              {t.header.signUp}
            </Link>
          </p>
        )
      )}
    </div>
  );
}
