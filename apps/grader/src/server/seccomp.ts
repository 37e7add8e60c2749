import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The sandbox's syscall filter: a deny-list compiled to a BPF program by libseccomp's Python
 * binding (seccomp-filter.py says what it denies), once per grader start, and cached on disk
 * under a name derived from the script and the interpreter that compiled it. Every bwrap run
 * loads it with `--seccomp FD` (bwrap-args.ts; the launcher's run.sh opens the file, the
 * direct path pipes the bytes). Without the binding the grader still starts (with a loud
 * warning and `Sandbox.seccomp.active` false) unless it is required: CI=true or
 * GRADER_REQUIRE_SECCOMP=1 (env.ts `seccompRequired`).
 */

/** the Debian package with the binding (module `seccomp`) */
export const SECCOMP_PACKAGE = 'python3-seccomp';
/** Debian's interpreter: the package installs the module for it, not for another Python */
export const SECCOMP_PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./seccomp-filter.py', import.meta.url));
/** the script's exit status when the module is missing */
const NO_MODULE = 3;

export interface SeccompFilter {
  /** the compiled program, readable by every slot's uid (the launcher's run.sh opens it) */
  path: string;
  program: Buffer;
  /** syscalls refused whatever their arguments (EPERM; clone3 ENOSYS) */
  denied: string[];
  /** clone flags that make clone fail with EPERM */
  cloneFlags: string[];
  /** found in the cache rather than compiled by this start */
  cached: boolean;
}

export type SeccompStatus =
  | { active: true; filter: SeccompFilter }
  | { active: false; reason: string; missingPackage: boolean };

export interface SeccompOptions {
  /** the interpreter that compiles the filter (default Debian's, SECCOMP_PYTHON) */
  python?: string;
  /** where compiled filters are kept (default /run/lms-grader-seccomp) */
  cacheDir?: string;
}

/** the message of a grader that refuses to start (or warns) without the filter */
export function seccompMissingMessage(status: Extract<SeccompStatus, { active: false }>): string {
  return status.missingPackage
    ? `no seccomp filter for the sandbox: ${status.reason}; install it: apt-get install -y ${SECCOMP_PACKAGE} (scripts/setup.sh does)`
    : `no seccomp filter for the sandbox: ${status.reason}`;
}

/** Compile the filter, or take it from the cache. Never throws: the status says why not. */
export async function loadSeccompFilter(options: SeccompOptions = {}): Promise<SeccompStatus> {
  const python = options.python ?? SECCOMP_PYTHON;
  let script: Buffer;
  try {
    script = readFileSync(SCRIPT);
  } catch (error) {
    return notActive(`cannot read ${SCRIPT}: ${(error as Error).message}`);
  }
  const key = createHash('sha256')
    .update(script)
    .update('\0')
    .update(python)
    .digest('hex')
    .slice(0, 16);
  let dir: string;
  try {
    dir = cacheDir(options.cacheDir);
  } catch (error) {
    return notActive(`no place for the compiled filter: ${(error as Error).message}`);
  }
  const path = join(dir, `filter-${key}.bpf`);
  const metaPath = join(dir, `filter-${key}.json`);
  const cached = readCached(path, metaPath);
  if (cached) return { active: true, filter: { ...cached, path, cached: true } };

  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const out = await run(python, ['-I', SCRIPT, tmp]);
    if (out.code === NO_MODULE)
      return notActive(`${python} has no module seccomp (${SECCOMP_PACKAGE})`, true);
    if (out.code !== 0)
      return notActive(
        `compiling it failed (${python} exit ${out.code ?? out.error}): ${out.stderr.slice(0, 500)}`,
      );
    const program = readFileSync(tmp);
    const meta = parseMeta(out.stdout);
    if (!validProgram(program) || !meta)
      return notActive(`compiling it gave no usable program (${program.length} bytes)`);
    // readable by the slots' uids (the root's umask may say otherwise), written by root only
    chmodSync(tmp, 0o644);
    writeFileSync(`${metaPath}.${process.pid}.tmp`, JSON.stringify(meta), { mode: 0o644 });
    renameSync(`${metaPath}.${process.pid}.tmp`, metaPath);
    renameSync(tmp, path);
    return { active: true, filter: { path, program, ...meta, cached: false } };
  } catch (error) {
    return notActive(`compiling it failed: ${(error as Error).message}`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

function notActive(reason: string, missingPackage = false): SeccompStatus {
  return { active: false, reason, missingPackage };
}

/** a BPF program is a whole number of 8-byte instructions, at most 4096 of them */
function validProgram(program: Buffer): boolean {
  return program.length > 0 && program.length % 8 === 0 && program.length <= 4096 * 8;
}

function parseMeta(text: string): Pick<SeccompFilter, 'denied' | 'cloneFlags'> | null {
  try {
    const meta = JSON.parse(text.trim().split('\n').pop() ?? '') as Record<string, unknown>;
    const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
    if (!strings(meta.denied) || !strings(meta.cloneFlags)) return null;
    return { denied: meta.denied as string[], cloneFlags: meta.cloneFlags as string[] };
  } catch {
    return null;
  }
}

function readCached(
  path: string,
  metaPath: string,
): Pick<SeccompFilter, 'program' | 'denied' | 'cloneFlags'> | null {
  try {
    const program = readFileSync(path);
    const meta = parseMeta(readFileSync(metaPath, 'utf8'));
    if (!validProgram(program) || !meta || !ownedByUs(path)) return null;
    return { program, ...meta };
  } catch {
    return null;
  }
}

/** a regular file or directory of ours that no one else can write */
function ownedByUs(path: string): boolean {
  const stat = lstatSync(path);
  return (
    (stat.isFile() || stat.isDirectory()) &&
    stat.uid === (process.getuid?.() ?? stat.uid) &&
    (stat.mode & 0o022) === 0
  );
}

/**
 * The cache directory: made if missing (0755: the slots' uids read the filter through it). One
 * that someone else could write to is not used: a fresh private one is made instead.
 */
function cacheDir(wanted: string | undefined): string {
  const dir = wanted ?? defaultCacheDir();
  try {
    mkdirSync(dir, { mode: 0o755 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (ownedByUs(dir)) {
    chmodSync(dir, 0o755);
    return dir;
  }
  const fresh = mkdtempSync(join(tmpdir(), 'lms-grader-seccomp-'));
  chmodSync(fresh, 0o755);
  return fresh;
}

function defaultCacheDir(): string {
  try {
    // /run is root's alone (and emptied at boot, when libseccomp may have changed)
    if ((statSync('/run').mode & 0o022) === 0) return '/run/lms-grader-seccomp';
  } catch {}
  return join(tmpdir(), `lms-grader-seccomp-${process.getuid?.() ?? 0}`);
}

interface Ran {
  code: number | null;
  error?: string;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: {}, cwd: '/', timeout: 30_000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({
          code,
          error: error && code === null ? error.message.split('\n')[0] : undefined,
          stdout: String(stdout),
          stderr: String(stderr),
        });
      },
    );
  });
}
