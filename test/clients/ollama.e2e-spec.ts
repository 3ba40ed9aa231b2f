import { Ollama } from 'ollama';
import { RoutingTable } from '../../src/routing/routing-table.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { createKey, feedBackend } from '../helpers/backends';
import { login } from '../helpers/http';
import { FakeOpenAiBackend } from '../fakes/openai-backend';
import { FakeLlmServer } from '../fakes/llm-server';
import { startFakeOllama } from '../fakes/ollama';

/** The Ollama API at the root, driven by the real `ollama` client. */
describe('Ollama API ingress', () => {
  let t: TestApp;
  let key: string;
  let ollamaBackend: FakeLlmServer;
  let vllm: FakeOpenAiBackend;
  let client: Ollama;

  beforeAll(async () => {
    t = await startApp();
    const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    key = await createKey(t, admin, ['inference']);
    client = new Ollama({ host: t.url, headers: { authorization: `Bearer ${key}` } });
  });

  beforeEach(async () => {
    const table = t.app.get(RoutingTable);
    for (const bk of table.all()) table.remove(bk.id);
    ollamaBackend = await startFakeOllama();
    vllm = await new FakeOpenAiBackend({
      name: 'vllm',
      models: ['qwen3:latest', 'embed-v'],
    }).start();
    feedBackend(t, ollamaBackend.url, {
      backendType: 'ollama',
      models: ['llama3.2:latest', 'nomic-embed-text:latest'],
      maxTokens: 131072,
    });
    feedBackend(t, vllm.url, { backendType: 'vllm', models: ['qwen3:latest', 'embed-v'] });
  });

  afterEach(async () => {
    for (const bk of t.app.get(RoutingTable).all()) expect(bk.load.inFlight).toBe(0);
    await ollamaBackend.close();
    await vllm.stop();
  });

  afterAll(() => t.cleanup());

  it('leaves Swagger under /api working (public, spec shape)', async () => {
    const ui = await fetch(`${t.url}/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
    const doc = await fetch(`${t.url}/api/openapi.json`);
    expect(doc.status).toBe(200);
    expect((await doc.json()).paths['/api/chat']).toBeDefined();
  });

  it('lists, shows and reports the version', async () => {
    const list = await client.list();
    expect(list.models.map((m) => m.name)).toEqual([
      'embed-v',
      'llama3.2:latest',
      'nomic-embed-text:latest',
      'qwen3:latest',
    ]);
    expect(list.models[1]).toMatchObject({ model: 'llama3.2:latest', details: { format: 'gguf' } });
    const ps = await client.ps();
    expect(ps.models.find((m) => m.name === 'llama3.2:latest')).toMatchObject({
      context_length: 131072,
    });
    const show = await client.show({ model: 'llama3.2' });
    expect(show.capabilities).toEqual(['completion']);
    expect(show.model_info).toMatchObject({ 'llmlb.context_length': 131072 });
    const version = await client.version();
    expect(version.version).toMatch(/^\d+\.\d+\.\d+$/);
    await expect(client.show({ model: 'nope' })).rejects.toMatchObject({
      status_code: 404,
      error: "model 'nope' not found",
    });
  });

  it('passes chat natively to an Ollama backend (streaming and not), options kept', async () => {
    const parts: string[] = [];
    const stream = await client.chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Hi' }],
      options: { temperature: 0.1, num_ctx: 4096 },
      keep_alive: '10m',
      format: 'json',
      stream: true,
    });
    let last: any;
    for await (const part of stream) {
      parts.push(part.message.content);
      last = part;
    }
    expect(parts.join('')).toBe('Hello from ollama');
    expect(last).toMatchObject({
      done: true,
      done_reason: 'stop',
      eval_count: 3,
      prompt_eval_count: 7,
    });
    const sent = JSON.parse(ollamaBackend.hits('/api/chat')[0].body);
    expect(sent).toMatchObject({
      model: 'llama3.2',
      options: { temperature: 0.1, num_ctx: 4096 },
      keep_alive: '10m',
      format: 'json',
    });

    const once = await client.chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(once.message.content).toBe('Hello from ollama');
    expect(once.done).toBe(true);
  });

  it('translates chat and generate for an OpenAI backend, NDJSON with counts and durations', async () => {
    const stream = await client.chat({
      model: 'qwen3',
      messages: [{ role: 'user', content: 'Hi', images: ['iVBORw0KGgo='] }],
      options: { temperature: 0.3, top_p: 0.5, num_predict: 20, stop: ['\n'], seed: 7 },
      format: { type: 'object' },
      stream: true,
    });
    const parts: any[] = [];
    for await (const part of stream) parts.push(part);
    expect(parts.map((p) => p.message.content).join('')).toBe('Hello from the fake');
    const last = parts.at(-1);
    expect(last).toMatchObject({ done: true, done_reason: 'stop', eval_count: 4, model: 'qwen3' });
    expect(last.prompt_eval_count).toBeGreaterThan(0);
    expect(last.total_duration).toBeGreaterThan(0);
    expect(last.total_duration).toBeGreaterThanOrEqual(last.eval_duration);
    const sent = vllm.inference('/v1/chat/completions')[0].json;
    expect(sent).toEqual({
      model: 'qwen3:latest',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hi' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
      temperature: 0.3,
      top_p: 0.5,
      max_tokens: 20,
      stop: ['\n'],
      seed: 7,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'response', schema: { type: 'object' }, strict: true },
      },
      stream: true,
      stream_options: { include_usage: true },
    });

    const gen = await client.generate({
      model: 'qwen3:latest',
      prompt: 'Say hi',
      system: 'Be kind',
      stream: false,
    });
    expect(gen).toMatchObject({
      response: 'Hello from the fake',
      done: true,
      done_reason: 'stop',
      eval_count: 4,
    });
    expect(vllm.inference('/v1/chat/completions')[1].json.messages).toEqual([
      { role: 'system', content: 'Be kind' },
      { role: 'user', content: 'Say hi' },
    ]);
    const genStream = await client.generate({ model: 'llama3.2', prompt: 'x', stream: true });
    let text = '';
    for await (const p of genStream) text += p.response;
    expect(text).toBe('Hello from ollama');
  });

  it('embeds natively and translated; errors in Ollama shape', async () => {
    const native = await client.embed({ model: 'nomic-embed-text', input: ['a', 'b'] });
    expect(native.embeddings).toEqual([
      [0.25, -0.5, 0.75, 1],
      [0.25, -0.5, 0.75, 1],
    ]);
    const translated = await client.embed({ model: 'embed-v', input: 'a' });
    expect(translated.embeddings).toEqual([[0.1, 0.2, 0.3, -0.4]]);
    expect(translated.prompt_eval_count).toBe(3);
    expect(vllm.inference('/v1/embeddings')[0].json).toEqual({
      model: 'embed-v',
      input: 'a',
      encoding_format: 'float',
    });
    const legacy = await client.embeddings({ model: 'embed-v', prompt: 'a' });
    expect(legacy.embedding).toEqual([0.1, 0.2, 0.3, -0.4]);

    await expect(client.chat({ model: 'missing', messages: [] })).rejects.toMatchObject({
      status_code: 404,
      error: 'Model "missing" is not served by any backend',
    });
    const anon = new Ollama({ host: t.url });
    await expect(anon.list()).rejects.toMatchObject({ status_code: 401 });
    const res = await fetch(`${t.url}/api/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{"messages":[]}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'model is required' });
    vllm.fault = { kind: 'status', status: 400, message: 'bad prompt' };
    await expect(
      client.chat({ model: 'qwen3', messages: [], stream: false }),
    ).rejects.toMatchObject({ status_code: 400, error: 'bad prompt' });
  });
});
