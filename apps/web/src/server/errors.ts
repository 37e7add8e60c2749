import { TRPCError } from '@trpc/server';
import { format } from '../i18n/config.ts';
import { getDictionary } from '../i18n/dictionaries.ts';

/**
 * The error kinds a client must tell apart, each with its tRPC code. Thrown as
 * `AppError(appCode, params)` anywhere on the server; the tRPC errorFormatter puts `appCode` and
 * `appParams` on the wire, and the page shows the dictionary's words for the code in the
 * reader's language (`serverErrorText`, i18n/errors.ts). The words live in the dictionaries
 * (`serverErrors`); the error's own message is the English one, for logs and API callers.
 */
export const APP_ERROR_CODES = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** {role} */
  FORBIDDEN: 'FORBIDDEN',
  /** {needed} {failed} */
  ANSWER_LOCKED: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  /** {course} */
  COURSE_NOT_FOUND: 'NOT_FOUND',
  /** {course} {chapter} */
  CHAPTER_NOT_FOUND: 'NOT_FOUND',
  /** {task} */
  TASK_NOT_FOUND: 'NOT_FOUND',
  ATTEMPT_NOT_FOUND: 'NOT_FOUND',
  /** a cohort the caller does not teach looks like one that does not exist */
  COHORT_NOT_FOUND: 'NOT_FOUND',
  STUDENT_NOT_FOUND: 'NOT_FOUND',
  NO_HINT: 'NOT_FOUND',
  /** {course} */
  NOT_PUBLISHED: 'NOT_FOUND',
  /** {details}: where and what (the input's own validation messages) */
  INVALID_INPUT: 'BAD_REQUEST',
  /** {size} {limit} (KiB) */
  TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** {limit} per minute, {wait} seconds */
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  /** {limit} final checks queued or running at once */
  SUBMITS_IN_FLIGHT: 'TOO_MANY_REQUESTS',
  /** {limit} per minute, {wait} seconds */
  QUICK_RATE_LIMITED: 'TOO_MANY_REQUESTS',
  /** {size} {limit} (KiB): a quick check's result as JSON */
  QUICK_RESULT_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** {count} {limit}: calls in one batched HTTP request */
  BATCH_TOO_LARGE: 'BAD_REQUEST',
  CONFLICT: 'CONFLICT',
  GRADER_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** an unexpected failure: its details stay in the server's log */
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<string, TRPCError['code']>;

export type AppErrorCode = keyof typeof APP_ERROR_CODES;
export type AppErrorParams = Record<string, string | number>;

/** The English words of a code with its parameters: the error's message (logs, API callers). */
export function appErrorMessage(appCode: AppErrorCode, params: AppErrorParams = {}): string {
  return format(getDictionary('en').serverErrors[appCode], params);
}

export class AppError extends TRPCError {
  readonly appCode: AppErrorCode;
  readonly appParams: AppErrorParams;
  constructor(appCode: AppErrorCode, params: AppErrorParams = {}, options?: { cause?: unknown }) {
    super({
      code: APP_ERROR_CODES[appCode],
      message: appErrorMessage(appCode, params),
      cause: options?.cause,
    });
    this.appCode = appCode;
    this.appParams = params;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
