import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorDialectFor, inDialect } from './error-dialects';
import { renderError } from './error-renderer';

/**
 * The one exception filter (the body in the route family's dialect, see error-dialects.ts). When headers are already sent (a stream in flight), it writes
 * nothing: the stream relay ends the stream with an error event itself.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    const { status, body } = renderError(exception, String(req.id));
    if (reply.sent || reply.raw.headersSent) {
      this.logger.warn(`request ${req.id}: error after response started: ${body.error.message}`);
      return;
    }
    const out = inDialect(errorDialectFor(req.url), status, body);
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(out);
  }
}
