/**
 * Only a same-origin path is allowed as a post-sign-in destination (no open redirect). The
 * value is parsed as a URL the way a browser would resolve it against our origin (which drops
 * tabs and newlines and treats `\` as `/`), and only its path, query and hash are kept.
 */
const BASE = 'http://lms.invalid';

export function safeNext(
  value: string | string[] | undefined | null,
  fallback = '/courses',
): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v?.startsWith('/')) return fallback;
  let url: URL;
  try {
    url = new URL(v, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // a path that itself starts with `//` would be read as another host by the next redirect
  return path.startsWith('//') ? fallback : path;
}
