import { TRPCError } from '@trpc/server';

/**
 * The few error kinds a client must tell apart. Thrown as AppError anywhere on the server;
 * the tRPC errorFormatter puts `appCode` on the wire so pages can branch on it.
 */
export const APP_ERROR_CODES = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  INVALID_INPUT: 'BAD_REQUEST',
  TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  CONFLICT: 'CONFLICT',
  SIGNUP_DISABLED: 'FORBIDDEN',
  NOT_PUBLISHED: 'NOT_FOUND',
  GRADER_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const satisfies Record<string, TRPCError['code']>;

export type AppErrorCode = keyof typeof APP_ERROR_CODES;

export class AppError extends TRPCError {
  readonly appCode: AppErrorCode;
  constructor(appCode: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super({ code: APP_ERROR_CODES[appCode], message, cause: options?.cause });
    this.appCode = appCode;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
