/** Migrations of a database: reading them, status, apply, resolve, reset, and writing new ones. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  DiagnoseMigrationHistoryOutput,
  MigrationList,
  SchemaEngine,
} from '@prisma/schema-engine-wasm';
import { type DbTarget, redact } from './env.ts';
import { DbError } from './errors.ts';
import {
  engineMessage,
  FILTERS,
  type MigrateOptions,
  withEngine,
  wrapEngine,
} from './schema-engine.ts';
import { migrationsDir, type Provider } from './schema-files.ts';

export { type MigrateOptions, pgAdmin, withEngine } from './schema-engine.ts';

export function readMigrations(provider: Provider, dir?: string): MigrationList {
  const baseDir = dir ?? migrationsDir(provider);
  const lockPath = join(baseDir, 'migration_lock.toml');
  const dirs = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((name) => {
      const file = join(baseDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file)
            ? { tag: 'ok' as const, value: readFileSync(file, 'utf8') }
            : { tag: 'error' as const, value: `${file} is missing` },
        },
      };
    }),
  };
}

/** diagnoseMigrationHistory, also on a database without the `_prisma_migrations` table (a fresh one). */
async function diagnose(
  engine: SchemaEngine,
  migrationsList: MigrationList,
): Promise<DiagnoseMigrationHistoryOutput> {
  try {
    return await engine.diagnoseMigrationHistory({
      migrationsList,
      optInToShadowDatabase: false,
      filters: FILTERS,
    });
  } catch (error) {
    if (/_prisma_migrations` does not exist/.test(String((error as Error)?.message))) {
      return {
        hasMigrationsTable: false,
        failedMigrationNames: [],
        editedMigrationNames: [],
        history: {
          diagnostic: 'databaseIsBehind',
          unappliedMigrationNames: migrationsList.migrationDirectories.map((m) => m.path),
        },
      };
    }
    throw new DbError('MIGRATION', engineMessage(error));
  }
}

export type MigrationStatus = {
  provider: Provider;
  applied: string[];
  pending: string[];
  failed: string[];
  edited: string[];
  /** migrations recorded in the database but absent from this checkout */
  unknown: string[];
};

export async function migrationStatus(
  target: DbTarget,
  options: MigrateOptions = {},
): Promise<MigrationStatus> {
  return withEngine(
    target,
    async (engine, { provider }) => {
      const migrationsList = readMigrations(provider, options.migrationsDir);
      const d = await diagnose(engine, migrationsList);
      const all = migrationsList.migrationDirectories.map((m) => m.path);
      const pending =
        d.history?.diagnostic === 'databaseIsBehind' ? d.history.unappliedMigrationNames : [];
      const diverged = d.history?.diagnostic === 'historiesDiverge' ? d.history : undefined;
      const unknown =
        d.history?.diagnostic === 'migrationsDirectoryIsBehind'
          ? d.history.unpersistedMigrationNames
          : (diverged?.unpersistedMigrationNames ?? []);
      const notApplied = new Set([
        ...pending,
        ...(diverged?.unappliedMigrationNames ?? []),
        ...d.failedMigrationNames,
      ]);
      if (!d.hasMigrationsTable) for (const m of all) notApplied.add(m);
      return {
        provider,
        applied: all.filter((m) => !notApplied.has(m)),
        pending: d.hasMigrationsTable
          ? [...pending, ...(diverged?.unappliedMigrationNames ?? [])]
          : all,
        failed: d.failedMigrationNames,
        edited: d.editedMigrationNames,
        unknown,
      };
    },
    options,
  );
}

export type MigrateResult = { provider: Provider; applied: string[]; warnings: string[] };

/**
 * Applies pending migrations (no-op when up to date). Refuses, with what happened and how to
 * recover, when a migration failed earlier (half-applied database) or the histories diverge.
 */
export async function migrate(
  target: DbTarget,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  return withEngine(
    target,
    async (engine, { provider }) => {
      const migrationsList = readMigrations(provider, options.migrationsDir);
      if (migrationsList.migrationDirectories.length === 0) {
        throw new DbError('MIGRATION', `no migrations in ${migrationsList.baseDir}`);
      }
      const d = await diagnose(engine, migrationsList);
      const where = target.provider === 'sqlite' ? target.file : redact(target.url);
      if (d.failedMigrationNames.length > 0) {
        const name = d.failedMigrationNames[0]!;
        throw new DbError('MIGRATION', failedMessage(name, where, null));
      }
      if (
        d.history?.diagnostic === 'migrationsDirectoryIsBehind' ||
        d.history?.diagnostic === 'historiesDiverge'
      ) {
        const names = d.history.unpersistedMigrationNames;
        throw new DbError(
          'MIGRATION',
          `${where} has migrations this checkout does not know (${names.join(', ')}): it was migrated by a newer or different version of the app. Update the code, or use another database.`,
        );
      }
      const warnings = d.editedMigrationNames.map(
        (n) =>
          `migration ${n} was edited after it was applied to ${where} (checksum differs); not re-applied`,
      );
      try {
        const out = await engine.applyMigrations({ migrationsList, filters: FILTERS });
        return { provider, applied: out.appliedMigrationNames, warnings };
      } catch (error) {
        // Which migration failed? The engine recorded it as failed in _prisma_migrations.
        const after = await diagnose(engine, migrationsList).catch(() => undefined);
        const name = after?.failedMigrationNames[0];
        if (name) throw new DbError('MIGRATION', failedMessage(name, where, engineMessage(error)));
        throw new DbError('MIGRATION', `migrating ${where} failed: ${engineMessage(error)}`);
      }
    },
    options,
  );
}

function failedMessage(name: string, where: string, cause: string | null): string {
  return [
    `migration ${name} failed on ${where}${cause ? `: ${cause}` : ' (in an earlier run)'}.`,
    'The statements before the failing one may have been applied (the database is half-migrated); the failure is recorded in _prisma_migrations.',
    `To recover: undo what the migration did (or restore a backup), then run \`lms-db resolve --rolled-back ${name}\` and \`lms-db migrate\` again;`,
    `or, if you completed it by hand, \`lms-db resolve --applied ${name}\`; or, on a disposable database, \`lms-db reset --yes\`.`,
  ].join('\n');
}

export async function resolveMigration(
  target: DbTarget,
  name: string,
  as: 'applied' | 'rolled-back',
  options: MigrateOptions = {},
): Promise<void> {
  await withEngine(
    target,
    async (engine, { provider }) => {
      const migrationsList = readMigrations(provider, options.migrationsDir);
      if (!migrationsList.migrationDirectories.some((m) => m.path === name)) {
        throw new DbError('NOT_FOUND', `no migration named ${name} in ${migrationsList.baseDir}`);
      }
      if (as === 'applied') {
        await wrapEngine(() =>
          engine.markMigrationApplied({ migrationName: name, migrationsList }),
        );
      } else {
        await wrapEngine(() => engine.markMigrationRolledBack({ migrationName: name }));
      }
    },
    options,
  );
}

/** Drops everything in the database (SQLite: all tables; PostgreSQL: the schema) and re-applies the migrations. */
export async function resetDatabase(
  target: DbTarget,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  if (target.provider === 'sqlite') {
    // the engine's reset over the driver adapter leaves SQLite tables behind; a new file is cleaner
    for (const f of [
      target.file,
      `${target.file}-wal`,
      `${target.file}-shm`,
      `${target.file}-journal`,
    ]) {
      rmSync(f, { force: true });
    }
  } else {
    await withEngine(
      target,
      (engine) => wrapEngine(() => engine.reset({ filter: FILTERS })),
      options,
    );
  }
  return migrate(target, options);
}

/**
 * SQL that would bring the end state of the committed migrations to the current base schema
 * (empty string when they agree). Needs a shadow database: an in-memory one for SQLite, a
 * temporary database on the server for PostgreSQL.
 */
export async function pendingSchemaChanges(
  target: DbTarget,
  options: MigrateOptions = {},
): Promise<string> {
  return withEngine(
    target,
    async (engine, { provider, schema, schemaFile }) => {
      const out = await wrapEngine(() =>
        engine.diff({
          from: { tag: 'migrations', ...readMigrations(provider, options.migrationsDir) },
          to: { tag: 'schemaDatamodel', files: [{ path: schemaFile, content: schema }] },
          script: true,
          exitCode: null,
          filters: FILTERS,
        }),
      );
      const sql = (out.stdout ?? '').trim();
      return /^-- This is an empty migration\.?$/.test(sql) ? '' : sql;
    },
    options,
  );
}

/** Writes `<timestamp>_<name>/migration.sql` for the provider of `target`, from pending schema changes. Returns the directory, or null when nothing changed. */
export async function writeMigration(
  target: DbTarget,
  dirName: string,
  options: MigrateOptions = {},
): Promise<string | null> {
  const base = options.migrationsDir ?? migrationsDir(target.provider);
  const lock = join(base, 'migration_lock.toml');
  if (!existsSync(lock)) {
    mkdirSync(base, { recursive: true });
    writeFileSync(
      lock,
      `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${target.provider}"\n`,
    );
  }
  const sql = await pendingSchemaChanges(target, options);
  if (!sql) return null;
  const dir = join(base, dirName);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), `${sql}\n`);
  return dir;
}
