import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { shapeHash } from '@lms/content/shape';
import Database from 'better-sqlite3';
import { checkConnection, createDb, type Db, oneLine } from './client.ts';
import { type DbTarget, env, isPostgresUrl, redact, resolveTarget } from './env.ts';
import { DbError } from './errors.ts';
import {
  migrate,
  migrationStatus,
  pendingSchemaChanges,
  resetDatabase,
  resolveMigration,
  writeMigration,
} from './migrate.ts';
import { backfillAnalytics } from './repo/analytics.ts';
import { publishCompiledCourse } from './repo/releases.ts';
import {
  demoPasswordRefusal,
  disableDemoAccounts,
  generatePassword,
  getUserByEmail,
  setPassword,
  usableDemoAccounts,
} from './repo/users.ts';
import { PROVIDERS, type Provider } from './schema-files.ts';
import {
  compileCourse,
  productionSetup,
  readCourseSource,
  SHIPPED_COURSE_DIR,
  seed,
} from './seed.ts';

const HELP = `lms-db — the LMS database (DATABASE_URL: unset = <repo>/data/lms.db, postgres://… = PostgreSQL)

  lms-db migrate                 apply pending migrations (no-op when up to date)
  lms-db status                  applied / pending / failed migrations
  lms-db seed [--course-json F] [--course-dir D]
                                 demo admin, instructor, two students, a cohort, the shipped course
                                 (compiled with @lms/content unless --course-json is given)
  lms-db setup [--production [--admin-email E]]
                                 migrate; on a database without users: the demo seed (embedded
                                 SQLite only), or with --production (or NODE_ENV=production) the
                                 first admin (E or LMS_ADMIN_EMAIL) with a generated password,
                                 printed once, and the shipped course; with users: nothing changes
  lms-db demo-accounts [--disable | --check [--host H]]
                                 demo accounts still on their public password; --disable removes
                                 those passwords (and sessions); --check exits 1 with the reason
                                 when the web (HOST, NODE_ENV) must not start with them
  lms-db publish <courseDir> [--as <email>]
                                 compile the course directory and publish it as a new release
                                 (errors: file:line:column, nothing published; same content: no-op)
  lms-db set-password <email>    a new generated password, printed once; ends their sessions
  lms-db reset --yes             drop everything, re-apply migrations (then run seed)
  lms-db backup <file>           SQLite online backup to <file>
  lms-db diff                    SQL the committed migrations lack vs schema.base.prisma, per provider
  lms-db new <name>              write that SQL as a new migration for both providers
                                 (PostgreSQL side needs a server: POSTGRES_URL or 127.0.0.1:5432)
  lms-db resolve --applied|--rolled-back <migration>
                                 mark a failed migration after fixing the database by hand`;

function target(): DbTarget {
  return resolveTarget(env.DATABASE_URL);
}
const where = (t: DbTarget) => (t.provider === 'sqlite' ? t.file : redact(t.url));

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) throw new DbError('INVALID', `${name} needs a value`);
  return v;
}

/** Targets for `diff`/`new`: a scratch SQLite file and a PostgreSQL server for the shadow databases. */
function authoringTargets(): Record<Provider, DbTarget> {
  const pgUrl =
    env.POSTGRES_URL ??
    (isPostgresUrl(env.DATABASE_URL)
      ? env.DATABASE_URL
      : 'postgres://postgres@127.0.0.1:5432/postgres');
  const scratch = join(tmpdir(), `lms-db-authoring-${process.pid}.db`);
  return {
    sqlite: { provider: 'sqlite', file: scratch, url: `file:${scratch}` },
    postgresql: resolveTarget(pgUrl),
  };
}

