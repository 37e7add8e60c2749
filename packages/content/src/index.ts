import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export { type Attributes, parseFenceInfo, splitTrailingAttributes } from './attrs.ts';
export {
  type CompileChapterOptions,
  type CompileChapterResult,
  compileChapter,
  isRunnable,
  KNOWN_CLASSES,
  parseTaskJson,
  RUNNABLE_LANGUAGE,
  type TaskFiles,
} from './compile.ts';
export {
  type CompileCourseResult,
  compileCourse,
  courseLanguage,
  readTaskFiles,
} from './course.ts';
export {
  COURSE_FILE_LIMITS,
  type CourseFileError,
  checkCourseFiles,
  compileCourseFiles,
  decodeUtf8,
  locateCourse,
  unsafePathReason,
} from './course-files.ts';
export {
  type DoctorDetail,
  type DoctorReport,
  doctorOk,
  runDoctor,
} from './doctor/doctor.ts';
export type { DoctorRunner, ProgramResult, TaskCheckResult } from './doctor/runner.ts';
export { gradeRequestFor } from './grading.ts';
export { sha256, stableStringify } from './hash.ts';
export { normalizeTypedOutput, typedOutputMatches } from './output.ts';
export * from './schema.ts';
export { slugify } from './slug.ts';

/** The course shipped with the platform (`packages/content/courses/python`). */
// from the module's path string: under jsdom (the ui tests) the global URL is not Node's
export const SHIPPED_COURSE_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../courses/python',
);
