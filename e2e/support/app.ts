import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, type Locator, type Page } from '@playwright/test';

/** Demo accounts created by `lms-db seed` (packages/db/src/seed.ts), printed by `npm start`. */
export const STUDENT1 = { email: 'student1@lms.local', password: 'demo-student1-pass' };
export const STUDENT2 = { email: 'student2@lms.local', password: 'demo-student2-pass' };

export const COURSE = 'python';
export const CHAPTER = 'python_chapter_0320';
export const CHAPTER_URL = `/courses/${COURSE}/chapters/${CHAPTER}`;
export const TASK_0010 = 'python_chapter_0320_task_0010';
export const TASK_0020 = 'python_chapter_0320_task_0020';

const courseDir = fileURLToPath(
  new URL(`../../packages/content/courses/${COURSE}/${CHAPTER}/`, import.meta.url),
);

/** The fenced block after `{.task_answer}` of a task, read from the shipped chapter. */
export function referenceAnswer(taskId: string): string {
  const text = readFileSync(`${courseDir}text.md`, 'utf8');
  const at = text.indexOf(`#${taskId}`);
  if (at < 0) throw new Error(`task ${taskId} not in the chapter`);
  const marker = text.indexOf('{.task_answer}', at);
  const start = text.indexOf('\n', marker) + 1;
  const end = text.indexOf('```', start);
  return text.slice(start, end);
}

/** The starter code of a task (the fence with `{.task_source #id}`). */
export function starterCode(taskId: string): string {
  const text = readFileSync(`${courseDir}text.md`, 'utf8');
  const at = text.indexOf(`#${taskId}}`);
  const start = text.indexOf('\n', at) + 1;
  const end = text.indexOf('```', start);
  return text.slice(start, end);
}

export async function signIn(
  page: Page,
  account: { email: string; password: string },
  next = '/courses',
) {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Эл. почта').fill(account.email);
  await page.getByLabel('Пароль').fill(account.password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.waitForURL((url) => url.pathname === next);
}

export function taskSection(page: Page, taskId: string): Locator {
  return page.locator(`[data-task="${taskId}"]`);
}

/** Replaces the editor's content (CodeMirror or the plain textarea it replaces while loading). */
export async function setCode(page: Page, task: Locator, code: string) {
  const cm = task.locator('.cm-content');
  if ((await cm.count()) > 0) {
    await cm.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(code);
  } else {
    await task.getByRole('textbox').first().fill(code);
  }
}

/** The page's Pyodide worker has started (every Run button says so). */
export async function waitForPython(page: Page) {
  await expect(page.locator('[data-example] button[data-ready="true"]').first()).toBeVisible({
    timeout: 90_000,
  });
}

export async function quickCheck(task: Locator) {
  await task.getByRole('button', { name: 'Проверить' }).click();
  const verdict = task.getByTestId('quick-verdict');
  await expect(verdict).not.toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  return verdict;
}

export async function finalCheck(task: Locator) {
  await task.getByRole('button', { name: 'Отправить' }).click();
  const verdict = task.getByTestId('final-verdict');
  await expect(verdict).toHaveAttribute(
    'data-status',
    /passed|failed|error|timeout|memory|output_limit|sandbox_error|rejected/,
    {
      timeout: 90_000,
    },
  );
  return verdict;
}
