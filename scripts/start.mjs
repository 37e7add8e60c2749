#!/usr/bin/env node
// Orchestrates the embedded runtime: migrate (+ seed on first run), build the web app when
// its inputs changed (Turborepo's cache makes an unchanged build instant), then run the
// grader service and the web server side by side until one exits or we get a signal.
// Run as root, the web server runs as an unprivileged user (lms-web, or LMS_WEB_USER); the
// grader alone keeps root, for its sandbox (scripts/lib/web-user.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, readOrCreateSecrets } from './lib/secrets.mjs';
import {
  checkAsUser,
  prepareWebFiles,
  resolveWebUser,
  sqliteFileOf,
  webSpawnOptions,
} from './lib/web-user.mjs';

const root = new URL('..', import.meta.url).pathname;
// data/ holds the database (password hashes, answers, hidden tests): 0700, the web user's
// when we run as root. The secrets are root's, in a directory of their own that the web user
// cannot write (.secrets/, 0700; its .gitignore hides it from git): never inside data/, where
// the web user could swap any entry for a link.
const dataDir = join(root, 'data');
const secretsDir = join(root, '.secrets');
ensurePrivateDir(dataDir);
ensurePrivateDir(secretsDir);
try {
  writeFileSync(join(secretsDir, '.gitignore'), '*\n', { flag: 'wx', mode: 0o600 });
} catch (error) {
  if (error.code !== 'EEXIST') throw error;
}

const log = (msg) => console.log(`\x1b[1m[start]\x1b[0m ${msg}`);

// who runs the web server: null = ourselves (not root, or LMS_WEB_USER=root)
let webUser = null;
const sqliteFile = sqliteFileOf(process.env.DATABASE_URL, root);
let secrets;
try {
  webUser = resolveWebUser();
  // a checkout the web user cannot read (under a 0700 home or temporary directory): it keeps
  // root, with a warning, rather than not starting at all
  const unreadable =
    webUser &&
    checkAsUser(webUser, {
      read: ['apps/web', 'packages/db', 'node_modules'].map((p) => join(root, p)),
    });
  if (unreadable) {
    log(
      `WARNING: the web server stays root: ${webUser.name} (uid ${webUser.uid}) ${unreadable}. ` +
        'Make the checkout readable to others (or move it) to run it unprivileged',
    );
    webUser = null;
  }
  // Secrets are made once per installation (.secrets/secrets.json, 0600); those an older
  // version kept in data/ move there (read without following a link, only a file of ours).
  secrets = readOrCreateSecrets(join(secretsDir, 'secrets.json'), {
    legacy: join(dataDir, 'secrets.json'),
  });
} catch (error) {
  log(error.message);
  process.exit(1);
}
if (process.getuid?.() === 0 && !webUser && process.env.LMS_WEB_USER === 'root')
  log('LMS_WEB_USER=root: the web server runs as root');

// loopback unless HOST says otherwise: the demo accounts' passwords are public
const host = process.env.HOST || '127.0.0.1';
const port = process.env.PORT ?? '3000';
const graderPort = process.env.GRADER_PORT ?? '4100';
const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  TURBO_TELEMETRY_DISABLED: '1',
  GRADER_SECRET: process.env.GRADER_SECRET ?? secrets.GRADER_SECRET,
  BETTER_AUTH_SECRET: process.env.BETTER_AUTH_SECRET ?? secrets.BETTER_AUTH_SECRET,
  BETTER_AUTH_URL: process.env.BETTER_AUTH_URL ?? `http://localhost:${port}`,
  GRADER_PORT: graderPort,
  GRADER_URL: process.env.GRADER_URL ?? `http://127.0.0.1:${graderPort}`,
  PORT: port,
  HOST: host,
  // `next start` always runs with NODE_ENV=production; this says whether the person starting
  // us meant production (the demo-password rule of apps/web/src/server/startup.ts)
  LMS_DEPLOYMENT: process.env.NODE_ENV === 'production' ? 'production' : 'embedded',
};

function step(title, cmd, args, { capture = false, spawnOptions = { env } } = {}) {
  log(title);
  const r = spawnSync(cmd, args, {
    cwd: root,
    ...spawnOptions,
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (capture) process.stdout.write(r.stdout ?? '');
  if (r.status !== 0) {
    log(`failed: ${title} (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
  return r.stdout ?? '';
}

// the web's files (data/, the database's directory, files an older start made as root) go
// to its user first: the set-up below then runs as that user, so root never opens a file in
// a directory the web user can write
function handOver(nextDir) {
  if (!webUser) return;
  try {
    prepareWebFiles(webUser, { dataDir, sqliteFile, appDir: join(root, 'apps/web'), nextDir });
  } catch (error) {
    log(error.message);
    process.exit(1);
  }
}
handOver();

// migrate, then seed only on first run (an existing database keeps every row); refused
// (exit 1, one line) when the web would listen beyond loopback or run in production while a
// demo account still has its public password. Run as the web user when there is one.
const setupOutput = step(
  'database: migrations, the demo seed on first run, the demo-password check',
  'node',
  ['packages/db/bin/lms-db.mjs', 'setup', '--host', host],
  { capture: true, spawnOptions: webSpawnOptions(webUser, env) },
);
// the seed prints the demo accounts; repeat them once everything is up
const accounts = setupOutput.slice(Math.max(0, setupOutput.indexOf('demo accounts')));
step('web: building (cached when nothing changed)', 'npx', [
  'turbo',
  'run',
  'build',
  '--filter=@lms/web',
  '--output-logs=errors-only',
]);

// Next's runtime caches (the build made .next) go to the web user too
handOver(join(root, 'apps/web/.next'));
if (webUser) {
  log(`web: runs as ${webUser.name} (uid ${webUser.uid}); the grader keeps root for its sandbox`);
}

const children = [];
function launch(name, cmd, args, { cwd = root, spawnOptions = { env } } = {}) {
  const child = spawn(cmd, args, { cwd, ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (line) => `${name.padEnd(6)}| ${line}`;
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (chunk) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) console.log(prefix(line));
    });
  }
  child.on('exit', (code, signal) => {
    log(`${name} exited (${signal ?? code}); stopping`);
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  // let them finish (the grader stops its sandboxes and removes its cgroups), 10 s at most
  const done = () => children.every((c) => c.exitCode !== null || c.signalCode !== null);
  const deadline = Date.now() + 10_000;
  const wait = setInterval(() => {
    if (done() || Date.now() > deadline) {
      clearInterval(wait);
      process.exit(code);
    }
  }, 50);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

launch('grader', 'node', ['apps/grader/bin/lms-grader.mjs', 'serve']);
const web = launch(
  'web',
  'node',
  // the app's own server: Next's handler, told each request's socket address (sign-in limits)
  [join(root, 'apps/web/server.mjs')],
  { cwd: join(root, 'apps/web'), spawnOptions: webSpawnOptions(webUser, env) },
);
const shownHost = ['127.0.0.1', '0.0.0.0', 'localhost'].includes(host)
  ? 'localhost'
  : host.includes(':')
    ? `[${host}]`
    : host;
let announced = false;
web.stdout.on('data', (chunk) => {
  if (announced || !String(chunk).includes('Ready')) return;
  announced = true;
  log(
    `ready: http://${shownHost}:${port}  (grader http://127.0.0.1:${graderPort}, data in ${dataDir})`,
  );
  if (accounts) console.log(accounts.trimEnd());
  log('Ctrl-C stops both');
});
