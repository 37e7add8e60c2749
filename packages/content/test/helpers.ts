import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const COURSE_DIR = fileURLToPath(new URL('../courses/python', import.meta.url));
export const SEED_CHAPTER = fileURLToPath(
  new URL('../courses/python/python_chapter_0320/text.md', import.meta.url),
);
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/**
 * The senjun sample (first 10 chapters of the public Python course, GPL-3.0, used for tests
 * and never copied into the repo), beside the clone in the shared folder.
 */
export const SENJUN_SAMPLE_DIR = fileURLToPath(
  new URL('../../../../shared/senjun-sample/python', import.meta.url),
);
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
