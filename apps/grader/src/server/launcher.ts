import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  constants,
  mkdirSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/**
 * A slot's launcher: a small shell that lives in the slot's cgroups as the slot's unprivileged
 * uid and starts each run of the slot from there.
 *
 * Why: a process joins a cgroup by writing its pid into `cgroup.procs`, and on this kernel the
 * first such migration after a quiet spell waits for an RCU grace period (measured: 8–13 ms,
 * as much as the whole sandbox); forking a big Node process costs another 3–4 ms of the event
 * loop per run, and `sh → setpriv → prlimit` three more execs. The launcher pays the cgroup join
 * and the uid drop once; every run after that is a fork of a ~1 MB shell that is already in the
 * right cgroups, sets its rlimits with `ulimit` and execs bwrap. Nothing of a run can start
 * outside the slot's cgroups, because nothing of it is ever created outside them.
 *
 * The launcher's own channels (pipes from Node, for its whole life):
 *   fd 0  commands: `run` (source the slot's run.sh in a subshell) or `flush NONCE`
 *   fd 3  replies: `ready`, `exit STATUS`, `flushed`
 *   fd 1, fd 2  what the launcher's shell itself says (a refused ulimit, a failed exec): never
 *         the program's, so anything there during a run makes it a sandbox failure
 * A run's stdout, stderr and start marker are three FIFOs in the slot's directory, opened
 * afresh for every run (by the grader, read-write so it never sees end-of-file, and by the
 * run's redirections) and closed after it: whatever a program does to its end (O_NONBLOCK,
 * F_SETPIPE_SZ) dies with the run instead of reaching the next program on the slot. A run's
 * output ends where the launcher writes the flush nonce into each FIFO, which the grader
 * sends only after every process of the run is dead: nothing the program wrote is lost or
 * leaks into the next run, and a program cannot fake the end (the nonce did not exist yet).
 */

/** the launcher's loop, run by /bin/sh (dash on Debian) as the slot's uid */
const LOOP = [
  'd=$1',
  // the grader died before setpriv set the parent-death signal: nobody would send it now
  '[ "$PPID" = "$2" ] || exit 1',
  'echo ready >&3',
  'while read -r cmd arg fifos; do',
  '  case $cmd in',
  // `.` reads run.sh in blocks (`read` would take a syscall per byte) and keeps its fd from
  // the run; run.sh's exec line points fds 1-3 at the FIFOs. The run never sees the command
  // pipe or the reply pipe.
  '    run) ( . "$d/run.sh" ) </dev/null 3>&-; echo "exit $?" >&3 ;;',
  '    flush)',
  `      for f in $fifos; do printf '%s' "$arg" > "$d/$f"; done`,
  '      echo flushed >&3 ;;',
  '    *) exit 2 ;;',
  '  esac',
  'done',
  // Node is gone (its end of fd 0 closed): take down whatever of ours still runs
  'kill -9 0',
].join('\n');

/** the FIFOs of a run, in the slot's directory */
const FIFOS = { stdout: 'out', stderr: 'err', marker: 'mark' } as const;

export interface LauncherSpawn {
  /** the slot's uid (and gid) */
  uid: number;
  /** `cgroup.procs` files to join before dropping root */
  procsFiles: string[];
  /** the slot's private directory: run.sh, the run's input files, the FIFOs */
  dir: string;
}

export interface LaunchedRun {
  /** resolves with the shell's status of the run (bwrap's exit code, 128+N on signal N) */
  exited: Promise<number>;
}

/** one data sink per stream while a run is on */
export interface RunSinks {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  marker(chunk: Buffer): void;
}

export type Stream = keyof typeof FIFOS;
const STREAMS = Object.keys(FIFOS) as Stream[];

export class LauncherError extends Error {}

export class SlotLauncher {
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly replies: string[] = [];
  private replyWaiter: ((line: string | null) => void) | null = null;
  private replyBuffer = '';
  private sinks: RunSinks | null = null;
  private readers: Socket[] = [];
  private streams: Stream[] = [];
  private flushing: { nonce: Buffer; pending: Record<Stream, Buffer>; left: Set<Stream> } | null =
    null;
  private flushDone: (() => void) | null = null;
  private dead = false;
  /** what the launcher's shell said on stdout/stderr (since the last run started) */
  private said = '';
  readonly ready: Promise<void>;

