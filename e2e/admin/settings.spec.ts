import { expect, test } from '@playwright/test';
import { signIn } from '../support/app';

const ADMIN = { email: 'admin@lms.local', password: 'demo-admin-pass' };

test('an admin closes sign-up: the link disappears and the page says so; then opens it again', async ({
  page,
  browser,
}) => {
  await signIn(page, ADMIN, '/admin/settings');
  const toggle = page.getByRole('switch', { name: 'Разрешить регистрацию новых пользователей' });
  await expect(toggle).toBeChecked();
  await toggle.press('Space'); // keyboard, like everything else
  await expect(page.getByText('Сохранено')).toBeVisible();
  await expect(toggle).not.toBeChecked();

  const visitor = await browser.newContext();
  const anon = await visitor.newPage();
  await anon.goto('/sign-in');
  await expect(anon.getByRole('button', { name: 'Войти' })).toBeVisible();
  await expect(anon.getByRole('link', { name: 'Регистрация' })).toHaveCount(0);
  await anon.goto('/sign-up');
  await expect(anon.getByText('Регистрация сейчас закрыта')).toBeVisible();
  await expect(anon.getByRole('button', { name: 'Создать аккаунт' })).toHaveCount(0);

  await toggle.press('Space');
  await expect(toggle).toBeChecked();
  // the switch flips at once; wait until the server has saved it (the switch is disabled
  // while the save is pending, and "saved" is shown again after it)
  await expect(toggle).toBeEnabled();
  await expect(page.getByText('Сохранено')).toBeVisible();
  await anon.goto('/sign-in');
  await expect(anon.getByRole('link', { name: 'Регистрация' })).toBeVisible();
  await visitor.close();
});
