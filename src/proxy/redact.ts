import type { UpstreamPlan } from './upstream-plan';

/** What must never reach a `/v1` caller in an error text: the backend's address and keys. */
export interface Redaction {
  /** Host names / host:port / origins of the backend (matched case-insensitively). */
  hosts: string[];
  /** Credentials sent to the backend (matched literally). */
  secrets: string[];
}

export const ADDRESS_MARK = '[address]';
export const SECRET_MARK = '[redacted]';

/** Any absolute URL (`http://10.0.0.5:8000/v1`, `unix:///…`). */
const URL_RE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>\\`]+/gi;
/** `[fe80::1%eth0]:8000` */
const IPV6_BRACKETED_RE = /\[[0-9a-f:.]*:[0-9a-f:.]*(?:%[\w.-]+)?\](?::\d{1,5})?/gi;
/** `10.0.0.5`, `10.0.0.5:8000` */
const IPV4_RE = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g;
/** Full (8 groups) or compressed (`::`) IPv6, with an optional zone id. */
const IPV6_RE =
  /(?:\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|(?:\b[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?::(?:[0-9a-f]{1,4}\b(?::[0-9a-f]{1,4}\b)*)?)(?:%[\w.-]+)?/gi;
/** `localhost:8080`, `gpu-box.lan:8000` (a dotted name or localhost, then a port). */
const HOST_PORT_RE = /\b(?:localhost|(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*):\d{1,5}\b/gi;
/** Provider-style keys, also partly masked ones (`sk-abc1****wxyz`). */
const KEY_LIKE_RE = /\b(?:sk|pk|rk)[-_][A-Za-z0-9_*-]{6,}/g;
/** `Bearer sk-…` as echoed in an error. */
const BEARER_RE = /\bBearer\s+[^\s"',;]+/gi;
/** `authorization: …`, `"x-api-key":"…"`, `api_key=…` */
const KEY_FIELD_RE =
  /\b(authorization|proxy-authorization|x-api-key|x-goog-api-key|api[-_]?key)(["']?\s*[:=]\s*["']?)(?!\[redacted\]|Bearer\b)[^\s"',;}]+/gi;

const SECRET_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key'];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The address and credentials of the backend one attempt was sent to. */
export function redactionFor(plan: Pick<UpstreamPlan, 'target' | 'headers'>): Redaction {
  const hosts: string[] = [];
  try {
    const u = new URL(plan.target.origin);
    hosts.push(u.host, u.hostname.replace(/^\[|\]$/g, ''));
  } catch {
    /* an origin always parses; nothing to add otherwise */
  }
  const secrets: string[] = [];
  for (const h of SECRET_HEADERS) {
    const v = plan.headers[h];
    if (!v) continue;
    secrets.push(v);
    const bare = v.replace(/^Bearer\s+/i, '');
    if (bare !== v) secrets.push(bare);
  }
  return { hosts, secrets };
}

/** Credentials only (the given ones, bearer tokens, key fields, `sk-…`): for log lines. */
export function redactSecrets(text: string, secrets: string[]): string {
  let out = text;
  // Longest first, so `sk-abc` inside `Bearer sk-abc` goes in one piece.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= 4) out = out.split(s).join(SECRET_MARK);
  }
  return out
    .replace(BEARER_RE, `Bearer ${SECRET_MARK}`)
    .replace(KEY_LIKE_RE, SECRET_MARK)
    .replace(KEY_FIELD_RE, (_m, name: string, sep: string) => `${name}${sep}${SECRET_MARK}`);
}

/**
 * An error text fit for a `/v1` caller: the backend's own host and credentials, any URL, IP
 * address or host:port, bearer tokens and key fields are replaced by `[address]` /
 * `[redacted]`. The full text belongs in the log only.
 */
export function redactText(text: string, r: Redaction): string {
  let out = redactSecrets(text, r.secrets).replace(URL_RE, ADDRESS_MARK);
  for (const h of [...r.hosts].sort((a, b) => b.length - a.length)) {
    if (h.length > 0) out = out.replace(new RegExp(escapeRe(h), 'gi'), ADDRESS_MARK);
  }
  return out
    .replace(IPV6_BRACKETED_RE, ADDRESS_MARK)
    .replace(IPV4_RE, ADDRESS_MARK)
    .replace(HOST_PORT_RE, ADDRESS_MARK)
    .replace(IPV6_RE, (m) => (m === '::' ? m : ADDRESS_MARK));
}

/** `redactText` without knowing the backend (generic patterns only): provider stream errors. */
export function redactGeneric(text: string): string {
  return redactText(text, { hosts: [], secrets: [] });
}

/** `redactText` over a response body; the same Buffer when nothing had to go. */
export function redactBody(body: Buffer, r: Redaction): Buffer {
  const text = body.toString('utf8');
  const out = redactText(text, r);
  return out === text ? body : Buffer.from(out, 'utf8');
}
