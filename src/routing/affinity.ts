import { createHash } from 'node:crypto';

/**
 * Conversation → the backend that served its previous turn, so the next turn can reuse that
 * backend's prompt cache. Bounded (least recently used entries go first) and entries expire
 * after `ttlMs`.
 */
export class AffinityMap {
  /** Insertion order = recency (oldest first). */
  private readonly entries = new Map<string, { backendId: string; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): string | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (now - e.at > this.ttlMs) {
      this.entries.delete(key);
      return null;
    }
    return e.backendId;
  }

  set(key: string, backendId: string, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, { backendId, at: now });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/**
 * The conversation key of a request: the `x-session-id` header, else the OpenAI `user` field
 * (Anthropic `metadata.user_id`), else a hash of the model and the leading messages (system
 * prompt and first user message), which stay the same across the turns of one conversation.
 * Null when none applies (e.g. embeddings).
 */
export function conversationKey(
  sessionHeader: unknown,
  model: string,
  body: Record<string, unknown>,
): string | null {
  const session = Array.isArray(sessionHeader) ? str(sessionHeader[0]) : str(sessionHeader);
  if (session) return `s:${session}`;
  const user = str(body.user);
  if (user) return `u:${user}`;
  const meta = body.metadata;
  if (meta && typeof meta === 'object') {
    const uid = str((meta as Record<string, unknown>).user_id);
    if (uid) return `u:${uid}`;
  }
  const messages = Array.isArray(body.messages)
    ? (body.messages as unknown[])
    : Array.isArray(body.input)
      ? (body.input as unknown[])
      : null;
  if (!messages || messages.length === 0) return null;
  const h = createHash('sha1').update(model).update('\0');
  const system = body.system;
  if (system !== undefined) h.update(JSON.stringify(system));
  let users = 0;
  for (let i = 0; i < messages.length && i < 8; i++) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (!m || typeof m !== 'object') continue;
    if (m.role === 'system' || m.role === 'developer') {
      h.update('\0s').update(JSON.stringify(m.content ?? null));
    } else if (m.role === 'user') {
      h.update('\0u').update(JSON.stringify(m.content ?? null));
      users += 1;
      break;
    }
  }
  if (users === 0 && system === undefined) return null;
  return `h:${h.digest('base64url')}`;
}
