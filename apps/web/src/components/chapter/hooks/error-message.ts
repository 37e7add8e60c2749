/**
 * The text of a failure on the page itself (the Python runner in the browser). A failed server
 * call is shown with `serverErrorText` (i18n/errors.ts): the words for its code, in the
 * reader's language.
 */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
