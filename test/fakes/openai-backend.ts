import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer, parseJson, requestBytes, sendJson } from './fake-http-server';

/** A request as the fake received it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  json: any;
  /** The exact bytes (for binary uploads). */
  bytes?: Buffer;
}

export type Fault =
  | { kind: 'none' }
  /** Answer every inference request with this status and an OpenAI error body. */
  | { kind: 'status'; status: number; message?: string }
  /** Wait this long before sending the response headers. */
  | { kind: 'slow_first_byte'; ms: number }
  /** Streams: send `afterChunks` chunks, then destroy the socket. */
  | { kind: 'die_mid_stream'; afterChunks: number }
  /** Accept the request and never answer. */
  | { kind: 'hang' };

export interface FakeOpenAiOptions {
  name?: string;
  models?: string[];
  /** Delay of non-streaming answers, ms. */
  latencyMs?: number;
  /** Content pieces of a streamed answer. */
  chunks?: string[];
  /** Delay between streamed chunks, ms. */
  chunkDelayMs?: number;
}

/** A tool call the fake answers with when the request offers tools and no tool result yet. */
export interface FakeToolCall {
  id: string;
  name: string;
  arguments: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A fake OpenAI-compatible server (vLLM / llama.cpp / OpenAI wire format) on 127.0.0.1 with
 * fault injection. It records every request (raw body and headers) and counts requests whose
 * client went away before the answer ended (`abortedByClient`).
 */
export class FakeOpenAiBackend extends FakeHttpServer {
  readonly name: string;
  models: string[];
  latencyMs: number;
  chunks: string[];
  chunkDelayMs: number;
  fault: Fault = { kind: 'none' };
  /** When set, chat requests with `tools` (and no `tool` message yet) get this tool call. */
  toolCall: FakeToolCall | null = null;
  readonly received: ReceivedRequest[] = [];
  abortedByClient = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** TCP connections accepted since start. */
  connections = 0;
  /** Model `firehose` streams this many 64 KiB chunks as fast as the socket takes them. */
  firehoseChunks = 512;
  firehoseSent = 0;
  firehoseDone = false;
  private gate: Promise<void> | null = null;
  protected override keepAliveTimeout = 60_000;

  constructor(opts: FakeOpenAiOptions = {}) {
    super();
    this.name = opts.name ?? 'fake';
    this.models = opts.models ?? ['test-model'];
    this.latencyMs = opts.latencyMs ?? 0;
    this.chunks = opts.chunks ?? ['Hello', ' from', ' the', ' fake'];
    this.chunkDelayMs = opts.chunkDelayMs ?? 5;
  }

  /**
   * Holds every inference request that arrives from now on (counted in `inFlight`) until the
   * returned function is called.
   */
  hold(): () => void {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    this.gate = gate;
    return () => {
      if (this.gate === gate) this.gate = null;
      release();
    };
  }

  inference(path?: string): ReceivedRequest[] {
    return this.received.filter((r) => r.method === 'POST' && (!path || r.path === path));
  }

