/** Only same-site paths are allowed as a post-sign-in destination (no open redirects). */
export function safeNext(
  value: string | string[] | undefined | null,
  fallback = '/courses',
): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v?.startsWith('/') || v.startsWith('//') || v.startsWith('/\\')) return fallback;
  return v;
}
