/**
 * The platform's size limits, stated once. Every side (web, grader, both engines, the
 * database) reads them from here.
 */

/** The largest program a student may submit or save (UTF-8 bytes). */
export const CODE_CAP_BYTES = 64 * 1024;

/**
 * The largest program the grader's wire format accepts (characters): above the student cap,
 * so that authors' reference programs run by the course doctor fit too.
 */
export const GRADER_CODE_CAP_CHARS = 256 * 1024;

/** Bytes of stdout and of stderr a run keeps (the grader's default; `GRADER_OUTPUT_CAP`). */
export const DEFAULT_OUTPUT_CAP_BYTES = 64 * 1024;

/** Characters of stdout/stderr stored on an attempt. */
export const STORED_OUTPUT_CAP_CHARS = 64 * 1024;

/** Human-readable size, e.g. `64 KiB`. */
export function kib(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB`;
}
