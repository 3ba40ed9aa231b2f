import { extractUsageFromJson, type Usage } from './sse';
import type { StreamRelay, UpstreamPlan } from './upstream-plan';

/** How a client dialect turns an OpenAI-shaped answer into its own. */
export interface AnswerDialect {
  /** The complete 2xx JSON answer (OpenAI chat/embeddings shape) → the client's body. */
  json(body: Buffer, usage: Usage | null): { body: Buffer; usage: Usage | null };
  /** A relay reading OpenAI SSE and writing the client's stream format. */
  relay(): StreamRelay;
  /** A backend 4xx answer → the client's error shape. */
  clientError(status: number, body: Buffer): Buffer;
  clientStreamContentType: string;
  streamErrorTail(status: number, code: string, message: string): string;
}

/** Two relays in a row: what the first emits is what the second reads. */
export class ChainedRelay implements StreamRelay {
  constructor(
    private readonly first: StreamRelay,
    private readonly second: StreamRelay,
  ) {}

  get usage(): Usage | null {
    return this.second.usage ?? this.first.usage;
  }

  push(chunk: Buffer): string | Buffer {
    const mid = this.first.push(chunk);
    return mid.length > 0 ? this.second.push(Buffer.from(mid)) : '';
  }

  end(): string {
    const mid = this.first.end();
    const out = mid.length > 0 ? this.second.push(Buffer.from(mid)) : '';
    return out.toString() + this.second.end();
  }
}

/**
 * A plan answering in a client dialect: whatever the plan already translates (a cloud
 * provider's shape → OpenAI) runs first, then the dialect's translation OpenAI → client.
 */
export function withDialect(plan: UpstreamPlan, d: AnswerDialect): UpstreamPlan {
  const inner = plan.translateJson;
  const innerError = plan.translateClientError;
  return {
    ...plan,
    translateJson: (b) => {
      const t = inner ? inner(b) : { body: b, usage: extractUsageFromJson(b) };
      return d.json(t.body, t.usage);
    },
    translateClientError: (status, b) =>
      d.clientError(status, innerError ? innerError(status, b) : b),
    createRelay: () => new ChainedRelay(plan.createRelay(), d.relay()),
    clientStreamContentType: d.clientStreamContentType,
    streamErrorTail: d.streamErrorTail,
  };
}
