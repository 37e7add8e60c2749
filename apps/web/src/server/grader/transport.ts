/** Hands a stored, queued Attempt to the grader. HTTP (embedded) or BullMQ (at scale). */
export interface GraderTransport {
  readonly kind: 'http' | 'queue' | 'fake';
  /**
   * Grade the attempt (`owner`: its user, when the caller knows it); resolves when its
   * verdict is stored (http) or when it is enqueued (queue: connecting to Redis on first use). When no grader can be reached after the
   * transport's retries, the attempt is stored as `grader_unavailable` (the queue transport
   * then also rejects with a GraderError, http.ts): it never waits forever.
   */
  dispatch(attemptId: string, owner?: string): Promise<void>;
  /**
   * The attempt's place in the line of final checks waiting for grading capacity (1 = next),
   * in the order they will be taken (fair between students); null when it is not waiting —
   * grading is not saturated, or it is being graded or done. Absent: never saturated.
   * `dispatch(id, owner)` (submit) makes the place known at once.
   */
  placeOf?(attemptId: string): Promise<number | null>;
  /**
   * Whether a final check can be handed on now (queue: Redis reachable, connecting if needed
   * within the connect timeout). False: submit refuses with GRADER_UNAVAILABLE and stores
   * nothing. Absent: always.
   */
  available?(): Promise<boolean>;
}
