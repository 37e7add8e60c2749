import type { Db } from '@lms/db';
import { renderGradingMessage } from '@lms/grading';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getDictionary } from '../../src/i18n/dictionaries';
import { serverErrorText } from '../../src/i18n/errors';
import type { Session } from '../../src/server/context';
import { createContextInner } from '../../src/server/context';
import { APP_ERROR_CODES } from '../../src/server/errors';
import { createInProcessTransport } from '../../src/server/grader/pipeline';
import { type AppRouter, appRouter } from '../../src/server/root';
import { clearContentCache } from '../../src/server/services/content';
import { callerFor, createTestDb, gradeResult, makeUser, publishTestCourse } from './helpers';

/**
 * Server and grader send codes with parameters; the words live in the dictionaries: an
 * English reader sees English platform messages, a Russian reader Russian ones.
 */

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
  await publishTestCourse(db);
});
afterAll(() => t?.cleanup());

/** A tRPC client as the page has one, its requests answered by the app's route handler. */
function clientFor(session: Session | null, ctxDb: Db = db) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: 'http://localhost/api/trpc',
        transformer: superjson,
        fetch: (url, init) =>
          fetchRequestHandler({
            endpoint: '/api/trpc',
            req: new Request(url, init as RequestInit),
            router: appRouter,
            createContext: () => createContextInner({ db: ctxDb, session }),
            onError: () => {},
          }),
      }),
    ],
  });
}

async function failure(call: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<AppRouter>;
    throw error;
  }
  throw new Error('the call succeeded');
}

describe('server errors in the reader’s language', () => {
  it('an English caller sees English text for an AppError, a Russian one Russian text', async () => {
    const { session } = await makeUser(db, 'student');
    const error = await failure(
      clientFor(session).progress.revealAnswer.mutate({ courseSlug: 'testcourse', taskId: 't1' }),
    );
    expect(error.data).toMatchObject({
      code: 'FORBIDDEN',
      appCode: 'ANSWER_LOCKED',
      appParams: { needed: 3, failed: 0 },
    });
    const en =
      'The answer opens after you pass the final check, or after 3 failed final checks (you have 0).';
    expect(serverErrorText(error, getDictionary('en'))).toBe(en);
    expect(serverErrorText(error, getDictionary('ru'))).toBe(
      'Ответ откроется после успешной финальной проверки или после 3 неудачных финальных проверок (у вас 0).',
    );
    // the server's own message stays English (logs, API callers)
    expect(error.message).toBe(en);
  });

  it('codes with parameters for missing things, bad input and unexpected failures', async () => {
    const { session } = await makeUser(db, 'student');
    const api = clientFor(session);
    const en = getDictionary('en');
    const ru = getDictionary('ru');

    const noGrader = await failure(
      api.attempt.submit.mutate({ courseSlug: 'testcourse', taskId: 't1', code: 'x' }),
    );
    expect(noGrader.data).toMatchObject({ appCode: 'GRADER_UNAVAILABLE', appParams: {} });
    expect(serverErrorText(noGrader, ru)).toBe(
      'Проверка сейчас недоступна: решение не отправлено. Ваш код сохранён — попробуйте через минуту.',
    );

    const missing = await failure(
      api.progress.openHint.mutate({ courseSlug: 'testcourse', taskId: 'nope' }),
    );
    expect(missing.data).toMatchObject({ appCode: 'TASK_NOT_FOUND', appParams: { task: 'nope' } });
    expect(serverErrorText(missing, en)).toBe('No published task "nope".');
    expect(serverErrorText(missing, ru)).toBe('Нет опубликованной задачи «nope».');

    const anonymous = await failure(
      clientFor(null).draft.get.query({ courseSlug: 'testcourse', taskId: 't1' }),
    );
    expect(serverErrorText(anonymous, en)).toBe('Sign in to continue.');
    expect(serverErrorText(anonymous, ru)).toBe('Войдите, чтобы продолжить.');

    const bad = await failure(
      api.draft.save.mutate({ courseSlug: 'testcourse', taskId: 'no spaces allowed', code: 'x' }),
    );
    expect(bad.data).toMatchObject({ appCode: 'INVALID_INPUT' });
    expect(serverErrorText(bad, ru)).toMatch(/^Неверные данные: taskId: /);

    const broken = new Proxy({} as Db, {
      get: () => {
        throw new Error('SQLITE_CANTOPEN: /secret/path/lms.db');
      },
    });
    const internal = await failure(
      clientFor(session, broken).draft.save.mutate({
        courseSlug: 'testcourse',
        taskId: 't1',
        code: 'x',
      }),
    );
    expect(internal.data).toMatchObject({ appCode: 'INTERNAL', appParams: {} });
    expect(serverErrorText(internal, ru)).toBe(
      'На сервере что-то пошло не так. Попробуйте ещё раз.',
    );
    expect(JSON.stringify(internal)).not.toContain('/secret/path');

    // a validation failure inside a procedure is the server's, not the caller's: no details out
    const badRow = new Proxy({} as Db, {
      get: () => {
        z.object({ secretColumn: z.string() }).parse({ secretColumn: 42 });
      },
    });
    const inner = await failure(
      clientFor(session, badRow).draft.save.mutate({
        courseSlug: 'testcourse',
        taskId: 't1',
        code: 'x',
      }),
    );
    expect(inner.data).toMatchObject({ appCode: 'INTERNAL', appParams: {}, zodError: null });
    expect(JSON.stringify(inner)).not.toContain('secretColumn');
  });

  it('every AppError code has words in both languages; an unknown code shows the server message', () => {
    const codes = Object.keys(APP_ERROR_CODES).sort();
    for (const locale of ['ru', 'en'] as const) {
      expect(Object.keys(getDictionary(locale).serverErrors).sort()).toEqual(codes);
    }
    const unknown = Object.assign(new Error('from a newer server'), {
      data: { appCode: 'SOMETHING_NEW', appParams: {} },
    });
    expect(serverErrorText(unknown, getDictionary('ru'))).toBe('from a newer server');
    expect(serverErrorText('plain', getDictionary('ru'))).toBe('plain');
  });
});

