import { posix } from 'node:path';

/**
 * What of the host's /usr a run sees: only what the interpreter needs, as found on the host at
 * start-up (host.ts `probeInterpreter`) and turned into bwrap options here (pure functions,
 * tested in mounts.test.ts and bwrap-args.test.ts).
 *
 *   the interpreter's file          /usr/bin/python3.11 (and the links to it: python3 → python3.11)
 *   its standard library            /usr/lib/python3.11 (lib-dynload inside it)
 *   the shared libraries            the directories of the libraries the interpreter maps, whole
 *                                   (/usr/lib/x86_64-linux-gnu), with the loader its ELF header
 *                                   names (/lib64/ld-linux-x86-64.so.2 and the links on the way)
 *   the C.UTF-8 locale              /usr/lib/locale/C.utf8 (LANG inside the sandbox)
 *   mypy's site directory           /usr/lib/python3/dist-packages, only for runs that import
 *                                   `site` (no -S: the mypy run and its probe)
 *   /bin, /lib, /lib64              links into /usr, as on the host (merged /usr)
 * Not there any more: the rest of /usr/bin and /usr/sbin (no shell, no compilers, no other
 * interpreter), /usr/share, /usr/local, /usr/libexec, /usr/include, the other Python
 * directories. The library directory is bound whole rather than file by file: each bind costs
 * bwrap a mount, a read of mountinfo and a remount per run (the ~27 files of the interpreter
 * and its extension modules, bound one by one, measured ~13 ms more per run here under load),
 * and inside the sandbox the loader (no /etc/ld.so.cache) searches exactly that directory, so
 * ctypes and every extension module find their libraries as they do on the host.
 */

export interface InterpreterLayout {
  /** the interpreter's real file (bound read-only at the same path) */
  executable: string;
  /** links to recreate inside, [link path, target as written]: the interpreter's and its loader's */
  symlinks: [link: string, target: string][];
  /** directories every run gets read-only: the stdlib, the libraries' directories, the locale */
  dirs: string[];
  /** directories only runs that import `site` get (where mypy and its dependencies are) */
  siteDirs: string[];
}

/** bwrap options for a layout: symlinks first (parents of nothing bound), then the binds */
export function mountArgs(layout: InterpreterLayout, withSite: boolean): string[] {
  const dirs = outermost([...layout.dirs, ...(withSite ? layout.siteDirs : [])]);
  const inside = (path: string) => dirs.some((dir) => isUnder(path, dir));
  const links = new Map<string, string>();
  for (const [link, target] of layout.symlinks) {
    // a link inside a bound directory comes with it
    if (!inside(link) && !links.has(link)) links.set(link, target);
  }
  return [
    ...[...links].flatMap(([link, target]) => ['--symlink', target, link]),
    ...(inside(layout.executable) ? [] : ['--ro-bind', layout.executable, layout.executable]),
    ...dirs.flatMap((dir) => ['--ro-bind', dir, dir]),
  ];
}

/** the directories of a list without those inside another of it, sorted, without repeats */
export function outermost(dirs: readonly string[]): string[] {
  const sorted = [...new Set(dirs.map((d) => posix.normalize(d).replace(/(.)\/$/, '$1')))].sort();
  return sorted.filter((dir) => !sorted.some((other) => other !== dir && isUnder(dir, other)));
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/**
 * Whether CPython started with these arguments imports `site` (and so looks in the site
 * directories): no -S among the options before the script, `-c` or `-m`.
 */
export function usesSite(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--' || arg === '-' || !arg.startsWith('-')) return true; // the script
    if (arg.startsWith('--')) {
      if (arg === '--check-hash-based-pycs') i++;
      continue;
    }
    const letters = arg.slice(1);
    for (let j = 0; j < letters.length; j++) {
      const letter = letters[j]!;
      if (letter === 'S') return false;
      if (letter === 'c' || letter === 'm') return true; // the rest is the command or module
      if (letter === 'X' || letter === 'W') {
        if (j === letters.length - 1) i++; // the value is the next argument
        break;
      }
    }
  }
  return true;
}

/** The program interpreter (PT_INTERP) an ELF file names, or null (not ELF, static, cut short). */
export function elfInterpreter(file: Buffer): string | null {
  if (file.length < 64 || file.readUInt32BE(0) !== 0x7f454c46) return null;
  const is64 = file[4] === 2;
  const little = file[5] === 1;
  const u16 = (at: number) => (little ? file.readUInt16LE(at) : file.readUInt16BE(at));
  const u32 = (at: number) => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const word = (at: number) =>
    is64 ? Number(little ? file.readBigUInt64LE(at) : file.readBigUInt64BE(at)) : u32(at);
  const phoff = word(is64 ? 0x20 : 0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + phentsize > file.length) return null;
    if (u32(ph) !== 3) continue; // PT_INTERP
    const offset = word(ph + (is64 ? 0x08 : 0x04));
    const size = word(ph + (is64 ? 0x20 : 0x10));
    if (offset + size > file.length) return null;
    return file
      .subarray(offset, offset + size)
      .toString('latin1')
      .replace(/\0+$/, '');
  }
  return null;
}

/** what `symlinkChain` asks of the file system */
export interface LinkReader {
  /** the target of a symlink as written, or null when the path is not a symlink */
  readlink(path: string): string | null;
}

/**
 * Resolve an absolute path component by component as the kernel does, listing every symlink
 * met on the way ([link, target as written]) and the real path at the end.
 */
export function symlinkChain(
  path: string,
  fs: LinkReader,
): { links: [string, string][]; real: string } {
  const links: [string, string][] = [];
  const parts = (p: string) => p.split('/').filter((part) => part !== '' && part !== '.');
  let rest = parts(path);
  // `done` is always a real path (no symlink in it), so `..` is its parent
  let done = '/';
  let hops = 0;
  while (rest.length > 0) {
    const [name, ...after] = rest as [string, ...string[]];
    rest = after;
    if (name === '..') {
      done = posix.dirname(done);
      continue;
    }
    const next = posix.join(done, name);
    const target = fs.readlink(next);
    if (target === null) {
      done = next;
      continue;
    }
    if (++hops > 40) throw new Error(`too many levels of symbolic links: ${path}`);
    links.push([next, target]);
    if (posix.isAbsolute(target)) done = '/';
    rest = [...parts(target), ...rest];
  }
  return { links, real: done };
}
