import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Provider = 'sqlite' | 'postgresql';
export const PROVIDERS: readonly Provider[] = ['sqlite', 'postgresql'];

/** packages/db */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = join(PACKAGE_DIR, '..', '..');
export const BASE_SCHEMA_PATH = join(PACKAGE_DIR, 'prisma', 'schema.base.prisma');

const DIR_OF: Record<Provider, string> = { sqlite: 'sqlite', postgresql: 'postgres' };

export function providerDir(provider: Provider): string {
  return join(PACKAGE_DIR, 'prisma', DIR_OF[provider]);
}
export function schemaPath(provider: Provider): string {
  return join(providerDir(provider), 'schema.prisma');
}
export function migrationsDir(provider: Provider): string {
  return join(providerDir(provider), 'migrations');
}

const HEADER =
  '// GENERATED from ../schema.base.prisma by `npm run derive -w @lms/db`. Do not edit.\n';

/** The provider's schema: the base with its two placeholders filled in. */
export function deriveSchema(base: string, provider: Provider): string {
  if (!base.includes('"__PROVIDER__"') || !base.includes('"__OUTPUT__"')) {
    throw new Error(
      `${BASE_SCHEMA_PATH}: the placeholders "__PROVIDER__" and "__OUTPUT__" are required`,
    );
  }
  return (
    HEADER +
    base
      .replace('"__PROVIDER__"', JSON.stringify(provider))
      .replace('"__OUTPUT__"', JSON.stringify(`../../src/generated/${DIR_OF[provider]}`))
  );
}

export function readBaseSchema(): string {
  return readFileSync(BASE_SCHEMA_PATH, 'utf8');
}
