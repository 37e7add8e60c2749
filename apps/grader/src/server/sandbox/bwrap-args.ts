import { firstFileFd, type RunSpec, type SandboxOptions } from './types.ts';

/**
 * The bubblewrap command line of a run: a pure function of its inputs (no file system, no
 * environment), so what the sandbox mounts and unshares can be checked without root or bwrap
 * (bwrap-args.test.ts). Both sandboxed paths use it: the launcher's run.sh and the direct spawn.
 */

/** the run's work dir inside the sandbox (a tmpfs of `diskMb`) */
export const WORK_DIR = '/box';
/** size caps of the other writable places */
export const SHM_MB = 16;
export const TMP_MB = 16;

export interface BwrapInput {
  /** the bubblewrap binary */
  bwrap: string;
  /** the interpreter (under /usr, or under one of `extraReadOnly`) */
  python: string;
  /** the interpreter's arguments, paths as seen inside (the work dir is WORK_DIR) */
  pythonArgs: string[];
  /** files copied into the work dir, in order: file i is read from fd `firstFd + i` */
  fileNames: string[];
  firstFd: number;
  /** size of the work dir's tmpfs */
  diskMb: number;
  /** host directories bound read-only at the same path (an interpreter outside /usr) */
  extraReadOnly: readonly string[];
  /** the host has /usr/lib64 (then /lib64 links to it, as /lib does to /usr/lib) */
  lib64: boolean;
}

const MiB = 1024 * 1024;

/** bwrap and its arguments up to and including the interpreter's */
export function bwrapArgs(input: BwrapInput): string[] {
  return [
    input.bwrap,
    // a network namespace per run (bwrap brings its loopback up): one per slot, reused run
    // after run, would carry TIME_WAIT sockets over (a fixed port busy for the next program)
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/bin:/bin',
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--setenv',
    'HOME',
    WORK_DIR,
    '--setenv',
    'TMPDIR',
    '/tmp',
    '--hostname',
    'sandbox',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/lib',
    '/lib',
    ...(input.lib64 ? ['--symlink', 'usr/lib64', '/lib64'] : []),
    ...input.extraReadOnly.flatMap((path) => ['--ro-bind', path, path]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(SHM_MB * MiB),
    '--tmpfs',
    '/dev/shm',
    '--size',
    String(TMP_MB * MiB),
    '--tmpfs',
    '/tmp',
    '--size',
    String(input.diskMb * MiB),
    '--tmpfs',
    WORK_DIR,
    ...input.fileNames.flatMap((name, i) => [
      '--file',
      String(input.firstFd + i),
      `${WORK_DIR}/${name}`,
    ]),
    '--remount-ro',
    '/',
    '--chdir',
    WORK_DIR,
    '--',
    input.python,
    ...input.pythonArgs,
  ];
}

/** bwrapArgs for one run of a Sandbox (both sandboxed backends) */
export function bwrapArgsFor(
  options: Pick<SandboxOptions, 'bwrap' | 'python' | 'extraReadOnly'>,
  spec: RunSpec,
  diskMb: number,
  lib64: boolean,
): string[] {
  return bwrapArgs({
    bwrap: options.bwrap!,
    python: options.python,
    pythonArgs: spec.args(WORK_DIR),
    fileNames: Object.keys(spec.files),
    firstFd: firstFileFd(spec),
    diskMb,
    extraReadOnly: options.extraReadOnly ?? [],
    lib64,
  });
}
