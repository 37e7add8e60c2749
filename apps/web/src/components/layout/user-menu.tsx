'use client';
import type { UserRole } from '@lms/db/types';
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '@/i18n/client';

export type Viewer = { name: string; email: string; role: UserRole };

/** A disclosure button with a small menu; Escape closes it and returns focus to the button. */
export function UserMenu(props: { viewer: Viewer }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (
        !panelRef.current?.contains(e.target as Node) &&
        !buttonRef.current?.contains(e.target as Node)
      )
        setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const initials = (props.viewer.name || props.viewer.email).slice(0, 1).toUpperCase();

  return (
    <div className="relative">
      <button
        ref={buttonRef}
        type="button"
        className="btn-ghost"
        aria-expanded={open}
        aria-controls="user-menu-panel"
        onClick={() => setOpen((v) => !v)}
      >
        <span
          aria-hidden="true"
          className="grid size-7 place-items-center rounded-full bg-brand-100 text-xs font-bold text-brand-700"
        >
          {initials}
        </span>
        <span className="max-w-40 truncate">{props.viewer.name || props.viewer.email}</span>
        <span className="sr-only">({t.a11y.userMenu})</span>
      </button>
      {open && (
        <div
          ref={panelRef}
          id="user-menu-panel"
          className="card absolute right-0 z-40 mt-2 w-64 p-3 text-sm"
        >
          <p className="truncate font-medium">{props.viewer.name}</p>
          <p className="truncate text-slate-500 dark:text-slate-400">{props.viewer.email}</p>
          <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
            {t.header.role[props.viewer.role]}
          </p>
          <hr className="my-3 border-slate-200 dark:border-slate-700" />
          <button
            type="button"
            className="btn-secondary w-full"
            onClick={async () => {
              // a plain request: the header (on every page) does not need the auth client's code
              await fetch('/api/auth/sign-out', {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: '{}',
              }).catch(() => {});
              window.location.assign('/sign-in');
            }}
          >
            {t.header.signOut}
          </button>
        </div>
      )}
    </div>
  );
}
