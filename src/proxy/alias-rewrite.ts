import { extractUsageFromJson, type Usage } from './sse';
import type { StreamRelay } from './upstream-plan';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * For a request made under a model alias: the backend answers with its own model id, the client
 * sees the alias. Rewrites `"model": "<backend id>"` in JSON answers and in stream events (the
 * relay hands out whole events, so a match is never split).
 */
export class AliasRewrite {
  private readonly pattern: RegExp;
  private readonly replacement: string;

  constructor(backendModel: string, alias: string) {
    this.pattern = new RegExp(`"model"\\s*:\\s*${escapeRegExp(JSON.stringify(backendModel))}`, 'g');
    this.replacement = `"model":${JSON.stringify(alias)}`;
  }

  text(s: string): string {
    return s.replace(this.pattern, this.replacement);
  }

  json(body: Buffer): { body: Buffer; usage: Usage | null } {
    return {
      body: Buffer.from(this.text(body.toString('utf8'))),
      usage: extractUsageFromJson(body),
    };
  }

  relay(inner: StreamRelay): StreamRelay {
    return {
      push: (chunk) => {
        const out = inner.push(chunk);
        return out.length === 0 ? out : this.text(out.toString());
      },
      end: () => this.text(inner.end()),
      get usage() {
        return inner.usage;
      },
    };
  }
}
