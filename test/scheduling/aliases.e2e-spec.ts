import OpenAI from 'openai';
import { RoutingTable } from '../../src/routing/routing-table.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { createKey, feedBackend } from '../helpers/backends';
import { api, login } from '../helpers/http';
import { FakeOpenAiBackend } from '../fakes/openai-backend';

describe('scheduling: model aliases', () => {
  let t: TestApp;
  let admin: string;
  let key: string;
  let client: OpenAI;
  let x: FakeOpenAiBackend;
  let y: FakeOpenAiBackend;

  beforeAll(async () => {
    t = await startApp();
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    key = await createKey(t, admin, ['inference', 'models.read']);
    client = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0 });
    x = await new FakeOpenAiBackend({ name: 'x', models: ['llama-x'] }).start();
    y = await new FakeOpenAiBackend({ name: 'y', models: ['qwen-y'] }).start();
    feedBackend(t, x.url, { models: ['llama-x'] });
    feedBackend(t, y.url, { models: ['qwen-y'] });
  });

  afterAll(async () => {
    await Promise.all([x.stop(), y.stop()]);
    await t.cleanup();
  });

  it('creates, lists, replaces and deletes aliases (models.manage)', async () => {
    const created = await api(t.url)
      .as(admin)
      .post('/v0/model-aliases', { alias: 'crud', targets: ['llama-x'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ alias: 'crud', targets: ['llama-x'] });
    const again = await api(t.url)
      .as(admin)
      .post('/v0/model-aliases', { alias: 'crud', targets: ['qwen-y'] });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('alias_conflict');
    const put = await api(t.url)
      .as(admin)
      .put('/v0/model-aliases/crud', { targets: ['qwen-y', 'llama-x'] });
    expect(put.status).toBe(200);
    expect(put.body.targets).toEqual(['qwen-y', 'llama-x']);
    const list = await api(t.url).as(admin).get('/v0/model-aliases');
    expect(list.body.aliases.find((a: { alias: string }) => a.alias === 'crud').targets).toEqual([
      'qwen-y',
      'llama-x',
    ]);
    expect((await api(t.url).as(admin).delete('/v0/model-aliases/crud')).status).toBe(204);
    const gone = await api(t.url).as(admin).delete('/v0/model-aliases/crud');
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('alias_not_found');
    expect(t.app.get(RoutingTable).route('crud')).toBeUndefined();

    const bad = await api(t.url).as(admin).post('/v0/model-aliases', { alias: 'b', targets: [] });
    expect(bad.status).toBe(400);
    expect((await api(t.url).as(key).get('/v0/model-aliases')).status).toBe(403);
  });

  it('refuses an alias that shadows a served model id', async () => {
    const r = await api(t.url)
      .as(admin)
      .post('/v0/model-aliases', { alias: 'llama-x', targets: ['qwen-y'] });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('alias_conflict');
    const p = await api(t.url)
      .as(admin)
      .put('/v0/model-aliases/qwen-y', { targets: ['llama-x'] });
    expect(p.status).toBe(409);
  });

  it('routes an alias to any target backend under its own model id; the client sees the alias', async () => {
    const res = await api(t.url)
      .as(admin)
      .post('/v0/model-aliases', { alias: 'chat', targets: ['llama-x', 'qwen-y'] });
    expect(res.status).toBe(201);

    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual(expect.arrayContaining(['chat', 'llama-x']));
    expect(
      (list.data.find((m) => m.id === 'chat') as unknown as { endpoints: number }).endpoints,
    ).toBe(2);
    expect((await client.models.retrieve('chat')).id).toBe('chat');

    const xBefore = x.inference().length;
    const yBefore = y.inference().length;
    for (let i = 0; i < 6; i++) {
      const r = await client.chat.completions.create({
        model: 'chat',
        messages: [{ role: 'user', content: `alias ${i}` }],
      });
      expect(r.model).toBe('chat');
    }
    const xs = x.inference().slice(xBefore);
    const ys = y.inference().slice(yBefore);
    expect(xs.length + ys.length).toBe(6);
    expect(xs.length).toBeGreaterThan(0);
    expect(ys.length).toBeGreaterThan(0);
    for (const r of xs) expect(r.json.model).toBe('llama-x');
    for (const r of ys) expect(r.json.model).toBe('qwen-y');

    const stream = await client.chat.completions.create({
      model: 'chat',
      stream: true,
      messages: [{ role: 'user', content: 'streamed' }],
    });
    const models = new Set<string>();
    for await (const chunk of stream) models.add(chunk.model);
    expect([...models]).toEqual(['chat']);
  });

  it('keeps aliases across a restart', async () => {
    await api(t.url)
      .as(admin)
      .post('/v0/model-aliases', { alias: 'kept', targets: ['qwen-y'] });
    await t.close();
    const t2 = await startApp({}, t.dataDir);
    try {
      expect(t2.app.get(RoutingTable).route('kept')?.alias).toBe(true);
    } finally {
      await t2.close();
      t = { ...t, close: async () => undefined, cleanup: t2.cleanup };
    }
  });
});
