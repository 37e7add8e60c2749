import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import {
  CHAPTER_URL,
  STUDENT2,
  signIn,
  TASK_0020,
  taskSection,
  waitForPython,
} from '../support/app';

test.describe('the chapter page is accessible', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, STUDENT2, CHAPTER_URL);
  });

  test('axe: no serious or critical violations', async ({ page }) => {
    await waitForPython(page);
    // an example with output and a task with a verdict on screen, too
    const example = page.locator('[data-example]').first();
    await example.getByRole('button', { name: 'Запустить' }).click();
    await expect(example.getByRole('log')).toContainText('coroutine');
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const summary = bad.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
    expect(summary, summary.join('\n')).toEqual([]);
  });

  test('keyboard only: skip link, run an example, edit and run a task, check it', async ({
    page,
  }) => {
    await waitForPython(page);
    // the first Tab reaches the skip link, Enter moves focus to the content
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Перейти к содержанию' });
    await expect(skip).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator('#main')).toBeFocused();

    // Tab until the first example's Run button has focus, then Enter runs it
    const run = page.locator('[data-example]').first().getByRole('button', { name: 'Запустить' });
    for (let i = 0; i < 60 && !(await run.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    await expect(run).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator('[data-example]').first().getByRole('log')).toContainText(
      'coroutine',
    );
    // the focus is visible: an outline is drawn around the focused button
    const outline = await run.evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe('none');

    // into the task's editor with Tab, type, Ctrl+Enter runs, Ctrl+Shift+Enter checks
    const task = taskSection(page, TASK_0020);
    const editor = task.locator('.cm-content, textarea').first();
    await editor.focus();
    await expect(editor).toBeFocused();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.insertText('\nprint("from the keyboard")\n');
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect(task.getByRole('log')).toContainText('from the keyboard', { timeout: 30_000 });
    await page.keyboard.press('ControlOrMeta+Shift+Enter');
    await expect(task.getByTestId('quick-verdict')).toHaveAttribute(
      'data-status',
      /passed|failed|error|timeout/,
      {
        timeout: 60_000,
      },
    );

    // the hint opens from the keyboard too
    const hint = task.getByRole('button', { name: 'Показать подсказку' });
    await hint.focus();
    await page.keyboard.press('Enter');
    await expect(task.getByTestId('hint')).toContainText('asyncio.sleep(1)');
  });
});
