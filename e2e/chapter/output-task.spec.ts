import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { STUDENT1, signIn, taskSection, waitForPython } from '../support/app';
import {
  haveSenjunChapter,
  IN_CI,
  missingSampleReason,
  publishSenjunSample,
  SAMPLE_COURSE,
} from '../support/senjun-sample';

// "What does this print?" tasks in the browser, on a chapter of the senjun sample published at
// test time (support/senjun-sample.ts): task 0040 prints 10, checked by its wrapper_test.
const CHAPTER = 'python_chapter_0070';
const CHAPTER_URL = `/courses/${SAMPLE_COURSE}/chapters/${CHAPTER}`;
const TASK = 'python_chapter_0070_task_0040';
const PROGRAM_LINE = 'predicate = lambda x: x > 0';
const ANSWER_LABEL = 'Что напечатает программа';

const haveSample = haveSenjunChapter(CHAPTER);
if (!haveSample && !IN_CI) console.warn(missingSampleReason(CHAPTER));

// one student's way through the task: each step builds on the one before
test.describe.configure({ mode: 'serial' });

test.describe('a "what does this print?" task', () => {
  test.skip(!haveSample && !IN_CI, missingSampleReason(CHAPTER));

  test.beforeAll(() => {
    if (!haveSample) throw new Error(missingSampleReason(CHAPTER));
    publishSenjunSample([CHAPTER]);
  });

  test.beforeEach(async ({ page }) => {
    await signIn(page, STUDENT1, CHAPTER_URL);
    await expect(taskSection(page, TASK)).toBeVisible();
  });

  test('shows the program read-only, with no Run button until the task is solved', async ({
    page,
  }) => {
    const task = taskSection(page, TASK);
    await expect(task).toHaveAttribute('data-kind', 'output');
    const program = task.locator('[data-program]');
    await expect(program).toContainText(PROGRAM_LINE);
    await expect(program).toHaveAttribute('data-runnable', 'false');
    await expect(task.getByRole('button', { name: 'Запустить' })).toHaveCount(0);
    // nor is the program a runnable example anywhere else on the page
    await expect(page.locator('[data-example]').filter({ hasText: PROGRAM_LINE })).toHaveCount(0);
    // nor is there a code editor: a labelled monospace answer box instead
    await expect(task.locator('.cm-content')).toHaveCount(0);
    const box = task.getByLabel(ANSWER_LABEL);
    await expect(box).toBeEditable();
    await expect(box).toHaveCSS('font-family', /mono|Mono|Consolas|Menlo/);
    await expect(task.getByTestId('answer')).toHaveAttribute('data-state', 'locked');

    const results = await new AxeBuilder({ page })
      .include(`[data-task="${TASK}"]`)
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze();
    const bad = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(bad, bad.join('\n')).toEqual([]);
  });

  test('a wrong answer is "not what the program prints", without an exit code', async ({
    page,
  }) => {
    const task = taskSection(page, TASK);
    const box = task.getByLabel(ANSWER_LABEL);
    await box.fill('20');
    await box.press('ControlOrMeta+Enter');
    const verdict = task.getByTestId('final-verdict');
    await expect(verdict).toHaveAttribute('data-status', 'failed', { timeout: 90_000 });
    await expect(verdict).toHaveAttribute('role', 'status');
    await expect(verdict).toContainText('Это не то, что печатает программа.');
    await expect(verdict).not.toContainText('код выхода');
    await expect(verdict).not.toContainText('Traceback');
    await expect(task.getByTestId('task-solved')).toHaveCount(0);
    await expect(task.getByRole('button', { name: 'Запустить' })).toHaveCount(0);
  });

  test('the right answer solves it; then the program may run and prints it', async ({ page }) => {
    const task = taskSection(page, TASK);
    await task.getByLabel(ANSWER_LABEL).fill('10');
    await task.getByRole('button', { name: 'Отправить ответ' }).click();
    const verdict = task.getByTestId('final-verdict');
    await expect(verdict).toHaveAttribute('data-status', 'passed', { timeout: 90_000 });
    await expect(verdict).toContainText('Верно');
    await expect(task.getByTestId('task-solved')).toBeVisible();
    await expect(task.locator('[data-program]')).toHaveAttribute('data-runnable', 'true');
    await waitForPython(page);
    await task.getByRole('button', { name: 'Запустить' }).click();
    await expect(task.getByRole('log')).toContainText('10', { timeout: 30_000 });
  });

  test('after a reload the answer and the badge are there; hint, answer and history open', async ({
    page,
  }, testInfo) => {
    const task = taskSection(page, TASK);
    await expect(task.getByLabel(ANSWER_LABEL)).toHaveValue('10');
    await expect(task.getByTestId('task-solved')).toBeVisible();
    await expect(task.locator('[data-program]')).toHaveAttribute('data-runnable', 'true');

    await task.getByRole('button', { name: 'Показать подсказку' }).click();
    await expect(task.getByTestId('hint')).toContainText('принимает на вход список');
    await task.getByRole('button', { name: 'Показать ответ' }).click();
    await expect(task.getByTestId('answer')).toHaveAttribute('data-state', 'shown');
    await expect(task.getByTestId('answer')).toContainText('10');

    await task.getByText('История попыток').click();
    const attempts = task.locator('details ol > li');
    await expect(attempts.first()).toBeVisible();
    expect(await attempts.count()).toBeGreaterThanOrEqual(2);
    await expect(attempts.nth(1)).toContainText('Неверный ответ');
    await attempts.nth(1).getByRole('button').click();
    await expect(task.getByTestId('history-selected')).toContainText(
      'Это не то, что печатает программа.',
    );
    await task.screenshot({ path: testInfo.outputPath('output-task-desktop.png') });
  });

  test('at phone width the task fits and answers from the keyboard', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 375, height: 800 });
    const task = taskSection(page, TASK);
    await task.scrollIntoViewIfNeeded();
    const fits = await task.evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
    expect(fits).toBe(true);
    const box = task.getByLabel(ANSWER_LABEL);
    const width = (await box.boundingBox())?.width ?? 0;
    expect(width).toBeGreaterThan(250);
    await box.fill('10');
    await box.press('ControlOrMeta+Enter');
    await expect(task.getByTestId('final-verdict')).toHaveAttribute('data-status', 'passed', {
      timeout: 90_000,
    });
    await task.screenshot({ path: testInfo.outputPath('output-task-phone.png') });
  });
});
