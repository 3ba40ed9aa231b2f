import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../common/app-error';
import type { RawBodyRequest } from '../../common/http-setup';
import type { Ingress, PreparedIngress } from '../ingress';
import type { ParsedRequest } from '../request-body';
import { MultipartFieldScanner, multipartBoundary } from './multipart-field';

function isReadable(v: unknown): v is Readable {
  return (
    !!v && typeof (v as Readable).pipe === 'function' && typeof (v as Readable).on === 'function'
  );
}

/**
 * Streams a multipart upload to a temporary file (never whole in memory) while reading its
 * `model` field for routing; the size limit is enforced while reading. Each attempt (failover
 * included) sends the file again from disk; the file is removed when the request ends.
 */
async function spool(
  body: Readable,
  boundary: string,
  limit: number,
  path: string,
): Promise<{ model: string | null; size: number }> {
  const scanner = new MultipartFieldScanner(boundary, 'model');
  let size = 0;
  const inspect = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limit) {
        cb(new AppError('payload_too_large', `Request body exceeds ${limit} bytes`));
        return;
      }
      scanner.push(chunk);
      cb(null, chunk);
    },
  });
  await pipeline(body, inspect, createWriteStream(path, { mode: 0o600 }));
  return { model: scanner.value, size };
}

/** `POST /v1/audio/transcriptions|translations`: multipart, routed by the `model` form field. */
export function multipartIngress(limitBytes: number, dir = tmpdir()): Ingress {
  return {
    async prepare(req: RawBodyRequest): Promise<PreparedIngress> {
      const contentType = String(req.headers['content-type'] ?? '');
      const boundary = multipartBoundary(contentType);
      if (!boundary || !isReadable(req.body)) {
        throw new AppError(
          'bad_request',
          'The request must be multipart/form-data with a model field',
        );
      }
      const path = join(dir, `llmlb-upload-${randomUUID()}`);
      const cleanup = () => rmSync(path, { force: true });
      let spooled: { model: string | null; size: number };
      try {
        spooled = await spool(req.body, boundary, limitBytes, path);
      } catch (e) {
        cleanup();
        throw e;
      }
      if (!spooled.model) {
        cleanup();
        throw new AppError('model_required', undefined, { param: 'model' });
      }
      const parsed: ParsedRequest = {
        model: spooled.model,
        stream: false,
        clientWantsUsage: true,
        json: { model: spooled.model },
        raw: Buffer.alloc(0),
      };
      return {
        parsed,
        cleanup,
        adapt: (plan) => ({
          ...plan,
          headers: {
            ...plan.headers,
            'content-type': contentType,
            'content-length': String(spooled.size),
            accept: 'application/json',
          },
          body: () => createReadStream(path),
        }),
      };
    },
  };
}
