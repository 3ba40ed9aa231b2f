import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer, parseJson, sendJson, sendText } from './fake-http-server';
import { ollamaInferenceRoutes } from './ollama-inference';

export { sendJson, sendText };

/**
 * Fakes of the LLM servers llmlb talks to, answering in each product's real wire format
 * (paths, JSON shapes, status codes, headers — including the quirks detection relies on:
 * LM Studio's 200 + `error` on unknown paths, vLLM's `owned_by: "vllm"`, llama.cpp's
 * `Server: llama.cpp` header and `/props`, Ollama's "Ollama is running").
 *
 * Fault injection: `fail('500' | 'close' | 'hang')`, `delayMs`, `stop()` / `start()` (refused
 * connections on the same port), `setModels()` at runtime. Add routes with `route()`; they
 * take precedence over the built-in ones.
 */
export type FakeKind = 'ollama' | 'vllm' | 'lm_studio' | 'llama_cpp' | 'xllm' | 'openai_compatible';

export interface FakeModel {
  id: string;
  /** Context length the server reports for the model. */
  contextLength?: number;
}

export interface FakeServerOptions {
  models?: (string | FakeModel)[];
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** Answer every request after this delay. */
  delayMs?: number;
  port?: number;
  /** llama.cpp `/props` `total_slots` (default 1). */
  totalSlots?: number;
}

export type FaultMode = 'ok' | '500' | 'close' | 'hang';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface FakeContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: string;
  json: any;
  /** Path parameters of a RegExp route (its groups). */
  params: string[];
  server: FakeLlmServer;
}

export type FakeHandler = (ctx: FakeContext) => void | Promise<void>;

interface Route {
  method: string;
  path: string | RegExp;
  handler: FakeHandler;
}

const CREATED = 1_730_000_000;

export class FakeLlmServer extends FakeHttpServer {
  readonly kind: FakeKind;
  models: FakeModel[];
  apiKey: string | undefined;
  delayMs: number;
  mode: FaultMode = 'ok';
  /** llama.cpp `/props` `total_slots`. */
  totalSlots: number;
  readonly requests: RecordedRequest[] = [];
  protected override keepAliveTimeout = 1000;
  private readonly routes: Route[] = [];

  private constructor(kind: FakeKind, opts: FakeServerOptions) {
    super(opts.port ?? 0);
    this.kind = kind;
    this.models = (opts.models ?? defaultModels(kind)).map((m) =>
      typeof m === 'string' ? { id: m } : m,
    );
    this.apiKey = opts.apiKey;
    this.delayMs = opts.delayMs ?? 0;
    this.totalSlots = opts.totalSlots ?? 1;
    this.routes.push(...builtInRoutes(kind));
  }

  static async start(kind: FakeKind, opts: FakeServerOptions = {}): Promise<FakeLlmServer> {
    const s = new FakeLlmServer(kind, opts);
    await s.start();
    return s;
  }

  /** Adds a route (checked before the built-in ones). */
  route(method: string, path: string | RegExp, handler: FakeHandler): this {
    this.routes.unshift({ method: method.toUpperCase(), path, handler });
    return this;
  }

  setModels(models: (string | FakeModel)[]): void {
    this.models = models.map((m) => (typeof m === 'string' ? { id: m } : m));
  }

  fail(mode: FaultMode): void {
    this.mode = mode;
  }

  heal(): void {
    this.mode = 'ok';
    this.delayMs = 0;
  }

