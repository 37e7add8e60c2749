import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import type {
  DiagnoseMigrationHistoryOutput,
  MigrationList,
  SchemaEngine,
  SchemaFilter,
} from '@prisma/schema-engine-wasm';
import pg from 'pg';
import { oneLine } from './client.ts';
import { type DbTarget, ensureSqliteDir, pgConfig, redact } from './env.ts';
import { DbError } from './errors.ts';
import {
  deriveSchema,
  migrationsDir,
  type Provider,
  readBaseSchema,
  schemaPath,
} from './schema-files.ts';

const FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

type EngineModule = typeof import('@prisma/schema-engine-wasm');
type WasmApi = {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(
    module: object,
    imports: Record<string, unknown>,
  ): Promise<{ exports: Record<string, unknown> }>;
};
let engineModule: Promise<EngineModule> | undefined;

/**
 * Instantiates the wasm schema engine ourselves instead of importing the package's entry
 * (which does `import * as wasm from "./x.wasm"` and so needs `--experimental-wasm-modules`
 * on Node 20). The glue module only needs its exports wired to the instance.
 */
function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = join(
      dirname(require.resolve('@prisma/schema-engine-wasm')),
      'schema_engine_bg.wasm',
    );
    const bg = (await import(
      '@prisma/schema-engine-wasm/schema_engine_bg'
    )) as unknown as EngineModule & {
      __wbg_set_wasm(exports: unknown): void;
    };
    // (lib has no DOM/WebAssembly typings here; Node provides the global)
    const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = await Wasm.compile(readFileSync(wasmPath));
    const instance = await Wasm.instantiate(module, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return engineModule;
}

/**
 * The wasm engine sends a whole migration script (many statements, no parameters) through
 * `executeRaw`; better-sqlite3 prepares one statement at a time and rejects it. Route such
 * scripts to `executeScript` (exec), which runs them all.
 */
function scriptAware<A extends SqlDriverAdapter>(adapter: A): A {
  if (adapter.provider !== 'sqlite') return adapter;
  const isScript = (q: SqlQuery) => q.args.length === 0 && /;\s*\S/.test(stripSqlComments(q.sql));
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (q: SqlQuery) => {
    if (!isScript(q)) return executeRaw(q);
    await adapter.executeScript(q.sql);
    return 0;
  };
  return adapter;
}

function stripSqlComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''");
}

