import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../../auth/auth.decorators';
import { AppError } from '../../common/app-error';
import { ApiErrors } from '../../common/swagger';
import { ProxyRequest, ProxyService } from '../proxy.service';
import { OllamaModelsService } from './ollama-models.service';

const BODY = {
  schema: {
    type: 'object',
    required: ['model'],
    additionalProperties: true,
    properties: { model: { type: 'string' }, stream: { type: 'boolean', default: true } },
  },
  description: 'An Ollama API request (https://github.com/ollama/ollama/blob/main/docs/api.md)',
};

/**
 * The Ollama API at the server root, so Ollama clients (CLI, Open WebUI, LangChain, the
 * `ollama` libraries) work unchanged with a bearer key. Errors are `{"error":"…"}`.
 */
@ApiTags('ollama')
@Controller('api')
@RequirePermission('inference')
export class OllamaController {
  constructor(
    private readonly proxy: ProxyService,
    private readonly models: OllamaModelsService,
  ) {}

  @Get('version')
  @ApiOperation({ summary: 'The Ollama API version llmlb is compatible with' })
  @RequirePermission(['models.read', 'inference'])
  @ApiErrors(401)
  version(): { version: string } {
    return this.models.version();
  }

  @Get('tags')
  @ApiOperation({ summary: 'Models of online backends in Ollama’s list shape' })
  @RequirePermission(['models.read', 'inference'])
  @ApiErrors(401, 403)
  tags(): { models: Array<Record<string, unknown>> } {
    return this.models.tags();
  }

  @Get('ps')
  @ApiOperation({ summary: 'Models currently served (Ollama’s running-models shape)' })
  @RequirePermission(['models.read', 'inference'])
  @ApiErrors(401, 403)
  ps(): { models: Array<Record<string, unknown>> } {
    return this.models.ps();
  }

  @Post('show')
  @HttpCode(200)
  @ApiOperation({ summary: 'Details of a served model' })
  @ApiBody(BODY)
  @RequirePermission(['models.read', 'inference'])
  @ApiErrors(400, 401, 403, 404)
  show(@Body() body: { model?: unknown; name?: unknown } | undefined): Record<string, unknown> {
    const model = body?.model ?? body?.name;
    if (typeof model !== 'string' || !model)
      throw new AppError('model_required', 'model is required');
    return this.models.show(model);
  }

  @Post('chat')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ollama chat (NDJSON stream unless `stream: false`)' })
  @ApiBody(BODY)
  @ApiProduces('application/x-ndjson', 'application/json')
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  chat(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('chat/completions', req, reply, this.models.ingress('chat'));
  }

  @Post('generate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ollama generate (NDJSON stream unless `stream: false`)' })
  @ApiBody(BODY)
  @ApiProduces('application/x-ndjson', 'application/json')
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  generate(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('chat/completions', req, reply, this.models.ingress('generate'));
  }

  @Post('embed')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ollama embeddings (`input`: string or list)' })
  @ApiBody(BODY)
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  embed(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('embeddings', req, reply, this.models.ingress('embed'));
  }

  @Post('embeddings')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ollama embeddings, legacy (`prompt` → `embedding`)' })
  @ApiBody(BODY)
  @ApiErrors(400, 401, 403, 404, 502, 503, 504)
  embeddings(@Req() req: ProxyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle('embeddings', req, reply, this.models.ingress('embeddings'));
  }
}
