import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, pendingSchemaChanges, readMigrations, writeMigration } from '../src/migrate.ts';
import {
  deriveSchema,
  migrationsDir,
  PROVIDERS,
  readBaseSchema,
  schemaPath,
} from '../src/schema-files.ts';
import { freshTarget, IN_CI, PROVIDERS_UNDER_TEST, pgStatus } from './helpers.ts';

describe('one schema, two providers', () => {
  it.each(PROVIDERS)(
    'prisma/%s schema.prisma is derived from schema.base.prisma (run `npm run derive -w @lms/db`)',
    (provider) => {
      expect(readFileSync(schemaPath(provider), 'utf8')).toBe(
        deriveSchema(readBaseSchema(), provider),
      );
    },
  );

  it('the two derived schemas differ only in provider and output', () => {
    const [a, b] = PROVIDERS.map((p) => deriveSchema(readBaseSchema(), p).split('\n'));
    const differing = a!.filter((line, i) => line !== b![i]);
    expect(differing).toHaveLength(2);
    expect(differing.join('\n')).toMatch(/provider|output/);
  });

  it('both providers have the same migration names', () => {
    const names = PROVIDERS.map((p) => readMigrations(p).migrationDirectories.map((m) => m.path));
    expect(names[0]!.length).toBeGreaterThan(0);
    expect(names[0]).toEqual(names[1]);
  });
});

describe.each(PROVIDERS_UNDER_TEST)('migrations match the schema (%s)', (provider) => {
  it('diff from the migrations end state to the schema is empty, and non-empty after a schema change', async () => {
    const { target, drop } = await freshTarget(provider);
    try {
      expect(await pendingSchemaChanges(target)).toBe('');
      const changed = readBaseSchema().replace(
        /model Setting \{\n/,
        'model Setting {\n  description String?\n',
      );
      const sql = await pendingSchemaChanges(target, { baseSchema: changed });
      expect(sql).toMatch(/ALTER TABLE "setting" ADD COLUMN\s+"description" TEXT/);
    } finally {
      await drop();
    }
  }, 60_000);
});

describe.each(PROVIDERS_UNDER_TEST)('writing a migration (%s)', (provider) => {
  it('writeMigration turns a schema change into a migration that migrate applies; then no drift', async () => {
    const { target, drop } = await freshTarget(provider);
    const dir = mkdtempSync(join(tmpdir(), 'lms-db-new-'));
    try {
      cpSync(migrationsDir(provider), dir, { recursive: true });
      const changed = readBaseSchema().replace(
        /model Setting \{\n/,
        'model Setting {\n  note String?\n',
      );
      const opts = { migrationsDir: dir, baseSchema: changed };
      const written = await writeMigration(target, '29990101000000_note', opts);
      expect(written).toBe(join(dir, '29990101000000_note'));
      expect(readFileSync(join(written!, 'migration.sql'), 'utf8')).toMatch(/"note" TEXT/);
      expect(await writeMigration(target, '29990101000001_again', opts)).toBeNull();
      expect((await migrate(target, opts)).applied).toContain('29990101000000_note');
      expect(await pendingSchemaChanges(target, opts)).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await drop();
    }
  }, 90_000);
});

if (!pgStatus.ok && !IN_CI) console.warn(`PostgreSQL tests skipped: ${pgStatus.reason}`);
