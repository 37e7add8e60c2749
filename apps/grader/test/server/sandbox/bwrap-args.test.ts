import { describe, expect, it } from 'vitest';
import {
  type BwrapInput,
  bwrapArgs,
  bwrapArgsFor,
  SHM_MB,
  seccompFdOf,
  TMP_MB,
  WORK_DIR,
} from '../../../src/server/sandbox/bwrap-args.ts';
import type { InterpreterLayout } from '../../../src/server/sandbox/mounts.ts';

/** How many values each bwrap option we use takes: an option not listed fails the parse. */
const ARITY: Record<string, number> = {
  '--unshare-all': 0,
  '--unshare-user': 0,
  '--disable-userns': 0,
  '--die-with-parent': 0,
  '--new-session': 0,
  '--clearenv': 0,
  '--cap-drop': 1,
  '--hostname': 1,
  '--proc': 1,
  '--dev': 1,
  '--size': 1,
  '--tmpfs': 1,
  '--remount-ro': 1,
  '--chdir': 1,
  '--setenv': 2,
  '--ro-bind': 2,
  '--symlink': 2,
  '--file': 2,
  '--seccomp': 1,
};

interface Parsed {
  binary: string;
  ops: { op: string; args: string[] }[];
  command: string[];
}

/** Split bwrap's argv into its options and the command after `--`. */
function parse(argv: string[]): Parsed {
  const [binary, ...rest] = argv;
  const ops: Parsed['ops'] = [];
  let i = 0;
  while (rest[i] !== '--') {
    const op = rest[i]!;
    const arity = ARITY[op];
    if (arity === undefined) throw new Error(`an option the test does not know: ${op}`);
    ops.push({ op, args: rest.slice(i + 1, i + 1 + arity) });
    i += 1 + arity;
    if (i >= rest.length) throw new Error('no -- before the command');
  }
  return { binary: binary!, ops, command: rest.slice(i + 1) };
}

const MiB = 1024 * 1024;

/** what host.ts `probeInterpreter` finds for Debian 12's /usr/bin/python3 */
const DEBIAN: InterpreterLayout = {
  executable: '/usr/bin/python3.11',
  symlinks: [
    ['/usr/bin/python3', 'python3.11'],
    ['/lib64', 'usr/lib64'],
    ['/usr/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'],
    ['/lib', 'usr/lib'],
    ['/bin', 'usr/bin'],
  ],
  dirs: ['/usr/lib/locale/C.utf8', '/usr/lib/python3.11', '/usr/lib/x86_64-linux-gnu'],
  siteDirs: ['/usr/lib/python3/dist-packages'],
};

const input: BwrapInput = {
  bwrap: '/usr/bin/bwrap',
  python: '/usr/bin/python3',
  pythonArgs: [
    '-I',
    '-S',
    '-B',
    '/box/lms_runner.py',
    'program',
    '--start-fd',
    '3',
    '/box/main.py',
  ],
  fileNames: ['main.py', 'lms_runner.py'],
  firstFd: 4,
  diskMb: 32,
  layout: DEBIAN,
  extraReadOnly: [],
  seccompFd: 6,
};

const parsed = parse(bwrapArgs(input));
const has = (op: string) => parsed.ops.some((o) => o.op === op);
const all = (op: string) => parsed.ops.filter((o) => o.op === op).map((o) => o.args);
const indexOf = (op: string, arg0?: string) =>
  parsed.ops.findIndex((o) => o.op === op && (arg0 === undefined || o.args[0] === arg0));

