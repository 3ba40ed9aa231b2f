import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequirePermission } from '../auth/auth.decorators';
import { ApiErrors } from '../common/swagger';
import { ModelsListService } from './models.service';

const MODEL_EXAMPLE = {
  id: 'llama-3.1-8b-instruct',
  object: 'model',
  created: 1763700000,
  owned_by: 'llmlb',
  endpoints: 2,
  max_tokens: 131072,
};

/** `GET /v1/models` and `GET /v1/models/{id}` (ids may contain `/` and `:`). */
@ApiTags('openai')
@Controller('v1/models')
@RequirePermission(['models.read', 'inference'])
export class OpenAiModelsController {
  constructor(private readonly models: ModelsListService) {}

  @Get()
  @ApiOperation({
    summary: 'Models served by online backends (OpenAI list shape plus endpoints, max_tokens)',
  })
  @ApiOkResponse({ schema: { example: { object: 'list', data: [MODEL_EXAMPLE] } } })
  @ApiErrors(401, 403)
  list(@Res() reply: FastifyReply): void {
    void reply.send(this.models.list());
  }

  @Get('*')
  @ApiOperation({ summary: 'One model by id' })
  @ApiParam({ name: '*', description: 'Model id (may contain "/" and ":")' })
  @ApiOkResponse({ schema: { example: MODEL_EXAMPLE } })
  @ApiErrors(401, 403, 404)
  get(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const id = (req.params as Record<string, string>)['*'] ?? '';
    void reply.send(this.models.get(id));
  }
}
