import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators';
import { ApiErrors } from '../common/swagger';
import { UuidParam } from '../common/uuid.pipe';
import { EndpointHealthDto } from './dto/endpoint-health.dto';
import { EndpointHealthService } from './endpoint-health.service';

@ApiTags('endpoints')
@Controller('v0/endpoints')
export class EndpointHealthController {
  constructor(private readonly health: EndpointHealthService) {}

  @Get(':id/health')
  @RequirePermission('endpoints.read')
  @ApiOperation({ summary: 'Status transitions and the latest raw probe results of an endpoint' })
  @ApiOkResponse({ type: EndpointHealthDto })
  @ApiErrors(400, 401, 403, 404)
  history(@UuidParam() id: string): Promise<EndpointHealthDto> {
    return this.health.history(id);
  }
}
