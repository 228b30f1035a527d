import autocannon from 'autocannon';

export interface LoadFigures {
  /** Requests per second, averaged over the run. */
  rps: number;
  p50: number;
  p99: number;
  /** Responses with a 2xx status. */
  ok: number;
  /** Every other response or error (redirects among them). */
  failed: number;
  /** Responses with a 3xx status (a form that answers with a redirect, as a submitted survey does). */
  redirects: number;
}

export interface LoadRequest {
  readonly method?: 'GET' | 'POST';
  /** The path, or a fresh one for each request (e.g. the next single-use link). */
  readonly path: string | (() => string);
  /** Headers for each request (called per request, so they may vary). */
  readonly headers?: () => Record<string, string>;
  /** A fresh body for each request (e.g. a new submission key). */
  readonly body?: () => string;
}

/** Drives `url` with autocannon at `connections` for `seconds` (or `amount` requests), cycling through `requests`; connection n uses headers of session n. */
export interface LoadOptions {
  readonly connections: number;
  readonly seconds: number;
  /** A fixed number of requests instead of a duration: every request sent is answered and counted. */
  readonly amount?: number;
  readonly requests: readonly LoadRequest[];
  readonly sessions?: ReadonlyArray<Record<string, string>>;
}

export async function load(url: string, options: LoadOptions): Promise<LoadFigures> {
  let connection = 0;
  const result = await autocannon({
    url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds }),
    // Slow pages are measured, not cut off: a request may take this long before it counts as an error.
    timeout: 60,
    requests: options.requests.map((r) => ({
      method: r.method ?? 'GET',
      path: typeof r.path === 'string' ? r.path : '/',
      // autocannon keeps one context per connection: it holds that connection's session.
      setupRequest: (req: autocannon.Request, context: object) => {
        const c = context as { session?: Record<string, string> };
        c.session ??= options.sessions?.[connection++ % options.sessions.length] ?? {};
        return { ...req, headers: { ...req.headers, ...c.session, ...r.headers?.() }, ...(typeof r.path === 'function' ? { path: r.path() } : {}), ...(r.body ? { body: r.body() } : {}) };
      },
    })),
  });
  return { rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99, ok: result['2xx'], failed: result.non2xx + result.errors + result.timeouts, redirects: result['3xx'] };
}
