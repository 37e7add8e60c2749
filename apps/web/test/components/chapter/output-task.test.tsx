// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, waitFor, within } from '@testing-library/react';
import { createTRPCClient, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { ComponentProps } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutputTask, PROGRAM_SLOT, withProgramSlot } from '@/components/chapter/output-task';
import { wrapperWords } from '@/components/chapter/output-verdict';
import { I18nProvider } from '@/i18n/client';
import { getDictionary } from '@/i18n/dictionaries';
import type { AppRouter } from '@/server/root';
import { TRPCProvider } from '@/trpc/react';

const refresh = vi.fn();
vi.mock('next/navigation', () => ({ useRouter: () => ({ refresh }) }));
const python = {
  status: 'idle',
  error: null,
  pythonVersion: null,
  activeRun: null,
  run: vi.fn(),
  quickCheck: vi.fn(),
  stop: vi.fn(),
};
vi.mock('@/components/python/python-context', () => ({ usePython: () => python }));

type Task = ComponentProps<typeof OutputTask>['task'];
const PROGRAM = 'x = f([-10, 0, 10, 20])\nprint(x)';
const para = (value: string) => ({ kind: 'paragraph', children: [{ type: 'text', value }] });

function outputTask(over: Partial<Task> = {}): Task {
  return {
    id: 'ch_task_0040',
    kind: 'output',
    statement: [para('Что выведет этот код?'), { kind: 'example', exampleId: 'ch_example_15' }],
    starter: PROGRAM,
    flags: { runStaticTypeChecker: false },
    limits: { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 },
    publicTests: null,
    hasHint: true,
    hasHiddenChecks: true,
    hint: null,
    answer: null,
    answerState: { revealed: false, available: false, failedAttempts: 0, needed: 3 },
    progress: null,
    draft: null,
    ...over,
  } as Task;
}

type Verdict = { status: string; results?: unknown[] };
const silentWrapper: Verdict = {
  status: 'failed',
  results: [
    {
      name: 'wrapper_test',
      status: 'failed',
      message: 'код выхода 1',
      messageCode: { code: 'exit_code', params: { code: '1' } },
      origin: 'wrapper',
      hidden: false,
      durationMs: 3,
    },
  ],
};
const talkingWrapper: Verdict = {
  status: 'failed',
  results: [
    {
      name: 'wrapper_test',
      status: 'failed',
      message:
        'Посмотрите, что возвращает f\nTraceback (most recent call last):\n  File "main.py", line 6\nNameError: name \'exit\' is not defined',
      origin: 'wrapper',
      hidden: false,
      durationMs: 3,
    },
  ],
};

/** A tRPC client whose link plays the server; each submission gets the next verdict. */
function setup(task: Task, verdicts: Verdict[] = []) {
  const submitted: string[] = [];
  const saved: string[] = [];
  const link: TRPCLink<AppRouter> =
    () =>
    ({ op }) =>
      observable((observer) => {
        const input = op.input as Record<string, unknown>;
        const reply = (data: unknown) => {
          observer.next({ result: { type: 'data', data } });
          observer.complete();
        };
        if (op.path === 'attempt.submit') {
          submitted.push(input.code as string);
          reply({ id: `a${submitted.length}`, status: 'queued', createdAt: new Date() });
        } else if (op.path === 'attempt.watch') {
          const n = Number(String(input.id).slice(1));
          const v = verdicts[n - 1] ?? { status: 'running' };
          observer.next({ result: { type: 'started' } });
          observer.next({
            result: {
              type: 'data',
              data: {
                id: input.id,
                status: v.status,
                done: v.status !== 'queued' && v.status !== 'running',
                message: null,
                messageCode: null,
                results: v.results ?? [],
                limitHit: null,
                engine: 'cpython-bwrap',
                pythonVersion: '3.11.2',
                durationMs: 40,
              },
            },
          });
        } else if (op.path === 'draft.save') {
          saved.push(input.code as string);
          reply({ ok: true });
        } else if (op.path === 'progress.openHint') {
          reply({ hint: [para('HINT: f returns the first positive item')] });
        } else {
          reply([]);
        }
        return () => {};
      });
  const trpcClient = createTRPCClient<AppRouter>({ links: [link] });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const view = render(
    <I18nProvider locale="ru" t={getDictionary('ru')}>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          <OutputTask task={task} number={4} />
        </TRPCProvider>
      </QueryClientProvider>
    </I18nProvider>,
  );
  const section = view.container.querySelector<HTMLElement>('[data-task="ch_task_0040"]')!;
  const box = within(section).getByLabelText('Что напечатает программа') as HTMLTextAreaElement;
  return { submitted, saved, section, box };
}

const ru = getDictionary('ru');
const type = (box: HTMLTextAreaElement, text: string) =>
  fireEvent.change(box, { target: { value: text } });
const ctrlEnter = (box: HTMLTextAreaElement) =>
  fireEvent.keyDown(box, { key: 'Enter', ctrlKey: true });

beforeEach(() => refresh.mockClear());
afterEach(() => cleanup());

describe('withProgramSlot', () => {
  it("puts the slot where the program's example or code block was, with the code's server HTML", () => {
    const example = withProgramSlot(outputTask().statement, PROGRAM);
    expect(example.blocks.map((b) => (b.kind === 'example' ? b.exampleId : b.kind))).toEqual([
      'paragraph',
      PROGRAM_SLOT,
    ]);
    expect(example.html).toBeNull();
    const code = {
      kind: 'code',
      lang: 'python',
      code: PROGRAM,
      html: '<pre class="shiki">x</pre>',
    };
    const after = para('Обратите внимание на print.');
    const statement = [para('Что выведет?'), code, after] as Task['statement'];
    const slotted = withProgramSlot(statement, PROGRAM);
    expect(slotted.blocks.map((b) => b.kind)).toEqual(['paragraph', 'example', 'paragraph']);
    expect(slotted.html).toBe('<pre class="shiki">x</pre>');
    expect(withProgramSlot(statement, '').blocks).toEqual(statement);
  });
});

