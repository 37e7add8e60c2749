import {
  describeZodError,
  type GradeRequestInput,
  type GradeResult,
  gradeResultSchema,
} from '@lms/grading';

/** Why a grade could not be obtained. `retryable`: the attempt should be tried again later. */
export class GraderError extends Error {
  override readonly name = 'GraderError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export type HttpGraderOptions = {
  /** e.g. http://127.0.0.1:4100 */
  url: string;
  secret: string;
  /** per request, including the grader's own queueing */
  timeoutMs?: number;
  /** how often to retry on 503 busy / connection refused before giving up */
  retries?: number;
  /** first backoff delay; doubles each retry (Retry-After wins when the grader sends one) */
  backoffMs?: number;
  /** the submitting request's id, sent as `x-request-id` (the grader logs it with the run) */
  requestId?: string | undefined;
  fetch?: typeof fetch;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One final check over HTTP: `POST /v1/grade` with the bearer secret. Retries with backoff
 * while the grader says it is busy (503) or is not up yet (connection refused); any other
 * failure is reported at once.
 */
export async function gradeOverHttp(
  request: GradeRequestInput,
  options: HttpGraderOptions,
): Promise<GradeResult> {
  const { url, secret, timeoutMs = 60_000, retries = 5, backoffMs = 250 } = options;
  const doFetch = options.fetch ?? fetch;
  const endpoint = new URL('/v1/grade', url).toString();
  let delay = backoffMs;
  let lastProblem = '';
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      await sleep(delay);
      delay *= 2;
    }
    let response: Response;
    try {
      response = await doFetch(endpoint, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${secret}`,
          'content-type': 'application/json',
          ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
        },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const e = error as { name?: string; cause?: { code?: string }; message?: string };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        throw new GraderError(`the grader did not answer within ${timeoutMs} ms`, true);
      }
      lastProblem = `cannot reach the grader at ${url} (${e.cause?.code ?? e.message ?? 'network error'})`;
      continue;
    }
    if (response.status === 503 || response.status === 429) {
      lastProblem = `the grader is busy (HTTP ${response.status})`;
      const retryAfter = Number(response.headers.get('retry-after'));
      if (Number.isFinite(retryAfter) && retryAfter > 0)
        delay = Math.min(retryAfter * 1000, 10_000);
      await response.body?.cancel();
      continue;
    }
    const text = await response.text();
    if (!response.ok) {
      const detail = safeJson(text)?.error ?? text.slice(0, 300);
      // 401/403: our secret is wrong — a configuration problem, retrying will not help
      throw new GraderError(
        `the grader refused the request (HTTP ${response.status}): ${detail}`,
        response.status >= 500,
      );
    }
    const parsed = gradeResultSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new GraderError(
        `the grader's answer is not a GradeResult: ${describeZodError(parsed.error)}`,
        false,
      );
    }
    return parsed.data;
  }
  throw new GraderError(`${lastProblem}; gave up after ${retries + 1} tries`, true);
}

function safeJson(text: string): { error?: string } | null {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
