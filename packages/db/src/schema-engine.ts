/** Drives Prisma's wasm schema engine over our driver adapters (loading, connections, errors). */
import { readFileSync } from 'node:fs';
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
import type { SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import pg from 'pg';
import { oneLine } from './client.ts';
import { type DbTarget, ensureSqliteDir, pgConfig, redact } from './env.ts';
import { DbError } from './errors.ts';
import { deriveSchema, type Provider, readBaseSchema, schemaPath } from './schema-files.ts';

export const FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

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

export async function wrapEngine<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof DbError) throw error;
    throw new DbError('MIGRATION', engineMessage(error));
  }
}

/** The engine's messages end with a span trace ("0: schema_engine_wasm::…"); keep the text before it. */
export function engineMessage(error: unknown): string {
  const msg = (error as { message?: string })?.message ?? String(error);
  const text = msg.split(/\n\s*\d+: [a-z_]+::/)[0]!.trim();
  return text || oneLine(error);
}
