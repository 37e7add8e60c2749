import { describe, expect, it } from 'vitest';
import { type RunSteps, runSteps } from '../../../src/server/sandbox/backend.ts';
import {
  Capture,
  interpretRun,
  newStreams,
  type RawRun,
  signalOfStatus,
} from '../../../src/server/sandbox/outcome.ts';
import { SandboxError } from '../../../src/server/sandbox/types.ts';

const limits = { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 };

function raw(over: Partial<RawRun> & { stderr?: string } = {}): RawRun {
  const streams = newStreams(1024);
  if (over.stderr) streams.stderr.push(Buffer.from(over.stderr));
  const { stderr: _, ...rest } = over;
  return {
    streams,
    exitCode: 0,
    signal: null,
    elapsedMs: 10,
    programElapsedMs: 5,
    programStarted: true,
    cpuSeconds: 0.01,
    limitHit: null,
    leftoverProcesses: 0,
    pidsRefused: 0,
    ...rest,
  };
}

describe('Capture', () => {
  it('keeps up to the cap and says when a stream went past it', () => {
    const c = new Capture(5);
    expect(c.push(Buffer.from('abc'))).toBe(false);
    expect(c.push(Buffer.from('def'))).toBe(true);
    expect(c.push(Buffer.from('g'))).toBe(true);
    expect([c.buffer().toString(), c.truncated]).toEqual(['abcde', true]);
  });
});

describe('signalOfStatus', () => {
  it('reads 128+N as signal N, for the signals we name', () => {
    expect(signalOfStatus(137)).toBe('SIGKILL');
    expect(signalOfStatus(152)).toBe('SIGXCPU');
    expect(signalOfStatus(139)).toBe('SIGSEGV');
    expect(signalOfStatus(128)).toBeNull();
    expect(signalOfStatus(1)).toBeNull();
    expect(signalOfStatus(128 + 10)).toBeNull(); // SIGUSR1: not one a program's verdict names
  });
});

describe('interpretRun', () => {
  it('names the limit from the signal or the CPU counted', () => {
    expect(interpretRun({ limits }, raw({ signal: 'SIGXCPU', exitCode: null })).limitHit).toBe(
      'cpu',
    );
    expect(interpretRun({ limits }, raw({ cpuSeconds: 5.2 })).limitHit).toBe('cpu');
    expect(
      interpretRun({ limits }, raw({ signal: 'SIGKILL', exitCode: null, pidsRefused: 3 })).limitHit,
    ).toBe('processes');
    // a limit the backend saw first stays
    expect(
      interpretRun({ limits }, raw({ limitHit: 'wall', signal: 'SIGXCPU', exitCode: null }))
        .limitHit,
    ).toBe('wall');
  });

  it('makes a sandbox that failed to start a SandboxError, never the student’s failure', () => {
    const failed = raw({
      exitCode: 1,
      programStarted: false,
      stderr: "bwrap: Can't find source path /nope: No such file or directory\n",
    });
    expect(() => interpretRun({ limits }, failed)).toThrow(SandboxError);
    expect(() => interpretRun({ limits, startMarker: true }, failed)).toThrow(
      /the sandbox failed to start: bwrap: Can't find source path/,
    );
  });

  it('does not take a program’s own output for a sandbox failure', () => {
    // the marker came: the student's code ran, whatever it printed
    const printed = raw({ exitCode: 1, programStarted: true, stderr: 'bwrap: fake\n' });
    expect(interpretRun({ limits, startMarker: true }, printed).exitCode).toBe(1);
    // no marker to tell: a traceback first means Python ran
    const traceback = raw({
      exitCode: 1,
      programStarted: false,
      stderr: 'Traceback (most recent call last):\nbwrap: x\n',
    });
    expect(interpretRun({ limits }, traceback).exitCode).toBe(1);
    expect(() => interpretRun({ limits, startMarker: true }, traceback)).toThrow(SandboxError);
  });

  it('passes output, truncation and times through', () => {
    const run = raw({ exitCode: 3, leftoverProcesses: 2 });
    run.streams.stdout.push(Buffer.from('out'));
    const outcome = interpretRun({ limits }, run);
    expect(outcome).toMatchObject({
      stdout: Buffer.from('out'),
      stdoutTruncated: false,
      exitCode: 3,
      elapsedMs: 10,
      programElapsedMs: 5,
      leftoverProcesses: 2,
    });
  });
});

describe('runSteps', () => {
  function steps(failAt: string | null, log: string[]): RunSteps<string> {
    const step = async (name: string) => {
      log.push(name);
      if (name === failAt) throw new Error(name);
    };
    return {
      prepare: () => step('prepare'),
      execute: async () => {
        await step('execute');
        return 'ended';
      },
      collect: async (ended) => {
        await step(`collect ${ended}`);
        return raw();
      },
      cleanUp: () => step('cleanUp'),
    };
  }

  it('goes prepare → execute → collect → clean up', async () => {
    const log: string[] = [];
    await runSteps(steps(null, log));
    expect(log).toEqual(['prepare', 'execute', 'collect ended', 'cleanUp']);
  });

  it('cleans up after a failure at any step, and stops there', async () => {
    for (const [failAt, ran] of [
      ['prepare', ['prepare', 'cleanUp']],
      ['execute', ['prepare', 'execute', 'cleanUp']],
      ['collect ended', ['prepare', 'execute', 'collect ended', 'cleanUp']],
    ] as const) {
      const log: string[] = [];
      await expect(runSteps(steps(failAt, log))).rejects.toThrow(failAt);
      expect(log).toEqual(ran);
    }
  });
});
