import OpenAI from 'openai';
import { FakeLlmServer } from '../fakes/llm-server';
import { FakeNodeRuntime, json } from '../fakes/node-runtime';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { api, login, waitFor } from '../helpers/http';
import { approveNode, registerNode, sendHeartbeat } from '../helpers/nodes';

/**
 * The whole fleet through the real modules: a self-registered GPU node and an admin-registered
 * endpoint feed the routing table, and the OpenAI SDK reaches both through /v1.
 */
describe('fleet: nodes and endpoints behind one /v1 API', () => {
  let t: TestApp;
  let admin: string;
  let node: FakeNodeRuntime;
  let ollama: FakeLlmServer;
  let client: OpenAI;
  let nodeId: string;
  let nodeToken: string;
  let endpointId: string;

  beforeAll(async () => {
    node = new FakeNodeRuntime(['qwen2.5-7b-instruct']).route(
      'POST',
      '/v1/chat/completions',
      (_req, res, body) => {
        const { model } = JSON.parse(body) as { model: string };
        json(res, 200, {
          id: 'chatcmpl-node',
          object: 'chat.completion',
          created: 1,
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: 'from the node' },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
        });
      },
    );
    await node.start();
    ollama = await FakeLlmServer.start('ollama', { models: ['llama3.2:3b', 'nomic-embed-text'] });
    t = await startApp({ LLMLB_HEALTH_TICK_MS: '100' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    const key = (
      await api(t.url)
        .as(admin)
        .post('/v0/api-keys', { name: 'sdk', permissions: ['inference', 'models.read'] })
    ).body.key as string;
    client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key, maxRetries: 0 });
  });

  afterAll(async () => {
    await t.cleanup();
    await node.stop();
    await ollama.close();
  });

  it('a registered node serves nothing until it is approved and ready', async () => {
    const port = Number(new URL(node.baseUrl).port);
    ({ nodeId, token: nodeToken } = await registerNode(t.url, { runtime_port: port }));
    await sendHeartbeat(t.url, nodeToken, {
      loaded_models: ['qwen2.5-7b-instruct'],
      ready_models: [1, 1],
    });
    expect((await client.models.list()).data.map((m) => m.id)).not.toContain('qwen2.5-7b-instruct');
    // a pending node is inert: its models are unknown, not "no healthy backend"
    await expect(
      client.chat.completions.create({
        model: 'qwen2.5-7b-instruct',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toMatchObject({ status: 404 });

    await approveNode(t.url, nodeId, admin);
    const models = (await client.models.list()).data;
    expect(models.find((m) => m.id === 'qwen2.5-7b-instruct')).toMatchObject({ owned_by: 'llmlb' });
    const res = await client.chat.completions
      .create({ model: 'qwen2.5-7b-instruct', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(res.data.choices[0].message.content).toBe('from the node');
    expect(res.response.headers.get('x-llmlb-backend')).toBe(nodeId);
    const forwarded = node.requests.filter((r) => r.path === '/v1/chat/completions');
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0].headers.authorization).toBeUndefined();
  });

  it('a registered endpoint is online with its models at once and serves streams', async () => {
    const created = await api(t.url)
      .as(admin)
      .post('/v0/endpoints', { name: 'lab-ollama', base_url: ollama.url });
    expect(created.status).toBe(201);
    endpointId = created.body.id;
    const ep = await waitFor(async () => {
      const r = await api(t.url).as(admin).get(`/v0/endpoints/${endpointId}`);
      return r.body.status === 'online' && r.body.models.length === 2 ? r.body : null;
    });
    expect(ep.endpoint_type).toBe('ollama');

    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining(['qwen2.5-7b-instruct', 'llama3.2:3b', 'nomic-embed-text']),
    );

    const stream = await client.chat.completions.create({
      model: 'llama3.2:3b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello from ollama');
  });

  it('a dead endpoint is taken out of rotation after one failed request', async () => {
    await ollama.stop();
    await expect(
      client.chat.completions.create({
        model: 'llama3.2:3b',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toMatchObject({ status: expect.any(Number) });
    const errored = await waitFor(async () => {
      const r = await api(t.url).as(admin).get(`/v0/endpoints/${endpointId}`);
      return r.body.status !== 'online' ? r.body : null;
    });
    expect(['error', 'offline']).toContain(errored.status);
    await expect(
      client.chat.completions.create({
        model: 'llama3.2:3b',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toMatchObject({ status: 503 });
    // the node is unaffected
    const ok = await client.chat.completions.create({
      model: 'qwen2.5-7b-instruct',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(ok.choices[0].message.content).toBe('from the node');
  });

  it('publishes fleet figures on /metrics', async () => {
    const text = (await api(t.url).as(admin).get('/metrics')).text;
    expect(text).toMatch(/^llmlb_nodes\{status="online"\} 1$/m);
    expect(text).toMatch(/^llmlb_nodes\{status="pending"\} 0$/m);
    expect(text).toMatch(/^llmlb_tasks\{status="in_progress"\} 0$/m);
    const probes = /^llmlb_health_probe_duration_seconds_count\{result="ok"\} (\d+)$/m.exec(text);
    expect(Number(probes?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(
      new RegExp(
        `^llmlb_requests_total\\{model="qwen2.5-7b-instruct",backend="${nodeId}",status="200"\\} 2$`,
        'm',
      ),
    );
  });
});
