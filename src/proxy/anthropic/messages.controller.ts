import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../../auth/auth.decorators';
import { ApiErrors } from '../../common/swagger';
import { ProxyRequest, ProxyService } from '../proxy.service';
import { anthropicMessagesIngress } from './messages.ingress';
import { estimateInputTokens, parseAnthropicRequest } from './messages.request';

const BODY = {
  schema: {
    type: 'object',
    required: ['model', 'messages'],
    additionalProperties: true,
    properties: {
      model: { type: 'string' },
      messages: { type: 'array', items: { type: 'object' } },
      max_tokens: { type: 'integer' },
      stream: { type: 'boolean' },
    },
  },
  description: 'An Anthropic Messages request',
};

/**
 * The Anthropic Messages API in front of the fleet (Claude-Code-style clients). Auth by
 * `x-api-key` or `Authorization: Bearer`; `anthropic-version` is accepted and ignored.
 * Errors on these routes use Anthropic's shape (see common/error-dialects.ts).
 */
@ApiTags('anthropic')
@Controller('v1/messages')
@RequirePermission('inference')
@ApiHeader({ name: 'anthropic-version', required: false })
export class AnthropicMessagesController {
  constructor(private readonly proxy: ProxyService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Anthropic Messages (streaming with `stream: true`)' })
  @ApiBody(BODY)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ description: 'An Anthropic message (JSON) or its event stream (SSE)' })
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  messages(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('chat/completions', req, reply, anthropicMessagesIngress);
  }

  @Post('count_tokens')
  @HttpCode(200)
  @ApiOperation({ summary: 'Estimated input tokens of an Anthropic Messages request' })
  @ApiBody(BODY)
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { input_tokens: { type: 'integer' } },
    },
  })
  @ApiErrors(400, 401, 403)
  countTokens(@Body() body: unknown): { input_tokens: number } {
    return { input_tokens: estimateInputTokens(parseAnthropicRequest(body)) };
  }
}
