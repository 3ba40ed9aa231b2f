import type { RawBodyRequest } from '../../common/http-setup';
import { withDialect } from '../dialect-plan';
import type { Ingress, PreparedIngress } from '../ingress';
import type { ParsedRequest } from '../request-body';
import type { UpstreamPlan } from '../upstream-plan';
import { ollamaStreams, parseOllamaRequest, toOpenAi, type OllamaKind } from './ollama.request';
import {
  OllamaNdjsonRelay,
  OllamaPassthroughRelay,
  ollamaClientError,
  ollamaStreamErrorTail,
  ollamaUsage,
  toOllamaAnswer,
} from './ollama.response';

const NDJSON = 'application/x-ndjson';

/** Ollama backends get the client's request as it came (options, keep_alive, format kept). */
function nativePlan(
  plan: UpstreamPlan,
  kind: OllamaKind,
  raw: Buffer,
  stream: boolean,
): UpstreamPlan {
  return {
    ...plan,
    path: `${plan.target.pathPrefix}/api/${kind}`,
    headers: { ...plan.headers, accept: stream ? NDJSON : 'application/json' },
    body: raw,
    translateJson: (b) => ({ body: b, usage: ollamaUsage(b) }),
    translateClientError: null,
    createRelay: () => new OllamaPassthroughRelay(),
    streamContentType: NDJSON,
    clientStreamContentType: NDJSON,
    streamErrorTail: ollamaStreamErrorTail,
  };
}

/**
 * `POST /api/chat|generate|embed|embeddings`: routed like `/v1` by model. Passed natively to
 * Ollama backends; for the others translated to OpenAI chat completions or embeddings and the
 * answer (JSON or SSE → NDJSON) translated back. `resolveModel` maps Ollama's short names
 * (`llama3.2` → `llama3.2:latest`) onto what the fleet serves.
 */
export function ollamaIngress(kind: OllamaKind, resolveModel: (m: string) => string): Ingress {
  return {
    prepare(request: RawBodyRequest): PreparedIngress {
      const body = request.body;
      const raw = request.rawBody;
      const req = parseOllamaRequest(body);
      const model = resolveModel(req.model);
      const stream = ollamaStreams(kind, req);
      const json = toOpenAi(kind, req, model);
      const parsed: ParsedRequest = {
        model,
        stream,
        clientWantsUsage: true,
        json,
        raw: Buffer.from(JSON.stringify(json)),
      };
      const start = process.hrtime.bigint();
      const native = raw ?? Buffer.from(JSON.stringify(body));
      return {
        parsed,
        adapt: (plan) => {
          if (plan.backend?.backendType === 'ollama') return nativePlan(plan, kind, native, stream);
          return withDialect(plan, {
            json: (b) => toOllamaAnswer(kind, b, req.model, start),
            relay: () =>
              new OllamaNdjsonRelay(kind === 'generate' ? 'generate' : 'chat', req.model, start),
            clientError: ollamaClientError,
            clientStreamContentType: NDJSON,
            streamErrorTail: ollamaStreamErrorTail,
          });
        },
      };
    },
  };
}
