import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { CHAPTER_URL, STUDENT1, signIn, waitForPython } from '../support/app';

/** The directives of a Content-Security-Policy header, by name. */
function directives(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values);
  }
  return out;
}

function nonceOf(csp: string): string {
  const sources = directives(csp).get('script-src') ?? [];
  const nonces = sources.flatMap((s) => /^'nonce-([A-Za-z0-9+/_=-]+)'$/.exec(s)?.[1] ?? []);
  expect(nonces, `one nonce in script-src of: ${csp}`).toHaveLength(1);
  return nonces[0]!;
}

const pyodideVersion = readdirSync(
  fileURLToPath(new URL('../../apps/web/public/pyodide/', import.meta.url)),
)[0];

test.describe('security headers', () => {
  test('pages get a per-request nonce in script-src, never unsafe-inline', async ({ request }) => {
    const first = await request.get('/sign-in');
    expect(first.status()).toBe(200);
    const csp = first.headers()['content-security-policy'] ?? '';
    const d = directives(csp);
    const scriptSrc = d.get('script-src') ?? [];
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    expect(scriptSrc).toContain("'self'");
    expect(scriptSrc).toContain("'wasm-unsafe-eval'"); // Pyodide compiles WebAssembly
    expect(d.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    const nonce = nonceOf(csp);
    expect(nonce.length).toBeGreaterThanOrEqual(16);

    // one policy only (two would both be enforced), and a fresh nonce each time
    expect(
      first.headersArray().filter((h) => /^content-security-policy$/i.test(h.name)),
    ).toHaveLength(1);
    const second = await request.get('/sign-in');
    expect(nonceOf(second.headers()['content-security-policy'] ?? '')).not.toBe(nonce);

    // every script tag of the HTML carries the header's nonce
    const html = await first.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);

    // the other headers are still there
    const h = first.headers();
    expect(h['cross-origin-opener-policy']).toBe('same-origin');
    expect(h['cross-origin-embedder-policy']).toBe('require-corp');
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['x-frame-options']).toBe('DENY');
    expect(h['x-powered-by']).toBeUndefined();
  });

  test('HSTS only when the request came over HTTPS', async ({ request }) => {
    const plain = await request.get('/sign-in');
    expect(plain.headers()['strict-transport-security']).toBeUndefined();
    const forwardedHttp = await request.get('/sign-in', {
      headers: { 'x-forwarded-proto': 'http' },
    });
    expect(forwardedHttp.headers()['strict-transport-security']).toBeUndefined();

    const overTls = await request.get('/sign-in', { headers: { 'x-forwarded-proto': 'https' } });
    expect(overTls.headers()['strict-transport-security']).toMatch(
      /^max-age=\d{7,}; includeSubDomains$/,
    );
  });

  test('static files and Pyodide keep one policy without a nonce, and their caching', async ({
    request,
  }) => {
    const html = await (await request.get('/sign-in')).text();
    const chunk = /<script\b[^>]*\bsrc="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(chunk).toBeTruthy();
    const asset = await request.get(chunk!);
    expect(asset.status()).toBe(200);
    const lock = await request.get(`/pyodide/${pyodideVersion}/pyodide-lock.json`);
    expect(lock.status()).toBe(200);
    expect(lock.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const res of [asset, lock]) {
      const csps = res.headersArray().filter((h) => /^content-security-policy$/i.test(h.name));
      expect(csps).toHaveLength(1);
      const scriptSrc = directives(csps[0]!.value).get('script-src') ?? [];
      expect(scriptSrc).toEqual(["'self'", "'wasm-unsafe-eval'"]);
      expect(res.headers()['cross-origin-embedder-policy']).toBe('require-corp');
      expect(res.headers()['cross-origin-resource-policy']).toBe('same-origin');
    }
  });

  test('the chapter page runs under the policy: nonces match, no violation, Pyodide starts', async ({
    page,
  }) => {
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __csp: string[] }).__csp = seen;
      document.addEventListener('securitypolicyviolation', (e) =>
        seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
      );
    });
    await signIn(page, STUDENT1);
    const response = await page.goto(CHAPTER_URL);
    const nonce = nonceOf((await response!.allHeaders())['content-security-policy'] ?? '');
    await waitForPython(page);

    // every script tag the server sent carries the header's nonce
    const html = await response!.text();
    const sent = html.match(/<script\b[^>]*>/g) ?? [];
    expect(sent.length).toBeGreaterThan(0);
    for (const tag of sent) expect(tag).toContain(`nonce="${nonce}"`);

    // in the DOM (the browser hides the nonce attribute; the property keeps it): inline scripts
    // all have the nonce; any other one is a chunk loaded later from our own /_next/static/
    const scripts = await page.locator('script').evaluateAll((els) =>
      els.map((el) => ({
        src: (el as HTMLScriptElement).src,
        nonce: (el as HTMLScriptElement).nonce,
      })),
    );
    for (const s of scripts) {
      if (s.nonce !== nonce) expect(new URL(s.src).pathname).toMatch(/^\/_next\/static\//);
      if (!s.src) expect(s.nonce).toBe(nonce);
    }
    expect(scripts.filter((s) => s.nonce === nonce).length).toBeGreaterThan(0);

    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    // Nothing blocked but `eval` probes: a library (zod 4's `allowsEval`) tries `new Function`
    // once and falls back when the policy refuses it, as it did before nonces.
    const violations = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    console.log(`CSP violations on the chapter page: ${JSON.stringify(violations)}`);
    expect(violations.filter((v) => !v.includes(' eval '))).toEqual([]);

    // an injected inline script without the nonce does not run
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.append(s);
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
  });
});
