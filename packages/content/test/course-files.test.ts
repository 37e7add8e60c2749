// The rules a course's file map passes before it is compiled (paths, UTF-8, where the course is
// in an upload), and compiling a map gives what compiling the directory gives.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compileCourse,
  compileCourseFiles,
  decodeUtf8,
  locateCourse,
  SHIPPED_COURSE_DIR,
  unsafePathReason,
} from '../src/index.ts';

describe('course files', () => {
  it('refuses unsafe paths, accepts ordinary ones', () => {
    for (const bad of [
      '../x',
      'a/../../x',
      '/etc/passwd',
      'C:/x',
      'a\\b',
      'a//b',
      './a',
      'a\u0000b',
    ])
      expect(unsafePathReason(bad), bad).not.toBeNull();
    expect(unsafePathReason('python_chapter_0320/tasks/t/tests_public.py')).toBeNull();
  });

  it('finds the first byte that is not UTF-8, with its line and column', () => {
    expect(decodeUtf8(Buffer.from('ok\nтекст\n'))).toEqual({ ok: true, text: 'ok\nтекст\n' });
    expect(decodeUtf8(Buffer.from('a\nb\nCaf\xe9\n', 'latin1'))).toEqual({
      ok: false,
      line: 3,
      column: 4,
    });
    // an overlong encoding and a lone continuation byte
    expect(decodeUtf8(Uint8Array.from([0x41, 0xc0, 0x80]))).toMatchObject({ ok: false, column: 2 });
    expect(decodeUtf8(Uint8Array.from([0x80]))).toMatchObject({ ok: false, line: 1, column: 1 });
  });

  it('locates the course directory in an upload', () => {
    expect(locateCourse(['repo/python/python_chapter_0010/text.md', 'repo/README.md'])).toEqual({
      ok: true,
      root: 'repo/python',
      courseId: 'python',
    });
    expect(locateCourse(['python_chapter_0010/text.md'])).toEqual({
      ok: true,
      root: '',
      courseId: 'python',
    });
    expect(locateCourse(['README.md'])).toMatchObject({ ok: false });
    expect(
      locateCourse([
        'a/python/python_chapter_0010/text.md',
        'b/python/python_chapter_0020/text.md',
      ]),
    ).toMatchObject({ ok: false });
  });

  it('a file map of the shipped course compiles to the same course as its directory', () => {
    const files: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else files[relative(SHIPPED_COURSE_DIR, p)] = readFileSync(p, 'utf8');
      }
    };
    walk(SHIPPED_COURSE_DIR);
    const fromMap = compileCourseFiles('python', files);
    expect(fromMap.errors).toEqual([]);
    expect(fromMap.course?.hash).toBe(compileCourse(SHIPPED_COURSE_DIR).course?.hash);
    expect(compileCourseFiles('python', { ...files, '../escape': 'x' }).errors[0]).toMatchObject({
      file: '../escape',
    });
  });
});
