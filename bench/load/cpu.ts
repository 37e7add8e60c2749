/**
 * Where the machine's CPU went during a run, by role: the web instances, the graders (with
 * the sandboxed programs they ran and reaped), PostgreSQL, Redis, the cluster's supervisor and
 * proxy, and this load generator itself (which a real class would not put on the machine).
 * Read from /proc: each process's utime + stime, plus cutime + cstime (its children, once
 * reaped), in clock ticks. A process that ended during the run (a kill -9) is counted for its
 * parent, whose children's time then grows by the child's whole life: what the child had
 * spent before the count began is taken off the parent again.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

export type Role =
  | 'web'
  | 'grader'
  | 'postgres'
  | 'redis'
  | 'supervisor + proxy'
  | 'load generator'
  | 'reaped by init'
  | 'other';

type Proc = { pid: number; ppid: number; comm: string; role: Role; ms: number };

function classify(pid: number, comm: string, cmdline: string): Role {
  if (pid === process.pid) return 'load generator';
  if (cmdline.includes('apps/web/server.mjs') || cmdline.includes('next-server')) return 'web';
  if (cmdline.includes('lms-grader')) return 'grader';
  if (comm === 'postgres' || cmdline.startsWith('postgres')) return 'postgres';
  if (comm.startsWith('redis-server')) return 'redis';
  if (cmdline.includes('start-cluster.mjs') || cmdline.includes('scripts/start.mjs'))
    return 'supervisor + proxy';
  return 'other';
}

/**
 * One process's CPU so far from /proc/<pid>/stat, in ms: its own (utime + stime, all its
 * threads) and its reaped children's (cutime + cstime); with its parent and command name.
 * Throws when the process is gone.
 */
export function procTimes(pid: number): {
  ppid: number;
  comm: string;
  ownMs: number;
  childrenMs: number;
} {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  // after the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    ppid: Number(f[1]),
    comm,
    ownMs: (Number(f[11]) + Number(f[12])) * TICK_MS,
    childrenMs: (Number(f[13]) + Number(f[14])) * TICK_MS,
  };
}

function snapshot(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const { ppid, comm, ownMs, childrenMs } = procTimes(pid);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      // pid 1 reaps orphans: a sandboxed program whose bwrap was killed first (a timeout, an
      // output flood) ends up there, so its children's time is the programs', not its own
      out.set(pid, {
        pid,
        ppid,
        comm,
        role: pid === 1 ? 'reaped by init' : classify(pid, comm, cmdline),
        ms: pid === 1 ? childrenMs : ownMs + childrenMs,
      });
    } catch {
      // gone between the listing and the read
    }
  }
  // a process of no role of its own (a sandboxed program, bwrap, a pool's helper) counts for
  // the nearest ancestor that has one
  for (const p of out.values()) {
    let up = out.get(p.ppid);
    for (let hops = 0; p.role === 'other' && up && hops < 16; hops++) {
      if (up.role !== 'other' && up.pid !== 1) p.role = up.role;
      up = out.get(up.ppid);
    }
  }
  return out;
}

/** Starts counting now; `stop()` gives the CPU seconds spent since, by role. */
export function startCpuByRole(): { stop(): Map<Role, number> } {
  const before = snapshot();
  return {
    stop() {
      const after = snapshot();
      const seconds = new Map<Role, number>();
      const others = new Map<string, number>();
      for (const p of after.values()) {
        const was = before.get(p.pid);
        const spent = was && was.comm === p.comm ? p.ms - was.ms : p.ms;
        if (spent <= 0) continue;
        seconds.set(p.role, (seconds.get(p.role) ?? 0) + spent / 1000);
        if (p.role === 'other') others.set(p.comm, (others.get(p.comm) ?? 0) + spent / 1000);
      }
      // a child gone since the start: its parent's children's time took in its whole life
      for (const was of before.values()) {
        if (after.has(was.pid)) continue;
        const parent = after.get(was.ppid);
        if (!parent || parent.role === 'other') continue;
        seconds.set(parent.role, (seconds.get(parent.role) ?? 0) - was.ms / 1000);
      }
      lastOthers = [...others].sort((a, b) => b[1] - a[1]).slice(0, 4);
      return seconds;
    },
  };
}

/** The busiest processes of no role in the last count (for the report's "other" line). */
let lastOthers: Array<[string, number]> = [];

/** Lines for the report: each role's CPU seconds, its share, and per grading. */
export function cpuByRoleLines(seconds: Map<Role, number>, gradings: number): string[] {
  const total = [...seconds.values()].reduce((a, b) => a + b, 0);
  const order: Role[] = [
    'web',
    'grader',
    'postgres',
    'redis',
    'supervisor + proxy',
    'load generator',
    'reaped by init',
    'other',
  ];
  const lines = [
    `  CPU by role (seconds of one core; the graders include the programs they ran and reaped;`,
    `  "reaped by init": programs orphaned when their sandbox was killed — timeouts, floods):`,
    `    ${'role'.padEnd(20)} ${'CPU s'.padStart(8)} ${'share'.padStart(6)} ${'per grading ms'.padStart(15)}`,
  ];
  for (const role of order) {
    const s = seconds.get(role) ?? 0;
    if (s === 0) continue;
    const what =
      role === 'other' && lastOthers.length
        ? `  (${lastOthers.map(([c, t]) => `${c} ${t.toFixed(1)}`).join(', ')})`
        : '';
    lines.push(
      `    ${role.padEnd(20)} ${s.toFixed(1).padStart(8)} ${`${((100 * s) / total).toFixed(0)}%`.padStart(6)} ${(gradings ? (1000 * s) / gradings : 0).toFixed(0).padStart(15)}${what}`,
    );
  }
  return lines;
}
