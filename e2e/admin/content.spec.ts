import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, type Page, test } from '@playwright/test';
import {
  CHAPTER,
  finalCheck,
  referenceAnswer,
  setCode,
  signIn,
  TASK_0020,
  taskSection,
} from '../support/app';
import { ADMIN, signUpStudent } from '../support/cohort';

// Issue 13's proof of content publishing, as one admin and one student, in order: a text fix
// validated and published, a broken edit refused, a tightened test previewed, a rollback.
const TEXT = `${CHAPTER}/text.md`;
const TESTS = `${CHAPTER}/tasks/${TASK_0020}/tests_public.py`;
const seed = (path: string) =>
  readFileSync(
    fileURLToPath(new URL(`../../packages/content/courses/python/${path}`, import.meta.url)),
    'utf8',
  );
const TITLE = 'Модуль asyncio: асинхронный запуск задач';
const FIXED = `${TITLE} (исправлено)`;

/** Replaces the open file's text in the admin's editor (CodeMirror). */
async function setSource(page: Page, text: string) {
  const cm = page.locator('.cm-content').first();
  await cm.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

test('an admin fixes, validates and publishes a chapter; a broken edit is refused; a tightened test shows whose verdict flips; rollback restores', async ({
  page,
  browser,
}) => {
  // the student's earlier answer to task 0020: right, but it leaves a debug line on stderr
  // a student of its own: the demo students' progress is the other specs' (an earned answer)
  const learner = await signUpStudent(browser, 'Ученик правки');
  const student = learner.page;
  const weak = referenceAnswer(TASK_0020).replace(
    'import asyncio\n',
    'import asyncio\nimport sys\nprint("debug", file=sys.stderr)\n',
  );
  const task = taskSection(student, TASK_0020);
  await setCode(student, task, weak);
  await expect(await finalCheck(task)).toHaveAttribute('data-status', 'passed');

  page.on('dialog', (d) => void d.accept());
  await signIn(page, ADMIN, '/admin/content/python');
  await page.getByRole('button', { name: 'Начать черновик' }).click();
  const save = page.getByRole('button', { name: 'Сохранить в черновик' });
  await expect(save).toBeVisible();

  // 1. a text fix, validated (quick) and published: the student sees it after a reload
  await setSource(page, seed(TEXT).replace(TITLE, FIXED));
  await save.click();
  await expect(page.getByText('Сохранено в черновик.')).toBeVisible();
  await page.getByRole('button', { name: 'Быстрая проверка (без силы проверок)' }).click();
  const validation = page.getByTestId('validate-job');
  await expect(validation).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  await expect(validation).toHaveAttribute('data-ok', 'true');
  await expect(validation).toContainText('Черновик прошёл проверку.');
  await page.getByRole('button', { name: 'Опубликовать', exact: true }).click();
  await expect(page.getByText('Опубликовано как v2.')).toBeVisible();
  await student.reload();
  await expect(student.getByRole('heading', { level: 1 })).toContainText('(исправлено)');

  // 2. a task_source without id: refused at its line; the published chapter is untouched
  await page.getByRole('button', { name: 'Начать черновик' }).click();
  await expect(save).toBeVisible();
  const broken = seed(TEXT)
    .replace(TITLE, FIXED)
    .replace(`{.task_source #${TASK_0020}}`, '{.task_source}');
  const line = broken.split('\n').findIndex((l) => l.includes('{.task_source}')) + 1;
  await setSource(page, broken);
  await save.click();
  await expect(page.getByText('Не сохранено: исправьте ошибки.')).toBeVisible();
  await expect(page.getByText(`${TEXT}:${line}:`).first()).toBeVisible();
  await student.reload();
  await expect(taskSection(student, TASK_0020)).toBeVisible();

  // 3. task 0020's public tests tightened: the preview names the student whose pass would flip
  await page.getByRole('button', { name: TESTS }).click();
  await setSource(
    page,
    `${seed(`${CHAPTER}/tasks/${TASK_0020}/tests_public.py`)}

@test("Нет отладочного вывода в stderr")
def no_debug_output(run):
    assert run.stderr == "", "Уберите отладочный вывод в stderr."
`,
  );
  await save.click();
  await expect(page.getByText('Сохранено в черновик.')).toBeVisible();
  await page.getByRole('button', { name: 'Предпросмотр влияния' }).click();
  const impact = page.getByTestId('impact-job');
  await expect(impact).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const down = impact.locator(`[data-task-impact="${TASK_0020}"] [data-flip="down"]`);
  await expect(down).toContainText(learner.email);
  await expect(impact).toContainText('решено → не решено: 1');
  await page.getByRole('button', { name: 'Отбросить черновик' }).click();
  await expect(page.getByRole('button', { name: 'Начать черновик' })).toBeVisible();

  // 4. rollback to v1: a new release with the original text
  const v1 = page.getByRole('row').filter({ hasText: /^v1/ });
  await v1.getByRole('button', { name: 'Вернуть (опубликовать заново)' }).click();
  await expect(page.getByText(/Опубликовано как v\d+\./).first()).toBeVisible();
  await student.reload();
  await expect(student.getByRole('heading', { level: 1 })).toContainText(TITLE);
  await expect(student.getByRole('heading', { level: 1 })).not.toContainText('(исправлено)');
  await student.context().close();
});
