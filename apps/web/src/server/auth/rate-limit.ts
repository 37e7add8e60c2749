/** In-memory fixed-window counter per key (one web process; the embedded default). */
export function createFixedWindowLimiter(opts: {
  max: number;
  windowMs: number;
  now?: () => number;
}) {
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    /** counts one use of `key`; false when the key is over its limit in this window */
    take(key: string): boolean {
      const t = now();
      if (windows.size > 50_000) {
        for (const [k, w] of windows) if (t - w.start >= opts.windowMs) windows.delete(k);
      }
      const w = windows.get(key);
      if (!w || t - w.start >= opts.windowMs) {
        windows.set(key, { start: t, count: 1 });
        return true;
      }
      w.count++;
      return w.count <= opts.max;
    },
  };
}

/**
 * Failed tries per key in a sliding-from-first-failure window: blocked once `max` failures
 * are counted; a success clears the key. Used per email for sign-in, so a student who signs
 * in often is never blocked, while guessing one account's password is.
 */
export function createFailureLimiter(opts: { max: number; windowMs: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const failures = new Map<string, { start: number; count: number }>();
  const current = (key: string) => {
    const w = failures.get(key);
    if (w && now() - w.start >= opts.windowMs) {
      failures.delete(key);
      return undefined;
    }
    return w;
  };
  return {
    blocked(key: string): boolean {
      return (current(key)?.count ?? 0) >= opts.max;
    },
    fail(key: string): void {
      const w = current(key);
      if (w) w.count++;
      else {
        if (failures.size > 50_000) failures.clear();
        failures.set(key, { start: now(), count: 1 });
      }
    },
    reset(key: string): void {
      failures.delete(key);
    },
  };
}
