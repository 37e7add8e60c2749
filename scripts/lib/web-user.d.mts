// Types of web-user.mjs for its test (apps/web/test/server/unprivileged.test.ts).
export type WebUser = { name: string; uid: number; gid: number };
export const DEFAULT_WEB_USER: string;
export function lookupUser(name: string): WebUser | null;
export function ensureSystemUser(name: string): WebUser;
export function resolveWebUser(options?: { uid?: number; spec?: string }): WebUser | null;
export function sqliteFileOf(databaseUrl: string | undefined, root: string): string | null;
export function sqliteFiles(file: string): string[];
export function refuseLinks(files: string[]): void;
export function prepareWebFiles(
  user: WebUser,
  where: { dataDir: string; sqliteFile: string | null; appDir?: string; nextDir?: string },
): void;
export function checkAsUser(
  user: WebUser,
  paths: { read?: string[]; write?: string[] },
): string | null;
export function webSpawnOptions(
  user: WebUser | null,
  env?: Record<string, string | undefined>,
): { uid?: number; gid?: number; env: NodeJS.ProcessEnv };
export function uidOf(pid: number): number | null;
