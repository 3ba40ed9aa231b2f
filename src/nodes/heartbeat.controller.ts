import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { RequireNodeToken } from '../auth/auth.decorators';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { AppError } from '../common/app-error';
import { ApiErrors, ErrorResponseDto } from '../common/swagger';
import { HeartbeatDto, HeartbeatResponseDto } from './dto/heartbeat.dto';
import { NodesService } from './nodes.service';

@ApiTags('nodes')
@Controller('v0/health')
export class HeartbeatController {
  constructor(private readonly nodes: NodesService) {}

  @Post()
  @HttpCode(200)
  @RequireNodeToken()
  @ApiOperation({
    summary: 'Node heartbeat (X-Node-Token): metrics, loaded models, readiness, download progress',
    description:
      'The node is identified by its token; a body node_id of another node is 403 node_token_mismatch. ' +
      'Answers the node status after the heartbeat.',
  })
  @ApiOkResponse({ type: HeartbeatResponseDto })
  @ApiUnauthorizedResponse({
    type: ErrorResponseDto,
    description:
      'node_token_missing (no X-Node-Token) or node_token_invalid (unknown, rotated or deleted node)',
  })
  @ApiForbiddenResponse({
    type: ErrorResponseDto,
    description: 'node_token_mismatch: body node_id is another node',
  })
  @ApiErrors(400)
  heartbeat(
    @Body() dto: HeartbeatDto,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<HeartbeatResponseDto> {
    if (principal?.kind !== 'node') throw new AppError('node_token_missing');
    return this.nodes.heartbeat(principal.nodeId, dto);
  }
}
