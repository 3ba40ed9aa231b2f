import { Controller, Get, Header, Headers, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppError } from '../common/app-error';
import { Public } from '../auth/auth.decorators';
import { DashboardService } from './dashboard.service';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

/** The dashboard's static files (public: the pages log in through the API themselves). */
@ApiExcludeController()
@Controller('dashboard')
@Public()
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @Header('cache-control', 'no-cache')
  index(@Headers('if-none-match') inm: string | undefined, @Res() reply: FastifyReply): void {
    this.send('index.html', inm, reply);
  }

  @Get(':file')
  @Header('cache-control', 'no-cache')
  file(
    @Param('file') file: string,
    @Headers('if-none-match') inm: string | undefined,
    @Res() reply: FastifyReply,
  ): void {
    this.send(file, inm, reply);
  }

  private send(name: string, ifNoneMatch: string | undefined, reply: FastifyReply): void {
    const asset = this.dashboard.get(name);
    if (!asset) throw new AppError('route_not_found', `No dashboard file named "${name}"`);
    void reply.headers({
      ...SECURITY_HEADERS,
      etag: asset.etag,
      'content-type': asset.contentType,
    });
    if (ifNoneMatch === asset.etag) {
      void reply.status(304).send();
      return;
    }
    void reply.status(200).send(asset.body);
  }
}
