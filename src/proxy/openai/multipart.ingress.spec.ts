import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { RawBodyRequest } from '../../common/http-setup';
import type { UpstreamPlan } from '../upstream-plan';
import { multipartIngress } from './multipart.ingress';

const TYPE = 'multipart/form-data; boundary=XyZ';

function form(fileBytes: number): Buffer {
  return Buffer.concat([
    Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n'),
    Buffer.alloc(fileBytes, 7),
    Buffer.from(
      '\r\n--XyZ\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--XyZ--\r\n',
    ),
  ]);
}

function request(body: Buffer): RawBodyRequest {
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += 1000) chunks.push(body.subarray(i, i + 1000));
  return {
    headers: { 'content-type': TYPE },
    body: Readable.from(chunks),
  } as unknown as RawBodyRequest;
}

describe('multipart ingress', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'llmlb-mp-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('spools the upload to disk, routes by model, replays it per attempt and removes it', async () => {
    const body = form(50_000);
    const p = await multipartIngress(1 << 20, dir).prepare(request(body));
    expect(p.parsed).toMatchObject({ model: 'whisper-1', stream: false });
    const plan = p.adapt({ headers: { 'x-request-id': 'r' } } as unknown as UpstreamPlan);
    expect(plan.headers).toMatchObject({
      'content-type': TYPE,
      'content-length': String(body.length),
    });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(readFileSync(join(dir, files[0]))).toEqual(body);
    for (let attempt = 0; attempt < 2; attempt++) {
      const chunks: Buffer[] = [];
      for await (const c of (plan.body as () => Readable)()) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks)).toEqual(body);
    }
    p.cleanup!();
    expect(existsSync(join(dir, files[0]))).toBe(false);
  });

  it('stops reading at the size limit (413) and leaves no file behind', async () => {
    await expect(
      multipartIngress(10_000, dir).prepare(request(form(20_000))),
    ).rejects.toMatchObject({
      code: 'payload_too_large',
      status: 413,
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('requires a multipart body with a model field', async () => {
    const noModel = Buffer.from(
      '--XyZ\r\nContent-Disposition: form-data; name="file"\r\n\r\nx\r\n--XyZ--\r\n',
    );
    await expect(multipartIngress(1 << 20, dir).prepare(request(noModel))).rejects.toMatchObject({
      code: 'model_required',
    });
    expect(readdirSync(dir)).toEqual([]);
    await expect(
      multipartIngress(1 << 20, dir).prepare({
        headers: {},
        body: {},
      } as unknown as RawBodyRequest),
    ).rejects.toMatchObject({ code: 'bad_request' });
  });
});
