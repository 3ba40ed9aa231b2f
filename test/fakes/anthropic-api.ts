import type { ServerResponse } from 'node:http';
import { FakeProvider, ProviderRequest, sleep } from './provider-base';

/**
 * A fake of the Anthropic Messages API: `POST /v1/messages` with `x-api-key` and
 * `anthropic-version`, JSON answers and SSE streams with the real event types
 * (message_start, content_block_start, ping, content_block_delta, content_block_stop,
 * message_delta, message_stop), errors as `{type:"error", error:{type, message}}`.
 */
export class FakeAnthropicApi extends FakeProvider {
  constructor(readonly apiKey = 'anthropic-test-key') {
    super();
  }

  private error(res: ServerResponse, status: number, type: string, message: string): void {
    this.json(res, status, { type: 'error', error: { type, message } });
  }

  protected async respond(req: ProviderRequest, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.path !== '/v1/messages')
      return this.error(res, 404, 'not_found_error', 'Not found');
    if (req.headers['x-api-key'] !== this.apiKey)
      return this.error(res, 401, 'authentication_error', 'invalid x-api-key');
    if (!req.headers['anthropic-version'])
      return this.error(res, 400, 'invalid_request_error', 'anthropic-version header is required');
    const body = req.json ?? {};
    if (typeof body.max_tokens !== 'number')
      return this.error(res, 400, 'invalid_request_error', 'max_tokens: Field required');
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return this.error(
        res,
        400,
        'invalid_request_error',
        'messages: at least one message is required',
      );
    }
    if (body.model === 'overloaded') return this.error(res, 529, 'overloaded_error', 'Overloaded');
    const id = 'msg_01FakeAnthropic';
    const text = this.chunks.join('');
    if (!body.stream) {
      return this.json(res, 200, {
        id,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: this.chunks.length },
      });
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    const ev = (type: string, data: Record<string, unknown>) =>
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    ev('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        content: [],
        model: body.model,
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 1 },
      },
    });
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    ev('ping', {});
    for (const piece of this.chunks) {
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
      await sleep(2);
    }
    if (body.model === 'dies-midway') {
      ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
      res.end();
      return;
    }
    ev('content_block_stop', { index: 0 });
    ev('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: this.chunks.length },
    });
    ev('message_stop', {});
    res.end();
  }
}
