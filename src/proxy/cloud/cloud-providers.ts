import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../../common/app-error';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { OpenAiSseRelay } from '../sse';
import { ParsedRequest, ProxyOperation, upstreamBody } from '../request-body';
import type { UpstreamPlan } from '../upstream-plan';
import { UpstreamPools } from '../upstream-pools';
import {
  AnthropicStreamRelay,
  anthropicClientError,
  fromAnthropicResponse,
  toAnthropicRequest,
} from './anthropic.translator';
import {
  fromGeminiResponse,
  geminiClientError,
  GeminiStreamRelay,
  toGeminiRequest,
} from './google.translator';
import type { ChatRequest } from './openai-chat';

export type CloudProvider = 'openai' | 'google' | 'anthropic';

export interface CloudRoute {
  provider: CloudProvider;
  /** The provider's model id (prefix removed). */
  model: string;
  baseUrl: string;
  apiKey: string;
}

const PREFIX = /^(openai|google|anthropic):(.+)$/;
const ANTHROPIC_VERSION = '2023-06-01';

/**
 * `openai:<model>`, `google:<model>` and `anthropic:<model>`: requests for models no backend
 * in the table serves go to the provider (base URL and key from the configuration). OpenAI is
 * a passthrough; Google and Anthropic are translated to and from chat completions.
 * The first-byte timeout for providers is `LLMLB_PROXY_IDLE_TIMEOUT_SECS`.
 */
@Injectable()
export class CloudProviders {
  constructor(
    private readonly pools: UpstreamPools,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The provider route for a prefixed model, null when the model has no known prefix. */
  resolve(model: string): CloudRoute | null {
    const m = PREFIX.exec(model);
    if (!m) return null;
    const provider = m[1] as CloudProvider;
    const conf = this.config.proxy.providers[provider];
    if (!conf.apiKey) {
      throw new AppError(
        'provider_key_missing',
        `No API key is configured for provider "${provider}"`,
        {
          param: 'model',
        },
      );
    }
    return { provider, model: m[2], baseUrl: conf.baseUrl, apiKey: conf.apiKey };
  }

  plan(
    route: CloudRoute,
    op: ProxyOperation,
    parsed: ParsedRequest,
    requestId: string,
  ): UpstreamPlan {
    const target = this.pools.target(route.baseUrl, true);
    const timeout = this.config.proxy.idleTimeoutSecs * 1000;
    const base = {
      backend: null,
      id: route.provider,
      name: route.provider,
      target,
      headersTimeoutMs: timeout,
    };
    const wantsUsage = parsed.clientWantsUsage;
    if (route.provider === 'openai') {
      return {
        ...base,
        path: `${target.pathPrefix}/v1/${op}`,
        headers: {
          'content-type': 'application/json',
          accept: parsed.stream ? 'text/event-stream' : 'application/json',
          authorization: `Bearer ${route.apiKey}`,
          'x-request-id': requestId,
        },
        body: upstreamBody(parsed, op, route.model),
        translateJson: null,
        translateClientError: null,
        createRelay: () => new OpenAiSseRelay(parsed.stream && !wantsUsage),
        streamContentType: 'text/event-stream',
      };
    }
    if (op !== 'chat/completions') {
      throw new AppError(
        'unsupported_for_type',
        `Provider "${route.provider}" is only available for /v1/chat/completions`,
        {
          param: 'model',
        },
      );
    }
    const chat = parsed.json as unknown as ChatRequest;
    if (route.provider === 'google') {
      const action = parsed.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
      return {
        ...base,
        path: `${target.pathPrefix}/v1beta/models/${encodeURIComponent(route.model)}:${action}`,
        headers: {
          'content-type': 'application/json',
          'x-goog-api-key': route.apiKey,
        },
        body: Buffer.from(JSON.stringify(toGeminiRequest(chat))),
        translateJson: (b) => fromGeminiResponse(b, parsed.model),
        translateClientError: geminiClientError,
        createRelay: () => new GeminiStreamRelay(parsed.model, wantsUsage),
        streamContentType: 'text/event-stream',
      };
    }
    return {
      ...base,
      path: `${target.pathPrefix}/v1/messages`,
      headers: {
        'content-type': 'application/json',
        'x-api-key': route.apiKey,
        'anthropic-version': ANTHROPIC_VERSION,
      },
      body: Buffer.from(JSON.stringify(toAnthropicRequest(chat, route.model))),
      translateJson: (b) => fromAnthropicResponse(b, parsed.model),
      translateClientError: anthropicClientError,
      createRelay: () => new AnthropicStreamRelay(parsed.model, wantsUsage),
      streamContentType: 'text/event-stream',
    };
  }
}
