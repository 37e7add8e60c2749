import type { NextConfig } from 'next';
import { contentSecurityPolicy } from './src/csp.ts';

// Set before Next reads it, so neither dev, build nor start ever phones home.
process.env.NEXT_TELEMETRY_DISABLED = '1';

const isDev = process.env.NODE_ENV !== 'production';

// Pages get their Content-Security-Policy from src/proxy.ts: a fresh nonce per request, so
// script-src has no 'unsafe-inline'. The static files the proxy skips (_next/static, including
// the Pyodide module worker's own script, _next/image, public/pyodide) get the same policy
// (src/csp.ts) here without a nonce: they carry no inline script, and a worker runs under the
// policy of its script's response. e2e/security/csp.spec.ts checks both.
const staticContentSecurityPolicy = contentSecurityPolicy({ dev: isDev });

const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
  // Cross-origin isolation gives the Pyodide worker a SharedArrayBuffer, so "Stop" can
  // interrupt a runaway program without reloading the interpreter. Every resource is ours.
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
  { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
];

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // e2e and bench open the dev server as 127.0.0.1 as well as localhost
  allowedDevOrigins: ['127.0.0.1'],
  // workspace packages ship TypeScript sources; Next compiles them with the app
  transpilePackages: ['@lms/content', '@lms/ui', '@lms/grader', '@lms/grading'],
  // native / driver packages stay plain Node requires on the server
  serverExternalPackages: [
    '@lms/db',
    'better-sqlite3',
    '@prisma/client',
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
    'pg',
    'bullmq',
    'ioredis',
    '@node-rs/argon2',
    'shiki',
  ],
  async headers() {
    return [
      // every path; the CSP (and HSTS over HTTPS) of pages is set by src/proxy.ts
      { source: '/:path*', headers: securityHeaders },
      // exactly the paths src/proxy.ts does not match (its `config.matcher`), so that no
      // response carries two policies (browsers would enforce both)
      ...['/_next/static/:path*', '/_next/image', '/pyodide/:path*'].map((source) => ({
        source,
        headers: [{ key: 'Content-Security-Policy', value: staticContentSecurityPolicy }],
      })),
      {
        // public/pyodide/<version>/ is copied from node_modules/pyodide (scripts/copy-pyodide.mjs);
        // the version is in the path, so a URL's bytes never change
        source: '/pyodide/:version/:file*',
        headers: [{ key: 'Cache-Control', value: 'public, max-age=31536000, immutable' }],
      },
    ];
  },
};

export default nextConfig;
