import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireNodeToken, RequirePermission } from '../auth/auth.decorators';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { AppError } from '../common/app-error';
import { ApiErrors } from '../common/swagger';
import { UuidParam } from '../common/uuid.pipe';
import {
  EndpointDownloadDto,
  EndpointDownloadProgressDto,
  NodeDownloadDto,
  TaskQueryDto,
} from './dto/downloads.dto';
import { TaskProgressDto } from '../tasks/dto/task-progress.dto';
import { TaskDto, TaskIdsDto, TaskListDto } from '../tasks/dto/task.dto';
import { EndpointDownloadsService } from './endpoint-downloads.service';
import { NodePullsService } from './node-pulls.service';
import { TasksService } from './tasks.service';

/** `scheme://host` the caller used: the default base of manifest URLs given to nodes. */
@ApiTags('models')
@Controller('v0/models')
export class NodeDownloadsController {
  constructor(private readonly pulls: NodePullsService) {}

  @Post('download')
  @HttpCode(202)
  @RequirePermission('models.manage')
  @ApiOperation({
    summary:
      'Download a registered model to all online nodes or to specific ones (one task per node)',
  })
  @ApiAcceptedResponse({ type: TaskIdsDto })
  @ApiErrors(400, 401, 403, 404, 409)
  download(@Body() dto: NodeDownloadDto): Promise<TaskIdsDto> {
    return this.pulls.download(dto);
  }
}

@ApiTags('tasks')
@Controller('v0/tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly pulls: NodePullsService,
  ) {}

  @Get()
  @RequirePermission('tasks.read')
  @ApiOperation({ summary: 'Download tasks, newest first' })
  @ApiOkResponse({ type: TaskListDto })
  @ApiErrors(400, 401, 403)
  list(@Query() q: TaskQueryDto): Promise<TaskListDto> {
    return this.tasks.list(q);
  }

  @Get(':id')
  @RequirePermission('tasks.read')
  @ApiOperation({ summary: 'One task' })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(400, 401, 403, 404)
  get(@UuidParam() id: string): Promise<TaskDto> {
    return this.tasks.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequirePermission('models.manage')
  @ApiOperation({ summary: 'Cancel a running task' })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(400, 401, 403, 404, 409)
  cancel(@UuidParam() id: string): Promise<TaskDto> {
    return this.tasks.cancel(id);
  }

  @Post(':id/progress')
  @HttpCode(200)
  @RequireNodeToken()
  @ApiOperation({ summary: 'A node reports progress of its own pull task (X-Node-Token)' })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(400, 401, 403, 404, 409)
  progress(
    @UuidParam() id: string,
    @Body() dto: TaskProgressDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TaskDto> {
    if (principal?.kind !== 'node') throw new AppError('node_token_missing');
    return this.pulls.report(principal.nodeId, id, dto);
  }
}

@ApiTags('endpoints')
@Controller('v0/endpoints')
export class EndpointDownloadsController {
  constructor(private readonly downloads: EndpointDownloadsService) {}

  @Post(':id/download')
  @HttpCode(202)
  @RequirePermission('endpoints.manage')
  @ApiOperation({ summary: 'Start a model download on an xLLM or Ollama endpoint' })
  @ApiAcceptedResponse({ type: TaskDto })
  @ApiErrors(400, 401, 403, 404)
  download(@UuidParam() id: string, @Body() dto: EndpointDownloadDto): Promise<TaskDto> {
    return this.downloads.start(id, dto);
  }

  @Get(':id/download/progress')
  @RequirePermission('endpoints.read')
  @ApiOperation({
    summary: "Progress of the endpoint's downloads, newest first (progress in percent)",
  })
  @ApiOkResponse({ type: EndpointDownloadProgressDto })
  @ApiErrors(400, 401, 403, 404)
  progress(@UuidParam() id: string): Promise<EndpointDownloadProgressDto> {
    return this.downloads.progress(id);
  }
}
