/**
 * The Content-Security-Policy, stated once: pages get it with a per-request nonce
 * (`proxy.ts`), the static files the proxy skips without one (`next.config.ts`). Everything
 * comes from our own origin; inline scripts only with the nonce. Pyodide compiles WebAssembly
 * ('wasm-unsafe-eval'; its module worker is `worker-src 'self'`). React's dev tooling needs
 * 'unsafe-eval' in development only. `style-src` keeps 'unsafe-inline' (React `style`
 * attributes and the editor's inline styles; a nonce in style-src would make browsers ignore
 * 'unsafe-inline', so there is none). No imports: next.config.ts loads this file too.
 */
export function contentSecurityPolicy(options: { nonce?: string; dev: boolean }): string {
  const nonce = options.nonce ? ` 'nonce-${options.nonce}'` : '';
  return [
    "default-src 'self'",
    `script-src 'self'${nonce} 'wasm-unsafe-eval'${options.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
