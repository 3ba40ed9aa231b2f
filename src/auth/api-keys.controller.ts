import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/swagger';
import { UuidParam } from '../common/uuid.pipe';
import { ApiKeysService } from './api-keys.service';
import { RequirePermission } from './auth.decorators';
import { ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { CurrentPrincipal, type Principal } from './principal';

@ApiTags('api-keys')
@Controller('v0/api-keys')
@RequirePermission('api_keys.manage')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ApiOperation({ summary: 'List active API keys (prefix only, never the key)' })
  @ApiOkResponse({ type: ApiKeyListDto })
  @ApiErrors(401, 403)
  list(): Promise<ApiKeyListDto> {
    return this.keys.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create an API key; the plaintext key is returned only here' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiErrors(400, 401, 403)
  create(
    @Body() dto: CreateApiKeyDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CreatedApiKeyDto> {
    return this.keys.create(dto, principal);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  async revoke(@UuidParam() id: string): Promise<void> {
    await this.keys.revoke(id);
  }
}
