import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDb } from '../src/client.ts';
import { DbError } from '../src/errors.ts';
import {
  migrate,
  migrationStatus,
  readMigrations,
  resetDatabase,
  resolveMigration,
} from '../src/migrate.ts';
import { migrationsDir } from '../src/schema-files.ts';
import { freshTarget, PROVIDERS_UNDER_TEST } from './helpers.ts';

describe.each(PROVIDERS_UNDER_TEST)('migrations (%s)', (provider) => {
  it('applies all migrations to an empty database, then is a no-op; keeps _prisma_migrations', async () => {
    const { target, drop } = await freshTarget(provider);
    try {
      const all = readMigrations(provider).migrationDirectories.map((m) => m.path);
      expect((await migrationStatus(target)).pending).toEqual(all);
      expect((await migrate(target)).applied).toEqual(all);
      expect((await migrate(target)).applied).toEqual([]);
      const status = await migrationStatus(target);
      expect(status).toMatchObject({ applied: all, pending: [], failed: [] });
      const db = createDb({ url: target.url });
      try {
        const rows = await db.$queryRawUnsafe<Array<{ migration_name: string }>>(
          'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL',
        );
        expect(rows.map((r) => r.migration_name)).toEqual(all);
        expect(await db.user.count()).toBe(0);
      } finally {
        await db.$disconnect();
      }
    } finally {
      await drop();
    }
  }, 60_000);

  it('a failing migration is reported with its name and how to recover; migrate then refuses until resolved', async () => {
    const { target, drop } = await freshTarget(provider);
    const dir = mkdtempSync(join(tmpdir(), 'lms-db-migrations-'));
    try {
      cpSync(migrationsDir(provider), dir, { recursive: true });
      const bad = '29990101000000_bad';
      mkdirSync(join(dir, bad));
      writeFileSync(
        join(dir, bad, 'migration.sql'),
        'CREATE TABLE "half" ("id" INTEGER);\nINSERT INTO "no_such_table" VALUES (1);\n',
      );
      const first = await migrate(target, { migrationsDir: dir }).catch((e: unknown) => e);
      expect(first).toBeInstanceOf(DbError);
      expect((first as DbError).message).toContain(`migration ${bad} failed`);
      expect((first as DbError).message).toContain(`lms-db resolve --rolled-back ${bad}`);
      expect((await migrationStatus(target, { migrationsDir: dir })).failed).toEqual([bad]);

      const again = await migrate(target, { migrationsDir: dir }).catch((e: unknown) => e);
      expect((again as DbError).message).toMatch(/failed on .* \(in an earlier run\)/);

      // recover: undo by hand, fix the migration, mark rolled back, migrate again
      const db = createDb({ url: target.url });
      await db.$executeRawUnsafe('DROP TABLE IF EXISTS "half"');
      await db.$disconnect();
      writeFileSync(join(dir, bad, 'migration.sql'), 'CREATE TABLE "half" ("id" INTEGER);\n');
      await resolveMigration(target, bad, 'rolled-back', { migrationsDir: dir });
      expect((await migrate(target, { migrationsDir: dir })).applied).toEqual([bad]);
      expect((await migrationStatus(target, { migrationsDir: dir })).failed).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await drop();
    }
  }, 60_000);

  it('reset drops the data and re-applies the migrations', async () => {
    const { target, drop } = await freshTarget(provider);
    try {
      await migrate(target);
      const db = createDb({ url: target.url });
      await db.setting.create({ data: { key: 'k', value: 'v' } });
      await db.$disconnect();
      const r = await resetDatabase(target);
      expect(r.applied.length).toBeGreaterThan(0);
      const db2 = createDb({ url: target.url });
      expect(await db2.setting.count()).toBe(0);
      await db2.$disconnect();
    } finally {
      await drop();
    }
  }, 60_000);
});
