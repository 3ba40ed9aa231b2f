import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { errorBody } from '../common/app-error';
import { Public } from '../auth/auth.decorators';
import { DatabaseHealth } from '../database/database.health';

@ApiTags('system')
@Controller()
export class SystemController {
  constructor(private readonly db: DatabaseHealth) {}

  @Get('healthz')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Public()
  @ApiOperation({ summary: 'Readiness: database reachable and migrations applied' })
  @ApiOkResponse({ schema: { example: { status: 'ready' } } })
  @ApiServiceUnavailableResponse({ description: 'Not ready (not_ready)' })
  async readyz(@Res() reply: FastifyReply): Promise<void> {
    const r = await this.db.check();
    if (r.ok) {
      void reply.status(200).send({ status: 'ready' });
    } else {
      void reply.status(503).send(errorBody(503, 'not_ready', `Not ready: ${r.error}`));
    }
  }
}
