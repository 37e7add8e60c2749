import { type InterpreterLayout, mountArgs, usesSite } from './mounts.ts';
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
  /** the interpreter, as `layout` has it (or under one of `extraReadOnly`) */
  python: string;
  /** the interpreter's arguments, paths as seen inside (the work dir is WORK_DIR) */
  pythonArgs: string[];
  /** files copied into the work dir, in order: file i is read from fd `firstFd + i` */
  fileNames: string[];
  firstFd: number;
  /** size of the work dir's tmpfs */
  diskMb: number;
  /** what of the host's /usr the interpreter needs (mounts.ts): all that is bound of it */
  layout: InterpreterLayout;
  /** host directories bound read-only at the same path (an interpreter outside /usr) */
  extraReadOnly: readonly string[];
  /** the fd bwrap reads the seccomp program from (seccomp.ts), or null for none */
  seccompFd: number | null;
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
    // the interpreter's file, stdlib, libraries and locale; mypy's site directory only for
    // a run that imports `site`
    ...mountArgs(input.layout, usesSite(input.pythonArgs)),
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
    // loaded right before the interpreter starts: bwrap's own setup is not filtered
    ...(input.seccompFd === null ? [] : ['--seccomp', String(input.seccompFd)]),
    '--',
    input.python,
    ...input.pythonArgs,
  ];
}

/** what a Sandbox's runs share: the options, what the interpreter needs, the filter */
export interface BwrapContext {
  options: Pick<SandboxOptions, 'bwrap' | 'python' | 'extraReadOnly'>;
  layout: InterpreterLayout;
  /** a run loads the seccomp program (from the fd right after its files) */
  seccomp: boolean;
}

/** the fd of a run's seccomp program: right after its input files */
export function seccompFdOf(spec: Pick<RunSpec, 'startMarker' | 'files'>): number {
  return firstFileFd(spec) + Object.keys(spec.files).length;
}

/** bwrapArgs for one run of a Sandbox (both sandboxed backends) */
export function bwrapArgsFor(context: BwrapContext, spec: RunSpec, diskMb: number): string[] {
  return bwrapArgs({
    bwrap: context.options.bwrap!,
    python: context.options.python,
    pythonArgs: spec.args(WORK_DIR),
    fileNames: Object.keys(spec.files),
    firstFd: firstFileFd(spec),
    diskMb,
    layout: context.layout,
    extraReadOnly: context.options.extraReadOnly ?? [],
    seccompFd: context.seccomp ? seccompFdOf(spec) : null,
  });
}
