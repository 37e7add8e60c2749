import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/server/sandbox/launcher-backend.ts';
import { prlimitArgs, ulimitCommand } from '../../../src/server/sandbox/rlimits.ts';
import { OPEN_FILES } from '../../../src/server/sandbox/types.ts';

const MiB = 1024 * 1024;
const rlimits = {
  limits: { wallSeconds: 10, cpuSeconds: 4.2, memoryMb: 256 },
  processes: 64,
  diskMb: 32,
};

describe('ulimitCommand (the launcher path)', () => {
  const line = ulimitCommand(rlimits);
  const steps = line.replace(/ \|\| exit 125$/, '').split(' && ');

  it('sets soft CPU (rounded up) before the hard limit a second later', () => {
    expect(steps.slice(0, 2)).toEqual(['ulimit -S -t 5', 'ulimit -H -t 6']);
  });

  it('counts the launcher as one more process of the slot uid', () => {
    expect(steps).toContain('ulimit -p 65');
  });

  it('caps file size (512-byte blocks), open files and core dumps', () => {
    expect(steps).toContain(`ulimit -f ${(32 * MiB) / 512}`);
    expect(steps).toContain(`ulimit -n ${OPEN_FILES}`);
    expect(steps).toContain('ulimit -c 0');
  });

  it('gives up the run when any ulimit is refused', () => {
    expect(line.endsWith(' || exit 125')).toBe(true);
    expect(steps).toHaveLength(6);
  });
});

describe('prlimitArgs (the paths without cgroups)', () => {
  const argv = prlimitArgs(rlimits);

  it('is prlimit with the command after `--`', () => {
    expect(argv[0]).toBe('/usr/bin/prlimit');
    expect(argv.at(-1)).toBe('--');
  });

  it('sets the same CPU, file size, open files and core limits as the ulimit line', () => {
    expect(argv).toContain('--cpu=5:6');
    expect(argv).toContain(`--fsize=${32 * MiB}`);
    expect(argv).toContain(`--nofile=${OPEN_FILES}`);
    expect(argv).toContain('--core=0');
  });

  it('caps processes (no launcher here) and address space (memory + 64 MiB)', () => {
    expect(argv).toContain('--nproc=64');
    expect(argv).toContain(`--as=${(256 + 64) * MiB}`);
  });
});

describe('runScript (run.sh of a slot launcher)', () => {
  const bwrap = ['/usr/bin/bwrap', '--unshare-all', '--setenv', 'X', "it's here", '--', 'python3'];

  it('sets the rlimits, then execs bwrap (quoted) onto the run FIFOs', () => {
    const script = runScript({
      bwrap,
      rlimits,
      startMarker: false,
      inputNames: [],
      firstFd: 3,
    });
    const lines = script.split('\n');
    expect(lines).toEqual([
      ulimitCommand(rlimits),
      `exec /usr/bin/bwrap --unshare-all --setenv X 'it'\\''s here' -- python3 >"$d/out" 2>"$d/err"`,
      '',
    ]);
  });

  it('opens the marker FIFO on fd 3 and the inputs after it, in order', () => {
    const script = runScript({
      bwrap,
      rlimits,
      startMarker: true,
      inputNames: ['in-0', 'in-1'],
      firstFd: 4,
    });
    expect(script.split('\n')[1]).toMatch(
      / >"\$d\/out" 2>"\$d\/err" 3>"\$d\/mark" 4<"\$d\/in-0" 5<"\$d\/in-1"$/,
    );
  });
});
