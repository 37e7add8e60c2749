// Issue 11: public demo passwords on a network port (finding 5) and world-readable database
// files (finding 8), at the data layer: the refusal rule, `disableDemoAccounts`, the
// production setup, `lms-db setup` on PostgreSQL, and the SQLite file's mode.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/client.ts';
import { ensureSqliteDir } from '../src/env.ts';
import {
  DEMO_ACCOUNTS,
  demoPasswordRefusal,
  disableDemoAccounts,
  isLoopbackHost,
  verifyPassword,
} from '../src/index.ts';
import { migrate } from '../src/migrate.ts';
import { productionSetup, seed, usableDemoAccounts } from '../src/seed.ts';
import {
  fixtureCourse,
  freshTarget,
  IN_CI,
  migratedDb,
  PROVIDERS_UNDER_TEST,
  pgStatus,
} from './helpers.ts';

const BIN = fileURLToPath(new URL('../bin/lms-db.mjs', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/course.json', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'lms-db-exposure-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function lmsDb(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const { NODE_ENV: _n, HOST: _h, LMS_ADMIN_EMAIL: _a, ...base } = process.env;
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...base, ...env }, timeout: 90_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

describe('isLoopbackHost', () => {
  it('loopback: 127.0.0.0/8, ::1, localhost; everything else is not', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', 'localhost'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.org', '128.0.0.1', ''])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe.each(PROVIDERS_UNDER_TEST)('demo passwords and production setup (%s)', (provider) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await migratedDb(provider));
  }, 60_000);
  afterAll(async () => close?.());

  it('production setup: the first admin with a generated password, no demo account', async () => {
    const r = await productionSetup(db, {
      adminEmail: 'Boss@Example.org',
      compiled: fixtureCourse(),
    });
    if (!r.created) throw new Error('expected the first admin');
    expect(r.admin.email).toBe('boss@example.org');
    expect(r.admin.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(r.course).toMatchObject({ slug: 'python', published: true });
    const users = await db.user.findMany({ select: { email: true, role: true } });
    expect(users).toEqual([{ email: 'boss@example.org', role: 'admin' }]);
    const row = await db.account.findFirstOrThrow({ select: { password: true } });
    expect(await verifyPassword({ hash: row.password!, password: r.admin.password })).toBe(true);
    expect(await usableDemoAccounts(db)).toEqual([]);

    // a database with users: nothing changes
    const again = await productionSetup(db, { adminEmail: 'other@example.org', compiled: null });
    expect(again).toEqual({ created: false, users: 1 });
    expect(await db.user.count()).toBe(1);
    expect(await demoPasswordRefusal(db, { host: '0.0.0.0', production: true })).toBeNull();
  });

  it('refuses beyond loopback or in production while a demo password works; --disable fixes it', async () => {
    await seed(db, { compiled: null });
    expect(await demoPasswordRefusal(db, { host: '127.0.0.1', production: false })).toBeNull();
    const line = await demoPasswordRefusal(db, { host: '0.0.0.0', production: false });
    expect(line).toMatch(/^refusing to start listening on 0\.0\.0\.0/);
    for (const acc of DEMO_ACCOUNTS) expect(line).toContain(acc.email);
    expect(line).toContain('lms-db demo-accounts --disable');
    expect(await demoPasswordRefusal(db, { host: '::1', production: true })).toMatch(
      /in production/,
    );

    const admin = await db.user.findUniqueOrThrow({ where: { email: 'admin@lms.local' } });
    await db.session.create({
      data: { userId: admin.id, token: 't-admin', expiresAt: new Date(Date.now() + 60_000) },
    });
    expect((await disableDemoAccounts(db)).sort()).toEqual(
      DEMO_ACCOUNTS.map((a) => a.email).sort(),
    );
    expect(await usableDemoAccounts(db)).toEqual([]);
    expect(await db.session.count({ where: { userId: admin.id } })).toBe(0);
    expect(await db.user.count({ where: { email: 'admin@lms.local' } })).toBe(1); // rows kept
    expect(await demoPasswordRefusal(db, { host: '0.0.0.0', production: true })).toBeNull();
  });
});

describe('SQLite file modes', () => {
  it('the database file is created 0600 in a 0700 directory (WAL files follow it)', async () => {
    const dir = join(tmp, 'fresh', 'data');
    const file = join(dir, 'lms.db');
    await migrate({ provider: 'sqlite', file, url: `file:${file}` });
    const db = createDb({ url: `file:${file}` });
    await db.user.count();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      expect(statSync(f).mode & 0o777, f).toBe(0o600);
    }
    await db.$disconnect();
  });

  it('an existing world-readable database file is tightened to 0600', async () => {
    const { target, drop } = await freshTarget('sqlite');
    if (target.provider !== 'sqlite') throw new Error('sqlite expected');
    rmSync(target.file, { force: true });
    writeFileSync(target.file, '', { mode: 0o644 });
    ensureSqliteDir(target.file);
    expect(statSync(target.file).mode & 0o777).toBe(0o600);
    await drop();
  });
});

describe('lms-db setup, demo-accounts', () => {
  it('setup --production: first admin printed once, no demo accounts; rerun changes nothing', async () => {
    const env = { DATABASE_URL: `file:${join(tmp, 'prod.db')}` };
    const r = await lmsDb(
      ['setup', '--production', '--admin-email', 'root@example.org', '--course-json', FIXTURE],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/first admin \(no demo accounts\): root@example\.org \/ \S{24}\n/);
    expect(r.stdout).not.toContain('demo-admin-pass');
    const again = await lmsDb(['setup', '--production', '--host', '0.0.0.0'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/existing data kept \(1 users\)/);
    expect(again.stdout).not.toMatch(/root@example\.org \//);

    const missing = await lmsDb(['setup'], {
      DATABASE_URL: `file:${join(tmp, 'prod2.db')}`,
      NODE_ENV: 'production',
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--admin-email/);
  }, 180_000);

  it('setup --host beyond loopback with demo passwords: exit 1, one line; after --disable: 0', async () => {
    const env = { DATABASE_URL: `file:${join(tmp, 'demo.db')}` };
    const local = await lmsDb(['setup', '--course-json', FIXTURE, '--host', '127.0.0.1'], env);
    expect(local.code, local.stderr).toBe(0);
    expect(local.stdout).toMatch(/admin@lms\.local \/ demo-admin-pass/);
    const exposed = await lmsDb(['setup', '--host', '0.0.0.0'], env);
    expect(exposed.code).toBe(1);
    expect(exposed.stderr.trim().split('\n')).toHaveLength(1);
    expect(exposed.stderr).toMatch(/refusing to start .*admin@lms\.local.*demo-accounts --disable/);
    const disabled = await lmsDb(['demo-accounts', '--disable'], env);
    expect(disabled.stdout).toMatch(/demo password removed/);
    expect((await lmsDb(['setup', '--host', '0.0.0.0'], env)).code).toBe(0);
  }, 180_000);

  it.runIf(pgStatus.ok || IN_CI)(
    'setup on an empty PostgreSQL database seeds no demo accounts',
    async () => {
      const { target, drop } = await freshTarget('postgresql');
      try {
        const r = await lmsDb(['setup'], { DATABASE_URL: target.url });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/no users yet/);
        expect(r.stdout).not.toContain('demo-admin-pass');
        const db = createDb({ url: target.url });
        expect(await db.user.count()).toBe(0);
        await db.$disconnect();
      } finally {
        await drop();
      }
    },
    180_000,
  );
});
