import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const COURSE_DIR = fileURLToPath(new URL('../courses/python', import.meta.url));
export const SEED_CHAPTER = fileURLToPath(
  new URL('../courses/python/python_chapter_0320/text.md', import.meta.url),
);
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
