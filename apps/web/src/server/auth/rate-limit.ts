/**
 * In-memory limiters for sign-in (one web process; the embedded default). Every map is a
 * bounded LRU: when full, the entry used least recently goes, never the whole map, so
 * flooding a limiter with new keys cannot reset the counter an attacker is being held by.
 */

/** Default bound of each limiter's map (about 10 MB at most per limiter). */
export const LIMITER_MAX_KEYS = 100_000;

/** A Map that keeps at most `max` keys, dropping the least recently used one first. */
export function createBoundedLru<V>(max: number) {
  const map = new Map<string, V>();
  return {
    /** the value, marked as just used */
    get(key: string): V | undefined {
      const v = map.get(key);
      if (v !== undefined) {
        map.delete(key);
        map.set(key, v);
      }
      return v;
    },
    set(key: string, value: V): void {
      map.delete(key);
      map.set(key, value);
      while (map.size > max) {
        const oldest = map.keys().next().value as string;
        map.delete(oldest);
      }
    },
    delete(key: string): void {
      map.delete(key);
    },
    get size() {
      return map.size;
    },
  };
}

/** Fixed-window counter per key: `take` counts one use, false once over `max` in the window. */
export function createFixedWindowLimiter(opts: {
  max: number;
  windowMs: number;
  now?: () => number;
  maxKeys?: number;
}) {
  const now = opts.now ?? Date.now;
  const windows = createBoundedLru<{ start: number; count: number }>(
    opts.maxKeys ?? LIMITER_MAX_KEYS,
  );
  return {
    /** counts one use of `key`; false when the key is over its limit in this window */
    take(key: string): boolean {
      const t = now();
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
 * Failed tries per key in a window starting at the first failure: blocked once `max`
 * failures are counted; a success clears the key. Sign-in keys it by (client address,
 * e-mail), so guessing one account's password from one address is stopped, while the owner
 * signing in from another address is not.
 */
export function createFailureLimiter(opts: {
  max: number;
  windowMs: number;
  now?: () => number;
  maxKeys?: number;
}) {
  const now = opts.now ?? Date.now;
  const failures = createBoundedLru<{ start: number; count: number }>(
    opts.maxKeys ?? LIMITER_MAX_KEYS,
  );
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
      else failures.set(key, { start: now(), count: 1 });
    },
    reset(key: string): void {
      failures.delete(key);
    },
  };
}

/**
 * At most `perKey` tasks run at once per key; up to `queuePerKey` more wait for a slot, and
 * any beyond that are refused (`run` resolves to `undefined` without running the task). Used
 * per client address around the password endpoints, so one client never has more than
 * `perKey` argon2 runs going. Keys without running or waiting tasks are dropped, so the map
 * holds only clients with a request in flight.
 */
export function createConcurrencyLimiter(opts: { perKey: number; queuePerKey: number }) {
  const slots = new Map<string, { active: number; waiting: (() => void)[] }>();
  const release = (key: string) => {
    const s = slots.get(key);
    if (!s) return;
    const next = s.waiting.shift();
    if (next) next();
    else if (--s.active === 0) slots.delete(key);
  };
  return {
    async run<T>(key: string, task: () => Promise<T>): Promise<T | undefined> {
      let s = slots.get(key);
      if (!s) {
        s = { active: 0, waiting: [] };
        slots.set(key, s);
      }
      if (s.active < opts.perKey) s.active++;
      else if (s.waiting.length < opts.queuePerKey) {
        // the slot is handed over by release(): `active` stays counted for us
        await new Promise<void>((resolve) => s.waiting.push(resolve));
      } else return undefined;
      try {
        return await task();
      } finally {
        release(key);
      }
    },
    /** keys with a task running or waiting (for tests) */
    get size() {
      return slots.size;
    },
  };
}
