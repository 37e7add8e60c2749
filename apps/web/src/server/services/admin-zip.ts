import {
  COURSE_FILE_LIMITS,
  type CourseFileError,
  decodeUtf8,
  locateCourse,
  unsafePathReason,
} from '@lms/content';
import yauzl from 'yauzl';

/**
 * An uploaded course zip as a course file map, with the defences an upload needs before any of
 * it is compiled or stored: at most ZIP_LIMITS.maxEntries entries, each at most
 * COURSE_FILE_LIMITS.maxFileBytes and all together at most COURSE_FILE_LIMITS.maxTotalBytes
 * uncompressed — checked on the sizes the zip declares and again on the bytes actually
 * inflated (a zip bomb that lies about its sizes is cut off at the cap); `../`, absolute and
 * drive-letter paths, symlinks, encrypted entries and text that is not UTF-8 are refused.
 * Every problem names the entry (and the line, for bad text).
 */

export const ZIP_LIMITS = {
  /** the zip itself (bytes) */
  maxZipBytes: 16 * 1024 * 1024,
  /** entries in the zip, directories included */
  maxEntries: 5000,
} as const;

export type ZipCourse =
  | { ok: true; courseId: string; files: Record<string, string>; skipped: string[] }
  | { ok: false; errors: CourseFileError[] };

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Names a zip tool adds that are not part of a course (macOS metadata, dot-files). */
const isJunk = (path: string) =>
  path.split('/').some((s) => s === '__MACOSX' || (s.startsWith('.') && s !== '.' && s !== '..'));

/** Reads the zip and returns its course, or every problem found (nothing is kept). */
export async function readCourseZip(zip: Buffer): Promise<ZipCourse> {
  const fail = (file: string, message: string, line = 1): ZipCourse => ({
    ok: false,
    errors: [{ file, line, column: 1, message }],
  });
  if (zip.length > ZIP_LIMITS.maxZipBytes) {
    return fail('(upload)', `the zip is ${zip.length} bytes; at most ${ZIP_LIMITS.maxZipBytes}`);
  }
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await yauzl.fromBufferPromise(zip, {
      lazyEntries: true,
      // names are checked by our own rules below (which name the entry), not yauzl's
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (error) {
    return fail('(upload)', `not a readable zip file: ${(error as Error).message}`);
  }
  if (zipfile.entryCount > ZIP_LIMITS.maxEntries) {
    zipfile.close();
    return fail(
      '(upload)',
      `the zip has ${zipfile.entryCount} entries; at most ${ZIP_LIMITS.maxEntries}`,
    );
  }
  const errors: CourseFileError[] = [];
  const raw = new Map<string, string>();
  const skipped: string[] = [];
  let declaredTotal = 0;
  let inflatedTotal = 0;
  try {
    for await (const entry of entries(zipfile)) {
      const name = entryName(entry);
      const why = unsafePathReason(name);
      if (why) {
        errors.push({ file: name, line: 1, column: 1, message: `refused: ${why}` });
        continue;
      }
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      if (mode === S_IFLNK) {
        errors.push({ file: name, line: 1, column: 1, message: 'refused: a symbolic link' });
        continue;
      }
      if (name.endsWith('/')) continue; // a directory
      if (isJunk(name)) {
        skipped.push(name);
        continue;
      }
      if (entry.isEncrypted()) {
        errors.push({ file: name, line: 1, column: 1, message: 'refused: an encrypted entry' });
        continue;
      }
      if (entry.uncompressedSize > COURSE_FILE_LIMITS.maxFileBytes) {
        errors.push({
          file: name,
          line: 1,
          column: 1,
          message: `${entry.uncompressedSize} bytes uncompressed; a file may have at most ${COURSE_FILE_LIMITS.maxFileBytes}`,
        });
        continue;
      }
      declaredTotal += entry.uncompressedSize;
      if (declaredTotal > COURSE_FILE_LIMITS.maxTotalBytes) {
        return fail(
          '(upload)',
          `over ${COURSE_FILE_LIMITS.maxTotalBytes} bytes uncompressed in all: refused (a zip bomb?)`,
        );
      }
      const bytes = await inflate(zipfile, entry, COURSE_FILE_LIMITS.maxFileBytes);
      if (bytes === null) {
        errors.push({
          file: name,
          line: 1,
          column: 1,
          message: `inflates past ${COURSE_FILE_LIMITS.maxFileBytes} bytes: refused (a zip bomb?)`,
        });
        continue;
      }
      inflatedTotal += bytes.length;
      if (inflatedTotal > COURSE_FILE_LIMITS.maxTotalBytes) {
        return fail(
          '(upload)',
          `over ${COURSE_FILE_LIMITS.maxTotalBytes} bytes uncompressed in all: refused (a zip bomb?)`,
        );
      }
      const text = decodeUtf8(bytes);
      if (!text.ok) {
        errors.push({
          file: name,
          line: text.line,
          column: text.column,
          message: 'not UTF-8 text (save the file as UTF-8)',
        });
        continue;
      }
      if (raw.has(name)) {
        errors.push({ file: name, line: 1, column: 1, message: 'appears twice in the zip' });
        continue;
      }
      raw.set(name, text.text);
    }
  } catch (error) {
    return fail('(upload)', `the zip is damaged: ${(error as Error).message}`);
  } finally {
    zipfile.close();
  }
  if (errors.length > 0) return { ok: false, errors };
  const where = locateCourse([...raw.keys()]);
  if (!where.ok) return fail('(upload)', where.message);
  const prefix = where.root ? `${where.root}/` : '';
  const files: Record<string, string> = {};
  for (const [path, text] of raw) {
    if (path.startsWith(prefix)) files[path.slice(prefix.length)] = text;
    else skipped.push(path);
  }
  return { ok: true, courseId: where.courseId, files, skipped };
}

/** A zip's entry name as text: UTF-8 when the zip says so (or it decodes as such), else Latin-1. */
function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileNameRaw;
  const utf8 = decodeUtf8(raw);
  return utf8.ok ? utf8.text : raw.toString('latin1');
}

/** The zip's entries one by one (lazyEntries). */
async function* entries(zipfile: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  while (true) {
    const next = await new Promise<yauzl.Entry | null>((resolve, reject) => {
      const onEntry = (e: yauzl.Entry) => {
        cleanup();
        resolve(e);
      };
      const onEnd = () => {
        cleanup();
        resolve(null);
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const cleanup = () => {
        zipfile.off('entry', onEntry);
        zipfile.off('end', onEnd);
        zipfile.off('error', onError);
      };
      zipfile.on('entry', onEntry);
      zipfile.on('end', onEnd);
      zipfile.on('error', onError);
      zipfile.readEntry();
    });
    if (next === null) return;
    yield next;
  }
}

/** The entry's bytes, or null once they pass `cap` (the stream is destroyed there). */
async function inflate(zipfile: yauzl.ZipFile, entry: yauzl.Entry, cap: number) {
  const stream = await zipfile.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > cap) {
      stream.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
