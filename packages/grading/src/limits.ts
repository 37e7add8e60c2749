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

/*
 * A quick check's result as the browser sends it (`attempt.recordQuick`): the browser ran it,
 * so the server trusts nothing of it and refuses what exceeds these.
 */

/** Tests in one quick check result. */
export const QUICK_CHECK_MAX_TESTS = 100;
/** Characters of a test's name. */
export const QUICK_CHECK_TEST_NAME_CHARS = 200;
/** Characters of a message (the result's or a test's): what both engines keep of one. */
export const QUICK_CHECK_MESSAGE_CHARS = 4000;
/** Characters of one text parameter of a message code (a test's message inside the summary). */
export const MESSAGE_PARAM_CHARS = 1000;

/**
 * What a student sees of a legacy wrapper_test's output (the test's message, and the run's
 * stdout/stderr when the wrapper was the only run): its last lines, at most this many lines
 * and characters, without traceback frames (they show the check's own source). The wrapper
 * runs the student's code inside it, so that code could print the check: a short cap contains
 * it (docs/check-format.md#converting-a-wrapper_test).
 */
export const WRAPPER_MESSAGE_MAX_LINES = 20;
export const WRAPPER_MESSAGE_MAX_CHARS = 2048;

/** `text` cut to `cap` characters, an ellipsis saying so. */
export function clipText(text: string, cap: number): string {
  return text.length > cap ? `${text.slice(0, cap - 1)}…` : text;
}
/** Characters of a grading message code with its parameters, as JSON. */
export const QUICK_CHECK_MESSAGE_CODE_CHARS = 2000;
/**
 * Characters of stdout and of stderr: what the browser runner keeps (64 KiB, and bytes are at
 * least characters), with room for its truncation marker. Stored cut to `STORED_OUTPUT_CAP_CHARS`.
 */
export const QUICK_CHECK_OUTPUT_CHARS = DEFAULT_OUTPUT_CAP_BYTES + 1024;
/** Characters of the whole result as JSON (tests, messages and output together). */
export const QUICK_CHECK_RESULT_CHARS = 256 * 1024;

/** Human-readable size, e.g. `64 KiB`. */
export function kib(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB`;
}