  protected override onConnection(): void {
    this.connections += 1;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const json = parseJson(raw);
    const path = (req.url ?? '/').split('?')[0];
    this.received.push({
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      raw,
      json,
      bytes: requestBytes.get(req),
    });
    res.setHeader('x-fake-backend', this.name);

    if (req.method === 'GET' && path === '/v1/models') {
      return this.json(res, 200, {
        object: 'list',
        data: this.models.map((id) => ({
          id,
          object: 'model',
          created: 1700000000,
          owned_by: 'fake',
        })),
      });
    }
    if (req.method !== 'POST')
      return this.json(res, 404, {
        error: { message: 'not found', type: 'invalid_request_error' },
      });

    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let finished = false;
    res.on('finish', () => (finished = true));
    res.on('close', () => {
      this.inFlight -= 1;
      if (!finished) this.abortedByClient += 1;
    });

    if (this.gate) await this.gate;
    const fault = this.fault;
    if (fault.kind === 'hang') return;
    if (fault.kind === 'status') {
      return this.json(res, fault.status, {
        error: {
          message: fault.message ?? `fake ${this.name} failed with ${fault.status}`,
          type: 'server_error',
          code: null,
        },
      });
    }
    if (fault.kind === 'slow_first_byte') await sleep(fault.ms);
    if (res.destroyed) return;
    if (path === '/v1/audio/transcriptions' || path === '/v1/audio/translations') {
      return this.transcription(req, res, raw);
    }
    if (!json || typeof json.model !== 'string') {
      return this.json(res, 400, {
        error: {
          message: 'model is required',
          type: 'invalid_request_error',
          param: 'model',
          code: null,
        },
      });
    }
    if (!this.models.includes(json.model)) {
      return this.json(res, 404, {
        error: {
          message: `The model \`${json.model}\` does not exist.`,
          type: 'invalid_request_error',
          param: 'model',
          code: 'model_not_found',
        },
      });
    }

    if (json.model === 'firehose' && json.stream) return this.firehose(res);
    switch (path) {
      case '/v1/chat/completions':
      case '/v1/completions':
        return json.stream
          ? this.streamCompletion(res, json, path === '/v1/chat/completions')
          : this.completion(res, json, path === '/v1/chat/completions');
      case '/v1/embeddings':
        return this.embeddings(res, json);
      case '/v1/rerank':
        return this.json(res, 200, {
          id: `rerank-${this.name}`,
          model: json.model,
          results: (json.documents ?? []).map((_: unknown, index: number) => ({
            index,
            relevance_score: 1 / (index + 1),
          })),
          usage: { prompt_tokens: 12, total_tokens: 12 },
        });
      case '/v1/images/generations':
        return this.json(res, 200, {
          created: 1700000000,
          data: [{ b64_json: Buffer.from('PNG').toString('base64') }],
        });
      case '/v1/audio/speech':
        res.writeHead(200, { 'content-type': 'audio/mpeg' });
        res.end(Buffer.from([0xff, 0xf3, 0x44, 0xc4, 0x00]));
        return;
      case '/v1/responses':
        return json.stream ? this.streamResponse(res, json) : this.response(res, json);
      default:
        return this.json(res, 404, {
          error: { message: `unknown path ${path}`, type: 'invalid_request_error' },
        });
    }
  }

  /** OpenAI's multipart transcription: the `model` field and a `file` part → `{text}`. */
  private transcription(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const type = String(req.headers['content-type'] ?? '');
    const model = /name="model"\r\n\r\n([^\r]*)\r\n/.exec(raw)?.[1];
    if (!type.startsWith('multipart/form-data') || !model || !raw.includes('name="file"')) {
      return this.json(res, 400, {
        error: {
          message: 'multipart form with model and file required',
          type: 'invalid_request_error',
        },
      });
    }
    if (!this.models.includes(model)) {
      return this.json(res, 404, {
        error: { message: `model ${model} not found`, type: 'invalid_request_error' },
      });
    }
    this.json(res, 200, { text: `transcribed by ${this.name}` });
  }

  private wantsToolCall(json: any): FakeToolCall | null {
    if (!this.toolCall || !Array.isArray(json.tools) || json.tools.length === 0) return null;
    const answered =
      Array.isArray(json.messages) && json.messages.some((m: any) => m?.role === 'tool');
    return answered ? null : this.toolCall;
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    sendJson(res, status, body, { 'content-type': 'application/json' });
  }

  private text(): string {
    return this.chunks.join('');
  }

  private usage(json: any) {
    const prompt = JSON.stringify(json.messages ?? json.prompt ?? json.input ?? '').length;
    return {
      prompt_tokens: prompt,
      completion_tokens: this.chunks.length,
      total_tokens: prompt + this.chunks.length,
    };
  }

  private async completion(res: ServerResponse, json: any, chat: boolean): Promise<void> {
    if (this.latencyMs) await sleep(this.latencyMs);
    if (res.destroyed) return;
    const call = chat ? this.wantsToolCall(json) : null;
    const choice = call
      ? {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: call.id,
                type: 'function',
                function: { name: call.name, arguments: call.arguments },
              },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        }
      : chat
        ? {
            index: 0,
            message: { role: 'assistant', content: this.text() },
            logprobs: null,
            finish_reason: 'stop',
          }
        : { index: 0, text: this.text(), logprobs: null, finish_reason: 'stop' };
    this.json(res, 200, {
      id: `cmpl-${this.name}-${this.received.length}`,
      object: chat ? 'chat.completion' : 'text_completion',
      created: Math.floor(Date.now() / 1000),
      model: json.model,
      system_fingerprint: this.name,
      choices: [choice],
      usage: this.usage(json),
    });
  }

