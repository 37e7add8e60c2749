import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, resolveTarget } from '@lms/db';
import { migrate } from '@lms/db/migrate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSqliteDir } from '../../../../packages/db/src/env.ts';
import { ensurePrivateDir, readOrCreateSecrets } from '../../../../scripts/lib/secrets.mjs';
import {
  checkAsUser,
  DEFAULT_WEB_USER,
  prepareWebFiles,
  refuseLinks,
  resolveWebUser,
  sqliteFileOf,
  uidOf,
  type WebUser,
  webSpawnOptions,
} from '../../../../scripts/lib/web-user.mjs';

// issue 11, finding 8: the web server needs no root. scripts/start.mjs, run as root, runs the
// web as an unprivileged user (lms-web, made once) with the files it writes handed to it; the
// grader alone keeps root. Here the web is started the way start.mjs starts it (the same
// helpers and spawn options), on a temp data directory, as a small program that does what the
// web does with its database.
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('unprivileged web test: the user switch needs root; those parts skipped');

const REPO = fileURLToPath(new URL('../../../..', import.meta.url));

// A checkout the web user cannot read (under a 0700 home or temporary directory, as a CI
// clone may be): start.mjs then keeps the web root, with a warning. The parts that run the
// web's code as that user cannot run here; they are skipped, saying why.
const probeUser = isRoot ? resolveWebUser({ uid: 0, spec: undefined }) : null;
const repoProblem = probeUser
  ? checkAsUser(probeUser, {
      read: ['apps/web', 'packages/db', 'node_modules'].map((p) => join(REPO, p)),
    })
  : null;
if (repoProblem) {
  console.warn(
    `unprivileged web test: ${probeUser!.name} ${repoProblem}: the parts that run the web's code as that user are skipped (start.mjs keeps the web root in such a checkout, with a warning)`,
  );
}

/**
 * Starts `node` the way start.mjs starts the web (cwd apps/web, the spawn options): it writes a
 * row into the SQLite database as the web does (WAL) and prints its /proc status (Uid, Groups).
 */
