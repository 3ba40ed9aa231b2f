import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PublicUnless, RequirePermission } from '../auth/auth.decorators';
import { allows } from '../auth/access-policy.service';
import type { AuthenticatedRequest } from '../auth/principal';
import { ApiErrors, ErrorResponseDto } from '../common/swagger';
import { UuidParam } from '../common/uuid.pipe';
import { ListNodesQueryDto } from './dto/list-nodes-query.dto';
import { NodeDto, NodeListDto } from './dto/node.dto';
import { NodeSettingsDto } from './dto/node-settings.dto';
import { RegisterNodeDto, RegisterNodeResponseDto } from './dto/register-node.dto';
import { GpuRequiredGuard } from './gpu-required.guard';
import { NodesService } from './nodes.service';
import { RegistrationRateLimitGuard } from './registration-rate-limit.guard';

@ApiTags('nodes')
@Controller('v0/nodes')
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @Post()
  @PublicUnless('nodes.register', (c) => c.nodes.registrationKeyRequired)
  @UseGuards(RegistrationRateLimitGuard, GpuRequiredGuard)
  @ApiSecurity('node_token')
  @ApiOperation({
    summary: 'Register (or re-register) a GPU node; returns a new node token',
    description:
      'Public unless LLMLB_NODE_REGISTRATION_KEY_REQUIRED=true (then a key with nodes.register). ' +
      'Missing or empty GPU information is 403 gpu_required and nothing is stored. Without a key ' +
      'with nodes.register, ip_address must be the address the request comes from (403 ' +
      'address_mismatch). Loopback, link-local, multicast, broadcast, unspecified and ' +
      'IPv4-mapped forms of those are 400 address_not_allowed unless inside ' +
      'LLMLB_NODE_ALLOWED_NETWORKS. The runtime must answer GET /v1/models with 2xx within 5 s, ' +
      'no redirects (else 502 node_unreachable). A new node is pending until approved; at most ' +
      'LLMLB_MAX_PENDING_NODES wait (429 too_many_pending_nodes). Re-registering an existing ' +
      'node needs its current X-Node-Token (keeps its approval: registering) or a nodes.manage ' +
      'key (back to pending); a pending node may re-register from its own address; else 409 ' +
      'node_exists and the node is untouched.',
  })
  @ApiBody({ type: RegisterNodeDto })
  @ApiCreatedResponse({
    type: RegisterNodeResponseDto,
    description: 'New node (status "registered")',
  })
  @ApiOkResponse({
    type: RegisterNodeResponseDto,
    description: 'Same ip_address and runtime_port: updated',
  })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'validation_failed, or address_not_allowed: the address may not be a node',
  })
  @ApiForbiddenResponse({
    type: ErrorResponseDto,
    description:
      'gpu_required: GPU hardware is required for node registration; address_mismatch: ' +
      'ip_address is not the caller (or forbidden: key lacks nodes.register)',
  })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'node_exists: a node is registered at this address',
  })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'rate_limited, or too_many_pending_nodes',
  })
  @ApiErrors(401, 502)
  async register(
    @Body() dto: RegisterNodeDto,
    @Req() req: FastifyRequest & AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RegisterNodeResponseDto> {
    const p = req.principal;
    const token = req.headers['x-node-token'];
    const result = await this.nodes.register(dto, {
      sourceIp: req.ip,
      mayRegisterAnyAddress: !!p && allows(p, 'nodes.register'),
      mayManageNodes: !!p && allows(p, 'nodes.manage'),
      nodeToken: (Array.isArray(token) ? token[0] : token) || null,
    });
    void reply.status(result.status === 'registered' ? 201 : 200);
    return result;
  }

  @Get()
  @RequirePermission('nodes.read')
  @ApiOperation({ summary: 'List nodes, optionally by status' })
  @ApiOkResponse({ type: NodeListDto })
  @ApiErrors(400, 401, 403)
  list(@Query() query: ListNodesQueryDto): NodeListDto {
    return this.nodes.list(query.status);
  }

  @Get(':id')
  @RequirePermission('nodes.read')
  @ApiOperation({ summary: 'Get one node' })
  @ApiOkResponse({ type: NodeDto })
  @ApiErrors(400, 401, 403, 404)
  get(@UuidParam() id: string): NodeDto {
    return this.nodes.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('nodes.manage')
  @ApiOperation({ summary: 'Delete (or reject) a node; its token stops working at once' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  async remove(@UuidParam() id: string): Promise<void> {
    await this.nodes.remove(id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequirePermission('nodes.manage')
  @ApiOperation({
    summary: 'Approve a pending node: online when its models are ready, else registering',
  })
  @ApiOkResponse({ type: NodeDto })
  @ApiErrors(400, 401, 403, 404, 409)
  approve(@UuidParam() id: string): Promise<NodeDto> {
    return this.nodes.approve(id);
  }

  @Put(':id/settings')
  @RequirePermission('nodes.manage')
  @ApiOperation({ summary: 'Set custom_name, tags or notes (null clears)' })
  @ApiOkResponse({ type: NodeDto })
  @ApiErrors(400, 401, 403, 404)
  updateSettings(@UuidParam() id: string, @Body() dto: NodeSettingsDto): Promise<NodeDto> {
    return this.nodes.updateSettings(id, dto);
  }
}
