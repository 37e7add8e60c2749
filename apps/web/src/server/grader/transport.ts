/** Hands a stored, queued Attempt to the grader. HTTP (embedded) or BullMQ (at scale). */
export interface GraderTransport {
  readonly kind: 'http' | 'queue' | 'fake';
  /** Grade the attempt; resolves when its verdict is stored (http) or when it is enqueued (queue). */
  dispatch(attemptId: string): Promise<void>;
}
