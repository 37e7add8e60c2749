import { execFile } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  statfsSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import {
  elfInterpreter,
  type InterpreterLayout,
  type LinkReader,
  outermost,
  symlinkChain,
} from './mounts.ts';
import { SandboxError } from './types.ts';

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

/** the host's file system as symlinkChain reads it */
const hostLinks: LinkReader = {
  readlink(path) {
    try {
      return readlinkSync(path);
    } catch {
      return null; // not a symlink (EINVAL) or missing: resolved as is
    }
  },
};

/**
 * Run by the interpreter itself (`-I -S`, as root, outside the sandbox): where it imports from
 * without `site` (sys.path), the files it maps (its libraries and loader), and the site
 * directories mypy and its dependencies would be imported from.
 */
const PROBE = `
import json, os, site, sys
mapped = set()
with open("/proc/self/maps") as maps:
    for line in maps:
        fields = line.split(None, 5)
        if len(fields) == 6 and fields[5].startswith("/"):
            mapped.add(fields[5].rstrip("\\n"))
def holder(name):
    for d in site.getsitepackages():
        for entry in (name, name + ".py"):
            if os.path.exists(os.path.join(d, entry)):
                return d
site_dirs = {holder(n) for n in ("mypy", "mypy_extensions", "typing_extensions")} - {None}
print(json.dumps({
    "path": [p for p in sys.path if os.path.exists(p)],
    "mapped": sorted(mapped),
    "site": sorted(site_dirs),
}))
`;

/** the C.UTF-8 locale's files (LANG inside the sandbox), where the host has them */
const C_UTF8 = '/usr/lib/locale/C.utf8';
/** top-level links into /usr the sandbox keeps where the host has them (merged /usr) */
const USR_LINKS = ['/bin', '/lib', '/lib64'];

const layouts = new Map<string, Promise<InterpreterLayout>>();

/**
 * What of the host the interpreter needs (mounts.ts says how it is mounted): found once per
 * interpreter path and process, by asking the interpreter and reading its ELF header.
 */
export function probeInterpreter(python: string): Promise<InterpreterLayout> {
  let layout = layouts.get(python);
  if (!layout) {
    layout = probe(python);
    layouts.set(python, layout);
    layout.catch(() => layouts.delete(python));
  }
  return layout;
}

async function probe(python: string): Promise<InterpreterLayout> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      python,
      ['-I', '-S', '-c', PROBE],
      { env: {}, cwd: '/', timeout: 20_000, maxBuffer: 1024 * 1024 },
      (error, out, err) =>
        error
          ? reject(
              new SandboxError(
                `cannot ask ${python} what it needs (${error.message.split('\n')[0]}): ${String(err).slice(0, 500)}`,
              ),
            )
          : resolve(out),
    );
  });
  const found = JSON.parse(stdout) as { path: string[]; mapped: string[]; site: string[] };
  const executable = symlinkChain(python, hostLinks);
  const symlinks: [string, string][] = [...executable.links];
  const libraryDirs = found.mapped
    .filter((file) => file !== executable.real && !found.path.some((p) => file.startsWith(`${p}/`)))
    .map((file) => dirname(file));
  const interpreter = elfInterpreter(readHead(executable.real));
  if (interpreter) {
    const loader = symlinkChain(interpreter, hostLinks);
    symlinks.push(...loader.links);
    libraryDirs.push(dirname(loader.real));
  }
  for (const link of USR_LINKS) {
    const target = hostLinks.readlink(link);
    if (target?.startsWith('usr/')) symlinks.push([link, target]);
  }
  return {
    executable: executable.real,
    symlinks: [...new Map(symlinks)],
    dirs: outermost([...found.path, ...libraryDirs, ...(existsSync(C_UTF8) ? [C_UTF8] : [])]),
    siteDirs: outermost(found.site),
  };
}

/** the first 64 KiB of a file (an ELF header and its program headers) */
function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}
