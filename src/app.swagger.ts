import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('llmlb')
    .setDescription(
      'Load balancer for LLM inference fleets: node registration, endpoints, models, downloads, ' +
        'and one OpenAI-compatible API. Every error has the shape `{error:{message,type,code,param,details?}}`; ' +
        'codes are listed in docs/errors.md.',
    )
    .setVersion('0.1.0')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'JWT from /v0/auth/login or an sk_ API key' },
      'bearer',
    )
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api_key')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Node-Token' }, 'node_token')
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Recursively sorts object keys so the committed document diffs cleanly. */
export function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort())
      out[k] = sortDeep((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

export function setupSwagger(app: INestApplication): void {
  const doc = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, doc, {
    jsonDocumentUrl: 'api/openapi.json',
    yamlDocumentUrl: 'api/openapi.yaml',
    customSiteTitle: 'llmlb API',
  });
}
