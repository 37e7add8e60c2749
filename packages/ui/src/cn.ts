export type ClassValue = string | number | false | null | undefined | ClassValue[];

/**
 * Joins class names, skipping falsy values and flattening arrays. No conflict merging:
 * components put caller classes last and avoid setting the same utility twice.
 */
export function cn(...values: ClassValue[]): string {
  const out: string[] = [];
  const walk = (value: ClassValue) => {
    if (!value && value !== 0) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    const text = String(value).trim();
    if (text) out.push(text);
  };
  for (const value of values) walk(value);
  return out.join(' ');
}

/** Visible focus ring shared by every interactive element. */
export const focusRing =
  'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600';
