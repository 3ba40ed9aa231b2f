import type { ServerResponse } from 'node:http';
import { FakeProvider, ProviderRequest, sleep } from './provider-base';

/**
 * A fake of the Google Gemini API (generativelanguage.googleapis.com): `POST
 * /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`, key in
 * `x-goog-api-key`, errors as `{error:{code, message, status}}`.
 */
export class FakeGoogleApi extends FakeProvider {
  constructor(readonly apiKey = 'google-test-key') {
    super();
  }

  protected async respond(req: ProviderRequest, res: ServerResponse): Promise<void> {
    if (req.headers['x-goog-api-key'] !== this.apiKey) {
      return this.json(res, 400, {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
        },
      });
    }
    const m = /^\/v1beta\/models\/([^:]+):(generateContent|streamGenerateContent)$/.exec(req.path);
    if (req.method !== 'POST' || !m) {
      return this.json(res, 404, {
        error: { code: 404, message: 'Not found', status: 'NOT_FOUND' },
      });
    }
    const model = decodeURIComponent(m[1]);
    if (model === 'garbled') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"candidates": [');
      return;
    }
    if (model === 'missing') {
      return this.json(res, 404, {
        error: {
          code: 404,
          message: `models/${model} is not found for API version v1beta`,
          status: 'NOT_FOUND',
        },
      });
    }
    if (!Array.isArray(req.json?.contents) || req.json.contents.length === 0) {
      return this.json(res, 400, {
        error: {
          code: 400,
          message: '* GenerateContentRequest.contents: contents is not specified',
          status: 'INVALID_ARGUMENT',
        },
      });
    }
    const usage = {
      promptTokenCount: 9,
      candidatesTokenCount: this.chunks.length,
      totalTokenCount: 9 + this.chunks.length,
    };
    if (m[2] === 'generateContent') {
      return this.json(res, 200, {
        candidates: [
          {
            content: { parts: [{ text: this.chunks.join('') }], role: 'model' },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: usage,
        modelVersion: model,
        responseId: 'resp-google-1',
      });
    }
    if (req.query !== 'alt=sse') {
      return this.json(res, 400, {
        error: {
          code: 400,
          message: 'this fake streams only with alt=sse',
          status: 'INVALID_ARGUMENT',
        },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < this.chunks.length; i++) {
      const last = i === this.chunks.length - 1;
      const ev: Record<string, unknown> = {
        candidates: [
          {
            content: { parts: [{ text: this.chunks[i] }], role: 'model' },
            index: 0,
            ...(last ? { finishReason: 'STOP' } : {}),
          },
        ],
        usageMetadata: last ? usage : { promptTokenCount: 9, totalTokenCount: 9 },
        modelVersion: model,
        responseId: 'resp-google-2',
      };
      res.write(`data: ${JSON.stringify(ev)}\r\n\r\n`);
      await sleep(2);
    }
    res.end();
  }
}
