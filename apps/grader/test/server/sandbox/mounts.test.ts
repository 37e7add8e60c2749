import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  elfInterpreter,
  type InterpreterLayout,
  mountArgs,
  outermost,
  symlinkChain,
  usesSite,
} from '../../../src/server/sandbox/mounts.ts';

/** Debian 12's links (merged /usr), as a LinkReader */
const DEBIAN_LINKS: Record<string, string> = {
  '/bin': 'usr/bin',
  '/lib': 'usr/lib',
  '/lib64': 'usr/lib64',
  '/usr/bin/python3': 'python3.11',
  '/usr/lib64/ld-linux-x86-64.so.2': '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
  '/etc/alternatives/py': '/usr/bin/python3',
  '/usr/local/bin/py': '/etc/alternatives/py',
  '/opt/rel': '../usr/./bin/../bin/python3',
};
const links = { readlink: (path: string) => DEBIAN_LINKS[path] ?? null };

describe('symlinkChain (pure)', () => {
  it("follows the interpreter's link", () => {
    expect(symlinkChain('/usr/bin/python3', links)).toEqual({
      links: [['/usr/bin/python3', 'python3.11']],
      real: '/usr/bin/python3.11',
    });
  });

  it('follows links in directories on the way, relative and absolute (the loader)', () => {
    expect(symlinkChain('/lib64/ld-linux-x86-64.so.2', links)).toEqual({
      links: [
        ['/lib64', 'usr/lib64'],
        ['/usr/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'],
        ['/lib', 'usr/lib'],
      ],
      real: '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
    });
  });

  it('follows a chain through /etc/alternatives, and .. from the real directory', () => {
    expect(symlinkChain('/usr/local/bin/py', links).links.map(([link]) => link)).toEqual([
      '/usr/local/bin/py',
      '/etc/alternatives/py',
      '/usr/bin/python3',
    ]);
    expect(symlinkChain('/opt/rel', links).real).toBe('/usr/bin/python3.11');
  });

  it('stops on a loop', () => {
    const loop = { readlink: (p: string) => (p === '/a' ? '/b' : p === '/b' ? '/a' : null) };
    expect(() => symlinkChain('/a', loop)).toThrow(/too many levels/);
  });
});

describe('usesSite (pure)', () => {
  it('is false with -S, alone or among other letters, before the script', () => {
    expect(usesSite(['-I', '-S', '-B', '-X', 'utf8', '/box/lms_runner.py'])).toBe(false);
    expect(usesSite(['-IS', '-c', 'pass'])).toBe(false);
    expect(usesSite(['-X', 'utf8', '-S', 'x.py'])).toBe(false);
  });

  it('is true without -S (mypy, its probe), and for an -S meant for the script', () => {
    expect(usesSite(['-I', '-m', 'mypy', '--strict', 'main.py'])).toBe(true);
    expect(usesSite(['-I', '-c', 'import mypy.api'])).toBe(true);
    expect(usesSite(['-I', 'x.py', '-S'])).toBe(true);
    expect(usesSite(['-c', 'pass', '-S'])).toBe(true);
    expect(usesSite(['-Wignore', 'x.py'])).toBe(true);
    expect(usesSite(['-W', 'S', 'x.py'])).toBe(true); // S is -W's value
  });
});

describe('outermost and mountArgs (pure)', () => {
  it('keeps the outermost of nested directories, once each', () => {
    expect(
      outermost([
        '/usr/lib/x86_64-linux-gnu/gconv',
        '/usr/lib/x86_64-linux-gnu',
        '/usr/lib/python3.11/lib-dynload',
        '/usr/lib/python3.11/',
        '/usr/lib/x86_64-linux-gnu',
        '/usr/lib/python3',
      ]),
    ).toEqual(['/usr/lib/python3', '/usr/lib/python3.11', '/usr/lib/x86_64-linux-gnu']);
  });

  it('leaves out links and files that a bound directory brings', () => {
    const layout: InterpreterLayout = {
      executable: '/opt/py/bin/python3.12',
      symlinks: [
        ['/opt/py/bin/python3', 'python3.12'],
        ['/lib64', 'usr/lib64'],
        ['/lib64', 'usr/lib64'],
      ],
      dirs: ['/opt/py', '/usr/lib/x86_64-linux-gnu'],
      siteDirs: ['/opt/py/lib/python3.12/site-packages'],
    };
    expect(mountArgs(layout, true)).toEqual([
      '--symlink',
      'usr/lib64',
      '/lib64',
      '--ro-bind',
      '/opt/py',
      '/opt/py',
      '--ro-bind',
      '/usr/lib/x86_64-linux-gnu',
      '/usr/lib/x86_64-linux-gnu',
    ]);
  });
});

describe('elfInterpreter (pure)', () => {
  /** a minimal 64-bit little-endian ELF header with one PT_LOAD and one PT_INTERP */
  function elf(interp: string): Buffer {
    const file = Buffer.alloc(0x200);
    file.writeUInt32BE(0x7f454c46, 0);
    file[4] = 2; // 64-bit
    file[5] = 1; // little-endian
    file.writeBigUInt64LE(0x40n, 0x20); // e_phoff
    file.writeUInt16LE(56, 0x36); // e_phentsize
    file.writeUInt16LE(2, 0x38); // e_phnum
    file.writeUInt32LE(1, 0x40); // PT_LOAD
    const ph = 0x40 + 56;
    file.writeUInt32LE(3, ph); // PT_INTERP
    file.writeBigUInt64LE(0x100n, ph + 0x08);
    file.writeBigUInt64LE(BigInt(interp.length + 1), ph + 0x20);
    file.write(`${interp}\0`, 0x100, 'latin1');
    return file;
  }

  it('reads PT_INTERP', () => {
    expect(elfInterpreter(elf('/lib64/ld-linux-x86-64.so.2'))).toBe('/lib64/ld-linux-x86-64.so.2');
  });

  it('is null for what is not a dynamic ELF file, or is cut short', () => {
    expect(elfInterpreter(Buffer.from('#!/bin/sh\necho hi\n'.padEnd(100)))).toBeNull();
    expect(elfInterpreter(elf('/lib64/ld.so').subarray(0, 0x80))).toBeNull();
  });

  it.runIf(existsSync('/usr/bin/python3.11'))("reads Debian's interpreter", () => {
    expect(elfInterpreter(readFileSync('/usr/bin/python3.11'))).toMatch(/^\/lib.*\/ld-linux/);
  });
});
