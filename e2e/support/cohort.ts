import { type APIRequestContext, type Browser, expect, type Page } from '@playwright/test';
import { CHAPTER_URL, COURSE, signIn } from './app';

/** Demo accounts of the staff side (packages/db/src/seed.ts). */
export const ADMIN = { email: 'admin@lms.local', password: 'demo-admin-pass' };
export const INSTRUCTOR = { email: 'instructor@lms.local', password: 'demo-instructor-pass' };

/**
 * A tRPC mutation over HTTP as the request context's user (superjson's `{ json }` envelope, as
 * the app's own client sends it); a refusal fails with the server's message.
 */
export async function trpcMutation<T>(
  request: APIRequestContext,
  path: string,
  input: unknown,
): Promise<T> {
  const response = await request.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await response.json()) as {
    result?: { data?: { json?: T } };
    error?: { json?: { message?: string } };
  };
  if (!response.ok() || !body.result?.data) {
    throw new Error(
      `${path}: ${response.status()} ${body.error?.json?.message ?? JSON.stringify(body)}`,
    );
  }
  return body.result.data.json as T;
}

/** A student who signed up through the page; `page` is their own signed-in browser tab. */
export type Student = { name: string; email: string; password: string; page: Page };

let stamps = 0;
/** Unique per call, per process and over time: a spec never meets another spec's accounts. */
export function uniqueStamp(): string {
  stamps++;
  return `${Date.now().toString(36)}${process.pid.toString(36)}${stamps}`;
}

/**
 * A new student who signs up on the sign-up page, in a browser context of their own, left
 * signed in on the chapter page (the demo students' work is other specs' business).
 */
export async function signUpStudent(
  browser: Browser,
  name: string,
  stamp = uniqueStamp(),
): Promise<Student> {
  const email = `e2e-${stamp}@lms.local`;
  const password = `e2e-pass-${stamp}`;
  const page = await (await browser.newContext()).newPage();
  await page.goto(`/sign-up?next=${encodeURIComponent(CHAPTER_URL)}`);
  await page.getByLabel('Имя').fill(name);
  await page.getByLabel('Эл. почта').fill(email);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Создать аккаунт' }).click();
  await page.waitForURL((url) => url.pathname === CHAPTER_URL);
  return { name, email, password, page };
}

/**
 * A new cohort of the shipped course, taught by the demo instructor, with new students who sign
 * up on the sign-up page and are enrolled by the admin (the admins' cohort procedures), each in
 * a browser context of their own, left on the chapter page. Unique slug and e-mails: a spec
 * never meets another spec's work.
 */
export async function cohortWithNewStudents(
  browser: Browser,
  names: string[],
): Promise<{ slug: string; students: Student[] }> {
  const stamp = uniqueStamp();
  const slug = `e2e-${stamp}`;
  const students: Student[] = [];
  for (const [i, name] of names.entries()) {
    students.push(await signUpStudent(browser, name, `${stamp}-${i}`));
  }

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, ADMIN, '/courses');
  const cohort = await trpcMutation<{ id: string }>(admin.request, 'admin.cohorts.create', {
    slug,
    name: `E2E ${stamp}`,
    courseSlug: COURSE,
  });
  await trpcMutation(admin.request, 'admin.cohorts.addInstructor', {
    cohortId: cohort.id,
    email: INSTRUCTOR.email,
  });
  const report = await trpcMutation<{ enrolled: unknown[] }>(admin.request, 'admin.cohorts.enrol', {
    cohortId: cohort.id,
    text: students.map((s) => s.email).join('\n'),
    format: 'lines',
  });
  expect(report.enrolled).toHaveLength(students.length);
  await admin.context().close();
  return { slug, students };
}