describe('bwrapArgs (pure: no root, no bwrap)', () => {
  it('runs the interpreter with its arguments after `--`', () => {
    expect(parsed.binary).toBe('/usr/bin/bwrap');
    expect(parsed.command).toEqual([input.python, ...input.pythonArgs]);
  });

  it('unshares every namespace, the network included, and shares none back', () => {
    expect(has('--unshare-all')).toBe(true);
    expect(has('--unshare-user')).toBe(true); // uid 0 in the sandbox is no one outside
    expect(has('--disable-userns')).toBe(true); // no nested user namespaces
    const everything = bwrapArgs(input).join(' ');
    expect(everything).not.toMatch(/--share-net|--share-|--unshare-net-try/);
  });

  it('ties the sandbox to its parent, a new session, no capabilities', () => {
    expect(has('--die-with-parent')).toBe(true);
    expect(has('--new-session')).toBe(true); // no TIOCSTI into a terminal
    expect(all('--cap-drop')).toEqual([['ALL']]);
    expect(all('--hostname')).toEqual([['sandbox']]);
  });

  it('clears the environment, then sets exactly PATH, LANG, HOME, TMPDIR', () => {
    const clear = indexOf('--clearenv');
    expect(clear).toBeGreaterThanOrEqual(0);
    expect(parsed.ops.findIndex((o) => o.op === '--setenv')).toBeGreaterThan(clear);
    expect(Object.fromEntries(all('--setenv'))).toEqual({
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      HOME: WORK_DIR,
      TMPDIR: '/tmp',
    });
  });

  it('binds only what the interpreter needs, read-only; no writable bind of anything', () => {
    expect(all('--ro-bind')).toEqual([
      ['/usr/bin/python3.11', '/usr/bin/python3.11'],
      ['/usr/lib/locale/C.utf8', '/usr/lib/locale/C.utf8'],
      ['/usr/lib/python3.11', '/usr/lib/python3.11'],
      ['/usr/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu'],
    ]);
    // not /usr itself, nor the rest of /usr/bin, /usr/sbin, /usr/share, /usr/local, …
    const bound = all('--ro-bind').map(([source]) => source!);
    for (const gone of ['/usr', '/usr/bin', '/usr/sbin', '/usr/share', '/usr/local', '/usr/lib'])
      expect(bound).not.toContain(gone);
    for (const path of bound) expect(path).not.toMatch(/^\/usr\/(share|local|sbin|libexec)/);
    const everything = bwrapArgs(input);
    for (const rw of ['--bind', '--bind-try', '--dev-bind', '--dev-bind-try', '--ro-bind-try'])
      expect(everything).not.toContain(rw);
    // nothing of the host's /etc, homes or our own tree appears anywhere in the options
    const options = everything.slice(0, everything.indexOf('--'));
    for (const arg of options) expect(arg).not.toMatch(/^\/(etc|home|root|work|run|var)(\/|$)/);
  });

  it("binds mypy's site directory only for a run that imports site (no -S)", () => {
    const mypy = parse(bwrapArgs({ ...input, pythonArgs: ['-I', '-m', 'mypy', '--strict'] }));
    const binds = mypy.ops.filter((o) => o.op === '--ro-bind').map((o) => o.args[0]);
    expect(binds).toContain('/usr/lib/python3/dist-packages');
    expect(all('--ro-bind').map((a) => a[0])).not.toContain('/usr/lib/python3/dist-packages');
  });

  it('recreates the links to the interpreter and its loader, and /bin, /lib, /lib64', () => {
    expect(all('--symlink')).toEqual([
      ['python3.11', '/usr/bin/python3'],
      ['usr/lib64', '/lib64'],
      ['/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', '/usr/lib64/ld-linux-x86-64.so.2'],
      ['usr/lib', '/lib'],
      ['usr/bin', '/bin'],
    ]);
    // the links come before the binds (nothing is bound through a link made later)
    expect(parsed.ops.findLastIndex((o) => o.op === '--symlink')).toBeLessThan(
      parsed.ops.findIndex((o) => o.op === '--ro-bind'),
    );
  });

  it('loads the seccomp program from its fd, last before the command; none without one', () => {
    expect(all('--seccomp')).toEqual([['6']]);
    expect(parsed.ops.at(-1)).toEqual({ op: '--seccomp', args: ['6'] });
    const none = parse(bwrapArgs({ ...input, seccompFd: null }));
    expect(none.ops.some((o) => o.op === '--seccomp')).toBe(false);
  });

  it('mounts a fresh /proc and a minimal /dev', () => {
    expect(all('--proc')).toEqual([['/proc']]);
    expect(all('--dev')).toEqual([['/dev']]);
  });

  it('gives /dev/shm, /tmp and the work dir their own size-capped tmpfs', () => {
    const sizes: Record<string, number> = {};
    parsed.ops.forEach((o, i) => {
      if (o.op !== '--tmpfs') return;
      const before = parsed.ops[i - 1]!;
      expect(before.op).toBe('--size'); // --size applies to the next mount only
      sizes[o.args[0]!] = Number(before.args[0]);
    });
    expect(sizes).toEqual({
      '/dev/shm': SHM_MB * MiB,
      '/tmp': TMP_MB * MiB,
      [WORK_DIR]: 32 * MiB,
    });
    const bigger = parse(bwrapArgs({ ...input, diskMb: 100 }));
    const box = bigger.ops.findIndex((o) => o.op === '--tmpfs' && o.args[0] === WORK_DIR);
    expect(bigger.ops[box - 1]).toEqual({ op: '--size', args: [String(100 * MiB)] });
  });

  it('copies each file in from its own fd, in order from firstFd', () => {
    expect(all('--file')).toEqual([
      ['4', '/box/main.py'],
      ['5', '/box/lms_runner.py'],
    ]);
    expect(all('--file').length).toBe(input.fileNames.length);
    const none = parse(bwrapArgs({ ...input, fileNames: [] }));
    expect(none.ops.some((o) => o.op === '--file')).toBe(false);
  });

  it('remounts the root read-only after every mount, then works in /box', () => {
    const remount = indexOf('--remount-ro', '/');
    expect(remount).toBeGreaterThan(0);
    for (const op of ['--ro-bind', '--symlink', '--proc', '--dev', '--tmpfs', '--file'])
      expect(parsed.ops.findLastIndex((o) => o.op === op)).toBeLessThan(remount);
    expect(all('--chdir')).toEqual([[WORK_DIR]]);
  });

  it('binds an interpreter prefix outside /usr read-only, at the same path', () => {
    const extra = parse(bwrapArgs({ ...input, extraReadOnly: ['/opt/python3.12'] }));
    expect(extra.ops.filter((o) => o.op === '--ro-bind').map((o) => o.args)).toEqual([
      ...all('--ro-bind'),
      ['/opt/python3.12', '/opt/python3.12'],
    ]);
  });

  it('is a function of its input alone', () => {
    expect(bwrapArgs(input)).toEqual(bwrapArgs(structuredClone(input)));
  });

  it('bwrapArgsFor: a run spec as seen inside, the marker before the files, then the filter', () => {
    const seen: string[] = [];
    const context = {
      options: { bwrap: '/usr/bin/bwrap', python: '/usr/bin/python3' },
      layout: DEBIAN,
      seccomp: true,
    };
    const argv = bwrapArgsFor(
      context,
      {
        files: { 'main.py': 'print(1)' },
        args: (dir) => {
          seen.push(dir);
          return [`${dir}/main.py`];
        },
        limits: { wallSeconds: 1, cpuSeconds: 1, memoryMb: 64 },
        startMarker: true,
      },
      8,
    );
    expect(seen).toEqual([WORK_DIR]);
    const run = parse(argv);
    expect(run.command).toEqual(['/usr/bin/python3', '/box/main.py']);
    expect(run.ops.filter((o) => o.op === '--file').map((o) => o.args)).toEqual([
      ['4', '/box/main.py'], // fd 3 is the start marker
    ]);
    expect(run.ops.find((o) => o.op === '--seccomp')?.args).toEqual(['5']);
    const spec = {
      files: { 'a.py': '', 'b.py': '' },
      args: () => [],
      limits: { wallSeconds: 1, cpuSeconds: 1, memoryMb: 64 },
    };
    const noMarker = parse(bwrapArgsFor(context, spec, 8));
    expect(noMarker.ops.find((o) => o.op === '--file')?.args).toEqual(['3', '/box/a.py']);
    expect(noMarker.ops.find((o) => o.op === '--seccomp')?.args).toEqual(['5']);
    expect(seccompFdOf(spec)).toBe(5);
    const unfiltered = parse(bwrapArgsFor({ ...context, seccomp: false }, spec, 8));
    expect(unfiltered.ops.some((o) => o.op === '--seccomp')).toBe(false);
  });
});