function stamp(): string {
  return new Date().toISOString().replace(/\D/g, '').slice(0, 14);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return 0;

    case 'migrate': {
      const t = target();
      const r = await migrate(t);
      for (const w of r.warnings) console.warn(`warning: ${w}`);
      console.log(
        r.applied.length === 0
          ? `${where(t)}: up to date, nothing to apply`
          : `${where(t)}: applied ${r.applied.length} migration(s): ${r.applied.join(', ')}`,
      );
      return 0;
    }

    case 'status': {
      const t = target();
      const s = await migrationStatus(t);
      console.log(`${where(t)} (${s.provider})`);
      console.log(`  applied: ${s.applied.length ? s.applied.join(', ') : '(none)'}`);
      console.log(`  pending: ${s.pending.length ? s.pending.join(', ') : '(none)'}`);
      if (s.failed.length)
        console.log(
          `  FAILED:  ${s.failed.join(', ')} (run \`lms-db migrate\` for how to recover)`,
        );
      if (s.edited.length) console.log(`  edited after apply: ${s.edited.join(', ')}`);
      if (s.unknown.length) console.log(`  unknown to this checkout: ${s.unknown.join(', ')}`);
      return s.failed.length || s.unknown.length ? 1 : 0;
    }

    case 'publish': {
      // the course directory as a new release (idempotent: the published content unchanged is kept)
      const dir = args.find((a) => !a.startsWith('--') && a !== flag(args, '--as'));
      if (!dir) throw new DbError('INVALID', 'publish needs <courseDir>');
      const compiled = compileCourse(resolve(dir));
      const t = target();
      const db = createDb({ url: t.url });
      try {
        await checkConnection(db, t.url);
        const as = flag(args, '--as');
        const actor = as ? await getUserByEmail(db, as) : null;
        if (as && !actor) throw new DbError('NOT_FOUND', `no user ${as}`);
        const { release, created } = await publishCompiledCourse(db, {
          compiled,
          source: readCourseSource(resolve(dir)),
          publishedById: actor?.id ?? null,
        });
        console.log(
          created
            ? `${compiled.id}: published v${release.version} (${release.contentHash.slice(0, 12)})`
            : `${compiled.id}: v${release.version} already has this content, nothing published`,
        );
        return 0;
      } finally {
        await db.$disconnect();
      }
    }

    case 'seed':
    case 'setup': {
      const t = target();
      if (cmd === 'setup') {
        const r = await migrate(t);
        console.log(
          r.applied.length ? `applied ${r.applied.join(', ')}` : 'migrations: up to date',
        );
      }
      const db = createDb({ url: t.url });
      try {
        await checkConnection(db, t.url);
        if (cmd === 'setup') {
          // rows stored before the dashboards' columns existed (re-runnable: only those)
          const filled = await backfillAnalytics(db, shapeHash);
          if (filled.attempts || filled.progress) {
            console.log(
              `analytics backfilled: ${filled.attempts} attempts, ${filled.progress} progress rows`,
            );
          }
        }
        const code = await seedOrSetup(cmd, args, t, db);
        // `--host H` (scripts/start.mjs): refuse here, before the build, when the web would
        // listen beyond loopback (or run in production) with a demo password still valid
        const host = cmd === 'setup' ? flag(args, '--host') : undefined;
        if (code !== 0 || host === undefined) return code;
        const refusal = await demoPasswordRefusal(db, { host, production: isProduction(args) });
        if (refusal) console.error(`lms-db: ${refusal}`);
        return refusal ? 1 : 0;
      } finally {
        await db.$disconnect();
      }
    }

    case 'demo-accounts': {
      const t = target();
      const db = createDb({ url: t.url });
      try {
        await checkConnection(db, t.url);
        if (args.includes('--disable')) {
          const done = await disableDemoAccounts(db);
          console.log(
            done.length
              ? `demo password removed, sessions ended: ${done.join(', ')}`
              : 'no demo account has its demo password',
          );
          return 0;
        }
        if (args.includes('--check')) {
          const host = flag(args, '--host') ?? env.HOST ?? '0.0.0.0';
          const refusal = await demoPasswordRefusal(db, { host, production: isProduction(args) });
          if (refusal) {
            console.error(refusal);
            return 1;
          }
          return 0;
        }
        const demo = await usableDemoAccounts(db);
        if (demo.length === 0) console.log('no demo account has its demo password');
        printAccounts(demo);
        return 0;
      } finally {
        await db.$disconnect();
      }
    }

    case 'set-password': {
      const email = args[0];
      if (!email || email.startsWith('--'))
        throw new DbError('INVALID', 'usage: lms-db set-password <email>');
      const t = target();
      const db = createDb({ url: t.url });
      try {
        await checkConnection(db, t.url);
        const user = await getUserByEmail(db, email);
        if (!user) throw new DbError('NOT_FOUND', `no user ${email}`);
        const password = generatePassword();
        await setPassword(db, user.id, password);
        await db.session.deleteMany({ where: { userId: user.id } });
        console.log(`${user.email} / ${password}\n  shown only now; their sessions were ended`);
        return 0;
      } finally {
        await db.$disconnect();
      }
    }

    case 'reset': {
      const t = target();
      if (!args.includes('--yes')) {
        console.error(
          `lms-db: reset drops ALL data in ${where(t)}; run \`lms-db reset --yes\` to confirm`,
        );
        return 1;
      }
      const r = await resetDatabase(t);
      console.log(
        `${where(t)}: reset; applied ${r.applied.join(', ')}. Run \`lms-db seed\` for demo data.`,
      );
      return 0;
    }

    case 'backup': {
      const t = target();
      const file = args[0];
      if (!file) throw new DbError('INVALID', 'usage: lms-db backup <file>');
      if (t.provider !== 'sqlite') {
        throw new DbError(
          'INVALID',
          'backup is for the embedded SQLite database; for PostgreSQL use pg_dump',
        );
      }
      if (!existsSync(t.file)) throw new DbError('NOT_FOUND', `no database at ${t.file}`);
      const dest = resolve(file);
      if (existsSync(dest)) throw new DbError('CONFLICT', `${dest} exists; choose a new file`);
      const raw = new Database(t.file, { readonly: true, fileMustExist: true });
      try {
        // online backup: consistent copy while the app keeps writing
        await raw.backup(dest);
      } catch (error) {
        if (existsSync(dest)) unlinkSync(dest);
        throw new DbError('UNAVAILABLE', `backup to ${dest} failed: ${oneLine(error)}`);
      } finally {
        raw.close();
      }
      console.log(`backed up ${t.file} to ${dest}`);
      return 0;
    }

    case 'diff': {
      const targets = authoringTargets();
      let changes = 0;
      for (const p of PROVIDERS) {
        const sql = await pendingSchemaChanges(targets[p]);
        console.log(`-- ${p}: ${sql ? '' : 'migrations match schema.base.prisma'}`);
        if (sql) {
          console.log(sql);
          changes++;
        }
      }
      cleanupScratch(targets.sqlite);
      return changes ? 2 : 0;
    }

    case 'new': {
      const name = args[0];
      if (!name || !/^[a-z0-9_]+$/i.test(name))
        throw new DbError('INVALID', 'usage: lms-db new <name> (letters, digits, _)');
      const targets = authoringTargets();
      const dirName = `${stamp()}_${name}`;
      for (const p of PROVIDERS) {
        const dir = await writeMigration(targets[p], dirName);
        console.log(dir ? `${p}: wrote ${dir}/migration.sql` : `${p}: no schema changes`);
      }
      cleanupScratch(targets.sqlite);
      return 0;
    }

    case 'resolve': {
      const applied = flag(args, '--applied');
      const rolledBack = flag(args, '--rolled-back');
      const name = applied ?? rolledBack;
      if (!name || (applied && rolledBack)) {
        throw new DbError(
          'INVALID',
          'usage: lms-db resolve --applied <migration> | --rolled-back <migration>',
        );
      }
      await resolveMigration(target(), name, applied ? 'applied' : 'rolled-back');
      console.log(`marked ${name} as ${applied ? 'applied' : 'rolled back'}`);
      return 0;
    }

    default:
      console.error(`lms-db: unknown command "${cmd}"\n\n${HELP}`);
      return 1;
  }
}

