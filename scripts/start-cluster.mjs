#!/usr/bin/env node
// The at-scale shape on one machine, for a try-out (`npm run start:cluster`): PostgreSQL and
// Redis already running; this migrates the database (and on an empty one makes the first
// admin, printed once, and publishes the shipped course), builds the web app, then runs
//
//   - N web instances (`apps/web/server.mjs`, ports WEB_PORT_BASE…, GRADER_TRANSPORT=queue),
//   - a round-robin reverse proxy on PORT in front of them (scripts/lib/round-robin-proxy.mjs),
//   - K grader workers (`lms-grader worker`) on the BullMQ queue, each with its own range of
//     sandbox uids (GRADER_UID_BASE) and its /healthz, /readyz, /metrics port,
//
// restarts any of them that dies (as systemd's Restart=always would), writes where everything
// is to .state/cluster.json (bench/load reads it), and stops all on Ctrl-C / SIGTERM (each
// child drains: see README "Running at scale").
//
//   npm run start:cluster -- [--web N] [--workers K] [--port P] [--no-build]
//
// Variables: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/lms_cluster), REDIS_URL
// (redis://127.0.0.1:6379), PORT (3000), WEB_PORT_BASE (3001), WORKER_PORT_BASE (4201),
// CLUSTER_UID_BASE (65000; worker i gets CLUSTER_UID_BASE + i × GRADER_MAX_RUNS),
// GRADER_MAX_RUNS (128), GRADER_CPU_SLOTS (each worker's cores for CPU-bound programs; default:
// the machine's cores split among the workers, scripts/lib/cores.mjs), LMS_ADMIN_EMAIL (admin@lms.local), BETTER_AUTH_SECRET (default: the
// one in .secrets/secrets.json, made once), BETTER_AUTH_URL (http://localhost:PORT),
// CLUSTER_STATE_FILE (.state/cluster.json).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { splitCores } from './lib/cores.mjs';
import { createRoundRobinProxy } from './lib/round-robin-proxy.mjs';
import { ensurePrivateDir, readOrCreateSecrets } from './lib/secrets.mjs';
import { checkAsUser, prepareWebFiles, resolveWebUser, webSpawnOptions } from './lib/web-user.mjs';

const root = new URL('..', import.meta.url).pathname;
const log = (msg) => console.log(`\x1b[1m[cluster]\x1b[0m ${msg}`);
const fail = (msg) => {
  log(msg);
  process.exit(1);
};

const { values: opts } = parseArgs({
  options: {
    web: { type: 'string', default: process.env.WEB_INSTANCES ?? '2' },
    workers: { type: 'string', default: process.env.GRADER_WORKERS ?? '2' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'no-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(
    'usage: npm run start:cluster -- [--web N] [--workers K] [--port P] [--no-build]\n' +
      'see README.md "Running at scale" for the variables',
  );
  process.exit(0);
}
const count = (text, what, max) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) fail(`--${what} must be 1..${max}, got ${text}`);
  return n;
};
const webCount = count(opts.web, 'web', 16);
const workerCount = count(opts.workers, 'workers', 16);
const port = count(opts.port, 'port', 65535);
const webPortBase = count(process.env.WEB_PORT_BASE ?? '3001', 'WEB_PORT_BASE', 65535);
const workerPortBase = count(process.env.WORKER_PORT_BASE ?? '4201', 'WORKER_PORT_BASE', 65535);
const maxRuns = count(process.env.GRADER_MAX_RUNS ?? '128', 'GRADER_MAX_RUNS', 1024);
const uidBase = count(process.env.CLUSTER_UID_BASE ?? '65000', 'CLUSTER_UID_BASE', 4_000_000_000);
// the workers share this machine's cores instead of each taking all of them
const slotsSet = process.env.GRADER_CPU_SLOTS;
const slotsEach = Number(slotsSet);
if (slotsSet && !(Number.isInteger(slotsEach) && slotsEach >= 1 && slotsEach <= 256))
  fail(`GRADER_CPU_SLOTS must be a whole number 1..256 (each worker's cores), got ${slotsSet}`);
