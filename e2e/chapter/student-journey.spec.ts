import { expect, test } from '@playwright/test';
import {
  CHAPTER_URL,
  finalCheck,
  quickCheck,
  referenceAnswer,
  STUDENT1,
  setCode,
  signIn,
  starterCode,
  TASK_0010,
  TASK_0020,
  taskSection,
  waitForPython,
} from '../support/app';

// The proof, in order, as one student: each step builds on the one before.
test.describe.configure({ mode: 'serial' });

test.describe('a student reads, runs, solves and submits', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, STUDENT1, CHAPTER_URL);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('asyncio');
  });

  test('the second example runs in the browser and prints 100, 42, main ended', async ({
    page,
  }) => {
    await waitForPython(page);
    const example = page.locator('[data-example]').nth(1);
    await expect(example).toContainText('c.send(None)');
    await example.getByRole('button', { name: 'Запустить' }).click();
    const output = example.getByRole('log');
    await expect(output).toHaveText(/100\s+42\s+main ended/);
    await expect(example).toContainText('Вывод совпадает с ожидаемым');
  });

  test('before it is earned, the answer is not in the page', async ({ page }) => {
    const html = await page.content();
    // a line only the reference answers have
    expect(html).not.toContain('while not os.path.exists(path)');
    expect(html).not.toContain('await asyncio.sleep(1)\n\n\nasync def sum');
    await expect(taskSection(page, TASK_0010).getByTestId('answer')).toHaveAttribute(
      'data-state',
      'locked',
    );
    await expect(taskSection(page, TASK_0020).getByTestId('answer')).toHaveAttribute(
      'data-state',
      'locked',
    );
  });

  test('task 0020 with time.sleep left in fails the quick and the final check, saying why', async ({
    page,
  }) => {
    await waitForPython(page);
    const task = taskSection(page, TASK_0020);
    await setCode(page, task, starterCode(TASK_0020));
    const quick = await quickCheck(task);
    await expect(quick).toHaveAttribute('data-status', 'failed');
    await expect(quick).toContainText('time.sleep()');
    await expect(quick).toContainText('asyncio.sleep');
    const final = await finalCheck(task);
    await expect(final).toHaveAttribute('data-status', 'failed');
    await expect(final).toContainText('time.sleep()');
    await expect(final).not.toContainText('Traceback');
  });

  test('task 0020 solved: quick check passes, final check passes', async ({ page }) => {
    await waitForPython(page);
    const task = taskSection(page, TASK_0020);
    await setCode(page, task, referenceAnswer(TASK_0020));
    const quick = await quickCheck(task);
    await expect(quick).toHaveAttribute('data-status', 'passed');
    const final = await finalCheck(task);
    await expect(final).toHaveAttribute('data-status', 'passed');
    await expect(task.getByTestId('task-solved')).toBeVisible();
    // earned now: the answer can be opened
    await expect(task.getByTestId('answer')).toHaveAttribute('data-state', 'available');
    await task.getByRole('button', { name: 'Показать ответ' }).click();
    await expect(task.getByTestId('answer')).toHaveAttribute('data-state', 'shown');
    await expect(task.getByTestId('answer')).toContainText('await asyncio.sleep(1)');
  });

  test('task 0010 (threading.Timer) solved in the browser and on the server', async ({ page }) => {
    await waitForPython(page);
    const task = taskSection(page, TASK_0010);
    await setCode(page, task, referenceAnswer(TASK_0010));
    await task.getByRole('button', { name: 'Запустить' }).click();
    await expect(task.getByRole('log')).toHaveText(/tick\s+tick\s+exists!/, { timeout: 30_000 });
    const quick = await quickCheck(task);
    await expect(quick).toHaveAttribute('data-status', 'passed');
    const final = await finalCheck(task);
    await expect(final).toHaveAttribute('data-status', 'passed');
    await expect(page.getByTestId('chapter-progress')).toHaveAttribute('data-done', 'true');
  });

  test('after a reload the draft and the progress are still there', async ({ page }) => {
    const task = taskSection(page, TASK_0010);
    const marker = `# draft kept ${Date.now()}`;
    await setCode(page, task, `${referenceAnswer(TASK_0010)}\n${marker}\n`);
    await expect(task.getByTestId('draft-state')).toHaveAttribute('data-state', 'saved', {
      timeout: 30_000,
    });
    await page.reload();
    const again = taskSection(page, TASK_0010);
    await expect(again).toContainText(marker);
    await expect(again.getByTestId('task-solved')).toBeVisible();
    await expect(taskSection(page, TASK_0020).getByTestId('task-solved')).toBeVisible();
    await expect(page.getByTestId('chapter-progress')).toHaveAttribute('data-done', 'true');
    await expect(page.getByTestId('chapter-progress')).toContainText('2 из 2');
    // the attempt history lists the verdicts
    await again.getByText('История попыток').click();
    await expect(again.getByRole('list').filter({ hasText: 'Попытка' }).first()).toBeVisible();
  });
});
