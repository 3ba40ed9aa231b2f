// @ts-check
// The dashboard's client of the llmlb management API. The JWT lives in sessionStorage.
// Answers are typed at the call site with the schemas of specs/openapi.json (openapi.d.ts).

/** @typedef {import('./openapi').components['schemas']} S */
/** @typedef {{username: string, role: S['UserDto']['role']}} SessionUser */

const TOKEN = 'llmlb.token';
const USER = 'llmlb.user';

/** An API failure carrying the server's `error.message` and `code`. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** @type {(e: ApiError) => void} */
let onUnauthorized = () => {};
/** @param {(e: ApiError) => void} fn */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/** @returns {{token: string, user: SessionUser} | null} */
export function session() {
  const token = sessionStorage.getItem(TOKEN);
  if (!token) return null;
  let user = null;
  try {
    user = JSON.parse(sessionStorage.getItem(USER) || 'null');
  } catch {
    user = null;
  }
  return { token, user: user || { username: '?', role: 'viewer' } };
}

/** @param {SessionUser} user */
export function rememberUser(user) {
  sessionStorage.setItem(USER, JSON.stringify(user));
}

export function logout() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(USER);
}

/**
 * @param {string} username
 * @param {string} password
 */
export async function login(username, password) {
  /** @type {S['LoginResponseDto']} */
  const body = await request('POST', '/v0/auth/login', { username, password }, { anonymous: true });
  sessionStorage.setItem(TOKEN, body.token);
  rememberUser({ username: body.user.username, role: body.user.role });
  return body;
}

/**
 * Sends a request; resolves to the parsed JSON body (or null), rejects with ApiError. The
 * caller states the answer's schema with a type annotation on the variable it assigns.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {{anonymous?: boolean, signal?: AbortSignal}} [opts]
 * @returns {Promise<any>}
 */
export async function request(method, path, body, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  const s = session();
  if (s && !opts.anonymous) headers.authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: opts.signal,
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', 'Cannot reach the llmlb server');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : {};
    const message = err.message || `${res.status} ${res.statusText || 'error'}`;
    const e = new ApiError(res.status, err.code || 'http_error', message);
    if (res.status === 401 && !opts.anonymous) onUnauthorized(e);
    throw e;
  }
  return data;
}

/** @param {string} path */
export const get = (path) => request('GET', path);
/**
 * @param {string} path
 * @param {unknown} [body]
 */
export const post = (path, body) => request('POST', path, body);
/**
 * @param {string} path
 * @param {unknown} body
 */
export const put = (path, body) => request('PUT', path, body);
/** @param {string} path */
export const del = (path) => request('DELETE', path);

/**
 * Builds a query string from the non-empty values of `params`.
 * @param {Record<string, string | number | undefined | null>} params
 */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}