const cpuSlots = slotsSet
  ? Array(workerCount).fill(slotsEach)
  : splitCores(availableParallelism(), workerCount);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/lms_cluster';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!/^postgres(ql)?:\/\//.test(databaseUrl))
  fail('DATABASE_URL must be postgres://…: N web instances cannot share one SQLite file');
if (webPortBase <= port && port < webPortBase + webCount)
  fail(`PORT ${port} is one of the web instances' ports ${webPortBase}..`);

const secretsDir = join(root, '.secrets');
ensurePrivateDir(secretsDir);
const secrets = readOrCreateSecrets(join(secretsDir, 'secrets.json'), {
  legacy: join(root, 'data', 'secrets.json'),
});
const publicUrl = process.env.BETTER_AUTH_URL ?? `http://localhost:${port}`;
const shownRedis = (() => {
  try {
    const u = new URL(redisUrl);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(bad REDIS_URL)';
  }
})();
const shownDb = databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

const common = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  TURBO_TELEMETRY_DISABLED: '1',
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
};
const webEnv = {
  ...common,
  GRADER_TRANSPORT: 'queue',
  BETTER_AUTH_SECRET: process.env.BETTER_AUTH_SECRET ?? secrets.BETTER_AUTH_SECRET,
  // not used in queue mode; set so that a web of a version that still asks for it starts
  GRADER_SECRET: process.env.GRADER_SECRET ?? secrets.GRADER_SECRET,
  BETTER_AUTH_URL: publicUrl,
  // the proxy: its X-Forwarded-For is believed (sign-in limits per client address)
  TRUSTED_PROXIES: process.env.TRUSTED_PROXIES ?? '127.0.0.1',
  HOST: '127.0.0.1',
  LMS_DEPLOYMENT: 'production',
};

function step(title, cmd, args, env = common) {
  log(title);
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) fail(`failed: ${title} (exit ${r.status ?? r.signal})`);
}

step(
  `database ${shownDb}: migrations; on an empty database the first admin and the course`,
  'node',
  [
    'packages/db/bin/lms-db.mjs',
    'setup',
    '--production',
    '--admin-email',
    process.env.LMS_ADMIN_EMAIL ?? 'admin@lms.local',
  ],
);
if (!opts['no-build']) {
  step('web: building (cached when nothing changed)', 'npx', [
    'turbo',
    'run',
    'build',
    '--filter=@lms/web',
    '--output-logs=errors-only',
  ]);
}

// the web instances run unprivileged when we are root, as `npm start` runs its one
let webUser = null;
try {
  webUser = resolveWebUser();
  const unreadable =
    webUser &&
    checkAsUser(webUser, {
      read: ['apps/web', 'packages/db', 'node_modules'].map((p) => join(root, p)),
    });
  if (unreadable) {
    log(`WARNING: the web instances stay root: ${webUser.name} ${unreadable}`);
    webUser = null;
  }
  if (webUser) {
    const dataDir = join(root, 'data');
    ensurePrivateDir(dataDir);
    prepareWebFiles(webUser, {
      dataDir,
      sqliteFile: null,
      appDir: join(root, 'apps/web'),
      nextDir: join(root, 'apps/web/.next'),
    });
  }
} catch (error) {
  fail(error.message);
}

/** name → { spec, child, restarts } */
const processes = new Map();
let stopping = false;
const stateFile = process.env.CLUSTER_STATE_FILE ?? join(root, '.state', 'cluster.json');