  /** Requests seen for a path (any method), e.g. to count probes. */
  hits(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Listens (again) on the same port. */
  override start(): Promise<this> {
    return super.start(this.port);
  }

  close(): Promise<void> {
    return this.stop();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: req.headers,
      body,
      at: Date.now(),
    });
    if (this.mode === 'hang') return; // never answers; the client must time out
    if (this.mode === 'close') {
      req.socket.destroy();
      return;
    }
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (!this.listening) return;
    const extra =
      this.kind === 'llama_cpp'
        ? { server: 'llama.cpp' }
        : this.kind === 'vllm'
          ? { server: 'uvicorn' }
          : {};
    for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
    if (this.mode === '500') {
      sendJson(res, 500, { error: { message: 'Internal Server Error', type: 'server_error' } });
      return;
    }
    if (this.apiKey && req.headers.authorization !== `Bearer ${this.apiKey}`) {
      sendJson(res, 401, {
        error: {
          message: 'Invalid API key',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
      return;
    }
    const json: unknown = parseJson(body);
    for (const r of this.routes) {
      if (r.method !== req.method) continue;
      let params: string[] | null = null;
      if (typeof r.path === 'string') params = r.path === url.pathname ? [] : null;
      else {
        const m = r.path.exec(url.pathname);
        params = m ? m.slice(1).map((p) => decodeURIComponent(p)) : null;
      }
      if (!params) continue;
      await r.handler({ req, res, url, body, json, params, server: this });
      return;
    }
    notFound(this.kind, req, res);
  }
}

function defaultModels(kind: FakeKind): FakeModel[] {
  switch (kind) {
    case 'ollama':
      return [
        { id: 'llama3.2:latest', contextLength: 131072 },
        { id: 'nomic-embed-text:latest', contextLength: 8192 },
      ];
    case 'vllm':
      return [{ id: 'meta-llama/Llama-3.1-8B-Instruct', contextLength: 131072 }];
    case 'lm_studio':
      return [
        { id: 'qwen/qwen3-4b', contextLength: 32768 },
        { id: 'text-embedding-nomic-embed-text-v1.5', contextLength: 2048 },
      ];
    case 'llama_cpp':
      return [{ id: 'gemma-3-4b-it-Q4_K_M.gguf', contextLength: 8192 }];
    case 'xllm':
      return [{ id: 'Qwen/Qwen2.5-7B-Instruct-GGUF:q4_k_m', contextLength: 32768 }];
    case 'openai_compatible':
      return [{ id: 'gpt-4o-mini-local' }];
  }
}

/** What each product answers for a path it does not know. */
function notFound(kind: FakeKind, req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://fake').pathname;
  switch (kind) {
    case 'ollama':
      return sendText(res, 404, '404 page not found');
    case 'vllm':
      return sendJson(res, 404, { detail: 'Not Found' });
    case 'lm_studio':
      // LM Studio answers unknown endpoints with 200 and an error object.
      return sendJson(res, 200, {
        error: `Unexpected endpoint or method. (${req.method} ${path})`,
      });
    case 'llama_cpp':
      return sendJson(res, 404, {
        error: { code: 404, message: 'File Not Found', type: 'not_found_error' },
      });
    case 'xllm':
      return sendJson(res, 404, {
        error: { message: `Not found: ${path}`, type: 'not_found_error' },
      });
    case 'openai_compatible':
      return sendJson(res, 404, {
        error: {
          message: `Unknown request URL: ${req.method} ${path}`,
          type: 'invalid_request_error',
        },
      });
  }
}

function ownedBy(kind: FakeKind): string {
  return {
    ollama: 'library',
    vllm: 'vllm',
    lm_studio: 'organization_owner',
    llama_cpp: 'llamacpp',
    xllm: 'xllm',
    openai_compatible: 'system',
  }[kind];
}

function openAiModelList(s: FakeLlmServer): unknown {
  return {
    object: 'list',
    data: s.models.map((m) => {
      const base: Record<string, unknown> = {
        id: m.id,
        object: 'model',
        created: CREATED,
        owned_by: ownedBy(s.kind),
      };
      if (s.kind === 'lm_studio')
        return { id: m.id, object: 'model', owned_by: 'organization_owner' };
      if (s.kind === 'vllm') {
        return {
          ...base,
          root: m.id,
          parent: null,
          max_model_len: m.contextLength ?? 4096,
          permission: [
            {
              id: 'modelperm-1',
              object: 'model_permission',
              created: CREATED,
              allow_sampling: true,
              is_blocking: false,
            },
          ],
        };
      }
      if (s.kind === 'llama_cpp') {
        return {
          ...base,
          meta: {
            vocab_type: 2,
            n_vocab: 262144,
            n_ctx_train: m.contextLength ?? 8192,
            n_embd: 2560,
            n_params: 3880263168,
            size: 2489757696,
          },
        };
      }
      return base;
    }),
  };
}

function chatCompletion(ctx: FakeContext): void {
  const model = ctx.json?.model ?? ctx.server.models[0]?.id ?? 'model';
  if (ctx.json?.stream) {
    ctx.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const id = 'chatcmpl-fake';
    for (const piece of ['Hello', ' from', ` ${ctx.server.kind}`]) {
      ctx.res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`,
      );
    }
    ctx.res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } })}\n\n`,
    );
    ctx.res.end('data: [DONE]\n\n');
    return;
  }
  sendJson(ctx.res, 200, {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: `Hello from ${ctx.server.kind}` },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
  });
}

function builtInRoutes(kind: FakeKind): Route[] {
  const routes: Route[] = [
    {
      method: 'GET',
      path: '/v1/models',
      handler: ({ res, server }) => sendJson(res, 200, openAiModelList(server)),
    },
    { method: 'POST', path: '/v1/chat/completions', handler: chatCompletion },
  ];
  const find = (s: FakeLlmServer, id: string) => s.models.find((m) => m.id === id);
  switch (kind) {
    case 'ollama':
      routes.push(
        ...ollamaInferenceRoutes(),
        { method: 'GET', path: '/', handler: ({ res }) => sendText(res, 200, 'Ollama is running') },
        { method: 'HEAD', path: '/', handler: ({ res }) => sendText(res, 200, '') },
        {
          method: 'GET',
          path: '/api/version',
          handler: ({ res }) => sendJson(res, 200, { version: '0.12.6' }),
        },
        {
          method: 'GET',
          path: '/api/tags',
          handler: ({ res, server }) =>
            sendJson(res, 200, {
              models: server.models.map((m) => ({
                name: m.id,
                model: m.id,
                modified_at: '2025-10-01T10:00:00.000000000Z',
                size: 2019393189,
                digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
                details: {
                  parent_model: '',
                  format: 'gguf',
                  family: 'llama',
                  families: ['llama'],
                  parameter_size: '3.2B',
                  quantization_level: 'Q4_K_M',
                },
              })),
            }),
        },
        {
          method: 'POST',
          path: '/api/show',
          handler: ({ res, server, json }) => {
            const name = json?.model ?? json?.name;
            const m = find(server, name);
            if (!m) return sendJson(res, 404, { error: `model '${name}' not found` });
            sendJson(res, 200, {
              license: 'LLAMA 3.2 COMMUNITY LICENSE AGREEMENT',
              modelfile: `# Modelfile generated by "ollama show"\nFROM ${m.id}\n`,
              parameters:
                'stop                           "<|start_header_id|>"\nstop                           "<|eot_id|>"',
              template: '{{ .Prompt }}',
              details: {
                parent_model: '',
                format: 'gguf',
                family: 'llama',
                families: ['llama'],
                parameter_size: '3.2B',
                quantization_level: 'Q4_K_M',
              },
              model_info: {
                'general.architecture': 'llama',
                'general.parameter_count': 3212749888,
                ...(m.contextLength ? { 'llama.context_length': m.contextLength } : {}),
                'llama.embedding_length': 3072,
              },
              capabilities: ['completion', 'tools'],
              modified_at: '2025-10-01T10:00:00.000000000Z',
            });
          },
        },
      );
      break;
    case 'lm_studio':
      routes.push(
        {
          method: 'GET',
          path: '/api/v0/models',
          handler: ({ res, server }) =>
            sendJson(res, 200, { object: 'list', data: server.models.map(lmStudioModel) }),
        },
        {
          method: 'GET',
          path: /^\/api\/v0\/models\/(.+)$/,
          handler: ({ res, server, params }) => {
            const m = find(server, params[0]);
            if (!m) return sendJson(res, 404, { error: `Model "${params[0]}" not found` });
            sendJson(res, 200, lmStudioModel(m));
          },
        },
      );
      break;
    case 'llama_cpp':
      routes.push(
        {
          method: 'GET',
          path: '/health',
          handler: ({ res }) => sendJson(res, 200, { status: 'ok' }),
        },
        {
          method: 'GET',
          path: '/props',
          handler: ({ res, server }) =>
            sendJson(res, 200, {
              default_generation_settings: {
                id: 0,
                id_task: -1,
                n_ctx: server.models[0]?.contextLength ?? 4096,
                speculative: false,
                is_processing: false,
                params: { n_predict: -1, temperature: 0.8, top_k: 40, top_p: 0.95 },
              },
              total_slots: server.totalSlots,
              model_path: `/models/${server.models[0]?.id ?? 'model.gguf'}`,
              chat_template: '{{ bos_token }}…',
              modalities: { vision: false, audio: false },
              build_info: 'b6700-abcdef0',
            }),
        },
      );
      break;
    case 'vllm':
      routes.push(
        {
          method: 'GET',
          path: '/health',
          handler: ({ res }) => {
            res.writeHead(200, { 'content-length': '0' });
            res.end();
          },
        },
        {
          method: 'GET',
          path: '/version',
          handler: ({ res }) => sendJson(res, 200, { version: '0.11.0' }),
        },
      );
      break;
    case 'xllm':
      routes.push(
        {
          method: 'GET',
          path: '/v0/system',
          handler: ({ res }) =>
            sendJson(res, 200, {
              xllm_version: '0.3.1',
              engines: ['llama.cpp'],
              gpu: { count: 1, model: 'NVIDIA RTX 4090', memory_bytes: 25757220864 },
            }),
        },
        {
          method: 'GET',
          path: /^\/v0\/models\/(.+)\/info$/,
          handler: ({ res, server, params }) => {
            const m = find(server, params[0]);
            if (!m)
              return sendJson(res, 404, {
                error: { message: `model ${params[0]} not found`, type: 'not_found_error' },
              });
            sendJson(res, 200, { id: m.id, context_length: m.contextLength ?? null, loaded: true });
          },
        },
      );
      break;
    default:
      break;
  }
  return routes;
}

function lmStudioModel(m: FakeModel): Record<string, unknown> {
  const embedding = /embed/i.test(m.id);
  return {
    id: m.id,
    object: 'model',
    type: embedding ? 'embeddings' : 'llm',
    publisher: m.id.includes('/') ? m.id.split('/')[0] : 'lmstudio-community',
    arch: embedding ? 'nomic-bert' : 'qwen3',
    compatibility_type: 'gguf',
    quantization: 'Q4_K_M',
    state: 'not-loaded',
    max_context_length: m.contextLength ?? 4096,
  };
}

/** Starts one fake per kind given; closes them all with `closeAll`. */
export async function startFakes(
  kinds: FakeKind[],
  opts: FakeServerOptions = {},
): Promise<FakeLlmServer[]> {
  return Promise.all(kinds.map((k) => FakeLlmServer.start(k, opts)));
}

export async function closeAll(servers: (FakeLlmServer | undefined)[]): Promise<void> {
  await Promise.all(servers.map((s) => s?.close()));
}
