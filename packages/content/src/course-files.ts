import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type CompileCourseResult, compileCourse } from './course.ts';
import type { ContentError } from './schema.ts';

/**
 * A course as a map of files ({ "<path in the course dir>": text }): what an upload, a release's
 * source and the admins' editor hold. The rules every such map must pass before it is compiled
 * (safe relative paths, UTF-8 text, size caps), where the course directory is inside an upload,
 * and compiling one with the very compiler `lms-content build` runs (written to a private temp
 * directory, so the result is exactly the directory compile's).
 */

/** The caps on a course's files (an upload is refused past any of them, nothing stored). */
export const COURSE_FILE_LIMITS = {
  /** files in the course */
  maxFiles: 5000,
  /** one file's size (bytes, uncompressed) */
  maxFileBytes: 2 * 1024 * 1024,
  /** every file together (bytes, uncompressed) */
  maxTotalBytes: 50 * 1024 * 1024,
  /** a path's length */
  maxPathLength: 300,
} as const;

/** A course-file problem: the file, and where in it when known. */
export type CourseFileError = ContentError;

const fileError = (file: string, message: string, line = 1, column = 1): CourseFileError => ({
  file,
  line,
  column,
  message,
});

/**
 * Why `path` (as an upload names it, `/`-separated) may not be a course file, or null when it
 * may: absolute paths, drive letters, backslashes, `..`, `.` and empty segments, control
 * characters and over-long paths are refused.
 */
export function unsafePathReason(path: string): string | null {
  if (path.length === 0) return 'empty path';
  if (path.length > COURSE_FILE_LIMITS.maxPathLength)
    return `path longer than ${COURSE_FILE_LIMITS.maxPathLength} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'control character in the path';
  if (path.includes('\\')) return 'backslash in the path (zip paths use "/")';
  if (path.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(path)) return 'drive-letter path';
  const segments = path.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..')) return '".." in the path';
  if (segments.some((s) => s === '' || s === '.')) return 'empty or "." segment in the path';
  return null;
}

/**
 * The bytes as UTF-8 text, or the line and column of the first byte that is not UTF-8 (a
 * course's files are text; Latin-1 or UTF-16 would show as mojibake to every reader).
 */
export function decodeUtf8(
  bytes: Uint8Array,
): { ok: true; text: string } | { ok: false; line: number; column: number } {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < bad; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    return { ok: false, line, column: bad - lineStart + 1 };
  }
}

/** The offset of the first byte of a sequence that is not well-formed UTF-8 (RFC 3629). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let need = 0;
    let min = 0;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) [need, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [need, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= b.length) return i; // cut short at the end
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const x = b[i + k]!;
      if ((x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return b.length;
}

const CHAPTER_TEXT = /^(?:(.*)\/)?([^/]+)_chapter_\d+\/text\.md$/;

/**
 * Where the course directory is in an upload's paths: the directory that holds
 * `<course>_chapter_NNNN/text.md` (the upload's root, or one folder such as `python/` or
 * `repo-main/python/`), and the course id (that directory's name, else the chapters' prefix).
 * An error when no chapter is found or chapters sit in two places.
 */
export function locateCourse(
  paths: readonly string[],
): { ok: true; root: string; courseId: string } | { ok: false; message: string } {
  const roots = new Map<string, string>();
  for (const p of paths) {
    const m = CHAPTER_TEXT.exec(p);
    if (!m) continue;
    const root = m[1] ?? '';
    // a course dir's chapters are named after it; at the upload's root, after the course
    const name = root === '' ? m[2]! : root.split('/').pop()!;
    if (root !== '' && m[2] !== name) continue;
    roots.set(root, name);
  }
  if (roots.size === 0) {
    return {
      ok: false,
      message:
        'no chapter found: a course is a directory of <course>_chapter_NNNN/text.md files (e.g. python/python_chapter_0320/text.md)',
    };
  }
  if (roots.size > 1) {
    return {
      ok: false,
      message: `chapters in more than one place (${[...roots.keys()].map((r) => r || '(root)').join(', ')}): upload one course`,
    };
  }
  const [[root, courseId]] = [...roots] as [[string, string]];
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(courseId)) {
    return {
      ok: false,
      message: `course directory "${courseId}": only letters, digits, "_", "-" and "." are allowed`,
    };
  }
  return { ok: true, root, courseId };
}

/**
 * Checks a course's file map against the caps and the path rules: every problem, each naming
 * its file (empty when the map may be compiled).
 */
export function checkCourseFiles(files: Record<string, string>): CourseFileError[] {
  const errors: CourseFileError[] = [];
  const paths = Object.keys(files);
  if (paths.length > COURSE_FILE_LIMITS.maxFiles) {
    errors.push(
      fileError('.', `${paths.length} files; at most ${COURSE_FILE_LIMITS.maxFiles} are allowed`),
    );
  }
  let total = 0;
  for (const path of paths) {
    const why = unsafePathReason(path);
    if (why) errors.push(fileError(path, `refused: ${why}`));
    const size = Buffer.byteLength(files[path]!, 'utf8');
    total += size;
    if (size > COURSE_FILE_LIMITS.maxFileBytes) {
      errors.push(
        fileError(
          path,
          `${size} bytes; a file may have at most ${COURSE_FILE_LIMITS.maxFileBytes}`,
        ),
      );
    }
  }
  if (total > COURSE_FILE_LIMITS.maxTotalBytes) {
    errors.push(
      fileError(
        '.',
        `${total} bytes in all; at most ${COURSE_FILE_LIMITS.maxTotalBytes} are allowed`,
      ),
    );
  }
  return errors;
}

/**
 * Compiles a course given as a file map: the map is checked (`checkCourseFiles`), written to a
 * private temp directory named after the course and compiled by `compileCourse`; the directory
 * is removed afterwards unless `keep` (the doctor runs on it: call `cleanup` when done).
 */
export function compileCourseFiles(
  courseId: string,
  files: Record<string, string>,
  options: { keep?: boolean } = {},
): CompileCourseResult & { dir: string | null; cleanup: () => void } {
  const problems = checkCourseFiles(files);
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(courseId) || courseId === '.' || courseId === '..') {
    problems.push(fileError('.', `course id "${courseId}" is not a directory name`));
  }
  if (problems.length > 0) {
    return { course: null, errors: problems, warnings: [], chapters: [], dir: null, cleanup() {} };
  }
  const base = mkdtempSync(join(tmpdir(), 'lms-course-'));
  const cleanup = () => rmSync(base, { recursive: true, force: true });
  try {
    const dir = join(base, courseId);
    mkdirSync(dir, { mode: 0o700 });
    for (const [path, text] of Object.entries(files)) {
      const file = join(dir, ...path.split('/'));
      try {
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        // a file and a directory of one name (`a` and `a/b`): the map is not a directory tree
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        cleanup();
        const message = `cannot be written as part of the course directory (${code}): a file and a folder share this name`;
        return {
          course: null,
          errors: [fileError(path, message)],
          warnings: [],
          chapters: [],
          dir: null,
          cleanup() {},
        };
      }
    }
    const result = compileCourse(dir);
    if (!options.keep) cleanup();
    return { ...result, dir: options.keep ? dir : null, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}
