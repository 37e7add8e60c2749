/**
 * One simulated student's HTTP client: a cookie jar, better-auth's e-mail endpoints, tRPC
 * calls without batching (superjson's `{json}` envelope) and page loads, each timed and
 * recorded under its procedure's name.
 */
export type Sample = { name: string; ms: number; ok: boolean; error?: string };

export class Recorder {
  readonly samples: Sample[] = [];
  add(sample: Sample): void {
    this.samples.push(sample);
  }
}

export class CallError extends Error {
  constructor(
    readonly name: string,
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class StudentClient {
  private readonly cookies = new Map<string, string>();
  private readonly origin: string;

  constructor(
    private readonly base: string,
    /** the address the student seems to come from (X-Forwarded-For, believed from 127.0.0.1) */
    private readonly address: string,
    private readonly recorder: Recorder,
  ) {
    this.origin = new URL(base).origin;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return {
      origin: this.origin,
      'x-forwarded-for': this.address,
      ...(cookie ? { cookie } : {}),
      ...extra,
    };
  }

  private keepCookies(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  /** Times `run`; a thrown error is recorded (and rethrown) under `name`. */
  private async timed<T>(name: string, run: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      const value = await run();
      this.recorder.add({ name, ms: performance.now() - start, ok: true });
      return value;
    } catch (error) {
      const e = error as Error & { code?: string; status?: number };
      const why =
        error instanceof CallError
          ? `${error.status} ${error.code}`
          : `${e.cause ? ((e.cause as { code?: string }).code ?? String(e.cause)) : e.message}`;
      this.recorder.add({ name, ms: performance.now() - start, ok: false, error: why });
      throw error;
    }
  }

  async auth(path: 'sign-up' | 'sign-in', body: Record<string, string>): Promise<void> {
    const name = `auth.${path}`;
    await this.timed(name, async () => {
      const res = await fetch(`${this.base}/api/auth/${path}/email`, {
        method: 'POST',
        headers: this.headers({ 'content-type': 'application/json' }),
        body: JSON.stringify(body),
        redirect: 'manual',
      });
      const text = await res.text();
      if (!res.ok) throw new CallError(name, res.status, `HTTP ${res.status}`, text.slice(0, 200));
      this.keepCookies(res);
    });
  }

  async page(name: string, path: string): Promise<void> {
    await this.timed(name, async () => {
      const res = await fetch(`${this.base}${path}`, {
        headers: this.headers(),
        redirect: 'manual',
      });
      await res.arrayBuffer();
      this.keepCookies(res);
      if (res.status !== 200) throw new CallError(name, res.status, `HTTP ${res.status}`, path);
    });
  }

  private async trpc<T>(procedure: string, input: unknown, kind: 'query' | 'mutation'): Promise<T> {
    return this.timed(procedure, async () => {
      const url =
        kind === 'query'
          ? `${this.base}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`
          : `${this.base}/api/trpc/${procedure}`;
      const res = await fetch(url, {
        method: kind === 'query' ? 'GET' : 'POST',
        headers: this.headers(kind === 'mutation' ? { 'content-type': 'application/json' } : {}),
        ...(kind === 'mutation' ? { body: JSON.stringify({ json: input }) } : {}),
      });
      const text = await res.text();
      // as a browser does: better-auth refreshes its signed session cache (60 s) in a cookie
      this.keepCookies(res);
      let body: {
        result?: { data?: { json?: T } };
        error?: { json?: { message?: string; data?: { appCode?: string; code?: string } } };
      };
      try {
        body = JSON.parse(text);
      } catch {
        throw new CallError(procedure, res.status, `HTTP ${res.status}`, text.slice(0, 200));
      }
      if (body.error || !res.ok) {
        const d = body.error?.json?.data;
        throw new CallError(
          procedure,
          res.status,
          d?.appCode ?? d?.code ?? `HTTP ${res.status}`,
          body.error?.json?.message ?? text.slice(0, 200),
        );
      }
      return body.result?.data?.json as T;
    });
  }

  /**
   * A subscription over SSE as the task page opens it (tRPC's httpSubscriptionLink: a GET with
   * the input, answered with `text/event-stream`): calls `onData` with each value until it
   * returns true, the server ends the stream (`event: return`) or `signal` aborts. Recorded
   * under the procedure's name: the time to the first value (what the page waits for). An
   * error event, a refused request or a broken stream throws.
   */
  async subscribe<T>(
    procedure: string,
    input: unknown,
    onData: (value: T) => boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    const url = `${this.base}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
    const started = performance.now();
    let first = true;
    const res = await fetch(url, {
      headers: this.headers({ accept: 'text/event-stream' }),
      ...(signal ? { signal } : {}),
    }).catch((error: Error) => {
      this.recorder.add({ name: procedure, ms: 0, ok: false, error: error.message });
      throw error;
    });
    if (!res.ok || !res.body) {
      const text = await res.text();
      this.recorder.add({ name: procedure, ms: 0, ok: false, error: `HTTP ${res.status}` });
      throw new CallError(procedure, res.status, `HTTP ${res.status}`, text.slice(0, 200));
    }
    this.keepCookies(res);
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        // SSE lines may end in \r\n or \r as well as \n
        buffer += decoder.decode(chunk as Uint8Array, { stream: true }).replace(/\r\n?/g, '\n');
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:'))
              data += (data ? '\n' : '') + line.slice(line.startsWith('data: ') ? 6 : 5);
          }
          if (event === 'return') return;
          if (event === 'serialized-error') {
            const e = JSON.parse(data) as {
              json?: {
                message?: string;
                data?: { appCode?: string; code?: string; httpStatus?: number };
              };
            };
            const d = e.json?.data;
            throw new CallError(
              procedure,
              d?.httpStatus ?? 500,
              d?.appCode ?? d?.code ?? 'ERROR',
              e.json?.message ?? data,
            );
          }
          if (event !== 'message' || !data) continue;
          const value = (JSON.parse(data) as { json: T }).json;
          if (first) {
            first = false;
            this.recorder.add({ name: procedure, ms: performance.now() - started, ok: true });
          }
          if (onData(value)) return;
        }
      }
    } catch (error) {
      if (signal?.aborted) return;
      if (first) {
        this.recorder.add({
          name: procedure,
          ms: performance.now() - started,
          ok: false,
          error:
            error instanceof CallError ? `${error.status} ${error.code}` : (error as Error).message,
        });
        first = false;
      }
      throw error;
    } finally {
      // the page closes its stream once it has the verdict
      await res.body.cancel().catch(() => {});
    }
  }

  query<T>(procedure: string, input: unknown): Promise<T> {
    return this.trpc<T>(procedure, input, 'query');
  }

  mutation<T>(procedure: string, input: unknown): Promise<T> {
    return this.trpc<T>(procedure, input, 'mutation');
  }
}
