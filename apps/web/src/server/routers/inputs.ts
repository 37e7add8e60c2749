import { z } from 'zod';

/** Ids as the content compiler makes them: course dir names, chapter and task ids. */
export const slug = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.-]+$/, 'only letters, digits, "_", "-" and "." are allowed');

export const courseInput = z.object({ course: slug });
export const chapterInput = z.object({ course: slug, chapter: slug });
/** A task of the page's course: task ids are unique only within a course. */
export const taskInput = z.object({ courseSlug: slug, taskId: slug });
/** An attempt, read on a page of its course. */
export const attemptIdInput = z.object({ id: z.string().min(1).max(64), courseSlug: slug });

/** Code sent by the browser: the size cap is checked in bytes by assertCodeSize (clear message). */
export const codeField = z.string().max(256 * 1024, 'the code is far over the 64 KiB limit');