describe('wrapperWords', () => {
  it('keeps what the wrapper printed, never a traceback', () => {
    expect(wrapperWords('Неверно: f возвращает первый положительный\n')).toBe(
      'Неверно: f возвращает первый положительный',
    );
    expect(
      wrapperWords('Traceback (most recent call last):\n  File "main.py"\nNameError'),
    ).toBeNull();
    expect(wrapperWords('a\nTraceback (most recent call last):\nb')).toBe('a');
    expect(wrapperWords(null)).toBeNull();
  });
});

describe('OutputTask', () => {
  it('shows the program read-only and highlighted, not runnable, and a labelled monospace answer box', async () => {
    const { section, box } = setup(outputTask());
    const program = section.querySelector('[data-program]')!;
    expect(program.textContent).toContain('print(x)');
    expect(program.getAttribute('data-runnable')).toBe('false');
    expect(within(section).queryByRole('button', { name: ru.task.run })).toBeNull();
    expect(section.textContent).toContain(ru.task.output.runLocked);
    // the program is shown once: in place of its example, never as the chapter's example
    expect(section.querySelectorAll('[data-example-id="ch_example_15"]')).toHaveLength(0);
    await waitFor(() =>
      expect(program.querySelector('pre')?.getAttribute('data-highlighted')).toBe('true'),
    );
    expect(program.querySelector('pre span[class*="text-"]')).not.toBeNull();
    expect(box.tagName).toBe('TEXTAREA');
    expect(box.className).toContain('font-mono');
    expect(box.value).toBe('');
    expect(box.getAttribute('aria-describedby')).toBeTruthy();
    expect(within(section).getByRole('button', { name: ru.task.output.submit })).toBeTruthy();
  });

  it('Ctrl+Enter submits the typed text; a silent wrapper only says the output differs', async () => {
    const { section, box, submitted } = setup(outputTask(), [silentWrapper]);
    type(box, '20\n');
    ctrlEnter(box);
    const verdict = await within(section).findByRole('status');
    await waitFor(() => expect(verdict.getAttribute('data-status')).toBe('failed'));
    expect(submitted).toEqual(['20\n']);
    expect(verdict.textContent).toContain(ru.grading.output_mismatch);
    expect(verdict.textContent).not.toMatch(/код выхода|exit code/);
    expect(within(section).queryByTestId('task-solved')).toBeNull();
  });

  it("shows a talking wrapper's words, then a right answer: solved, and the program may run", async () => {
    const { section, box, submitted } = setup(outputTask(), [talkingWrapper, { status: 'passed' }]);
    type(box, '5');
    fireEvent.click(within(section).getByRole('button', { name: ru.task.output.submit }));
    const verdict = await within(section).findByRole('status');
    await waitFor(() => expect(verdict.textContent).toContain('Посмотрите, что возвращает f'));
    expect(verdict.textContent).toContain(ru.task.output.checkSays);
    expect(verdict.textContent).not.toContain('Traceback');

    type(box, '10');
    ctrlEnter(box);
    await waitFor(() => expect(verdict.getAttribute('data-status')).toBe('passed'));
    expect(verdict.textContent).toContain(ru.task.output.right);
    expect(submitted).toEqual(['5', '10']);
    expect(within(section).getByTestId('task-solved')).toBeTruthy();
    expect(section.querySelector('[data-program]')?.getAttribute('data-runnable')).toBe('true');
    expect(within(section).getByRole('button', { name: ru.task.run })).toBeTruthy();
    // solved: the answer may be opened
    expect(within(section).getByRole('button', { name: ru.task.showAnswer })).toBeTruthy();
    expect(refresh).toHaveBeenCalled();
  });

  it('does not send an empty answer: it says what to do', async () => {
    const { section, box, submitted } = setup(outputTask());
    type(box, '  \n ');
    ctrlEnter(box);
    const alert = await within(section).findByRole('alert');
    expect(alert.textContent).toBe(ru.task.output.empty);
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect(submitted).toEqual([]);
  });

  it('autosaves the answer as a draft; a draft holding the program (the old editor) is not an answer', async () => {
    const fromEditor = setup(
      outputTask({ draft: { code: PROGRAM, updatedAt: new Date() } } as Partial<Task>),
    );
    expect(fromEditor.box.value).toBe('');
    cleanup();
    const { box, saved, section } = setup(
      outputTask({ draft: { code: '10', updatedAt: new Date() } } as Partial<Task>),
    );
    expect(box.value).toBe('10');
    type(box, '10\n20');
    await waitFor(() => expect(saved).toEqual(['10\n20']), { timeout: 5_000 });
    await waitFor(() =>
      expect(within(section).getByTestId('draft-state').getAttribute('data-state')).toBe('saved'),
    );
  });

  it('opens the hint on request; an open answer makes the program runnable and shows the answer', async () => {
    const { section } = setup(outputTask({ answer: '10' }));
    expect(section.querySelector('[data-program]')?.getAttribute('data-runnable')).toBe('true');
    expect(within(section).getByTestId('answer').getAttribute('data-state')).toBe('shown');
    await act(async () => {
      fireEvent.click(within(section).getByRole('button', { name: new RegExp(ru.task.showHint) }));
    });
    await waitFor(() =>
      expect(within(section).getByTestId('hint').textContent).toContain('HINT: f returns'),
    );
  });
});
