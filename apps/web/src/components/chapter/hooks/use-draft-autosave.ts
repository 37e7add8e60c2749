'use client';
import { CODE_CAP_BYTES } from '@lms/grading';
import { useMutation } from '@tanstack/react-query';
import type { KeyboardEvent } from 'react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTRPC } from '@/trpc/react';

/** Drafts are saved this long after the last keystroke. */
export const AUTOSAVE_MS = 800;

export type DraftState = 'clean' | 'dirty' | 'saving' | 'saved' | 'error';

/** Over the size the server accepts for a draft or a submission (UTF-8 bytes)? */
export function overCodeCap(code: string): boolean {
  return new TextEncoder().encode(code).length > CODE_CAP_BYTES;
}

/** Ctrl/Cmd+S (the editor's own Mod-s, for focus elsewhere in the task). */
export function isSaveShortcut(e: KeyboardEvent): boolean {
  return (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && (e.key === 's' || e.key === 'S');
}

export interface DraftAutosave {
  code: string;
  /** the code as typed, current even before the next render (for shortcuts and timers) */
  latest(): string;
  state: DraftState;
  tooLong: boolean;
  /** the editor's onChange: saves AUTOSAVE_MS after the last call */
  change(value: string): void;
  /** saves now (Ctrl/Cmd+S, a submission); nothing over the size cap is sent */
  flush(): void;
}

/**
 * A task's code and its server draft: saved 0.8 s after the last keystroke, at once when the
 * tab is hidden, and on demand; `state` drives the "saved" status.
 */
export function useDraftAutosave(
  /** the task of the page's course (task ids are unique only within a course) */
  task: { courseSlug: string; taskId: string },
  initial: string,
  saved: boolean,
): DraftAutosave {
  const { courseSlug, taskId } = task;
  const trpc = useTRPC();
  const [code, setCode] = useState(initial);
  const [state, setState] = useState<DraftState>(saved ? 'saved' : 'clean');
  const { mutate: save } = useMutation(trpc.draft.save.mutationOptions());
  const pendingSave = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latestCode = useRef(code);
  latestCode.current = code;

  const flush = useCallback(() => {
    if (pendingSave.current) clearTimeout(pendingSave.current);
    pendingSave.current = null;
    const value = latestCode.current;
    if (overCodeCap(value)) return;
    setState('saving');
    save(
      { courseSlug, taskId, code: value },
      {
        onSuccess: () => setState((s) => (latestCode.current === value ? 'saved' : s)),
        onError: () => setState('error'),
      },
    );
  }, [save, courseSlug, taskId]);

  const change = useCallback(
    (value: string) => {
      latestCode.current = value;
      setCode(value);
      setState('dirty');
      if (pendingSave.current) clearTimeout(pendingSave.current);
      pendingSave.current = setTimeout(flush, AUTOSAVE_MS);
    },
    [flush],
  );

  useEffect(() => {
    // leaving the tab (or the page) saves what is typed right away
    const onHide = () => {
      if (document.visibilityState === 'hidden' && pendingSave.current) flush();
    };
    document.addEventListener('visibilitychange', onHide);
    return () => document.removeEventListener('visibilitychange', onHide);
  }, [flush]);

  const latest = useCallback(() => latestCode.current, []);

  return { code, latest, state, tooLong: overCodeCap(code), change, flush };
}
