import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import {
  CHAPTER_URL,
  finalCheck,
  referenceAnswer,
  setCode,
  signIn,
  starterCode,
  TASK_0020,
  taskSection,
} from '../support/app';
import { cohortWithNewStudents, INSTRUCTOR } from '../support/cohort';

// The proof: wrong answers grouped live, a note reaching the student, a cell turning
// solved within 5 s, the CSV exports. Its own cohort and students, so earlier specs' attempts
// (the demo students') are not in its groups.

/** Submits `code` to task 0020's final check and waits for the verdict. */
async function submit(page: Page, code: string, expected: 'passed' | 'failed') {
  const task = taskSection(page, TASK_0020);
  await setCode(page, task, code);
  const verdict = await finalCheck(task);
  await expect(verdict).toHaveAttribute('data-status', expected);
}

test('an instructor sees a wrong answer grouped live, comments on it, and watches it solved', async ({
  page,
  browser,
}) => {
  const { slug, students } = await cohortWithNewStudents(browser, ['Ева Первая', 'Фёдор Второй']);
  const [first, second] = students as [(typeof students)[0], (typeof students)[0]];
  const one = first.page;
  const two = second.page;
  const base = `/instructor/${slug}`;

  // the instructor watches the task before anyone has tried it
  await signIn(page, INSTRUCTOR, `${base}/tasks/${TASK_0020}`);
  await expect(page.getByRole('heading', { name: 'Неверные ответы по группам' })).toBeVisible();
  await expect(page.getByTestId('failure-group')).toHaveCount(0);

  // a student gets the dashboards refused
  await one.goto('/instructor');
  await expect(one.getByTestId('forbidden')).toBeVisible();
  await one.goto(CHAPTER_URL);

  // the same mistake (time.sleep left in) twice by one student, once by another
  await submit(one, starterCode(TASK_0020), 'failed');
  await submit(one, starterCode(TASK_0020), 'failed');
  await submit(two, starterCode(TASK_0020), 'failed');

  // one group of 2 students, 3 attempts, without a reload
  const group = page.getByTestId('failure-group');
  await expect(group).toHaveCount(1);
  await expect(group).toHaveAttribute('data-students', '2');
  await expect(group).toHaveAttribute('data-attempts', '3');
  await expect(group.getByTestId('group-message')).toContainText('time.sleep()');

  // the instructor comments on it; the students see it on the task
  const note = `Замените time.sleep на await asyncio.sleep — ${Date.now()}`;
  await group.getByLabel('Комментарий для студентов').fill(note);
  await group.getByRole('button', { name: 'Сохранить комментарий' }).click();
  await expect(group.getByRole('status').filter({ hasText: 'Комментарий сохранён' })).toBeVisible();
  await expect(group.getByTestId('saved-note')).toContainText(note);
  await one.reload();
  const aside = taskSection(one, TASK_0020).getByRole('complementary', {
    name: 'Ваш преподаватель пишет',
  });
  await expect(aside).toContainText(note);

  // the overview: the first student's cell is failing, then solved within 5 s of the verdict
  await page.goto(base);
  // the cell's accessible name starts with the student's name (cellLabel)
  const cell = page.locator(`td[data-task="${TASK_0020}"][aria-label^="${first.name} — "]`);
  await expect(cell).toHaveAttribute('data-state', 'failing');
  await expect(cell).toHaveAttribute(
    'aria-label',
    /Ева Первая — .*: не решено: финальных попыток 2/,
  );
  await submit(one, referenceAnswer(TASK_0020), 'passed');
  await expect(cell).toHaveAttribute('data-state', 'solved', { timeout: 5_000 });
  await expect(cell).toHaveText('3');

  // the matrix CSV through its link, the attempts CSV by URL: both parse
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-matrix').click(),
  ]);
  const matrix: string[][] = parse(readFileSync((await download.path()) as string, 'utf8'));
  expect(matrix.length).toBe(3); // a header and two students
  const column = matrix[0]!.indexOf(TASK_0020);
  expect(column).toBeGreaterThan(0);
  expect(matrix.find((row) => row.includes(first.email))?.[column]).toBe('solved (3)');
  expect(matrix.find((row) => row.includes(second.email))?.[column]).toBe('failing (1)');
  const response = await page.request.get(`/api/cohorts/${slug}/export/attempts.csv`);
  expect(response.ok()).toBe(true);
  expect(response.headers()['content-type']).toContain('text/csv');
  const attempts: string[][] = parse(await response.text());
  const status = attempts[0]!.indexOf('status');
  const firstRows = attempts.filter((row) => row.includes(first.email));
  expect(firstRows.map((row) => row[status])).toEqual(['failed', 'failed', 'passed']);

  await one.context().close();
  await two.context().close();
});
