/** Why a base URL is refused, or null when it is acceptable. */
export function baseUrlProblem(input: unknown): string | null {
  if (typeof input !== 'string' || input.trim().length === 0) return 'must be a non-empty string';
  if (input.length > 2048) return 'must be at most 2048 characters';
  const raw = input.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return 'must be an absolute http:// or https:// URL';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username || url.password) return 'must not contain credentials; use api_key';
  if (!url.hostname) return 'must name a host';
  if (url.search || raw.includes('?')) return 'must not contain a query string';
  if (url.hash || raw.includes('#')) return 'must not contain a fragment';
  return null;
}

/**
 * The canonical form used for storage and uniqueness: scheme and host lower-cased, default
 * port removed, trailing slashes removed (a path prefix such as `/ollama` is kept).
 * Call `baseUrlProblem` first; this throws on an invalid URL.
 */
export function normalizeBaseUrl(input: string): string {
  const problem = baseUrlProblem(input);
  if (problem) throw new Error(`base_url ${problem}`);
  const url = new URL(input.trim());
  // WHATWG URL already lower-cases scheme and host and drops the scheme's default port.
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

/** Whether two normalized base URLs name the same server (scheme, host and port). */
export function sameOrigin(a: string, b: string): boolean {
  return new URL(a).origin === new URL(b).origin;
}
