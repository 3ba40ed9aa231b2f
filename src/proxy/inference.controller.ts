import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../auth/auth.decorators';
import { ApiErrors } from '../common/swagger';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { Ingress } from './ingress';
import { multipartIngress } from './openai/multipart.ingress';
import { embeddingsIngress } from './openai/embeddings.ingress';
import { ProxyRequest, ProxyService } from './proxy.service';

const BODY = {
  schema: {
    type: 'object',
    required: ['model'],
    additionalProperties: true,
    properties: { model: { type: 'string' }, stream: { type: 'boolean' } },
  },
  description: 'The OpenAI request body; forwarded untouched (only `model` may be rewritten)',
};

const MULTIPART = {
  schema: {
    type: 'object',
    required: ['model', 'file'],
    additionalProperties: true,
    properties: { model: { type: 'string' }, file: { type: 'string', format: 'binary' } },
  },
  description: 'The OpenAI multipart form; streamed to the backend untouched',
};

/**
 * The OpenAI-compatible inference routes. Library-specific mode (`@Res()`): no interceptor,
 * serializer or validation pipe touches the body; the proxy forwards the client's bytes.
 */
@ApiTags('openai')
@Controller('v1')
@RequirePermission('inference')
export class InferenceController {
  private readonly multipart: Ingress;

  constructor(
    private readonly proxy: ProxyService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.multipart = multipartIngress(config.server.proxyBodyLimitBytes);
  }

  @Post('chat/completions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Chat completions (streaming with `stream: true`)' })
  @ApiBody(BODY)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ description: 'The backend answer (JSON or SSE)' })
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  chat(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('chat/completions', req, reply);
  }

  @Post('completions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Text completions (legacy)' })
  @ApiBody(BODY)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ description: 'The backend answer (JSON or SSE)' })
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  completions(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('completions', req, reply);
  }

  @Post('embeddings')
  @HttpCode(200)
  @ApiOperation({ summary: 'Embeddings' })
  @ApiBody(BODY)
  @ApiOkResponse({ description: 'The backend answer' })
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  embeddings(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('embeddings', req, reply, embeddingsIngress);
  }

  @Post('responses')
  @HttpCode(200)
  @ApiOperation({ summary: 'Responses API (streaming with `stream: true`)' })
  @ApiBody(BODY)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ description: 'The backend answer (JSON or SSE)' })
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  responses(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('responses', req, reply);
  }

  @Post('audio/transcriptions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Audio transcription (multipart; routed by the `model` field)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody(MULTIPART)
  @ApiOkResponse({ description: 'The backend answer' })
  @ApiErrors(400, 401, 403, 404, 413, 502, 503, 504)
  transcriptions(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('audio/transcriptions', req, reply, this.multipart);
  }

  @Post('audio/translations')
  @HttpCode(200)
  @ApiOperation({ summary: 'Audio translation to English (multipart; routed by `model`)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody(MULTIPART)
  @ApiOkResponse({ description: 'The backend answer' })
  @ApiErrors(400, 401, 403, 404, 413, 502, 503, 504)
  translations(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('audio/translations', req, reply, this.multipart);
  }

  @Post('audio/speech')
  @HttpCode(200)
  @ApiOperation({ summary: 'Text to speech (answer: audio bytes)' })
  @ApiBody(BODY)
  @ApiOkResponse({ description: 'The backend answer (audio)' })
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  speech(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('audio/speech', req, reply);
  }

  @Post('images/generations')
  @HttpCode(200)
  @ApiOperation({ summary: 'Image generation' })
  @ApiBody(BODY)
  @ApiOkResponse({ description: 'The backend answer' })
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  images(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('images/generations', req, reply);
  }

  @Post('rerank')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rerank documents against a query (Jina/Cohere shape)' })
  @ApiBody(BODY)
  @ApiOkResponse({ description: 'The backend answer' })
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  rerank(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('rerank', req, reply);
  }

  @Post('reranking')
  @HttpCode(200)
  @ApiOperation({ summary: 'Alias of /v1/rerank (forwarded to the backend’s /v1/rerank)' })
  @ApiBody(BODY)
  @ApiOkResponse({ description: 'The backend answer' })
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  reranking(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('rerank', req, reply);
  }
}
