'use client';
import type { GradeResult } from '@lms/grading';
import type { OutputChunk } from '@lms/ui';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { connectRunner, type ProgramOutcomeLike, type RunnerPort } from './runner-port';

export type PythonStatus = 'idle' | 'loading' | 'ready' | 'error';

export type ProgramOutcome = ProgramOutcomeLike;

export interface PythonApi {
  status: PythonStatus;
  error: string | null;
  pythonVersion: string | null;
  /** which run owns the interpreter right now (example or task id), if any */
  activeRun: string | null;
  run(
    owner: string,
    code: string,
    opts: { onOutput: (chunk: OutputChunk) => void; wallSeconds?: number },
  ): Promise<ProgramOutcome>;
  quickCheck(
    owner: string,
    code: string,
    publicTests: string,
    opts: { onOutput?: (chunk: OutputChunk) => void; wallSeconds?: number },
  ): Promise<GradeResult>;
  stop(): void;
}

const PythonContext = createContext<PythonApi | null>(null);

/**
 * One Pyodide worker per chapter page. Loading starts as soon as the page mounts (off the
 * main thread), so "Run" is usually ready by the time the reader reaches an example. The
 * grader's browser client is imported dynamically: its code is not in the page's first load.
 */
export function PythonProvider(props: { baseUrl: string; children: ReactNode }) {
  const [status, setStatus] = useState<PythonStatus>('idle');
  const [error, setError] = useState<string | null>(null);
  const [pythonVersion, setPythonVersion] = useState<string | null>(null);
  const [activeRun, setActiveRun] = useState<string | null>(null);
  const portRef = useRef<Promise<RunnerPort> | null>(null);

  const connect = useCallback(() => {
    if (!portRef.current) {
      setStatus('loading');
      setError(null);
      const pending = connectRunner(props.baseUrl);
      portRef.current = pending;
      // a runner replaced or disposed meanwhile (unmount, React's dev double mount) reports nothing
      const current = () => portRef.current === pending;
      pending.then(
        async (port) => {
          try {
            const info = await port.ready();
            if (!current()) return;
            setPythonVersion(info.pythonVersion);
            setStatus('ready');
          } catch (e) {
            if (!current()) return;
            setError(e instanceof Error ? e.message : String(e));
            setStatus('error');
          }
        },
        (e: unknown) => {
          if (!current()) return;
          setError(e instanceof Error ? e.message : String(e));
          setStatus('error');
          portRef.current = null;
        },
      );
    }
    return portRef.current;
  }, [props.baseUrl]);

  useEffect(() => {
    // warm-up as soon as the chapter is on screen: the worker loads while the reader reads
    void connect();
    return () => {
      const pending = portRef.current;
      portRef.current = null;
      void pending?.then((p) => p.dispose()).catch(() => {});
    };
  }, [connect]);

  const api = useMemo<PythonApi>(
    () => ({
      status,
      error,
      pythonVersion,
      activeRun,
      async run(owner, code, opts) {
        const port = await connect();
        await port.ready();
        setActiveRun(owner);
        try {
          return await port.run(code, opts);
        } finally {
          setActiveRun((cur) => (cur === owner ? null : cur));
        }
      },
      async quickCheck(owner, code, publicTests, opts) {
        const port = await connect();
        await port.ready();
        setActiveRun(owner);
        try {
          return await port.quickCheck(code, publicTests, opts);
        } finally {
          setActiveRun((cur) => (cur === owner ? null : cur));
        }
      },
      stop() {
        void portRef.current?.then((p) => p.stop());
      },
    }),
    [status, error, pythonVersion, activeRun, connect],
  );

  return <PythonContext.Provider value={api}>{props.children}</PythonContext.Provider>;
}

export function usePython(): PythonApi {
  const api = useContext(PythonContext);
  if (!api) throw new Error('usePython() outside <PythonProvider>');
  return api;
}
