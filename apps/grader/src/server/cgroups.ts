import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Per-slot control groups: a memory limit that OOM-kills (and counts it), a pids limit (the
 * fork-bomb stop), CPU accounting across every process of a run, and a way to kill and
 * verify-empty the whole tree. cgroup v1 (controllers mounted at /sys/fs/cgroup/<name>, as on
 * this machine) and v2 (unified, `memory.max`, `pids.max`, `cgroup.kill`) are both supported;
 * when neither is writable, `detectCgroups` says why and the sandbox falls back to rlimits.
 */

const ROOT = '/sys/fs/cgroup';

export interface CgroupSlot {
  /** `cgroup.procs` files the spawn wrapper writes its pid into before exec */
  readonly procsFiles: string[];
  /** set the limits of the next run and reset the counters */
  prepare(limits: { memoryMb: number; processes: number }): void;
  /** CPU seconds used by every process of the slot since `prepare` */
  cpuSeconds(): number;
  /** OOM kills since `prepare` */
  oomKills(): number;
  /** fork attempts refused by the pids limit since `prepare` */
  pidsRefused(): number;
  pids(): number[];
  /**
   * SIGKILL every process in the slot until it is empty (but for `keep`, the slot's launcher);
   * true when nothing else is left
   */
  killAll(keep?: number): Promise<boolean>;
  destroy(): void;
}

export interface CgroupSupport {
  version: 1 | 2 | null;
  /** why there is no cgroup support, for the startup log */
  reason: string | null;
  createSlot(name: string): CgroupSlot;
  destroyAll(): void;
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

function readNumber(path: string): number {
  const n = Number(read(path).trim());
  return Number.isFinite(n) ? n : 0;
}

function keyed(path: string, key: string): number {
  if (!existsSync(path)) return 0;
  for (const line of read(path).split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k === key) return Number(v) || 0;
  }
  return 0;
}

function listPids(procsFile: string): number[] {
  try {
    return read(procsFile)
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

async function killLoop(
  procsFiles: string[],
  cgroupKill: string | null,
  keep?: number,
): Promise<boolean> {
  const others = () => [...new Set(procsFiles.flatMap(listPids))].filter((p) => p !== keep);
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = others();
    if (pids.length === 0) return true;
    // cgroup.kill would take the launcher too: with one to keep, kill pid by pid
    if (cgroupKill && keep === undefined) {
      try {
        writeFileSync(cgroupKill, '1');
      } catch {}
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    await new Promise((r) => setTimeout(r, attempt < 5 ? 1 : 20));
  }
  return others().length === 0;
}

/** This process's own cgroup path for a v1 controller (or v2 when `controller` is ''). */
function ownPath(controller: string): string | null {
  for (const line of read('/proc/self/cgroup').split('\n')) {
    const [, names, path] = line.split(':');
    if (names === undefined || path === undefined) continue;
    if (controller === '' ? line.startsWith('0::') : names.split(',').includes(controller))
      return path;
  }
  return null;
}

function tryMkdir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

function tryRmdir(dir: string): void {
  try {
    // children first; a cgroup directory holds only control files, which rmdir ignores
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) tryRmdir(join(dir, entry.name));
    }
    rmdirSync(dir);
  } catch {}
}

/**
 * Entries of `parent` named like another grader process's `tag` (`<prefix>-<pid>-<n>`, also
 * `…-supervisor`) whose process is gone: what a grader killed with -9 left behind.
 */
export function staleGraderEntries(parent: string, tag: string): string[] {
  let entries: string[] = [];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  const prefix = tag.replace(/-\d+(-\d+)?$/, '');
  const pattern = /-(\d+)(?:-\d+)?(?:-supervisor)?$/;
  return entries.filter((name) => {
    if (!name.startsWith(`${prefix}-`)) return false;
    const pid = Number(pattern.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
    try {
      process.kill(pid, 0);
      return false; // still alive: not ours to touch
    } catch {
      return true;
    }
  });
}

/** Remove the subtrees of grader processes that died without cleaning up (kill -9). */
function sweepStale(parent: string, tag: string): void {
  for (const name of staleGraderEntries(parent, tag)) {
    const dir = join(parent, name);
    for (const procs of listProcsFiles(dir)) {
      for (const p of listPids(procs)) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {}
      }
    }
    tryRmdir(dir);
  }
}

function listProcsFiles(dir: string): string[] {
  const files: string[] = [];
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) files.push(...listProcsFiles(join(dir, entry.name)));
    }
  } catch {}
  files.push(join(dir, 'cgroup.procs'));
  return files;
}

