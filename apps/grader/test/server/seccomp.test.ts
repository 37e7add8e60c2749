import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seccompRequired } from '../../src/server/env.ts';
import { type RunOutcome, Sandbox, type SandboxOptions } from '../../src/server/sandbox.ts';
import { describeSandbox } from './helpers.ts';

/**
 * The sandbox's syscall filter (src/server/seccomp.ts, seccomp-filter.py) and its narrow mounts
 * (src/server/sandbox/mounts.ts), from inside: one program per denied family calls each
 * syscall through ctypes with x86_64 numbers. The same program also runs in a sandbox without
 * the filter: where a call then ends otherwise (success, EINVAL, EFAULT, ENOSYS…), the EPERM
 * was the filter's, not the missing capabilities'.
 * uids 64500–64505.
 */

const UID_BASE = 64500;
const LIMITS = { wallSeconds: 20, cpuSeconds: 10, memoryMb: 256 };
/** as the grader runs a student's program */
const PY = ['-I', '-S', '-B', '-X', 'utf8'];

/** ctypes `syscall`, answering "ok" or the errno's name */
const PRELUDE = `import ctypes, errno, json, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def call(nr, *args):
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno())) if r == -1 else "ok"
buf = ctypes.create_string_buffer(4096)
B = ctypes.addressof(buf)
T = 0x10000  # CLONE_THREAD without CLONE_SIGHAND: the kernel's EINVAL, never a child
`;

interface Call {
  /** the syscall's name (and what is special about this call) */
  name: string;
  /** Python: the arguments after the syscall number */
  call: string;
  /** what it gives under the filter */
  filtered: 'EPERM' | 'ENOSYS' | 'ok' | 'EINVAL';
  /** without the filter it ends otherwise (the EPERM is the filter's); false: EPERM there too */
  differs: boolean;
}

const c = (name: string, call: string, differs = true, filtered: Call['filtered'] = 'EPERM') => ({
  name,
  call,
  filtered,
  differs,
});

/** the denied families, x86_64 syscall numbers */
const FAMILIES: Record<string, Call[]> = {
  io_uring: [
    c('io_uring_setup', '425, 1, 0'),
    c('io_uring_enter', '426, -1, 0, 0, 0, 0, 0'),
    c('io_uring_register', '427, -1, 0, 0, 0'),
  ],
  'bpf, userfaultfd, perf_event_open': [
    c('bpf', '321, 9999, 0, 0'),
    c('userfaultfd (user-mode only)', '323, 1'),
    c('perf_event_open', '298, 0, 0, -1, -1, 0'),
  ],
  keys: [
    c('keyctl (get the session keyring)', '250, 0, -3, 0'),
    c('add_key', '248, 0, 0, 0, 0, 0'),
    c('request_key', '249, 0, 0, 0, 0'),
  ],
  "other processes' memory": [
    c('ptrace (PTRACE_TRACEME)', '101, 0, 0, 0, 0'),
    c('process_vm_readv (itself)', '310, os.getpid(), 0, 0, 0, 0, 0'),
    c('process_vm_writev (itself)', '311, os.getpid(), 0, 0, 0, 0, 0'),
    c('process_madvise', '440, -1, 0, 0, 0, 0'),
    c('pidfd_getfd', '438, -1, 0, 0'),
  ],
  mounts: [
    c('mount', '165, 0, 0, 1, 0, 0'),
    c('umount2', '166, B, 0xffff0000'),
    c('pivot_root', '155, 0, 0', false),
    c('open_tree', '428, -1, B, 0xffffffff'),
    c('move_mount', '429, -1, B, -1, B, 0xffffffff', false),
    c('fsopen', '430, 0, 0xffff', false),
    c('fsconfig', '431, -1, 0xffff, 0, 0, 0'),
    c('fsmount', '432, -1, 0xffff, 0', false),
    c('fspick', '433, -1, 0, 0xffff', false),
    c('mount_setattr', '442, -1, 0, 0xffffffff, 0, 0'),
  ],
  namespaces: [
    c('unshare (no flags)', '272, 0'),
    c('setns', '308, -1, 0'),
    c('clone CLONE_NEWNS', '56, 0x00020000 | T, 0, 0, 0, 0'),
    c('clone CLONE_NEWCGROUP', '56, 0x02000000 | T, 0, 0, 0, 0'),
    c('clone CLONE_NEWUTS', '56, 0x04000000 | T, 0, 0, 0, 0'),
    c('clone CLONE_NEWIPC', '56, 0x08000000 | T, 0, 0, 0, 0'),
    c('clone CLONE_NEWUSER', '56, 0x10000000 | T, 0, 0, 0, 0'),
    c('clone CLONE_NEWPID', '56, 0x20000000 | T, 0, 0, 0, 0'),
    c('clone CLONE_NEWNET', '56, 0x40000000 | T, 0, 0, 0, 0'),
    c('clone3', '435, 0, 0', true, 'ENOSYS'),
    // clone without namespace flags goes through to the kernel (its own EINVAL here)
    c('clone without namespace flags', '56, T, 0, 0, 0, 0', false, 'EINVAL'),
  ],
  'the machine (kexec, modules, reboot, swap, accounting)': [
    c('kexec_load', '246, 0, 0, 0, 0'),
    c('kexec_file_load', '320, -1, -1, 0, 0, 0'),
    c('init_module', '175, 0, 0, 0'),
    c('finit_module', '313, -1, 0, 0'),
    c('delete_module', '176, 0, 0'),
    c('reboot', '169, 0, 0, 0, 0', false),
    c('swapon', '167, 0, 0', false),
    c('swapoff', '168, 0', false),
    c('acct', '163, 0', false),
  ],
  clocks: [
    c('settimeofday', '164, 0, 0', false),
    c('clock_settime', '227, 0, 0'),
    c('adjtimex (read only)', '159, B'),
    c('clock_adjtime (read only)', '305, 0, B'),
  ],
  personality: [
    c('personality ADDR_NO_RANDOMIZE', '135, 0x0040000'),
    c('personality READ_IMPLIES_EXEC, high bits set', '135, (1 << 40) | 0x0400000'),
    c('personality PER_LINUX32', '135, 0x0008'),
    // the default persona and the query pass
    c('personality PER_LINUX', '135, 0', false, 'ok'),
    c('personality query', '135, 0xffffffff', false, 'ok'),
  ],
  'syslog, handles, ports, tty, quotas, nfs': [
    c('syslog', '103, 10, 0, 0', false),
    c('lookup_dcookie', '212, 0, 0, 0'),
    c('open_by_handle_at', '304, -1, 0, 0'),
    c('name_to_handle_at', '303, -100, B, 1, 0, 0'),
    c('iopl', '172, 3'),
    c('ioperm', '173, 0, 1, 1'),
    c('vhangup', '153', false),
    c('quotactl', '179, 0, 0, 0, 0'),
    c('quotactl_fd', '443, -1, 0, 0, 0'),
    c('nfsservctl', '180, 0, 0, 0'),
  ],
};

