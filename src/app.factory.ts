import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from './config/app-config';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { configureFastify, genRequestId, onFrameworkError } from './common/http-setup';
import { onClientError } from './common/client-error';
import { applyServerLimits } from './common/http-server-limits';
import { AccessPolicyService } from './auth/access-policy.service';
import { installEarlyAuth } from './auth/early-auth.hook';
import { AppLogger } from './common/app-logger';
import { createValidationPipe } from './common/validation';
import { AppModule } from './app.module';
import { setupSwagger } from './app.swagger';

/** Builds the whole application (used by main.ts, the tests and the OpenAPI generator). */
export async function createApp(
  config: AppConfig,
  opts: { logger?: false } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: genRequestId,
    // Routes get their own limit (configureFastify); this one applies to unknown routes.
    bodyLimit: config.server.bodyLimitBytes,
    keepAliveTimeout: 65_000,
    frameworkErrors: onFrameworkError,
    clientErrorHandler: onClientError,
    trustProxy: config.server.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: opts.logger === false ? false : new AppLogger(config.server),
    bufferLogs: false,
    bodyParser: false,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  configureFastify(fastify, {
    managementBytes: config.server.bodyLimitBytes,
    proxyBytes: config.server.proxyBodyLimitBytes,
  });
  installEarlyAuth(fastify, app.get(AccessPolicyService));
  applyServerLimits(app.getHttpServer(), {
    requestTimeoutMs: config.server.requestTimeoutSecs * 1000,
    maxConnections: config.server.maxConnections,
  });
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(createValidationPipe());
  // No Nest shutdown hooks: `llmlb serve` drains HTTP first on SIGTERM (see shutdown.ts).
  setupSwagger(app);
  await app.init();
  return app;
}