const isProduction = (args: string[]) =>
  args.includes('--production') || env.NODE_ENV === 'production';

async function seedOrSetup(
  cmd: 'seed' | 'setup',
  args: string[],
  t: DbTarget,
  db: Db,
): Promise<number> {
  const users = await db.user.count();
  if (cmd === 'setup' && users > 0) {
    const demo = await usableDemoAccounts(db);
    console.log(`${where(t)}: existing data kept (${users} users)`);
    printAccounts(demo);
    return 0;
  }
  if (cmd === 'setup' && isProduction(args)) {
    const adminEmail = flag(args, '--admin-email') ?? env.LMS_ADMIN_EMAIL;
    if (!adminEmail) {
      throw new DbError(
        'INVALID',
        'setup --production makes the first admin: give their e-mail with --admin-email <email> (or LMS_ADMIN_EMAIL)',
      );
    }
    const course = loadCourse(args);
    const r = await productionSetup(db, { adminEmail, ...course });
    if (!r.created) {
      console.log(`${where(t)}: existing data kept (${r.users} users)`);
      return 0;
    }
    printCourse(r.course);
    console.log(
      `first admin (no demo accounts): ${r.admin.email} / ${r.admin.password}\n` +
        '  this password is shown only now: sign in and keep it safe (`lms-db set-password <email>` makes a new one)',
    );
    return 0;
  }
  if (cmd === 'setup' && t.provider !== 'sqlite') {
    // demo data with public passwords only in the embedded default or when asked for
    console.log(
      `${where(t)}: no users yet. Run \`lms-db seed\` for demo data, or \`lms-db setup --production --admin-email <email>\` for the first admin.`,
    );
    return 0;
  }
  const r = await seed(db, loadCourse(args));
  printCourse(r.course);
  console.log(
    `cohort ${r.cohort.slug}: ${r.cohort.created ? 'created' : 'exists'} (instructor + 2 students)`,
  );
  printAccounts(r.accounts);
  return 0;
}

