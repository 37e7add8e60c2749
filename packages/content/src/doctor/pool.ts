/** Runs thunks with at most `limit` in flight; results in input order. */
export async function pool<T>(limit: number, thunks: Array<() => Promise<T>>): Promise<T[]> {
  const results = new Array<T>(thunks.length);
  let next = 0;
  const worker = async () => {
    while (next < thunks.length) {
      const i = next++;
      results[i] = await thunks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, thunks.length)) }, worker));
  return results;
}
