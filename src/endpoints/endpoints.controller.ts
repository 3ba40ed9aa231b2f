import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExcludeEndpoint,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators';
import { AppError } from '../common/app-error';
import { ApiErrors } from '../common/swagger';
import { UuidParam } from '../common/uuid.pipe';
import {
  CreateEndpointDto,
  EndpointDetailDto,
  EndpointListDto,
  EndpointModelListDto,
  EndpointTestResultDto,
  ListEndpointsQueryDto,
  ModelInfoDto,
  SyncResultDto,
  UpdateEndpointDto,
} from './dto/endpoint.dto';
import { EndpointsService } from './endpoints.service';

@ApiTags('endpoints')
@Controller('v0/endpoints')
export class EndpointsController {
  constructor(private readonly endpoints: EndpointsService) {}

  @Post()
  @RequirePermission('endpoints.manage')
  @ApiOperation({
    summary: 'Register an endpoint; its type is detected and it is probed and synced right away',
  })
  @ApiCreatedResponse({ type: EndpointDetailDto })
  @ApiErrors(400, 401, 403, 409)
  create(@Body() dto: CreateEndpointDto): Promise<EndpointDetailDto> {
    return this.endpoints.create(dto);
  }

  @Get()
  @RequirePermission('endpoints.read')
  @ApiOperation({ summary: 'List endpoints, optionally by type and status' })
  @ApiOkResponse({ type: EndpointListDto })
  @ApiErrors(400, 401, 403)
  list(@Query() query: ListEndpointsQueryDto): Promise<EndpointListDto> {
    return this.endpoints.list(query);
  }

  @Get(':id')
  @RequirePermission('endpoints.read')
  @ApiOperation({ summary: 'One endpoint with its synced models' })
  @ApiOkResponse({ type: EndpointDetailDto })
  @ApiErrors(400, 401, 403, 404)
  get(@UuidParam() id: string): Promise<EndpointDetailDto> {
    return this.endpoints.get(id);
  }

  @Put(':id')
  @RequirePermission('endpoints.manage')
  @ApiOperation({ summary: 'Partial update; a new base_url re-detects the type' })
  @ApiOkResponse({ type: EndpointDetailDto })
  @ApiErrors(400, 401, 403, 404, 409)
  update(@UuidParam() id: string, @Body() dto: UpdateEndpointDto): Promise<EndpointDetailDto> {
    return this.endpoints.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('endpoints.manage')
  @ApiOperation({ summary: 'Delete an endpoint (it stops receiving traffic at once)' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  async remove(@UuidParam() id: string): Promise<void> {
    await this.endpoints.remove(id);
  }

  @Post(':id/test')
  @HttpCode(200)
  @RequirePermission('endpoints.manage')
  @ApiOperation({ summary: 'Probe now and re-detect the type' })
  @ApiOkResponse({ type: EndpointTestResultDto })
  @ApiErrors(400, 401, 403, 404)
  test(@UuidParam() id: string): Promise<EndpointTestResultDto> {
    return this.endpoints.test(id);
  }

  @Post(':id/sync')
  @HttpCode(200)
  @RequirePermission('endpoints.manage')
  @ApiOperation({ summary: 'Sync the model list now' })
  @ApiOkResponse({ type: SyncResultDto })
  @ApiErrors(400, 401, 403, 404, 502)
  sync(@UuidParam() id: string): Promise<SyncResultDto> {
    return this.endpoints.sync(id);
  }

  @Get(':id/models')
  @RequirePermission('endpoints.read')
  @ApiOperation({ summary: 'Synced models of the endpoint' })
  @ApiOkResponse({ type: EndpointModelListDto })
  @ApiErrors(400, 401, 403, 404)
  models(@UuidParam() id: string): Promise<EndpointModelListDto> {
    return this.endpoints.models(id);
  }

  @Get(':id/models/:model/info')
  @RequirePermission('endpoints.read')
  @ApiOperation({
    summary: 'Context length of one model (xllm, ollama, lm_studio)',
    description: 'The model id is URL-encoded; it may contain `/` (as `%2F` or literally) and `:`.',
  })
  @ApiParam({
    name: 'model',
    description: 'Model id, URL-encoded',
    example: 'Qwen%2FQwen2.5-7B-Instruct',
  })
  @ApiOkResponse({ type: ModelInfoDto })
  @ApiErrors(400, 401, 403, 404)
  modelInfo(@UuidParam() id: string, @Param('model') model: string): Promise<ModelInfoDto> {
    return this.endpoints.modelInfo(id, decodeModelId(model));
  }

  /** The same for ids with literal slashes (`…/models/org/name:tag/info`). */
  @Get(':id/models/*')
  @ApiExcludeEndpoint()
  @RequirePermission('endpoints.read')
  modelInfoWithSlashes(@UuidParam() id: string, @Param('*') rest: string): Promise<ModelInfoDto> {
    return this.endpoints.modelInfo(id, modelIdFromPath(rest));
  }
}

/** `{model}/info` (model possibly with `/`, possibly still percent-encoded) → model id. */
export function modelIdFromPath(rest: string | undefined): string {
  const m = /^(.+)\/info$/.exec(rest ?? '');
  if (!m) throw new AppError('route_not_found', 'Expected /v0/endpoints/{id}/models/{model}/info');
  return decodeModelId(m[1]);
}

/** Fastify decodes path params once, except `%2F`; decode what is left. */
export function decodeModelId(raw: string): string {
  if (!/%[0-9a-f]{2}/i.test(raw)) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
