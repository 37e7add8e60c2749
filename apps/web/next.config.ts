import type { NextConfig } from 'next';

// Set before Next reads it, so neither dev, build nor start ever phones home.
process.env.NEXT_TELEMETRY_DISABLED = '1';

const isDev = process.env.NODE_ENV !== 'production';

// Everything (scripts, styles, fonts, Pyodide) comes from our own origin. Pyodide compiles
// WebAssembly ('wasm-unsafe-eval'); Next's inline bootstrap scripts need 'unsafe-inline';
// React's dev tooling needs 'unsafe-eval' in development only.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'${isDev ? " 'unsafe-eval'" : ''}`,
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

const securityHeaders = [
  { key: 'Content-Security-Policy', value: contentSecurityPolicy },
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
      { source: '/:path*', headers: securityHeaders },
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
