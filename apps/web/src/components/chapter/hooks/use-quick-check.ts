'use client';
import type { GradeResult } from '@lms/grading';
import { useMutation } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { usePython } from '@/components/python/python-context';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from './error-message';

export interface QuickCheck {
  /** the last check's result; null while one runs or before the first */
  result: GradeResult | null;
  running: boolean;
  /** runs the public tests on `code`; `onFailure` gets the message when it cannot run */
  start(code: string, publicTests: string): Promise<void>;
}

/** What the server stores of a quick check (`attempt.recordQuick`). */
function recordedResult(result: GradeResult) {
  return {
    status: result.status,
    message: result.message,
    messageCode: result.messageCode,
    tests: result.tests.map((x) => ({
      name: x.name,
      status: x.status,
      message: x.message,
      messageCode: x.messageCode,
      durationMs: x.durationMs,
    })),
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: result.durations.totalMs,
    pythonVersion: result.pythonVersion,
  };
}

/**
 * The quick check: a task's public tests in the browser runner, then the result stored on the
 * server as practice (`attempt.recordQuick`, never counted as solved).
 */
export function useQuickCheck(opts: {
  owner: string;
  /** the page's course: task ids are unique only within a course */
  courseSlug: string;
  taskId: string;
  wallSeconds?: number;
  onFailure: (message: string) => void;
}): QuickCheck {
  const { owner, courseSlug, taskId, wallSeconds } = opts;
  const python = usePython();
  const trpc = useTRPC();
  const { mutate: record } = useMutation(trpc.attempt.recordQuick.mutationOptions());
  const [result, setResult] = useState<GradeResult | null>(null);
  const [running, setRunning] = useState(false);
  const onFailure = useRef(opts.onFailure);
  onFailure.current = opts.onFailure;

  const start = useCallback(
    async (code: string, publicTests: string) => {
      setResult(null);
      setRunning(true);
      try {
        const r = await python.quickCheck(owner, code, publicTests, { wallSeconds });
        setResult(r);
        record({ courseSlug, taskId, code, result: recordedResult(r) });
      } catch (e) {
        setResult(null);
        onFailure.current(errorMessage(e));
      } finally {
        setRunning(false);
      }
    },
    [python, owner, courseSlug, taskId, wallSeconds, record],
  );

  return { result, running, start };
}
