import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './app-error';
import type { ErrorCode } from './error-codes';
import { ERROR_CODES } from './error-codes';

const CLIENT_ERRORS: Record<string, ErrorCode> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
  HPE_HEADER_OVERFLOW: 'headers_too_large',
};

/**
 * Errors Node raises on a connection before any request exists (a request not received
 * within LLMLB_REQUEST_TIMEOUT_SECS, oversized or malformed headers): answered in the spec's
 * error shape with an `x-request-id`, then the connection is closed.
 */
export function onClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode = CLIENT_ERRORS[err.code ?? ''] ?? 'bad_request';
  const { status, message } = ERROR_CODES[code];
  if (socket.writable) {
    const body = JSON.stringify(errorBody(status, code, message));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `content-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${randomUUID()}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
