'use client';
import type { OutputChunk, OutputConsoleProps, RunStatus } from '@lms/ui';
import { useCallback, useRef, useState } from 'react';
import { type ProgramOutcome, usePython } from '@/components/python/python-context';
import { errorMessage } from './error-message';

/** What `OutputConsole` needs from a run (spread it, add `messages`). */
export type RunConsoleProps = Required<
  Pick<
    OutputConsoleProps,
    'chunks' | 'status' | 'exitCode' | 'elapsedMs' | 'engine' | 'pythonVersion' | 'truncated'
  >
>;

export interface ProgramRun {
  status: RunStatus;
  /** this owner holds the interpreter (its program or its quick check runs) */
  busy: boolean;
  /** another example or task holds the interpreter */
  busyElsewhere: boolean;
  /** runs `code`, streaming its output; ignored while this owner's previous run is going */
  start(code: string): Promise<void>;
  stop(): void;
  /** back to an empty, idle console */
  reset(): void;
  /** shows a failure that did not come from a run (e.g. the quick check could not start) */
  fail(message: string): void;
  console: RunConsoleProps;
}

/**
 * One example's or task's program in the page's browser runner (`PythonProvider`): the
 * output streams in as it is printed, Stop interrupts it. Shared by ExampleRunner and
 * TaskWorkspace.
 */
export function useProgramRun(owner: string, opts: { wallSeconds?: number } = {}): ProgramRun {
  const python = usePython();
  const { wallSeconds } = opts;
  const [chunks, setChunks] = useState<OutputChunk[]>([]);
  const [status, setStatus] = useState<RunStatus>('idle');
  const [outcome, setOutcome] = useState<ProgramOutcome | null>(null);
  const runningRef = useRef(false);

  const start = useCallback(
    async (code: string) => {
      if (runningRef.current) return;
      runningRef.current = true;
      setChunks([]);
      setOutcome(null);
      setStatus('running');
      try {
        const result = await python.run(owner, code, {
          onOutput: (chunk) => setChunks((prev) => [...prev, chunk]),
          wallSeconds,
        });
        setOutcome(result);
        setStatus(result.status);
      } catch (e) {
        setChunks((prev) => [...prev, { stream: 'stderr', text: errorMessage(e) }]);
        setStatus('error');
      } finally {
        runningRef.current = false;
      }
    },
    [python, owner, wallSeconds],
  );

  const reset = useCallback(() => {
    setChunks([]);
    setStatus('idle');
    setOutcome(null);
  }, []);

  const fail = useCallback((message: string) => {
    setChunks([{ stream: 'stderr', text: message }]);
    setStatus('error');
    setOutcome(null);
  }, []);

  return {
    status,
    busy: python.activeRun === owner,
    busyElsewhere: python.activeRun !== null && python.activeRun !== owner,
    start,
    stop: () => python.stop(),
    reset,
    fail,
    console: {
      chunks,
      status,
      exitCode: outcome?.exitCode ?? null,
      elapsedMs: outcome?.elapsedMs ?? null,
      engine: outcome?.engine ?? null,
      pythonVersion: outcome?.pythonVersion ?? python.pythonVersion,
      truncated: outcome?.truncated ?? false,
    },
  };
}