function v1Support(tag: string): CgroupSupport {
  const controllers = ['memory', 'pids', 'cpuacct'] as const;
  const bases: Record<string, string> = {};
  for (const c of controllers) {
    const mount = join(ROOT, c);
    const own = ownPath(c);
    if (!existsSync(join(mount, 'cgroup.procs')) || own === null) {
      throw new Error(`cgroup v1 controller ${c} is not mounted at ${mount}`);
    }
    sweepStale(join(mount, own), tag);
    bases[c] = join(mount, own, tag);
    tryMkdir(bases[c]!);
  }
  return {
    version: 1,
    reason: null,
    createSlot(name) {
      const dir = (c: string) => join(bases[c]!, name);
      for (const c of controllers) tryMkdir(dir(c));
      const procsFiles = controllers.map((c) => join(dir(c), 'cgroup.procs'));
      const memsw = join(dir('memory'), 'memory.memsw.limit_in_bytes');
      let cpuBase = 0;
      let oomBase = 0;
      let pidsBase = 0;
      return {
        procsFiles,
        prepare({ memoryMb, processes }) {
          const bytes = String(memoryMb * 1024 * 1024);
          const hasMemsw = existsSync(memsw);
          // memsw must stay >= limit: lift it, set the limit, then pin it (no swapping past the cap)
          if (hasMemsw) writeFileSync(memsw, '-1');
          writeFileSync(join(dir('memory'), 'memory.limit_in_bytes'), bytes);
          if (hasMemsw) writeFileSync(memsw, bytes);
          writeFileSync(join(dir('pids'), 'pids.max'), String(processes));
          cpuBase = readNumber(join(dir('cpuacct'), 'cpuacct.usage'));
          oomBase = keyed(join(dir('memory'), 'memory.oom_control'), 'oom_kill');
          pidsBase = keyed(join(dir('pids'), 'pids.events'), 'max');
        },
        cpuSeconds: () => (readNumber(join(dir('cpuacct'), 'cpuacct.usage')) - cpuBase) / 1e9,
        oomKills: () => keyed(join(dir('memory'), 'memory.oom_control'), 'oom_kill') - oomBase,
        pidsRefused: () => keyed(join(dir('pids'), 'pids.events'), 'max') - pidsBase,
        pids: () => [...new Set(procsFiles.flatMap(listPids))],
        killAll: (keep) => killLoop(procsFiles, null, keep),
        destroy() {
          for (const c of controllers) tryRmdir(dir(c));
        },
      };
    },
    destroyAll() {
      for (const c of controllers) tryRmdir(bases[c]!);
    },
  };
}

/**
 * cgroup v2 under `root` (the unified mount), for this process whose cgroup is `own`.
 * Exported with those two for a test on a simulated tree (this machine's kernel has every
 * controller on v1, so the real v2 path cannot run here).
 */
export function v2Support(
  tag: string,
  root = ROOT,
  own: string | null = ownPath(''),
): CgroupSupport {
  if (!existsSync(join(root, 'cgroup.controllers')))
    throw new Error(`${root} is not a cgroup v2 (unified) mount`);
  if (own === null) throw new Error('no cgroup v2 entry in /proc/self/cgroup');
  // Processes may only live in leaves, and controllers are enabled top-down: enable them in
  // our own cgroup (moving this process into a leaf of its own if it lives there, as a
  // systemd unit with Delegate=yes does), then in our subtree.
  const parent = join(root, own);
  sweepStale(parent, tag);
  const base = join(parent, tag);
  tryMkdir(base);
  const enable = (dir: string) =>
    writeFileSync(join(dir, 'cgroup.subtree_control'), '+memory +pids +cpu');
  try {
    enable(parent);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
    const leaf = join(parent, `${tag}-supervisor`);
    tryMkdir(leaf);
    writeFileSync(join(leaf, 'cgroup.procs'), String(process.pid));
    enable(parent);
  }
  enable(base);
  return {
    version: 2,
    reason: null,
    createSlot(name) {
      const dir = join(base, name);
      tryMkdir(dir);
      const procs = join(dir, 'cgroup.procs');
      let cpuBase = 0;
      let oomBase = 0;
      let pidsBase = 0;
      return {
        procsFiles: [procs],
        prepare({ memoryMb, processes }) {
          writeFileSync(join(dir, 'memory.max'), String(memoryMb * 1024 * 1024));
          if (existsSync(join(dir, 'memory.swap.max')))
            writeFileSync(join(dir, 'memory.swap.max'), '0');
          writeFileSync(join(dir, 'pids.max'), String(processes));
          cpuBase = keyed(join(dir, 'cpu.stat'), 'usage_usec');
          oomBase = keyed(join(dir, 'memory.events'), 'oom_kill');
          pidsBase = keyed(join(dir, 'pids.events'), 'max');
        },
        cpuSeconds: () => (keyed(join(dir, 'cpu.stat'), 'usage_usec') - cpuBase) / 1e6,
        oomKills: () => keyed(join(dir, 'memory.events'), 'oom_kill') - oomBase,
        pidsRefused: () => keyed(join(dir, 'pids.events'), 'max') - pidsBase,
        pids: () => listPids(procs),
        killAll: (keep) => killLoop([procs], join(dir, 'cgroup.kill'), keep),
        destroy: () => tryRmdir(dir),
      };
    },
    destroyAll: () => tryRmdir(base),
  };
}

export const noCgroups = (reason: string): CgroupSupport => ({
  version: null,
  reason,
  createSlot() {
    throw new Error(`no cgroups: ${reason}`);
  },
  destroyAll() {},
});

/** Detect and set up cgroups for this grader process (tag = directory name of our subtree). */
export function detectCgroups(tag: string): CgroupSupport {
  if (process.platform !== 'linux') return noCgroups('not Linux');
  const errors: string[] = [];
  const unified = existsSync(join(ROOT, 'cgroup.controllers'));
  const order = unified ? [v2Support, v1Support] : [v1Support, v2Support];
  for (const attempt of order) {
    try {
      return attempt(tag);
    } catch (error) {
      errors.push(`${attempt === v1Support ? 'v1' : 'v2'}: ${(error as Error).message}`);
    }
  }
  return noCgroups(errors.join('; '));
}
