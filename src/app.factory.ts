import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from './config/app-config';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { AppLogger } from './common/app-logger';
import { configureFastify, genRequestId } from './common/http-setup';
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
    bodyLimit: Math.max(config.server.bodyLimitBytes, config.server.proxyBodyLimitBytes),
    keepAliveTimeout: 65_000,
    trustProxy: config.server.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: opts.logger === false ? false : new AppLogger(config.server),
    bufferLogs: false,
    bodyParser: false,
    abortOnError: false,
  });
  configureFastify(app.getHttpAdapter().getInstance(), {
    managementBytes: config.server.bodyLimitBytes,
    proxyBytes: config.server.proxyBodyLimitBytes,
  });
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  setupSwagger(app);
  await app.init();
  return app;
}