function writeState() {
  const list = (kind) =>
    [...processes.values()]
      .filter((p) => p.spec.kind === kind)
      .map((p) => ({
        name: p.spec.name,
        pid: p.child?.pid ?? null,
        port: p.spec.port,
        ...(p.spec.uidBase ? { uidBase: p.spec.uidBase } : {}),
        restarts: p.restarts,
      }));
  mkdirSync(dirname(stateFile), { recursive: true });
  writeFileSync(
    stateFile,
    `${JSON.stringify(
      {
        proxy: `http://127.0.0.1:${port}`,
        publicUrl,
        databaseUrl: shownDb,
        redisUrl: shownRedis,
        supervisor: process.pid,
        web: list('web'),
        workers: list('worker'),
      },
      null,
      2,
    )}\n`,
  );
}

function launch(spec) {
  const entry = processes.get(spec.name) ?? { spec, child: null, restarts: 0 };
  processes.set(spec.name, entry);
  const child = spawn(spec.cmd, spec.args, {
    cwd: spec.cwd ?? root,
    ...spec.spawnOptions,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  entry.child = child;
  const prefix = `${spec.name.padEnd(8)}| `;
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (chunk) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) console.log(prefix + line);
    });
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    entry.restarts++;
    log(`${spec.name} exited (${signal ?? code}); restarting it in 1 s`);
    setTimeout(() => {
      if (!stopping) launch(spec);
      writeState();
    }, 1_000);
  });
  writeState();
  return child;
}

for (let i = 0; i < webCount; i++) {
  const webPort = webPortBase + i;
  launch({
    kind: 'web',
    name: `web${i + 1}`,
    port: webPort,
    cmd: 'node',
    args: [join(root, 'apps/web/server.mjs')],
    cwd: join(root, 'apps/web'),
    spawnOptions: webSpawnOptions(webUser, { ...webEnv, PORT: String(webPort) }),
  });
}
log(`workers' cores for CPU-bound programs: ${cpuSlots.join(', ')} (GRADER_CPU_SLOTS)`);
for (let i = 0; i < workerCount; i++) {
  const workerUidBase = uidBase + i * maxRuns;
  const workerPort = workerPortBase + i;
  launch({
    kind: 'worker',
    name: `worker${i + 1}`,
    port: workerPort,
    uidBase: workerUidBase,
    cmd: 'node',
    args: ['apps/grader/bin/lms-grader.mjs', 'worker'],
    spawnOptions: {
      env: {
        ...common,
        GRADER_UID_BASE: String(workerUidBase),
        GRADER_MAX_RUNS: String(maxRuns),
        GRADER_CPU_SLOTS: String(cpuSlots[i]),
        GRADER_METRICS_PORT: String(workerPort),
        GRADER_HOST: '127.0.0.1',
      },
    },
  });
}

const proxy = createRoundRobinProxy({
  backends: [...processes.values()]
    .filter((p) => p.spec.kind === 'web')
    .map((p) => ({ name: p.spec.name, host: '127.0.0.1', port: p.spec.port })),
  log: (line) => log(`proxy: ${line}`),
});
try {
  await proxy.listen(port, process.env.HOST || '127.0.0.1');
} catch (error) {
  fail(`proxy: cannot listen on port ${port}: ${error.message}`);
}

// announce once every web instance is ready behind the proxy
const announce = setInterval(() => {
  if (!proxy.backends.every((b) => b.ready)) return;
  clearInterval(announce);
  log(`ready: ${publicUrl}  (proxy on port ${port})`);
  for (const p of processes.values()) {
    const { spec } = p;
    log(
      spec.kind === 'web'
        ? `  ${spec.name}: http://127.0.0.1:${spec.port}  (/api/healthz, /api/readyz, /api/metrics)`
        : `  ${spec.name}: uids ${spec.uidBase}..${spec.uidBase + maxRuns - 1}, http://127.0.0.1:${spec.port}/metrics`,
    );
  }
  log(`  PostgreSQL ${shownDb}, Redis ${shownRedis} (queue lms-grade)`);
  log(`  where everything is: ${stateFile}`);
  log('Ctrl-C stops all');
}, 500);

async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  clearInterval(announce);
  log(`${signal}: stopping the proxy, then every instance (each drains first)`);
  await proxy.close();
  const children = [...processes.values()].map((p) => p.child).filter(Boolean);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  const deadline = Date.now() + 40_000;
  await new Promise((resolve) => {
    const wait = setInterval(() => {
      const left = children.filter((c) => c.exitCode === null && c.signalCode === null);
      if (left.length === 0 || Date.now() > deadline) {
        for (const c of left) c.kill('SIGKILL');
        clearInterval(wait);
        resolve();
      }
    }, 100);
  });
  log('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
