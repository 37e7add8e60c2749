import { type NextRequest, NextResponse } from 'next/server';
import { contentSecurityPolicy } from './csp.ts';
import { env } from './env.ts';

/**
 * Per-request Content-Security-Policy with a nonce, and HSTS over HTTPS (Next 16 "proxy", the
 * former middleware). Next reads the nonce from the request's CSP header and puts it on its
 * own scripts (framework, page chunks, the inline RSC payload), so `script-src` needs no
 * `'unsafe-inline'`. Every page renders dynamically already (the root layout reads the locale
 * cookie), which a nonce requires. The other headers (COOP/COEP, nosniff, …) and the static
 * CSP of the paths this proxy skips are in `next.config.ts`.
 */

/** 16 random bytes, base64: a fresh, unguessable nonce for every request. */
export function makeNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** The page policy (`csp.ts`) with this request's nonce. */
export function pageCsp(nonce: string, dev = env().NODE_ENV !== 'production'): string {
  return contentSecurityPolicy({ nonce, dev });
}

export const HSTS = 'max-age=63072000; includeSubDomains';

/**
 * Whether the browser reached us over HTTPS: the URL's scheme, or the first hop of
 * `x-forwarded-proto` as set by the TLS-terminating proxy in front of the app. A client
 * forging the header on plain HTTP gains nothing: browsers ignore HSTS received over HTTP.
 */
export function cameOverHttps(request: Pick<NextRequest, 'headers' | 'nextUrl'>): boolean {
  const forwarded = request.headers.get('x-forwarded-proto');
  if (forwarded !== null) return forwarded.split(',')[0]?.trim().toLowerCase() === 'https';
  return request.nextUrl.protocol === 'https:';
}

export function proxy(request: NextRequest) {
  const nonce = makeNonce();
  const csp = pageCsp(nonce);

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', csp);

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  if (cameOverHttps(request)) response.headers.set('strict-transport-security', HSTS);
  return response;
}

export const config = {
  // Not for the static files (`_next/static`, `_next/image`, `public/pyodide`): they carry no
  // inline script, and next.config.ts gives them the same policy without a nonce.
  matcher: ['/((?!_next/static/|_next/image|pyodide/).*)'],
};
