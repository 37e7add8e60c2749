import { accessSync, constants, readFileSync, realpathSync, statfsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';

/** What the sandbox asks of the host machine (file system, /proc, cores). */

/** CPU seconds of one process so far (user + system), null when it is gone */
export function procCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const TMPFS_MAGIC = 0x01021994;

export function isTmpfs(path: string): boolean {
  try {
    return statfsSync(path).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Read-only binds an interpreter outside /usr needs (its install prefix). */
export function interpreterBinds(python: string): string[] {
  const real = realpathSync(python);
  if (real.startsWith('/usr/')) return [];
  return [dirname(dirname(real))];
}

export function defaultCpuSlots(): number {
  return availableParallelism();
}
