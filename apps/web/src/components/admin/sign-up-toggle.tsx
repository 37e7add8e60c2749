'use client';
import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useI18n } from '@/i18n/client';
import { serverErrorText } from '@/i18n/errors';
import { useTRPC } from '@/trpc/react';

/** A switch (checkbox semantics) that opens or closes sign-up; saved at once. */
export function SignUpToggle(props: { initial: boolean }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const id = useId();
  const [enabled, setEnabled] = useState(props.initial);
  const [status, setStatus] = useState<'idle' | 'saved' | { error: unknown }>('idle');
  const save = useMutation(trpc.settings.setSignup.mutationOptions());
  return (
    <div className="flex items-center gap-3">
      <input
        id={id}
        type="checkbox"
        role="switch"
        aria-checked={enabled}
        checked={enabled}
        disabled={save.isPending}
        onChange={(e) => {
          const next = e.target.checked;
          setEnabled(next);
          setStatus('idle');
          save.mutate(
            { enabled: next },
            {
              onSuccess: () => setStatus('saved'),
              onError: (error) => {
                setEnabled(!next);
                setStatus({ error });
              },
            },
          );
        }}
        className="size-5 accent-sky-700"
      />
      <label htmlFor={id} className="text-sm font-medium">
        {t.admin.signUpEnabled}
      </label>
      <span aria-live="polite" className="ml-auto text-sm text-slate-500">
        {status === 'saved'
          ? t.admin.saved
          : typeof status === 'object'
            ? serverErrorText(status.error, t)
            : ''}
      </span>
    </div>
  );
}
