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
