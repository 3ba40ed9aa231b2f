import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../auth/auth.decorators';
import { ApiErrors } from '../common/swagger';
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

/**
 * The OpenAI-compatible inference routes. Library-specific mode (`@Res()`): no interceptor,
 * serializer or validation pipe touches the body; the proxy forwards the client's bytes.
 */
@ApiTags('openai')
@Controller('v1')
@RequirePermission('inference')
export class InferenceController {
  constructor(private readonly proxy: ProxyService) {}

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
}