function program(calls: Call[]): string {
  const entries = calls.map((x) => `    ${JSON.stringify(x.name)}: call(${x.call}),`).join('\n');
  return `${PRELUDE}print(json.dumps({\n${entries}\n}))\n`;
}

async function run(sandbox: Sandbox, code: string, args = PY): Promise<RunOutcome> {
  return sandbox.run({
    files: { 'main.py': code },
    args: (box) => [...args, `${box}/main.py`],
    limits: LIMITS,
  });
}

async function results(sandbox: Sandbox, calls: Call[]): Promise<Record<string, string>> {
  const outcome = await run(sandbox, program(calls));
  expect(outcome.stderr.toString()).toBe('');
  expect(outcome.exitCode).toBe(0);
  return JSON.parse(outcome.stdout.toString());
}

const base: SandboxOptions = {
  python: '/usr/bin/python3',
  bwrap: '/usr/bin/bwrap',
  unsafe: false,
  uidBase: UID_BASE,
  maxRuns: 2,
  cpuSlots: 2,
  outputCapBytes: 65536,
  probeMypyAtStart: false,
};

describe('seccompRequired (pure)', () => {
  it('under CI or GRADER_REQUIRE_SECCOMP=1 only', () => {
    expect(seccompRequired({})).toBe(false);
    expect(seccompRequired({ CI: 'true' })).toBe(true);
    expect(seccompRequired({ CI: '1' })).toBe(true);
    expect(seccompRequired({ CI: 'false' })).toBe(false);
    expect(seccompRequired({ CI: '' })).toBe(false);
    expect(seccompRequired({ GRADER_REQUIRE_SECCOMP: '1' })).toBe(true);
    expect(seccompRequired({ GRADER_REQUIRE_SECCOMP: '0' })).toBe(false);
  });
});