  private constructor(readonly spec: LauncherSpawn) {
    const joins = spec.procsFiles.map((f) => `echo $$ > ${f}`).join(' && ');
    const fifos = Object.values(FIFOS)
      .map((name) => shellQuote(join(spec.dir, name)))
      .join(' ');
    this.child = spawn(
      '/bin/bash',
      [
        ...BASH,
        // as root: no inherited fd, the slot's cgroups, fresh FIFOs (group: the slot's, from
        // the directory's setgid bit), then down to the slot's uid for good
        `${closeFdsAbove(3)}; ${joins} && rm -f ${fifos} && mkfifo -m 0660 ${fifos} && exec -c "$@"`,
        'bash',
        // the launcher dies with the grader (even kill -9); bwrap's --die-with-parent then
        // takes the sandbox of a run in progress with it
        ...dropPrivileges(spec.uid, true),
        '/bin/sh',
        '-c',
        LOOP,
        'launcher',
        spec.dir,
        String(process.pid),
      ],
      {
        env: {},
        cwd: '/',
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        // its own process group: `kill -9 0` on the way out must not reach the grader
        detached: true,
      },
    );
    if (this.child.pid === undefined) throw new LauncherError('cannot spawn the slot launcher');
    this.pid = this.child.pid;
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        this.said = (this.said + chunk.toString()).slice(-2000);
      });
      stream.on('error', () => {});
    }
    const control = this.child.stdio[3] as Readable;
    control.setEncoding('utf8');
    control.on('data', (text: string) => this.onReply(text));
    control.on('error', () => {});
    (this.child.stdin as Writable).on('error', () => {});
    this.child.on('exit', () => this.onExit());
    this.child.on('error', (error) => {
      this.said += `cannot run the launcher: ${error.message}\n`;
      this.onExit();
    });
    this.ready = this.nextReply().then((line) => {
      if (line !== 'ready')
        throw new LauncherError(
          `the slot launcher did not start (${line ?? 'exited'}): ${this.said.trim().slice(0, 500)}`,
        );
    });
    this.ready.catch(() => {});
  }

  /** Prepare the slot's directory (root:slot-gid, 2750) and start its launcher. */
  static start(spec: LauncherSpawn): SlotLauncher {
    mkdirSync(spec.dir, { recursive: true });
    // readable by the slot's group (its launcher), writable by root only: the launcher cannot
    // swap a file for a symlink the grader would then write through; new files inherit the group
    chownSync(spec.dir, 0, spec.uid);
    chmodSync(spec.dir, 0o2750);
    return new SlotLauncher(spec);
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** what the launcher's shell said since the current run started (empty when all went well) */
  get diagnostics(): string {
    return this.said;
  }

  /**
   * Start a run: `script` is the body of run.sh (ulimits, then `exec bwrap …` with the run's
   * redirections: fds 1-3 to "$d/out", "$d/err", "$d/mark"), `inputs` the files it redirects
   * from (written into the slot's directory).
   */
  async run(
    script: string,
    inputs: Record<string, string | Buffer>,
    sinks: RunSinks,
    /** the streams the run uses (the marker only when the run has one) */
    streams: Stream[] = STREAMS,
  ) {
    await this.ready;
    if (this.dead) throw new LauncherError(`the slot launcher is gone: ${this.said.trim()}`);
    for (const [name, data] of Object.entries(inputs))
      writeFileSync(join(this.spec.dir, name), data, { mode: 0o640 });
    writeFileSync(join(this.spec.dir, 'run.sh'), script, { mode: 0o640 });
    // fresh ends for this run; read-write, so no end-of-file before the run has opened them
    this.streams = streams;
    this.readers = streams.map((stream) => {
      const fd = openSync(
        join(this.spec.dir, FIFOS[stream]),
        constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW,
      );
      const reader = new Socket({ fd, readable: true, writable: false });
      reader.on('data', (chunk: Buffer) => this.onData(stream, chunk));
      reader.on('error', () => {});
      return reader;
    });
    this.sinks = sinks;
    this.said = '';
    this.send('run');
    const exited = this.nextReply().then((line) => {
      const match = /^exit (\d+)$/.exec(line ?? '');
      if (!match)
        throw new LauncherError(
          `the slot launcher died during a run (${line ?? 'no status'}): ${this.said.trim().slice(0, 500)}`,
        );
      return Number(match[1]);
    });
    return { exited } satisfies LaunchedRun;
  }

  /**
   * After the run's processes are all dead: let the launcher mark the end of each stream, hand
   * the rest of the run's output to its sinks (the caller then ends the run). Rejects when the launcher
   * does not answer in time (it is then killed; the slot starts a new one).
   */
  async finishRun(timeoutMs = 5000): Promise<void> {
    const nonce = randomBytes(16).toString('hex');
    const done = new Promise<void>((resolve) => {
      this.flushDone = resolve;
    });
    this.flushing = {
      nonce: Buffer.from(nonce),
      pending: { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), marker: Buffer.alloc(0) },
      left: new Set<Stream>(this.streams),
    };
    this.send(`flush ${nonce} ${this.streams.map((stream) => FIFOS[stream]).join(' ')}`);
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = this.nextReply();
      const ok = await Promise.race([
        Promise.all([reply, done]).then(([line]) => line === 'flushed'),
        new Promise<false>((r) => {
          timer = setTimeout(() => r(false), timeoutMs);
        }),
      ]);
      if (!ok) {
        this.kill();
        throw new LauncherError('the slot launcher did not mark the end of the run');
      }
    } finally {
      clearTimeout(timer);
      this.flushing = null;
    }
  }

  /** Forget the run: close its FIFO ends, remove its files (also after a failed run). */
  endRun(inputNames: string[] = []): void {
    this.sinks = null;
    for (const reader of this.readers) reader.destroy();
    this.readers = [];
    for (const name of [...inputNames, 'run.sh'])
      rmSync(join(this.spec.dir, name), { force: true });
  }

  kill(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {}
    try {
      this.child.kill('SIGKILL');
    } catch {}
  }

  /** Stop the launcher (closing its command pipe ends its loop), kill it if it lingers. */
  async close(): Promise<void> {
    this.endRun();
    if (this.dead) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.kill(), 1000);
    await exited;
    clearTimeout(timer);
  }

  private send(line: string): void {
    (this.child.stdin as Writable).write(`${line}\n`);
  }

  private nextReply(): Promise<string | null> {
    const line = this.replies.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.dead) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.replyWaiter = resolve;
    });
  }

  private onReply(text: string): void {
    this.replyBuffer += text;
    let at = this.replyBuffer.indexOf('\n');
    while (at !== -1) {
      const line = this.replyBuffer.slice(0, at);
      this.replyBuffer = this.replyBuffer.slice(at + 1);
      const waiter = this.replyWaiter;
      this.replyWaiter = null;
      if (waiter) waiter(line);
      else this.replies.push(line);
      at = this.replyBuffer.indexOf('\n');
    }
  }

  private onData(stream: Stream, chunk: Buffer): void {
    const flushing = this.flushing;
    if (!flushing?.left.has(stream)) {
      this.sinks?.[stream](chunk);
      return;
    }
    // in a flush: the end of the run's data is where the nonce is
    const pending = Buffer.concat([flushing.pending[stream], chunk]);
    const at = pending.indexOf(flushing.nonce);
    if (at === -1) {
      // keep only what could be the start of a split nonce; the rest is the run's
      const keep = Math.min(pending.length, flushing.nonce.length - 1);
      if (pending.length > keep) this.sinks?.[stream](pending.subarray(0, pending.length - keep));
      flushing.pending[stream] = pending.subarray(pending.length - keep);
      return;
    }
    if (at > 0) this.sinks?.[stream](pending.subarray(0, at));
    flushing.left.delete(stream);
    if (flushing.left.size === 0) this.flushDone?.();
  }

  private onExit(): void {
    if (this.dead) return;
    this.dead = true;
    const waiter = this.replyWaiter;
    this.replyWaiter = null;
    waiter?.(null);
  }
}

