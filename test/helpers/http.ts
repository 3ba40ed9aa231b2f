/** A small JSON client over fetch for tests: `api(url).as(token).post(path, body)`. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** Bearer credentials (JWT or sk_ key). */
  as(token: string): Api {
    return new Api(this.baseUrl, { ...this.headers, authorization: `Bearer ${token}` });
  }

  with(headers: Record<string, string>): Api {
    return new Api(this.baseUrl, { ...this.headers, ...headers });
  }

  get<T = any>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body);
  }
  put<T = any>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', path, body);
  }
  delete<T = any>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path);
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    raw?: string,
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...this.headers };
    let payload: string | undefined = raw;
    if (body !== undefined) {
      payload = JSON.stringify(body);
    }
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(this.baseUrl + path, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  }
}

export function api(baseUrl: string): Api {
  return new Api(baseUrl);
}

/** Logs in and returns the JWT. */
export async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await api(baseUrl).post('/v0/auth/login', { username, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return res.body.token as string;
}

/** Polls `fn` until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(
  fn: () => Promise<T> | T,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${opts.what ?? 'condition'}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
