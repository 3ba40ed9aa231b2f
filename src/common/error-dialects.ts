import type { ErrorBody } from './app-error';

/**
 * The error shape a route family speaks. `/v1/messages*` answers like the Anthropic API
 * (`{"type":"error","error":{"type","message"}}`), the Ollama API at `/api/*` (but not the
 * Swagger UI under `/api/docs`) answers `{"error":"…"}`; everything else uses the spec's shape.
 */
export type ErrorDialect = 'openai' | 'anthropic' | 'ollama';

export function errorDialectFor(url: string): ErrorDialect {
  if (url.startsWith('/v1/messages') && (url.length === 12 || /^[/?]/.test(url[12]))) {
    return 'anthropic';
  }
  if (url.startsWith('/api/') && !url.startsWith('/api/docs') && !url.startsWith('/api/openapi')) {
    return 'ollama';
  }
  return 'openai';
}

/** Anthropic's error `type` for an HTTP status. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
    case 409:
    case 415:
    case 422:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
      return 'overloaded_error';
    default:
      return status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

export function anthropicErrorBody(status: number, message: string): Record<string, unknown> {
  return { type: 'error', error: { type: anthropicErrorType(status), message } };
}

/** The spec's error body rendered in a route family's dialect. */
export function inDialect(dialect: ErrorDialect, status: number, body: ErrorBody): unknown {
  switch (dialect) {
    case 'anthropic':
      return anthropicErrorBody(status, body.error.message);
    case 'ollama':
      return { error: body.error.message };
    default:
      return body;
  }
}
