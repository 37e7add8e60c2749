/**
 * Starting and stopping what the load runs against: the embedded default (`scripts/start.mjs`
 * on a SQLite file of its own), or the at-scale shape (`scripts/start-cluster.mjs`: N web
 * instances behind its proxy, K grader workers) on a PostgreSQL database of its own and a
 * Redis of its own. That Redis is a `redis-server` this bench starts on a spare port with AOF
 * on (appendfsync everysec), so the chaos run can restart it without losing the queue — and
 * without touching the machine's shared Redis (no persistence there: a restart would lose
 * every other user's data).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const ROOT = new URL('../..', import.meta.url).pathname;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns `cmd`, prefixes its lines (only when `echo`), resolves once `readyLine` shows. */
function startAndWait(
  name: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  readyLine: RegExp,
  timeoutMs: number,
  echo: boolean,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${name} not ready within ${timeoutMs / 1000} s; its last lines:\n${tail}`));
    }, timeoutMs);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        tail = (tail + text).slice(-4000);
        if (echo) for (const line of text.split('\n')) if (line) console.log(`  ${name} | ${line}`);
        if (!ready && readyLine.test(tail)) {
          ready = true;
          clearTimeout(timer);
          resolve(child);
        }
      });
    }
    child.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before it was ready:\n${tail}`));
    });
  });
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Run as root, scripts/start.mjs runs the web as its unprivileged user (lms-web, or
 * LMS_WEB_USER), which must own the database's directory: the temporary one is given to it.
 */
function handToWebUser(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const name = process.env.LMS_WEB_USER ?? 'lms-web';
  if (name === 'root') return;
  const id = (flag: string) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) return; // start.mjs makes the user and says so
  chownSync(dir, Number(uid.stdout.trim()), Number(gid.stdout.trim()));
}

export type Stack = {
  kind: 'embedded' | 'cluster';
  base: string;
  databaseUrl: string;
  describe: string;
  stop(): Promise<void>;
};

/** The embedded default on a SQLite file in a new temporary directory. */
export async function startEmbedded(options: {
  port: number;
  graderPort: number;
  uidBase: number;
  echo: boolean;
}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'lms-load-'));
  handToWebUser(dir);
  const databaseUrl = `file:${join(dir, 'load.db')}`;
  const child = await startAndWait(
    'embedded',
    process.execPath,
    ['scripts/start.mjs'],
    {
      ...process.env,
      PORT: String(options.port),
      GRADER_PORT: String(options.graderPort),
      DATABASE_URL: databaseUrl,
      GRADER_UID_BASE: String(options.uidBase),
      // the simulated students' X-Forwarded-For (one address each) is believed from loopback
      TRUSTED_PROXIES: '127.0.0.1',
    },
    /\[start\].*ready: http/,
    300_000,
    options.echo,
  );
  return {
    kind: 'embedded',
    base: `http://127.0.0.1:${options.port}`,
    databaseUrl,
    describe: `embedded default: SQLite (${databaseUrl}), one grader service, one web`,
    stop: () => stopChild(child, 30_000),
  };
}

/** A redis-server of the bench's own, AOF on, restartable with the same command line. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'lms-load-redis-'));
  readonly args: string[];

  constructor(readonly port: number) {
    this.args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--daemonize',
      'no',
    ];
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = await startAndWait(
      'redis',
      'redis-server',
      this.args,
      process.env,
      /Ready to accept connections/,
      20_000,
      false,
    );
  }

  /**
   * SHUTDOWN (AOF flushed and fsynced first: nothing acknowledged is lost), then the same
   * command line again. Resolves with how long Redis was away, in ms.
   */
  async restart(): Promise<number> {
    const started = performance.now();
    const exited = new Promise<void>((r) => this.child?.once('exit', () => r()));
    const r = spawnSync('redis-cli', ['-p', String(this.port), 'shutdown'], { encoding: 'utf8' });
    if (r.status !== 0 && !/not connected|Connection refused/.test(r.stderr + r.stdout)) {
      throw new Error(`redis-cli shutdown: ${r.stderr || r.stdout}`);
    }
    await exited;
    await this.start();
    return performance.now() - started;
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child, 10_000);
  }
}

export type ClusterState = {
  proxy: string;
  web: Array<{ name: string; pid: number | null; port: number; restarts: number }>;
  workers: Array<{
    name: string;
    pid: number | null;
    port: number;
    uidBase: number;
    restarts: number;
  }>;
};

/** A fresh PostgreSQL database (dropped first) for one run. */
export async function freshPostgres(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  return `postgres://postgres@127.0.0.1:5432/${name}`;
}

/** scripts/start-cluster.mjs with N web instances and K workers, on its own database and Redis. */
export async function startCluster(options: {
  web: number;
  workers: number;
  port: number;
  uidBase: number;
  redis: PrivateRedis;
  database: string;
  build: boolean;
  echo: boolean;
}): Promise<Stack & { state(): ClusterState }> {
  const databaseUrl = await freshPostgres(options.database);
  const stateFile = join(ROOT, '.state', `cluster-load-${options.port}.json`);
  const child = await startAndWait(
    'cluster',
    process.execPath,
    [
      'scripts/start-cluster.mjs',
      '--web',
      String(options.web),
      '--workers',
      String(options.workers),
      '--port',
      String(options.port),
      ...(options.build ? [] : ['--no-build']),
    ],
    {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: options.redis.url,
      WEB_PORT_BASE: String(options.port + 1),
      WORKER_PORT_BASE: String(options.port + 101),
      CLUSTER_UID_BASE: String(options.uidBase),
      CLUSTER_STATE_FILE: stateFile,
    },
    /\[cluster\].*ready: http/,
    600_000,
    options.echo,
  );
  return {
    kind: 'cluster',
    base: `http://127.0.0.1:${options.port}`,
    databaseUrl,
    describe: `cluster: PostgreSQL (${options.database}), Redis :${options.redis.port} (AOF), ${options.web} web instance(s) behind the proxy, ${options.workers} grader worker(s)`,
    state: () => JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState,
    stop: () => stopChild(child, 60_000),
  };
}

/** Busy and total CPU time of the machine so far (jiffies, from /proc/stat). */
export function cpuTimes(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
