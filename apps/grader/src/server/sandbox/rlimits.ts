import { OPEN_FILES, type RunLimits } from './types.ts';

/**
 * A run's rlimits, in the two forms the paths use (pure functions, tested in rlimits.test.ts):
 * `ulimit` in the launcher's run.sh (the memory cgroup caps memory there), `prlimit` for the
 * paths spawned by Node without cgroups (where RLIMIT_AS is the only memory cap left).
 */

export interface RlimitInput {
  limits: RunLimits;
  /** processes + threads of the run */
  processes: number;
  /** the largest file the run may write */
  diskMb: number;
}

/**
 * The ulimit line of run.sh, run by the slot's launcher (dash) before it execs bwrap. The
 * launcher shares the slot's uid: one more process than the run's own. A refused ulimit ends
 * the run with status 125 (and the shell's complaint makes it a sandbox error).
 */
export function ulimitCommand({ limits, processes, diskMb }: RlimitInput): string {
  const cpu = Math.ceil(limits.cpuSeconds);
  // soft CPU first (the hard limit may not go below it), then the hard one a second later;
  // `ulimit -f` counts 512-byte blocks
  return (
    `ulimit -S -t ${cpu} && ulimit -H -t ${cpu + 1} && ulimit -p ${processes + 1} && ` +
    `ulimit -f ${diskMb * 2048} && ulimit -n ${OPEN_FILES} && ulimit -c 0 || exit 125`
  );
}

/** prlimit and its arguments, for the paths without cgroups; the command follows `--` */
export function prlimitArgs({ limits, processes, diskMb }: RlimitInput): string[] {
  const cpu = Math.ceil(limits.cpuSeconds);
  return [
    '/usr/bin/prlimit',
    `--cpu=${cpu}:${cpu + 1}`,
    `--nproc=${processes}`,
    `--fsize=${diskMb * 1024 * 1024}`,
    `--nofile=${OPEN_FILES}`,
    '--core=0',
    `--as=${(limits.memoryMb + 64) * 1024 * 1024}`,
    '--',
  ];
}
