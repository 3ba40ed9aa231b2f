import type { RawBodyRequest } from '../../common/http-setup';
import { withDialect } from '../dialect-plan';
import type { Ingress, PreparedIngress } from '../ingress';
import type { ParsedRequest } from '../request-body';
import { AnthropicMessagesRelay } from './messages-stream.relay';
import { estimateInputTokens, parseAnthropicRequest, toOpenAiChat } from './messages.request';
import {
  anthropicClientError,
  anthropicStreamErrorTail,
  toAnthropicMessage,
} from './messages.response';

/**
 * `POST /v1/messages`: the Anthropic request is translated to OpenAI chat completions and
 * routed like `/v1/chat/completions` (same balancer, failover, history, metrics); the answer
 * (JSON, SSE, 4xx) is translated back to Anthropic's shapes.
 */
export const anthropicMessagesIngress: Ingress = {
  prepare(request: RawBodyRequest): PreparedIngress {
    const req = parseAnthropicRequest(request.body);
    const json = toOpenAiChat(req);
    const parsed: ParsedRequest = {
      model: req.model,
      stream: req.stream === true,
      clientWantsUsage: true,
      json,
      raw: Buffer.from(JSON.stringify(json)),
    };
    const estimate = estimateInputTokens(req);
    return {
      parsed,
      adapt: (plan) =>
        withDialect(plan, {
          json: (b) => toAnthropicMessage(b, req.model),
          relay: () => new AnthropicMessagesRelay(req.model, estimate),
          clientError: anthropicClientError,
          clientStreamContentType: 'text/event-stream',
          streamErrorTail: anthropicStreamErrorTail,
        }),
    };
  },
};
