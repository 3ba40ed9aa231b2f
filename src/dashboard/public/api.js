// The dashboard's client of the llmlb management API. The JWT lives in sessionStorage.

const TOKEN = 'llmlb.token';
const USER = 'llmlb.user';

/** An API failure carrying the server's `error.message` and `code`. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

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

export function rememberUser(user) {
  sessionStorage.setItem(USER, JSON.stringify(user));
}

export function logout() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(USER);
}

export async function login(username, password) {
  const body = await request('POST', '/v0/auth/login', { username, password }, { anonymous: true });
  sessionStorage.setItem(TOKEN, body.token);
  sessionStorage.setItem(USER, JSON.stringify(body.user || { username, role: 'viewer' }));
  return body;
}

/** Sends a request; resolves to the parsed JSON body (or null), rejects with ApiError. */
export async function request(method, path, body, opts = {}) {
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

export const get = (path, opts) => request('GET', path, undefined, opts);
export const post = (path, body, opts) => request('POST', path, body, opts);
export const put = (path, body, opts) => request('PUT', path, body, opts);
export const del = (path, opts) => request('DELETE', path, undefined, opts);

/** Builds a query string from the non-empty values of `params`. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** The list inside a `{<key>: [...], total}` answer, or the answer itself when it is an array. */
export function listOf(data, key) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data[key])) return data[key];
  if (data && Array.isArray(data.data)) return data.data;
  if (data && Array.isArray(data.items)) return data.items;
  return [];
}
