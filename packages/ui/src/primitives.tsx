import type { ButtonHTMLAttributes, HTMLAttributes, ReactNode } from 'react';
import { cn, focusRing } from './cn.ts';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';
export type ButtonSize = 'sm' | 'md';

const variantClasses: Record<ButtonVariant, string> = {
  primary: 'bg-sky-700 text-white hover:bg-sky-800 disabled:bg-slate-400',
  secondary:
    'border border-slate-300 bg-white text-slate-900 hover:bg-slate-100 disabled:text-slate-500',
  ghost: 'text-slate-800 hover:bg-slate-100 disabled:text-slate-500',
  danger: 'bg-red-700 text-white hover:bg-red-800 disabled:bg-slate-400',
};

const sizeClasses: Record<ButtonSize, string> = {
  sm: 'h-8 gap-1.5 px-2.5 text-sm',
  md: 'h-10 gap-2 px-4 text-sm',
};

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: ButtonSize;
  /** CodeMirror-style key spec (`Mod-Enter`): shown in the tooltip and set as aria-keyshortcuts */
  shortcut?: string;
  /** render shortcuts with Mac symbols (decide on the client; default false keeps SSR stable) */
  mac?: boolean;
  /** shows a spinner and sets aria-busy */
  busy?: boolean;
}

export function Button({
  variant = 'secondary',
  size = 'md',
  shortcut,
  mac = false,
  busy = false,
  className,
  title,
  type = 'button',
  children,
  ...rest
}: ButtonProps) {
  const tooltip = shortcut
    ? `${title ?? textOf(children)} (${formatShortcut(shortcut, mac)})`.trim()
    : title;
  return (
    <button
      type={type}
      title={tooltip}
      aria-keyshortcuts={shortcut ? ariaShortcut(shortcut, mac) : undefined}
      aria-busy={busy || undefined}
      className={cn(
        'inline-flex cursor-pointer items-center justify-center rounded-md font-medium transition-colors disabled:cursor-not-allowed',
        focusRing,
        variantClasses[variant],
        sizeClasses[size],
        className,
      )}
      {...rest}
    >
      {busy ? <Spinner /> : null}
      {children}
    </button>
  );
}

function textOf(node: ReactNode): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  return '';
}

export function Spinner({ className }: { className?: string }) {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 24 24"
      className={cn('size-4 animate-spin motion-reduce:animate-none', className)}
    >
      <circle
        cx="12"
        cy="12"
        r="9"
        fill="none"
        stroke="currentColor"
        strokeOpacity="0.25"
        strokeWidth="3"
      />
      <path
        d="M21 12a9 9 0 0 0-9-9"
        fill="none"
        stroke="currentColor"
        strokeWidth="3"
        strokeLinecap="round"
      />
    </svg>
  );
}

const macKeys: Record<string, string> = { Mod: '⌘', Alt: '⌥', Shift: '⇧', Ctrl: '⌃', Enter: '↵' };
const pcKeys: Record<string, string> = { Mod: 'Ctrl', Alt: 'Alt', Shift: 'Shift', Ctrl: 'Ctrl' };

/** Splits a CodeMirror key spec (`Shift-Mod-Enter`) into display keys for one platform. */
export function shortcutKeys(spec: string, mac = false): string[] {
  const table = mac ? macKeys : pcKeys;
  return spec.split('-').map((part) => {
    const key = part.length === 1 ? part.toUpperCase() : part;
    return table[key] ?? key;
  });
}

/** `Mod-Enter` → `Ctrl+Enter` (or `⌘↵` on a Mac). */
export function formatShortcut(spec: string, mac = false): string {
  return shortcutKeys(spec, mac).join(mac ? '' : '+');
}

/** `Mod-Enter` → `Control+Enter` / `Meta+Enter`, the aria-keyshortcuts syntax. */
export function ariaShortcut(spec: string, mac = false): string {
  const names: Record<string, string> = {
    Mod: mac ? 'Meta' : 'Control',
    Ctrl: 'Control',
    Cmd: 'Meta',
    Alt: 'Alt',
    Shift: 'Shift',
  };
  return spec
    .split('-')
    .map((part) => names[part] ?? (part.length === 1 ? part.toUpperCase() : part))
    .join('+');
}

export interface KbdProps extends HTMLAttributes<HTMLElement> {
  /** a CodeMirror key spec to render as keys; or pass children */
  shortcut?: string;
  mac?: boolean;
}

export function Kbd({ shortcut, mac = false, className, children, ...rest }: KbdProps) {
  const keyClass =
    'rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs text-slate-800 shadow-[inset_0_-1px_0_rgb(203_213_225)]';
  if (!shortcut) {
    return (
      <kbd className={cn(keyClass, className)} {...rest}>
        {children}
      </kbd>
    );
  }
  const keys = shortcutKeys(shortcut, mac);
  return (
    <kbd className={cn('inline-flex items-center gap-0.5', className)} {...rest}>
      {keys.map((key, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: keys of one shortcut never reorder
        <kbd key={index} className={keyClass}>
          {key}
        </kbd>
      ))}
    </kbd>
  );
}

export type BadgeTone = 'neutral' | 'success' | 'danger' | 'warning' | 'info';

const toneClasses: Record<BadgeTone, string> = {
  neutral: 'border-slate-300 bg-slate-100 text-slate-800',
  success: 'border-emerald-300 bg-emerald-50 text-emerald-900',
  danger: 'border-red-300 bg-red-50 text-red-900',
  warning: 'border-amber-300 bg-amber-50 text-amber-900',
  info: 'border-sky-300 bg-sky-50 text-sky-900',
};

export interface BadgeProps extends HTMLAttributes<HTMLSpanElement> {
  tone?: BadgeTone;
}

export function Badge({ tone = 'neutral', className, children, ...rest }: BadgeProps) {
  return (
    <span
      className={cn(
        'inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium',
        toneClasses[tone],
        className,
      )}
      {...rest}
    >
      {children}
    </span>
  );
}
