import { format, type UiMessages } from './messages.ts';

/** `230 ms`, `1.24 s`, `12 s` in the messages' locale. */
export function formatDuration(ms: number, m: UiMessages): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return format(m.durationMs, { n: Math.round(ms) });
  const seconds = ms / 1000;
  const digits = seconds < 10 ? 2 : seconds < 100 ? 1 : 0;
  const n = new Intl.NumberFormat(m.numberLocale, {
    maximumFractionDigits: digits,
    minimumFractionDigits: 0,
  }).format(seconds);
  return format(m.durationSeconds, { n });
}

/** `3.11.2` → `3.11`; anything else unchanged. */
export function shortPythonVersion(version: string): string {
  const match = /^(\d+)\.(\d+)/.exec(version.trim());
  return match ? `${match[1]}.${match[2]}` : version.trim();
}

/**
 * Which engine ran the code, in words: `Pyodide · Python 3.13`, `CPython 3.11 · sandbox`.
 * Engine names are the grader's (`pyodide`, `cpython-bwrap`, `cpython-unsafe`); `cpython`
 * alone counts as sandboxed unless `unsafe` is set.
 */
export function engineLabel(
  engine: string | null | undefined,
  pythonVersion: string | null | undefined,
  m: UiMessages,
  unsafe = false,
): string {
  const version = pythonVersion ? shortPythonVersion(pythonVersion) : '?';
  const name = (engine ?? '').toLowerCase();
  if (name === 'pyodide') return format(m.enginePyodide, { version });
  if (name === 'output-compare') return m.engineOutputCompare;
  if (name.startsWith('cpython')) {
    const noSandbox = unsafe || name === 'cpython-unsafe';
    return format(noSandbox ? m.engineUnsafe : m.engineSandbox, { version });
  }
  if (!engine) return pythonVersion ? `Python ${version}` : '';
  return pythonVersion ? `${engine} · Python ${version}` : engine;
}