/** setpriv to the slot's uid/gid: no groups, no new privileges, an empty bounding set */
export function dropPrivileges(uid: number, dieWithParent = false): string[] {
  return [
    '/usr/bin/setpriv',
    `--reuid=${uid}`,
    `--regid=${uid}`,
    '--clear-groups',
    '--no-new-privs',
    '--bounding-set=-all',
    ...(dieWithParent ? ['--pdeathsig', 'KILL'] : []),
  ];
}

/**
 * bash for the first step of a launcher or a run, as root: no rc files (bash reads ~/.bashrc
 * when its stdin is a socket, as Node's pipes are, taking it for rshd: found here when root's
 * .bashrc turned up in the sandbox's /proc/1/environ); `exec -c` then starts the next step
 * with an empty environment.
 */
export const BASH = ['--norc', '--noprofile', '-c'];

/**
 * A bash snippet that closes every file descriptor above `keep`. bwrap hands every inherited
 * fd on to the sandbox, and the grader may itself have inherited fds without close-on-exec
 * (found: a pipe of the shell that started it, at fd 251, readable from inside the sandbox).
 */
export function closeFdsAbove(keep: number): string {
  return `for f in /proc/$$/fd/*; do n=\${f##*/}; [ "$n" -gt ${keep} ] && eval "exec $n>&-"; done`;
}

/** Quote one argument for /bin/sh. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./=:,+@%-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
