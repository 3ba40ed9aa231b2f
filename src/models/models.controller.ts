import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators';
import { ApiErrors } from '../common/swagger';
import { CatalogService } from './catalog.service';
import {
  CatalogDto,
  CatalogQueryDto,
  ManifestDto,
  ModelListDto,
  RegisteredModelDto,
  RegisterModelDto,
  RepoFilesDto,
} from './dto/models.dto';
import { ModelsService } from './models.service';

@ApiTags('models')
@Controller('v0/models')
export class ModelsController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly models: ModelsService,
  ) {}

  @Get('available')
  @RequirePermission('models.read')
  @ApiOperation({
    summary: 'Hugging Face GGUF catalog: registered (supported) and registrable (available) models',
  })
  @ApiOkResponse({ type: CatalogDto })
  @ApiErrors(400, 401, 403, 502)
  available(@Query() q: CatalogQueryDto): Promise<CatalogDto> {
    return this.catalog.available(q);
  }

  @Get('available/:owner/:name/files')
  @RequirePermission('models.read')
  @ApiOperation({ summary: 'The .gguf files of a Hugging Face repository, with sizes' })
  @ApiOkResponse({ type: RepoFilesDto })
  @ApiErrors(400, 401, 403, 404, 502)
  files(@Param('owner') owner: string, @Param('name') name: string): Promise<RepoFilesDto> {
    return this.catalog.files(`${owner}/${name}`);
  }

  @Get('available/:repo/files')
  @RequirePermission('models.read')
  @ApiOperation({ summary: 'Same as above with the repository id URL-encoded (owner%2Fname)' })
  @ApiOkResponse({ type: RepoFilesDto })
  @ApiErrors(400, 401, 403, 404, 502)
  filesEncoded(@Param('repo') repo: string): Promise<RepoFilesDto> {
    return this.catalog.files(repo);
  }

  @Post('register')
  @RequirePermission('models.manage')
  @ApiOperation({
    summary: 'Register a GGUF file from Hugging Face (verified by HEAD, size recorded)',
  })
  @ApiCreatedResponse({ type: RegisteredModelDto })
  @ApiErrors(400, 401, 403, 404, 409, 502)
  register(@Body() dto: RegisterModelDto): Promise<RegisteredModelDto> {
    return this.models.register(dto);
  }

  @Get()
  @RequirePermission('models.read')
  @ApiOperation({ summary: 'Registered models, where each one is loaded and running downloads' })
  @ApiOkResponse({ type: ModelListDto })
  @ApiErrors(401, 403)
  list(): Promise<ModelListDto> {
    return this.models.list();
  }

  @Get(':name/manifest')
  @RequirePermission('models.read', { allowNodeToken: true })
  @ApiOperation({
    summary: 'Files a node downloads for a registered model (nodes call it with X-Node-Token)',
  })
  @ApiParam({ name: 'name', description: 'Registered model name, URL-encoded' })
  @ApiOkResponse({ type: ManifestDto })
  @ApiErrors(401, 403, 404)
  manifest(@Param('name') name: string): Promise<ManifestDto> {
    return this.models.manifest(name);
  }

  @Delete(':name')
  @HttpCode(204)
  @RequirePermission('models.manage')
  @ApiOperation({ summary: 'Unregister a model' })
  @ApiParam({ name: 'name', description: 'Registered model name, URL-encoded' })
  @ApiNoContentResponse()
  @ApiErrors(401, 403, 404)
  async delete(@Param('name') name: string): Promise<void> {
    await this.models.delete(name);
  }
}
