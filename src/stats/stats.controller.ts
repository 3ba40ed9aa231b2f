import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../auth/auth.decorators';
import { ApiErrors } from '../common/swagger';
import { RequestHistoryListDto, RequestHistoryQueryDto, StatsDto } from './dto/stats.dto';
import { MetricsService } from './metrics.service';
import { StatsService } from './stats.service';

/**
 * Request history, the dashboard's overview figures and Prometheus metrics. All three need
 * `metrics.read` (a viewer JWT has it, like every `*.read`).
 */
@ApiTags('stats')
@Controller()
@RequirePermission('metrics.read')
export class StatsController {
  constructor(
    private readonly stats: StatsService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('v0/requests')
  @ApiOperation({ summary: 'Request history (newest first), filtered and paged' })
  @ApiOkResponse({ type: RequestHistoryListDto })
  @ApiErrors(400, 401, 403)
  requests(@Query() q: RequestHistoryQueryDto): Promise<RequestHistoryListDto> {
    return this.stats.history(q);
  }

  @Get('v0/stats')
  @ApiOperation({
    summary: 'Totals, per backend, per model, per minute for the last hour, latency percentiles',
  })
  @ApiOkResponse({ type: StatsDto })
  @ApiErrors(401, 403)
  overview(): StatsDto {
    return this.stats.overview();
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' } })
  @ApiErrors(401, 403)
  async prometheus(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    void reply.header('content-type', contentType).send(body);
  }
}
