import { HttpException, Logger } from '@nestjs/common';
import { AppError, ErrorBody, errorBody } from './app-error';
import { ERROR_CODES, ErrorCode } from './error-codes';

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

const logger = new Logger('Errors');

/**
 * Turns anything thrown into the spec's error shape. Known errors keep their status and
 * code; anything else is a 500 whose details only go to the log (with the request id).
 */
export function renderError(err: unknown, requestId: string): { status: number; body: ErrorBody } {
  if (err instanceof AppError) return { status: err.status, body: err.toBody() };

  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    const text =
      typeof res === 'string' ? res : ((res as { message?: unknown }).message ?? err.message);
    const message = Array.isArray(text) ? text.join('; ') : String(text);
    if (status === 404 && /^Cannot [A-Z]+ /.test(message)) {
      return {
        status,
        body: errorBody(status, 'route_not_found', `Route not found: ${message.slice(7)}`),
      };
    }
    const code = STATUS_CODES[status];
    if (code)
      return { status, body: errorBody(status, code, message || ERROR_CODES[code].message) };
    if (status < 500) return { status, body: errorBody(status, 'bad_request', message) };
  }

  const fst = err as { code?: string; statusCode?: number; message?: string };
  if (fst && typeof fst.code === 'string' && FASTIFY_CODES[fst.code]) {
    const code = FASTIFY_CODES[fst.code];
    const def = ERROR_CODES[code];
    return { status: def.status, body: errorBody(def.status, code, def.message) };
  }
  if (fst && typeof fst.statusCode === 'number' && fst.statusCode >= 400 && fst.statusCode < 500) {
    const code = STATUS_CODES[fst.statusCode] ?? 'bad_request';
    return {
      status: fst.statusCode,
      body: errorBody(fst.statusCode, code, fst.message ?? ERROR_CODES[code].message),
    };
  }

  logger.error(
    `request ${requestId} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  return {
    status: 500,
    body: errorBody(500, 'internal_error', `Internal server error (request id ${requestId})`),
  };
}
