import { expect, test } from '@playwright/test';
import { STUDENT1, signIn } from '../support/app';

test.describe('sign-in', () => {
  test('pages for students need a session', async ({ page }) => {
    await page.goto('/courses/python');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fcourses%2Fpython/);
  });

  test('a wrong password and an unknown email get the same message', async ({ page }) => {
    await page.goto('/sign-in');
    await page.getByLabel('Эл. почта').fill(STUDENT1.email);
    await page.getByLabel('Пароль').fill('not-the-password');
    await page.getByRole('button', { name: 'Войти' }).click();
    const alert = page.locator('form [role="alert"]');
    await expect(alert).toBeVisible();
    const wrongPassword = await alert.textContent();

    await page.getByLabel('Эл. почта').fill('nobody-here@lms.local');
    await page.getByLabel('Пароль').fill('not-the-password');
    await page.getByRole('button', { name: 'Войти' }).click();
    await expect(alert).toBeVisible();
    expect(await alert.textContent()).toBe(wrongPassword);
  });

  test('a demo student signs in, sees the catalog and the course, switches language, signs out', async ({
    page,
  }) => {
    await signIn(page, STUDENT1);
    await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
    await page.getByRole('link', { name: 'Python' }).first().click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Python');
    await expect(page.getByRole('progressbar').first()).toBeVisible();

    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { name: 'Chapters' })).toBeVisible();
    await page.getByRole('button', { name: 'Русский' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'ru');

    await page.getByRole('button', { name: /Меню пользователя/ }).click();
    await page.getByRole('button', { name: 'Выйти' }).click();
    await expect(page).toHaveURL(/\/sign-in/);
  });
});