describe('grading messages keep their code', () => {
  it('a final verdict, a grader that stays down and an output answer are stored with codes', async () => {
    const { session } = await makeUser(db, 'student');
    const verdict = {
      message: 'Программа не завершилась за 5 с и была остановлена',
      messageCode: { code: 'limit_wall' as const, params: { seconds: 5 } },
    };
    let down = false;
    const transport = createInProcessTransport({
      db,
      grade: async () => {
        if (down) throw new Error('connection refused');
        return gradeResult('timeout', verdict);
      },
      retryDelaysMs: [],
      log: () => {},
    });
    const api = callerFor(db, session, { grader: transport });

    const timed = await api.attempt.submit({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'while True: pass',
    });
    await transport.idle();
    const a = await api.attempt.get({ courseSlug: 'testcourse', id: timed.id });
    expect(a).toMatchObject(verdict);
    expect(renderGradingMessage(a.messageCode!, 'en')).toBe(
      'The program did not finish within 5 s and was stopped',
    );

    down = true;
    const lost = await api.attempt.submit({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'print(1)',
    });
    await transport.idle();
    const b = await api.attempt.get({ courseSlug: 'testcourse', id: lost.id });
    expect(b.status).toBe('sandbox_error');
    expect(b.messageCode).toEqual({ code: 'grader_unavailable', params: {} });
    expect(b.message).toMatch(/^Сервис проверки сейчас недоступен/);
    expect(renderGradingMessage(b.messageCode!, 'en')).toMatch(/not available right now/);

    const typed = await api.attempt.submit({
      courseSlug: 'testcourse',
      taskId: 't3',
      code: '1\n3',
    });
    await transport.idle();
    const c = await api.attempt.get({ courseSlug: 'testcourse', id: typed.id });
    expect(c.status).toBe('failed');
    expect(c.messageCode).toEqual({ code: 'output_mismatch', params: {} });
    expect(c.results[0]?.messageCode).toEqual({ code: 'output_mismatch', params: {} });
  });

  it('a quick check keeps the browser’s codes; an unknown code is refused', async () => {
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session);
    const q = await api.attempt.recordQuick({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'print(1)',
      result: {
        status: 'failed',
        message: 'quiet: Проверка не пройдена',
        messageCode: {
          code: 'test_failed',
          params: { test: 'quiet' },
          detail: { code: 'assertion_failed', params: {} },
        },
        tests: [
          {
            name: 'quiet',
            status: 'failed',
            message: 'Проверка не пройдена',
            messageCode: { code: 'assertion_failed', params: {} },
            durationMs: 1,
          },
          { name: 'own words', status: 'failed', message: 'Ожидалось 42', durationMs: 1 },
        ],
      },
    });
    const [stored] = await api.attempt.list({
      courseSlug: 'testcourse',
      taskId: 't1',
      stage: 'quick',
    });
    expect(stored?.id).toBe(q.id);
    expect(renderGradingMessage(stored!.messageCode!, 'en')).toBe('quiet: Check failed');
    expect(stored!.results.map((r) => r.messageCode?.code ?? r.message)).toEqual([
      'assertion_failed',
      'Ожидалось 42',
    ]);
    await expect(
      api.attempt.recordQuick({
        courseSlug: 'testcourse',
        taskId: 't1',
        code: 'print(1)',
        result: { status: 'failed', tests: [], messageCode: { code: 'made_up' as never } },
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
