// Types of secrets.mjs for its test (packages/db/test/start-files.test.ts).
export function ensurePrivateDir(dir: string): void;
export function writePrivateFile(file: string, data: string): void;
export function readOrCreateSecrets(file: string): {
  GRADER_SECRET: string;
  BETTER_AUTH_SECRET: string;
};
