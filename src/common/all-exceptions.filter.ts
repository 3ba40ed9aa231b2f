import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderError } from './error-renderer';

/**
 * The one exception filter. When headers are already sent (a stream in flight), it writes
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
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
