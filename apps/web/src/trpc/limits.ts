/** Calls in one batched tRPC request: the route refuses more, the client's link sends no more. */
export const MAX_BATCH_SIZE = 10;
