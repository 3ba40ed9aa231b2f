import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
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
import {
  CreateModelAliasDto,
  ModelAliasDto,
  ModelAliasListDto,
  ModelAliasTargetsDto,
} from './dto/model-alias.dto';
import { ModelAliasesService } from './model-aliases.service';

@ApiTags('models')
@Controller('v0/model-aliases')
@RequirePermission('models.manage')
export class ModelAliasesController {
  constructor(private readonly aliases: ModelAliasesService) {}

  @Get()
  @ApiOperation({ summary: 'List model aliases' })
  @ApiOkResponse({ type: ModelAliasListDto })
  @ApiErrors(401, 403)
  list(): Promise<ModelAliasListDto> {
    return this.aliases.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create an alias routed to any backend serving any of its targets' })
  @ApiCreatedResponse({ type: ModelAliasDto })
  @ApiErrors(400, 401, 403, 409)
  create(@Body() dto: CreateModelAliasDto): Promise<ModelAliasDto> {
    return this.aliases.create(dto);
  }

  @Put(':alias')
  @ApiOperation({ summary: 'Set the targets of an alias (created when absent)' })
  @ApiParam({ name: 'alias', description: 'The alias, URL-encoded' })
  @ApiOkResponse({ type: ModelAliasDto })
  @ApiErrors(400, 401, 403, 409)
  put(@Param('alias') alias: string, @Body() dto: ModelAliasTargetsDto): Promise<ModelAliasDto> {
    return this.aliases.put(alias, dto);
  }

  @Delete(':alias')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an alias' })
  @ApiParam({ name: 'alias', description: 'The alias, URL-encoded' })
  @ApiNoContentResponse()
  @ApiErrors(401, 403, 404)
  async delete(@Param('alias') alias: string): Promise<void> {
    await this.aliases.delete(alias);
  }
}