function cleanupScratch(t: DbTarget) {
  if (t.provider !== 'sqlite') return;
  for (const f of [t.file, `${t.file}-wal`, `${t.file}-shm`, `${t.file}-journal`]) {
    if (existsSync(f)) unlinkSync(f);
  }
}

/** The course to publish: --course-json F (compiled) or --course-dir D (default: the shipped one). */
function loadCourse(args: string[]): { compiled: unknown; source: Record<string, string> } {
  const json = flag(args, '--course-json');
  if (json) {
    try {
      return { compiled: JSON.parse(readFileSync(resolve(json), 'utf8')), source: {} };
    } catch (error) {
      throw new DbError('INVALID', `--course-json ${json}: ${oneLine(error)}`);
    }
  }
  const dir = resolve(flag(args, '--course-dir') ?? SHIPPED_COURSE_DIR);
  const compiled = compileCourse(dir);
  console.log(`compiled ${dir}`);
  return { compiled, source: readCourseSource(dir) };
}

function printCourse(course: { slug: string; version: number; published: boolean } | null) {
  if (!course) return;
  console.log(
    `course ${course.slug}: ${course.published ? `published as v${course.version}` : `v${course.version} already published (same content)`}`,
  );
}

function printAccounts(accounts: ReadonlyArray<{ email: string; password: string; role: string }>) {
  if (accounts.length === 0) return;
  console.log('demo accounts (email / password):');
  for (const a of accounts) console.log(`  ${a.role.padEnd(10)} ${a.email} / ${a.password}`);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // one clear line (or the few lines a migration problem needs), never a stack
  const msg = error instanceof DbError ? error.message : oneLine(error);
  console.error(`lms-db: ${msg}`);
  if (env.LMS_DEBUG) console.error(error);
  process.exitCode = 1;
}