/** Wraps an adapter factory to dispose every connection the engine opened (pg pools would keep the process alive). */
function tracked(factory: SqlMigrationAwareDriverAdapterFactory, pgUrl?: string) {
  const opened: SqlDriverAdapter[] = [];
  const shadowDbs: string[] = [];
  const wrapper: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const a = scriptAware(await factory.connect());
      opened.push(a);
      return a;
    },
    async connectToShadowDb() {
      if (!pgUrl) {
        const a = scriptAware(await factory.connectToShadowDb());
        opened.push(a);
        return a;
      }
      // adapter-pg drops its shadow database before closing its pool (DROP fails: "being
      // accessed by other users"), so we manage PostgreSQL shadow databases ourselves.
      const name = `lms_shadow_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
      await pgAdmin(pgUrl, `CREATE DATABASE "${name}"`);
      shadowDbs.push(name);
      const a = await new PrismaPg(charAsTextPool(pgConfig(pgUrl, name)), {
        disposeExternalPool: true,
      }).connect();
      opened.push(a);
      return a;
    },
  };
  return {
    wrapper,
    async dispose() {
      for (const a of opened.splice(0)) await a.dispose().catch(() => {});
      for (const name of shadowDbs.splice(0)) {
        await pgAdmin(pgUrl!, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      }
    },
  };
}

/** Overrides for tests and tooling: another migrations directory, another base schema text. */
export type MigrateOptions = { migrationsDir?: string; baseSchema?: string };

export async function withEngine<T>(
  target: DbTarget,
  fn: (
    engine: SchemaEngine,
    ctx: { provider: Provider; schema: string; schemaFile: string },
  ) => Promise<T>,
  options: MigrateOptions = {},
): Promise<T> {
  const provider: Provider = target.provider;
  if (target.provider === 'sqlite') ensureSqliteDir(target.file);
  else await ensurePgDatabase(target.url);
  const factory =
    target.provider === 'sqlite'
      ? new PrismaBetterSqlite3({ url: target.file, timeout: 10_000 })
      : new PrismaPg(charAsTextPool(pgConfig(target.url)), { disposeExternalPool: true });
  const { wrapper, dispose } = tracked(
    factory,
    target.provider === 'postgresql' ? target.url : undefined,
  );
  const mod = await loadEngineModule();
  const schemaFile = schemaPath(provider);
  const schema = deriveSchema(options.baseSchema ?? readBaseSchema(), provider);
  const logs: string[] = [];
  let engine: SchemaEngine | undefined;
  try {
    engine = await mod.SchemaEngine.new(
      { datamodels: [[schemaFile, schema]] },
      (line: string) => logs.push(line),
      bindMigrationAwareSqlAdapterFactory(wrapper),
    );
    return await fn(engine, { provider, schema, schemaFile });
  } catch (error) {
    // say which database (e.g. "file is not a database" alone is not enough)
    const where = target.provider === 'sqlite' ? target.file : redact(target.url);
    const message = error instanceof DbError ? error.message : engineMessage(error);
    if (message.includes(where)) throw error;
    throw new DbError(error instanceof DbError ? error.code : 'MIGRATION', `${where}: ${message}`);
  } finally {
    engine?.free();
    await dispose();
  }
}

/**
 * A pg pool whose results report PostgreSQL's internal one-byte `"char"` type (OID 18, used by
 * the catalogs the schema engine reads to describe a schema) as text: adapter-pg 7.10 rejects
 * OID 18 ("Column type 'char' could not be deserialized"), and pg already returns it as a string.
 */
function charAsTextPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  const fix = (result: unknown) => {
    for (const r of Array.isArray(result) ? result : [result]) {
      for (const f of (r as pg.QueryResult | undefined)?.fields ?? []) {
        if (f.dataTypeID === 18) f.dataTypeID = 25;
      }
    }
    return result;
  };
  const patch = (target: { query: (...args: never[]) => unknown }) => {
    const original = target.query.bind(target) as (...args: unknown[]) => unknown;
    (target as { query: unknown }).query = (...args: unknown[]) => {
      const out = original(...args);
      return out instanceof Promise ? out.then(fix) : out;
    };
  };
  patch(pool as never);
  pool.on('connect', (client) => patch(client as never));
  return pool;
}

/** Runs one statement on the server's `postgres` database (CREATE/DROP DATABASE). */
export async function pgAdmin(url: string, sql: string): Promise<void> {
  const admin = new pg.Client(pgConfig(url, 'postgres'));
  try {
    await admin.connect();
    await admin.query(sql);
  } finally {
    await admin.end().catch(() => {});
  }
}

/** Creates the PostgreSQL database named in the URL when it does not exist (like `prisma migrate deploy`). */
async function ensurePgDatabase(url: string): Promise<void> {
  const cfg = pgConfig(url);
  const client = new pg.Client(cfg);
  try {
    await client.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') {
      throw new DbError('UNAVAILABLE', `cannot reach ${redact(url)}: ${oneLine(error)}`);
    }
  } finally {
    await client.end().catch(() => {});
  }
  const admin = new pg.Client(pgConfig(url, 'postgres'));
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${cfg.database.replaceAll('"', '""')}"`);
  } catch (error) {
    throw new DbError(
      'UNAVAILABLE',
      `database "${cfg.database}" does not exist and could not be created: ${oneLine(error)}`,
    );
  } finally {
    await admin.end().catch(() => {});
  }
}

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

async function wrapEngine<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof DbError) throw error;
    throw new DbError('MIGRATION', engineMessage(error));
  }
}

/** The engine's messages end with a span trace ("0: schema_engine_wasm::…"); keep the text before it. */
function engineMessage(error: unknown): string {
  const msg = (error as { message?: string })?.message ?? String(error);
  const text = msg.split(/\n\s*\d+: [a-z_]+::/)[0]!.trim();
  return text || oneLine(error);
}