function startAsWeb(
  user: WebUser | null,
  dbFile: string,
): Promise<{ code: number | null; out: string; pid: number; uidWhileRunning: number | null }> {
  const program = `
    // the driver the web's database layer (@lms/db) opens SQLite with
    const Database = require(require.resolve('better-sqlite3', { paths: [process.argv[2]] }));
    const db = new Database(process.argv[1]);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE IF NOT EXISTS web_probe (id INTEGER PRIMARY KEY, at TEXT)');
    db.prepare('INSERT INTO web_probe (at) VALUES (?)').run(new Date().toISOString());
    const status = require('node:fs').readFileSync('/proc/self/status', 'utf8');
    console.log(status.split('\\n').filter((l) => /^(Uid|Gid|Groups):/.test(l)).join('\\n'));
    process.stdin.once('data', () => { db.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', program, dbFile, join(REPO, 'packages/db')], {
    cwd: join(REPO, 'apps/web'),
    ...webSpawnOptions(user),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    out += c;
  });
  return new Promise((resolve) => {
    let uidWhileRunning: number | null = null;
    const poll = setInterval(() => {
      if (!/Uid:/.test(out)) return;
      uidWhileRunning = uidOf(child.pid!); // as another process sees it
      clearInterval(poll);
      child.stdin.write('done\n');
    }, 20);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, out, pid: child.pid!, uidWhileRunning });
    });
  });
}

const owner = (p: string) => statSync(p).uid;
const mode = (p: string) => statSync(p).mode & 0o777;

describe('who runs the web server', () => {
  it('not root: the web runs as ourselves, unchanged', () => {
    expect(resolveWebUser({ uid: 1000, spec: undefined })).toBeNull();
    expect(resolveWebUser({ uid: 1000, spec: 'lms-web' })).toBeNull();
    expect(webSpawnOptions(null, { A: '1' })).toEqual({ env: { A: '1' } });
  });

  it('root: LMS_WEB_USER=root keeps it root; uid[:gid] is taken as given', () => {
    expect(resolveWebUser({ uid: 0, spec: 'root' })).toBeNull();
    expect(resolveWebUser({ uid: 0, spec: '0' })).toBeNull();
    expect(resolveWebUser({ uid: 0, spec: '65534:65534' })).toMatchObject({
      uid: 65534,
      gid: 65534,
    });
    expect(resolveWebUser({ uid: 0, spec: '4321' })).toMatchObject({ uid: 4321, gid: 4321 });
    expect(() => resolveWebUser({ uid: 0, spec: 'no-such-user-lms' })).toThrow(/no such user/);
  });

  it('the SQLite file start.mjs hands over is the one @lms/db opens', () => {
    for (const url of [undefined, '', 'file:data/e2e/lms-e2e.db', 'file:/var/lib/lms/x.db']) {
      const target = resolveTarget(url);
      expect(sqliteFileOf(url, REPO)).toBe(target.provider === 'sqlite' ? target.file : null);
    }
    expect(sqliteFileOf('postgres://u@h/db', REPO)).toBeNull();
  });
});

describe.skipIf(!isRoot)('the web server as root runs unprivileged', () => {
  let dir: string;
  let dataDir: string;
  let dbFile: string;
  let user: WebUser;

  beforeAll(async () => {
    // the web user (made once): the tests below run as it
    user = probeUser!;
    // a repo-like tree the web user may enter (mkdtemp makes 0700 directories)
    dir = mkdtempSync(join(tmpdir(), 'lms-web-user-'));
    chmodSync(dir, 0o755);
    dataDir = join(dir, 'data');
    ensurePrivateDir(dataDir);
    // an older installation: the secrets in data/, beside the database
    readOrCreateSecrets(join(dataDir, 'secrets.json'));
    // the e2e shape: the database in a directory of its own under data/
    dbFile = join(dataDir, 'e2e', 'lms.db');
    mkdirSync(join(dataDir, 'e2e'), { mode: 0o755 });
    // made by root, as `lms-db setup` (run by start.mjs as root) makes it
    await migrate(resolveTarget(`file:${dbFile}`));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(Boolean(repoProblem))(
    'without the hand-over the web user cannot write the database (the test can tell)',
    async () => {
      const unprivileged = resolveWebUser({ uid: 0, spec: undefined });
      expect(unprivileged).not.toBeNull();
      user = unprivileged!;
      const r = await startAsWeb(user, dbFile);
      expect(r.code).not.toBe(0);
      // better-sqlite3 cannot even see the directory (data/ is 0700, root's)
      expect(r.out).toMatch(/directory does not exist|readonly|unable to open|permission/i);
    },
  );

  it('the secrets move out of data/ to a directory only root can write', () => {
    const legacy = join(dataDir, 'secrets.json');
    const before = JSON.parse(readFileSync(legacy, 'utf8'));
    const secretsDir = join(dir, '.secrets');
    ensurePrivateDir(secretsDir);
    const file = join(secretsDir, 'secrets.json');
    expect(readOrCreateSecrets(file, { legacy })).toEqual(before);
    expect(existsSync(legacy)).toBe(false);
    expect([owner(secretsDir), mode(secretsDir), owner(file), mode(file)]).toEqual([
      0, 0o700, 0, 0o600,
    ]);
    expect(readOrCreateSecrets(file, { legacy })).toEqual(before); // read again, kept
  });

  it.skipIf(Boolean(repoProblem))(
    `runs as ${DEFAULT_WEB_USER} (made once), not uid 0, and writes its SQLite database`,
    async () => {
      // idempotent: a second start finds the user made by the first
      const again = resolveWebUser({ uid: 0, spec: undefined });
      expect(again).toEqual(user);
      expect(user.name).toBe(DEFAULT_WEB_USER);
      expect(user.uid).not.toBe(0);

      prepareWebFiles(user, {
        dataDir,
        sqliteFile: dbFile,
        appDir: join(REPO, 'apps/web'),
        nextDir: join(dir, '.next'),
      });
      // data/ stays 0700 (now the web user's), the database 0600 (made by root: an older start)
      expect([owner(dataDir), mode(dataDir)]).toEqual([user.uid, 0o700]);
      expect([owner(join(dataDir, 'e2e')), owner(dbFile), mode(dbFile)]).toEqual([
        user.uid,
        user.uid,
        0o600,
      ]);

      const r = await startAsWeb(user, dbFile);
      expect(r.out).toMatch(/Uid:/);
      expect(r.code).toBe(0);
      // real, effective, saved and file-system uid: all the web user's; no supplementary groups
      const uids = /^Uid:\s+(.*)$/m.exec(r.out)![1]!.split(/\s+/).map(Number);
      expect(uids).toEqual([user.uid, user.uid, user.uid, user.uid]);
      expect(r.uidWhileRunning).toBe(user.uid);
      expect(/^Groups:\s*(.*)$/m.exec(r.out)![1]!.trim()).not.toMatch(/\b0\b/);
      // its write is in the database, read back by root
      const db = createDb({ url: `file:${dbFile}` });
      try {
        const rows = await db.$queryRawUnsafe<Array<{ n: number | bigint }>>(
          'SELECT count(*) AS n FROM web_probe',
        );
        expect(Number(rows[0]?.n)).toBe(1);
      } finally {
        await db.$disconnect();
      }
    },
  );

  it('root follows no link the web user put in data/', () => {
    const planted = join(dataDir, 'planted.db');
    symlinkSync('/etc/passwd', planted);
    expect(() => refuseLinks([planted])).toThrow(/not a plain file/);
    expect(() =>
      prepareWebFiles(user, { dataDir, sqliteFile: planted, appDir: join(REPO, 'apps/web') }),
    ).toThrow(/not a plain file/);
    expect(owner('/etc/passwd')).toBe(0);
    writeFileSync(join(dataDir, 'plain.db'), '');
    expect(() => refuseLinks([join(dataDir, 'plain.db')])).not.toThrow();
  });

  /** Runs `node -e program ...args` as the web user (as start.mjs runs the set-up and the web). */
  function asWeb(program: string, args: string[], env: Record<string, string> = {}) {
    return spawnSync(process.execPath, ['-e', program, ...args], {
      // a directory anyone may enter (the checkout may not be: see repoProblem)
      cwd: '/',
      ...webSpawnOptions(user, { ...process.env, ...env }),
      encoding: 'utf8',
    });
  }
  const plant = (target: string, link: string) =>
    asWeb("require('node:fs').symlinkSync(process.argv[1], process.argv[2])", [target, link]);

  it('a link the web user plants for the database or the secrets is never followed by root', async () => {
    // data/ is the web user's (as start.mjs leaves it; idempotent)
    prepareWebFiles(user, { dataDir, sqliteFile: dbFile });
    // a file of root's that a followed link would create, chmod or write
    const target = join(dir, 'target');
    writeFileSync(target, 'keep\n', { mode: 0o644 });
    chmodSync(target, 0o644);
    const kept = () => [mode(target), owner(target), readFileSync(target, 'utf8')];

    const dbLink = join(dataDir, 'lms.db');
    expect(plant(target, dbLink).status).toBe(0);
    expect(lstatSync(dbLink).uid).toBe(user.uid);
    expect(() => ensureSqliteDir(dbLink)).toThrow(/symbolic link/);
    await expect(migrate(resolveTarget(`file:${dbLink}`))).rejects.toThrow();
    expect(() =>
      prepareWebFiles(user, { dataDir, sqliteFile: dbLink, appDir: join(REPO, 'apps/web') }),
    ).toThrow(/not a plain file/);
    // a hard link (made here by root: the kernel's protected_hardlinks stops the user)
    const hard = join(dataDir, 'hard.db');
    linkSync(target, hard);
    expect(() => ensureSqliteDir(hard)).toThrow(/one link/);
    rmSync(hard);

    const secretsLink = join(dataDir, 'secrets.json');
    expect(plant(target, secretsLink).status).toBe(0);
    const fresh = join(dir, 'fresh-secrets');
    ensurePrivateDir(fresh);
    expect(() => readOrCreateSecrets(join(fresh, 'secrets.json'), { legacy: secretsLink })).toThrow(
      /refusing/,
    );
    expect(() => readOrCreateSecrets(secretsLink)).toThrow(/refusing/);
    expect(existsSync(join(fresh, 'secrets.json'))).toBe(false);
    // a plain file the user made in their place: not ours, refused too
    rmSync(secretsLink);
    expect(
      asWeb("require('node:fs').writeFileSync(process.argv[1], '{}')", [secretsLink]).status,
    ).toBe(0);
    expect(() => readOrCreateSecrets(join(fresh, 'secrets.json'), { legacy: secretsLink })).toThrow(
      /not by us/,
    );

    expect(kept()).toEqual([0o644, 0, 'keep\n']);
    rmSync(dbLink);
    rmSync(secretsLink);
  });

  it.skipIf(Boolean(repoProblem))(
    '`lms-db setup` runs as the web user (start.mjs): the database is its own, and the web writes it',
    async () => {
      const setupDb = join(dataDir, 'setup', 'lms.db');
      prepareWebFiles(user, { dataDir, sqliteFile: setupDb, appDir: join(REPO, 'apps/web') });
      const r = spawnSync(
        process.execPath,
        [
          'packages/db/bin/lms-db.mjs',
          'setup',
          '--course-json',
          join(REPO, 'packages/db/test/fixtures/course.json'),
        ],
        {
          cwd: REPO,
          ...webSpawnOptions(user, { ...process.env, DATABASE_URL: `file:${setupDb}` }),
          encoding: 'utf8',
        },
      );
      expect(r.status, r.stderr).toBe(0);
      // made by the user, in a directory of its own: root opened none of it
      expect([owner(join(dataDir, 'setup')), owner(setupDb), mode(setupDb)]).toEqual([
        user.uid,
        user.uid,
        0o600,
      ]);
      const web = await startAsWeb(user, setupDb);
      expect(web.code, web.out).toBe(0);
    },
    120_000,
  );

  it('root walks no directory the web user owns: what lies below it is left to the user', () => {
    // data/ is the web user's (as start.mjs leaves it; idempotent)
    prepareWebFiles(user, { dataDir, sqliteFile: dbFile });
    // data/ is the user's now: a directory two levels down, made by root, is not handed over
    const deep = join(dataDir, 'a', 'b');
    mkdirSync(join(dataDir, 'a'));
    chmodSync(join(dataDir, 'a'), 0o755);
    expect(
      asWeb("require('node:fs').mkdirSync(process.argv[1], { recursive: true })", [deep]).status,
    ).toBe(1); // data/a is root's: the user cannot make b in it
    // one level down (data/a: its path cannot be redirected) is handed over, deeper is not walked
    prepareWebFiles(user, { dataDir, sqliteFile: join(deep, 'x.db') });
    expect(owner(join(dataDir, 'a'))).toBe(user.uid);
    expect(existsSync(deep)).toBe(false);
  });
});
