'use client';
import type { GradeResult } from '@lms/grading';
import type { OutputChunk } from '@lms/ui';

export interface ProgramOutcomeLike {
  status: 'done' | 'error' | 'timeout' | 'stopped';
  exitCode: number | null;
  elapsedMs: number;
  truncated: boolean;
  engine: string;
  pythonVersion: string | null;
}

type RunOpts = { onOutput?: (chunk: OutputChunk) => void; wallSeconds?: number };

/** The page's view of the grader's browser runner (one program at a time). */
export interface RunnerPort {
  ready(): Promise<{ pythonVersion: string }>;
  run(code: string, opts: RunOpts): Promise<ProgramOutcomeLike>;
  quickCheck(code: string, publicTests: string, opts: RunOpts): Promise<GradeResult>;
  stop(): void;
  dispose(): void;
}

/**
 * Loads `@lms/grader/browser` (a separate chunk: not part of the page's first JavaScript) and
 * starts its Pyodide worker. Output of the run in progress goes to that run's listener.
 */
export async function connectRunner(baseUrl: string): Promise<RunnerPort> {
  const { createPythonRunner } = await import('@lms/grader/browser');
  const runner = createPythonRunner({ baseUrl });
  let listener: ((chunk: OutputChunk) => void) | null = null;
  let streamed = false;
  let stopRequested = false;
  runner.onOutput((chunk) => {
    streamed = true;
    listener?.({ stream: chunk.stream, text: chunk.text });
  });
  const warm = runner.warm();
  warm.catch(() => {});

  async function exclusive<T>(opts: RunOpts, fn: () => Promise<T>): Promise<T> {
    await warm;
    listener = opts.onOutput ?? null;
    streamed = false;
    stopRequested = false;
    try {
      return await fn();
    } finally {
      listener = null;
    }
  }

  const limits = (opts: RunOpts) =>
    opts.wallSeconds ? { wallSeconds: opts.wallSeconds } : undefined;

  return {
    ready: async () => {
      const info = await warm;
      return { pythonVersion: info.pythonVersion };
    },
    run: (code, opts) =>
      exclusive(opts, async () => {
        const r = await runner.runProgram(code, { limits: limits(opts) });
        if (!streamed) {
          // the runner did not stream (or the output came only with the result): show it now
          if (r.stdout) opts.onOutput?.({ stream: 'stdout', text: r.stdout });
          if (r.stderr) opts.onOutput?.({ stream: 'stderr', text: r.stderr });
        }
        const status: ProgramOutcomeLike['status'] = stopRequested
          ? 'stopped'
          : r.status === 'timeout'
            ? 'timeout'
            : r.status === 'sandbox_error'
              ? 'error'
              : 'done';
        return {
          status,
          exitCode: r.exitCode,
          elapsedMs: r.durations.programMs,
          truncated: r.stdoutTruncated || r.stderrTruncated,
          engine: r.engine,
          pythonVersion: r.pythonVersion,
        };
      }),
    quickCheck: (code, publicTests, opts) =>
      exclusive(opts, () =>
        runner.quickCheck({
          code,
          checks: { public: publicTests, hidden: null, wrapperTest: null },
          limits: limits(opts),
          stage: 'quick',
        }),
      ),
    stop: () => {
      stopRequested = true;
      runner.stop();
    },
    dispose: () => runner.dispose(),
  };
}