  private async streamCompletion(res: ServerResponse, json: any, chat: boolean): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const id = `chatcmpl-${this.name}-${this.received.length}`;
    const created = Math.floor(Date.now() / 1000);
    const includeUsage = json.stream_options?.include_usage === true;
    const base = {
      id,
      object: chat ? 'chat.completion.chunk' : 'text_completion',
      created,
      model: json.model,
      system_fingerprint: this.name,
    };
    const send = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
    const call = chat ? this.wantsToolCall(json) : null;
    if (call) {
      const half = Math.ceil(call.arguments.length / 2);
      const deltas = [
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              index: 0,
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: '' },
            },
          ],
        },
        { tool_calls: [{ index: 0, function: { arguments: call.arguments.slice(0, half) } }] },
        { tool_calls: [{ index: 0, function: { arguments: call.arguments.slice(half) } }] },
      ];
      for (const delta of deltas) {
        send({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] });
      }
      send({
        ...base,
        choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }],
      });
      if (includeUsage) send({ ...base, choices: [], usage: this.usage(json) });
      res.end('data: [DONE]\n\n');
      return;
    }
    const die = this.fault.kind === 'die_mid_stream' ? this.fault.afterChunks : -1;
    for (let i = 0; i < this.chunks.length; i++) {
      if (res.destroyed) return;
      if (i === die) {
        res.socket?.destroy();
        return;
      }
      const piece = this.chunks[i];
      const choice = chat
        ? {
            index: 0,
            delta: i === 0 ? { role: 'assistant', content: piece } : { content: piece },
            logprobs: null,
            finish_reason: null,
          }
        : { index: 0, text: piece, logprobs: null, finish_reason: null };
      send({ ...base, choices: [choice], ...(includeUsage ? { usage: null } : {}) });
      if (this.chunkDelayMs) await sleep(this.chunkDelayMs);
    }
    if (res.destroyed) return;
    const last = chat
      ? { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }
      : { index: 0, text: '', logprobs: null, finish_reason: 'stop' };
    send({ ...base, choices: [last], ...(includeUsage ? { usage: null } : {}) });
    if (includeUsage) send({ ...base, choices: [], usage: this.usage(json) });
    res.end('data: [DONE]\n\n');
  }

  /** Writes big chunks, waiting for 'drain' like a well-behaved server (exposes backpressure). */
  private async firehose(res: ServerResponse): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const piece = 'x'.repeat(64 * 1024);
    const event = `data: ${JSON.stringify({ id: 'f', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`;
    for (let i = 0; i < this.firehoseChunks; i++) {
      if (res.destroyed) return;
      this.firehoseSent += 1;
      if (!res.write(event)) await new Promise((r) => res.once('drain', r));
    }
    this.firehoseDone = true;
    res.end('data: [DONE]\n\n');
  }

  private embeddings(res: ServerResponse, json: any): void {
    const inputs: unknown[] = Array.isArray(json.input) ? json.input : [json.input];
    this.json(res, 200, {
      object: 'list',
      data: inputs.map((_, index) => ({
        object: 'embedding',
        index,
        embedding: [0.1 * (index + 1), 0.2, 0.3, -0.4],
      })),
      model: json.model,
      usage: { prompt_tokens: inputs.length * 3, total_tokens: inputs.length * 3 },
    });
  }

  private responseObject(json: any, status: string) {
    const text = this.text();
    return {
      id: `resp_${this.name}_${this.received.length}`,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status,
      model: json.model,
      output: [
        {
          type: 'message',
          id: `msg_${this.received.length}`,
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text, annotations: [] }],
        },
      ],
      usage: {
        input_tokens: 11,
        output_tokens: this.chunks.length,
        total_tokens: 11 + this.chunks.length,
      },
    };
  }

  private async response(res: ServerResponse, json: any): Promise<void> {
    if (this.latencyMs) await sleep(this.latencyMs);
    this.json(res, 200, this.responseObject(json, 'completed'));
  }

  private async streamResponse(res: ServerResponse, json: any): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const done = this.responseObject(json, 'completed');
    let seq = 0;
    const ev = (type: string, data: Record<string, unknown>) =>
      res.write(
        `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`,
      );
    ev('response.created', {
      response: { ...done, status: 'in_progress', output: [], usage: null },
    });
    for (const piece of this.chunks) {
      if (res.destroyed) return;
      ev('response.output_text.delta', {
        item_id: done.output[0].id,
        output_index: 0,
        content_index: 0,
        delta: piece,
      });
      if (this.chunkDelayMs) await sleep(this.chunkDelayMs);
    }
    ev('response.completed', { response: done });
    res.end();
  }
}
