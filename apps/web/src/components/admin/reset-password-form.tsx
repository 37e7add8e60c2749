'use client';
import Link from 'next/link';
import { useState } from 'react';
import { authClient } from '@/components/auth/auth-client';
import { useI18n } from '@/i18n/client';

/** Redeems an admin's reset link with better-auth's /reset-password. */
export function ResetPasswordForm({ token }: { token: string }) {
  const { t } = useI18n();
  const a = t.adminConsole;
  const [password, setPassword] = useState('');
  const [state, setState] = useState<'idle' | 'pending' | 'done' | 'failed'>('idle');
  if (state === 'done') {
    return (
      <p role="status">
        {a.resetDone}{' '}
        <Link className="underline" href="/sign-in">
          {t.header.signIn}
        </Link>
      </p>
    );
  }
  return (
    <form
      className="space-y-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setState('pending');
        const r = await authClient.resetPassword({ newPassword: password, token });
        setState(r.error ? 'failed' : 'done');
      }}
    >
      <label className="flex flex-col text-sm">
        {a.newPassword}
        <input
          type="password"
          autoComplete="new-password"
          minLength={8}
          maxLength={128}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          className="mt-1 rounded border border-slate-300 px-2 py-1"
        />
      </label>
      <button type="submit" className="btn-primary" disabled={state === 'pending'}>
        {state === 'pending' ? a.working : a.setPassword}
      </button>
      {state === 'failed' && (
        <p role="alert" className="text-sm text-red-700">
          {a.resetFailed}
        </p>
      )}
    </form>
  );
}
