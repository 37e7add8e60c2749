// Types of secrets.mjs for its tests (packages/db/test/start-files.test.ts,
// apps/web/test/server/unprivileged.test.ts).
export function ensurePrivateDir(dir: string): void;
export function writePrivateFile(file: string, data: string): void;
export function readPrivateFile(file: string): string | null;
export function readOrCreateSecrets(
  file: string,
  options?: { legacy?: string },
): {
  GRADER_SECRET: string;
  BETTER_AUTH_SECRET: string;
};
