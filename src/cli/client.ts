/**
 * The CLI's HTTP client of the management API. Authenticates with an API key, or logs in
 * once with username and password and uses the JWT. Failures become `CliError`s carrying
 * the server's `error.message`.
 */

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface Credentials {
  apiKey: string | null;
  username: string | null;
  password: string | null;
}

type Json = unknown;

export class ApiClient {
  private token: string | null;
  private loggingIn: Promise<string> | null = null;

  constructor(
    readonly baseUrl: string,
    private readonly creds: Credentials,
    private readonly timeoutMs = 30_000,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.token = creds.apiKey;
  }

  get hasCredentials(): boolean {
    return !!(this.creds.apiKey || (this.creds.username && this.creds.password));
  }

  get<T = Json>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T = Json>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  put<T = Json>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  delete<T = Json>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** A request without credentials (health checks, login). */
  async anonymous<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send<T>(method, path, body, null);
  }

  async request<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
    const token = await this.credentials();
    return this.send<T>(method, path, body, token);
  }

  private async credentials(): Promise<string | null> {
    if (this.token) return this.token;
    const { username, password } = this.creds;
    if (!username || !password) return null;
    this.loggingIn ??= this.anonymous<{ token: string }>('POST', '/v0/auth/login', {
      username,
      password,
    }).then((r) => (this.token = r.token));
    return this.loggingIn;
  }

  private async send<T>(
    method: string,
    path: string,
    body: unknown,
    token: string | null,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new CliError(`cannot reach llmlb at ${this.baseUrl}: ${why}`);
    }
    const text = await res.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (!res.ok) {
      const err = (data as { error?: { message?: string; code?: string } } | undefined)?.error;
      let message = err?.message ?? `${res.status} ${res.statusText}`;
      if (res.status === 401 && !token && !this.hasCredentials) {
        message += ' (set LLMLB_API_KEY, or LLMLB_USERNAME and LLMLB_PASSWORD)';
      }
      throw new CliError(message, 1, res.status, err?.code);
    }
    return data as T;
  }
}

/** The list inside `{<key>: [...], total}` (or the answer itself when it is an array). */
export function listOf<T = Record<string, unknown>>(data: unknown, key: string): T[] {
  if (Array.isArray(data)) return data as T[];
  const o = data as Record<string, unknown> | null | undefined;
  if (o && Array.isArray(o[key])) return o[key] as T[];
  if (o && Array.isArray(o.data)) return o.data as T[];
  return [];
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Turns what the user typed (a full id, an id prefix as shown in tables, or a name) into an id,
 * looking it up in `items` when it is not a full UUID.
 */
export function resolveId<T extends { id: string }>(
  what: string,
  input: string,
  items: T[],
  names: (item: T) => Array<string | null | undefined>,
): string {
  if (UUID_RE.test(input)) return input;
  const byName = items.filter((i) => names(i).some((n) => n === input));
  if (byName.length === 1) return byName[0].id;
  const byPrefix = items.filter((i) => i.id.toLowerCase().startsWith(input.toLowerCase()));
  if (byPrefix.length === 1) return byPrefix[0].id;
  if (byName.length > 1 || byPrefix.length > 1) {
    throw new CliError(`"${input}" matches several ${what}s; use the full id`);
  }
  throw new CliError(`no ${what} matches "${input}"`);
}

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}