describeSandbox('seccomp filter and narrow mounts (bwrap sandbox)', () => {
  let cacheDir: string;
  let noModule: string;
  /** the usual path where cgroups work: the slot's launcher */
  let filtered: Sandbox;
  /** without cgroups: Node spawns bwrap and pipes the filter */
  let direct: Sandbox;
  /** python3-seccomp "missing": no filter */
  let unfiltered: Sandbox;
  const warnings: string[] = [];

  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'lms-seccomp-test-'));
    // Debian's python3 without its dist-packages: as on a machine without python3-seccomp
    noModule = join(cacheDir, 'python3-without-seccomp');
    writeFileSync(noModule, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    chmodSync(noModule, 0o755);
    filtered = await Sandbox.create({ ...base, seccomp: { cacheDir, required: true } });
    direct = await Sandbox.create({
      ...base,
      uidBase: UID_BASE + 2,
      maxRuns: 1,
      cgroups: false,
      seccomp: { cacheDir, required: true },
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      warnings.push(args.join(' '));
    });
    try {
      unfiltered = await Sandbox.create({
        ...base,
        uidBase: UID_BASE + 3,
        maxRuns: 1,
        seccomp: { python: noModule, cacheDir: join(cacheDir, 'none'), required: false },
      });
    } finally {
      warn.mockRestore();
    }
  });

  afterAll(async () => {
    await Promise.all([filtered?.close(), direct?.close(), unfiltered?.close()]);
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('compiles the filter once at start-up; the next start takes it from the cache', () => {
    expect(filtered.seccomp).toMatchObject({ active: true, filter: { cached: false } });
    expect(direct.seccomp).toMatchObject({ active: true, filter: { cached: true } });
    if (!filtered.seccomp.active) return;
    expect(filtered.seccomp.filter.path.startsWith(cacheDir)).toBe(true);
    expect(filtered.seccomp.filter.denied).toEqual(
      expect.arrayContaining(['io_uring_setup', 'bpf', 'ptrace', 'mount', 'unshare', 'clone3']),
    );
    expect(filtered.seccomp.filter.cloneFlags).toContain('CLONE_NEWUSER');
  });

  for (const [family, calls] of Object.entries(FAMILIES)) {
    it(`denies ${family}`, async () => {
      const [inside, without] = await Promise.all([
        results(filtered, calls),
        results(unfiltered, calls),
      ]);
      expect(inside).toEqual(Object.fromEntries(calls.map((x) => [x.name, x.filtered])));
      // where the kernel alone answers otherwise, the filter is what refused
      for (const x of calls.filter((x) => x.differs))
        expect({ [x.name]: without[x.name] }).not.toEqual({ [x.name]: x.filtered });
    });
  }

  it('filters the direct path (no cgroups) the same way', async () => {
    const calls = [...FAMILIES.namespaces!, ...FAMILIES["other processes' memory"]!];
    expect(await results(direct, calls)).toEqual(
      Object.fromEntries(calls.map((x) => [x.name, x.filtered])),
    );
  });

  it('kills a program that calls through the i386 ABI (int 0x80 would miss every rule)', async () => {
    // mov eax, 26 (i386 ptrace); xor ebx, ebx (PTRACE_TRACEME); int 0x80; ret
    const code = `import ctypes, mmap
m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
m.write(bytes([0xb8, 26, 0, 0, 0, 0x31, 0xdb, 0xcd, 0x80, 0xc3]))
f = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(m)))
print("before", flush=True)
print("ptrace via int 0x80 returned", f(), flush=True)
`;
    const outcome = await run(filtered, code);
    expect(outcome.stdout.toString()).toBe('before\n');
    expect(outcome.signal).toBe('SIGSYS');
    // without the filter it reaches the kernel (and, untraced, succeeds)
    const control = await run(unfiltered, code);
    expect(control.stdout.toString()).toMatch(/ptrace via int 0x80 returned/);
  });

  it('lets threads, fork, subprocess of python itself and asyncio through', async () => {
    const code = `import asyncio, json, os, subprocess, sys, threading
seen = []
t = threading.Thread(target=lambda: seen.append("thread")); t.start(); t.join()
pid = os.fork()
if pid == 0:
    os._exit(7)
seen.append("fork %d" % (os.waitpid(pid, 0)[1] >> 8))
seen.append(subprocess.run([sys.executable, "-I", "-S", "-c", "print('child')"], capture_output=True, text=True).stdout.strip())
async def main():
    return await asyncio.gather(asyncio.sleep(0.01, "a"), asyncio.sleep(0.01, "b"))
seen.append("".join(asyncio.run(main())))
print(json.dumps(seen))
`;
    const outcome = await run(filtered, code);
    expect(outcome.stderr.toString()).toBe('');
    expect(JSON.parse(outcome.stdout.toString())).toEqual(['thread', 'fork 7', 'child', 'ab']);
  });

  it('mounts only what the interpreter needs: no /usr/share, /usr/local, /usr/sbin, no shell', async () => {
    const code = `import ctypes, decimal, hashlib, json, os, sqlite3, ssl, subprocess, sys
def ls(path):
    return sorted(os.listdir(path)) if os.path.isdir(path) else None
try:
    subprocess.run(["sh", "-c", "echo shell"])
    shell = "ran"
except FileNotFoundError:
    shell = "no shell"
print(json.dumps({
    "usr": ls("/usr"), "usr/bin": ls("/usr/bin"), "usr/lib": ls("/usr/lib"),
    "share": os.path.exists("/usr/share"), "local": os.path.exists("/usr/local"),
    "sbin": os.path.exists("/usr/sbin"), "bin/sh": os.path.exists("/bin/sh"), "shell": shell,
    "etc": os.path.exists("/etc"), "dist-packages": os.path.exists("/usr/lib/python3/dist-packages"),
    "libc": ctypes.CDLL("libc.so.6") is not None, "decimal": str(decimal.Decimal(1) / 8),
    "sha": hashlib.sha256(b"").hexdigest()[:8], "sqlite": sqlite3.connect(":memory:").execute("select 1+1").fetchone()[0],
    "encoding": sys.getfilesystemencoding(),
}))
`;
    for (const sandbox of [filtered, direct]) {
      const outcome = await run(sandbox, code);
      expect(outcome.stderr.toString()).toBe('');
      const seen = JSON.parse(outcome.stdout.toString());
      expect(seen).toMatchObject({
        share: false,
        local: false,
        sbin: false,
        'bin/sh': false,
        shell: 'no shell',
        etc: false,
        // the program runs with -S: mypy's site directory is not there
        'dist-packages': false,
        libc: true,
        decimal: '0.125',
        sha: 'e3b0c442',
        sqlite: 2,
        encoding: 'utf-8',
      });
      for (const name of seen.usr) expect(['bin', 'lib', 'lib64']).toContain(name);
      for (const name of seen['usr/bin']) expect(name).toMatch(/^python3(\.\d+)?$/);
      for (const name of seen['usr/lib'])
        expect(['locale', 'x86_64-linux-gnu', 'python3.11']).toContain(name);
    }
  });

  it('still type-checks with mypy (its site directory is bound for that run)', async () => {
    expect(await filtered.hasMypy()).toBe(true); // python3-mypy is installed on this machine
    const mypy = (code: string) =>
      filtered.run({
        files: { 'main.py': code },
        args: (box) => ['-I', '-m', 'mypy', '--strict', '--no-error-summary', `${box}/main.py`],
        limits: { wallSeconds: 60, cpuSeconds: 40, memoryMb: 1024, diskMb: 64 },
      });
    const [good, bad] = await Promise.all([
      mypy('def add(a: int, b: int) -> int:\n    return a + b\n\n\nprint(add(1, 2))\n'),
      mypy('def add(a, b):\n    return a + b\n'),
    ]);
    expect(good.exitCode).toBe(0);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout.toString()).toMatch(
      /main\.py:1: error: Function is missing a type annotation/,
    );
  }, 120_000);

  it('starts without python3-seccomp only when not required, loudly, and says so', () => {
    expect(unfiltered.seccomp).toMatchObject({ active: false, missingPackage: true });
    expect(warnings.join('\n')).toMatch(
      /WARNING: no seccomp filter.*apt-get install -y python3-seccomp/,
    );
  });

  it('refuses to start when the filter does not hold inside (the self-test checks it)', async () => {
    // a "compiler" whose program allows everything
    const allowAll = join(cacheDir, 'python3-allow-all');
    writeFileSync(
      allowAll,
      `#!/bin/sh
exec /usr/bin/python3 -I -c 'import json, seccomp, sys
seccomp.SyscallFilter(defaction=seccomp.ALLOW).export_bpf(open(sys.argv[1], "wb"))
print(json.dumps({"denied": ["unshare"], "cloneFlags": []}))' "$3"
`,
    );
    chmodSync(allowAll, 0o755);
    await expect(
      Sandbox.create({
        ...base,
        uidBase: UID_BASE + 5,
        maxRuns: 1,
        seccomp: { python: allowAll, cacheDir: join(cacheDir, 'allow-all'), required: true },
      }),
    ).rejects.toThrow(/self-test failed: the seccomp filter did not take effect/);
  });

  it('refuses to start without it when required, naming the package', async () => {
    await expect(
      Sandbox.create({
        ...base,
        uidBase: UID_BASE + 4,
        maxRuns: 1,
        seccomp: { python: noModule, cacheDir: join(cacheDir, 'required'), required: true },
      }),
    ).rejects.toThrow(/python3-seccomp.*Refusing to start/);
  });
});
