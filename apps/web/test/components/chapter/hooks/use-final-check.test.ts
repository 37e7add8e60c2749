// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { createTRPCClient, TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { type ComponentProps, createElement, type ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useFinalCheck } from '@/components/chapter/hooks/use-final-check';
import { getDictionary } from '@/i18n/dictionaries';
import { serverErrorText } from '@/i18n/errors';
import type { AppRouter } from '@/server/root';
import { TRPCProvider } from '@/trpc/react';

const refresh = vi.fn();
vi.mock('next/navigation', () => ({ useRouter: () => ({ refresh }) }));

const limits = { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 };

function attempt(id: string, status: string) {
  return {
    id,
    status,
    done: status !== 'queued' && status !== 'running',
    message: null,
    results: [],
    limitHit: null,
    engine: 'cpython-bwrap',
    pythonVersion: '3.11.2',
    durationMs: 12,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the fake server answers with plain envelopes
type Envelope = any;
/** The server's side of one `attempt.watch` subscription. */
interface Stream {
  next(envelope: Envelope): void;
  error(e: TRPCClientError<AppRouter>): void;
  complete(): void;
}
type Watch = (stream: Stream, id: string) => void;

/** A tRPC client whose link plays the server: submit, get (a status per call) and watch. */
function setup(watch: Watch, polled: string[] = []) {
  const calls: string[] = [];
  let submitted = 0;
  let gets = 0;
  const link: TRPCLink<AppRouter> =
    () =>
    ({ op }) =>
      observable((observer) => {
        calls.push(op.path);
        const input = op.input as { id: string };
        if (op.path === 'attempt.submit' && (op.input as { code: string }).code === 'refused') {
          // as the server's errorFormatter sends it: an English message, the code and its params
          observer.error(
            TRPCClientError.from({
              error: {
                code: -32029,
                message: 'Too many submissions: at most 5 per minute. Try again in 30 s.',
                data: { appCode: 'RATE_LIMITED', appParams: { limit: 5, wait: 30 } },
              },
            }),
          );
        } else if (op.path === 'attempt.submit' && (op.input as { code: string }).code === 'odd') {
          observer.error(TRPCClientError.from(new Error('Too many submissions')));
        } else if (op.path === 'attempt.submit') {
          submitted += 1;
          observer.next({ result: { type: 'data', data: attempt(`a${submitted}`, 'queued') } });
          observer.complete();
        } else if (op.path === 'attempt.get') {
          const status = polled[Math.min(gets, polled.length - 1)] ?? 'queued';
          gets += 1;
          observer.next({ result: { type: 'data', data: attempt(input.id, status) } });
          observer.complete();
        } else if (op.path === 'attempt.watch') {
          observer.next({ result: { type: 'state', state: 'connecting', error: null } });
          watch(observer, input.id);
        } else {
          observer.next({ result: { type: 'data', data: [] } });
          observer.complete();
        }
        return () => {};
      });
  const trpcClient = createTRPCClient<AppRouter>({ links: [link] });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrapper = (props: { children: ReactNode }) =>
    createElement(
      QueryClientProvider,
      { client: queryClient },
      createElement(
        TRPCProvider,
        { trpcClient, queryClient } as ComponentProps<typeof TRPCProvider>,
        props.children,
      ),
    );
  const hook = renderHook(() => useFinalCheck({ courseSlug: 'testcourse', taskId: 't1', limits }), {
    wrapper,
  });
  return { hook, calls };
}

const data = (o: Stream, id: string, status: string) =>
  o.next({ result: { type: 'data', data: attempt(id, status) } });

beforeEach(() => refresh.mockClear());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('useFinalCheck', () => {
  it('follows the attempt over attempt.watch to its verdict, without polling', async () => {
    const { hook, calls } = setup((o, id) => {
      o.next({ result: { type: 'started' } });
      data(o, id, 'queued');
      setTimeout(() => data(o, id, 'running'), 10);
      setTimeout(() => {
        data(o, id, 'passed');
        o.next({ result: { type: 'state', state: 'idle', error: null } });
        o.complete();
      }, 20);
    });
    expect(hook.result.current.busy).toBe(false);
    act(() => hook.result.current.submit('print(1)'));
    await waitFor(() => expect(hook.result.current.view?.status).toBe('passed'));
    expect(hook.result.current.busy).toBe(false);
    expect(hook.result.current.attempt?.id).toBe('a1');
    expect(calls).not.toContain('attempt.get');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('polls attempt.get when the subscription fails', async () => {
    const { hook, calls } = setup(
      (o) => o.error(TRPCClientError.from(new Error('No such attempt.'))),
      ['running', 'failed'],
    );
    act(() => hook.result.current.submit('print(1)'));
    await waitFor(() => expect(hook.result.current.view?.status).toBe('failed'));
    expect(calls.filter((c) => c === 'attempt.get').length).toBeGreaterThanOrEqual(2);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('polls when the connection is lost, and keeps polling for the next submission', async () => {
    const { hook, calls } = setup(
      (o, id) => {
        data(o, id, 'queued');
        o.next({
          result: {
            type: 'state',
            state: 'connecting',
            error: TRPCClientError.from(new Error('lost')),
          },
        });
      },
      ['passed'],
    );
    act(() => hook.result.current.submit('print(1)'));
    await waitFor(() => expect(hook.result.current.view?.status).toBe('passed'));
    const watches = calls.filter((c) => c === 'attempt.watch').length;
    act(() => hook.result.current.submit('print(2)'));
    await waitFor(() => expect(hook.result.current.attempt?.id).toBe('a2'));
    await waitFor(() => expect(hook.result.current.view?.status).toBe('passed'));
    expect(calls.filter((c) => c === 'attempt.watch').length).toBe(watches);
  });

  it('polls when the stream ends without a verdict', async () => {
    const { hook } = setup(
      (o, id) => {
        data(o, id, 'running');
        o.next({ result: { type: 'state', state: 'idle', error: null } });
        o.complete();
      },
      ['error'],
    );
    act(() => hook.result.current.submit('print(1)'));
    await waitFor(() => expect(hook.result.current.view?.status).toBe('error'));
  });

  it('polls when the stream stays silent', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { hook, calls } = setup(() => {}, ['passed']);
    act(() => hook.result.current.submit('print(1)'));
    await waitFor(() => expect(calls).toContain('attempt.watch'));
    expect(hook.result.current.busy).toBe(true);
    expect(calls).not.toContain('attempt.get');
    await act(() => vi.advanceTimersByTimeAsync(5_000));
    await waitFor(() => expect(hook.result.current.view?.status).toBe('passed'));
  });

  it('shows why a submission was refused', async () => {
    const { hook, calls } = setup(() => {});
    act(() => hook.result.current.submit('refused'));
    await waitFor(() => expect(hook.result.current.error).toBeInstanceOf(TRPCClientError));
    // shown in the reader's language, from the code and its parameters
    const error = hook.result.current.error;
    expect(serverErrorText(error, getDictionary('ru'))).toBe(
      'Слишком много отправок: не больше 5 в минуту. Попробуйте снова через 30 с.',
    );
    expect(serverErrorText(error, getDictionary('en'))).toBe(
      'Too many submissions: at most 5 per minute. Try again in 30 s.',
    );
    // an error without a known code: the server's message as it is
    act(() => hook.result.current.submit('odd'));
    await waitFor(() =>
      expect(serverErrorText(hook.result.current.error, getDictionary('ru'))).toBe(
        'Too many submissions',
      ),
    );
    expect(hook.result.current.busy).toBe(false);
    expect(hook.result.current.view).toBeNull();
    expect(calls).not.toContain('attempt.watch');
  });
});
