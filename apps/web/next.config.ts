import type { NextConfig } from 'next';

// Minimal config created by the server side; the pages engineer owns this file from here.
const nextConfig: NextConfig = {
  // workspace packages ship TypeScript sources
  transpilePackages: ['@lms/content', '@lms/ui', '@lms/grader'],
  // native / driver packages must stay plain Node requires on the server
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
};

export default nextConfig;
