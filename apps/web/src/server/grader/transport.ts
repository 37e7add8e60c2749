/** Hands a stored, queued Attempt to the grader. HTTP (embedded) or BullMQ (at scale). */
export interface GraderTransport {
  readonly kind: 'http' | 'queue' | 'fake';
  /**
   * Grade the attempt; resolves when its verdict is stored (http) or when it is enqueued
   * (queue: connecting to Redis on first use). When no grader can be reached after the
   * transport's retries, the attempt is stored as `grader_unavailable` (the queue transport
   * then also rejects with a GraderError, http.ts): it never waits forever.
   */
  dispatch(attemptId: string): Promise<void>;
}
