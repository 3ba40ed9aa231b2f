import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import OpenAI, { toFile } from 'openai';
import { RoutingTable } from '../../src/routing/routing-table.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { createKey, feedBackend } from '../helpers/backends';
import { login } from '../helpers/http';
import { FakeOpenAiBackend } from '../fakes/openai-backend';
import { FakeLlmServer } from '../fakes/llm-server';
import { startFakeOllama } from '../fakes/ollama';

/** A mono 16-bit PCM WAV of `samples` samples (a sine, so the bytes are not all zero). */
function wav(samples: number, rate = 16_000): Buffer {
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(Math.round(Math.sin((i / rate) * 2 * Math.PI * 440) * 12_000), i * 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

const uploads = () => readdirSync(tmpdir()).filter((f) => f.startsWith('llmlb-upload-'));

describe('more OpenAI routes and embeddings encoding', () => {
  let t: TestApp;
  let key: string;
  let client: OpenAI;
  let a: FakeOpenAiBackend;
  let b: FakeOpenAiBackend;
  let ollama: FakeLlmServer;

  beforeAll(async () => {
    t = await startApp({ LLMLB_PROXY_BODY_LIMIT_BYTES: String(1024 * 1024) });
    const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    key = await createKey(t, admin, ['inference']);
    client = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0, timeout: 10_000 });
  });

  beforeEach(async () => {
    const table = t.app.get(RoutingTable);
    for (const bk of table.all()) table.remove(bk.id);
    const models = ['whisper-1', 'rerank-m', 'tts-1', 'img-m'];
    a = await new FakeOpenAiBackend({ name: 'a', models }).start();
    b = await new FakeOpenAiBackend({ name: 'b', models }).start();
    ollama = await startFakeOllama();
    // priorities make the order deterministic: a first, then b
    feedBackend(t, a.url, { models, priority: 100 });
    feedBackend(t, b.url, { models, priority: 0 });
    feedBackend(t, ollama.url, { backendType: 'ollama', models: ['nomic-embed-text:latest'] });
  });

  afterEach(async () => {
    for (const bk of t.app.get(RoutingTable).all()) expect(bk.load.inFlight).toBe(0);
    await Promise.all([a.stop(), b.stop(), ollama.close()]);
  });

  afterAll(() => t.cleanup());

  it('gives the openai client (base64 by default) real vectors from an Ollama backend', async () => {
    const res = await client.embeddings.create({
      model: 'nomic-embed-text:latest',
      input: ['hello', 'world'],
    });
    expect(res.data.map((d) => d.embedding)).toEqual([
      [0.25, -0.5, 0.75, 1],
      [0.25, -0.5, 0.75, 1],
    ]);
    expect(JSON.parse(ollama.hits('/v1/embeddings')[0].body).encoding_format).toBe('base64');
    const floats = await client.embeddings.create({
      model: 'nomic-embed-text:latest',
      input: 'x',
      encoding_format: 'float',
    });
    expect(floats.data[0].embedding).toEqual([0.25, -0.5, 0.75, 1]);
  });

  it('streams a multipart transcription to the backend chosen by its model field, with failover', async () => {
    // The preferred backend first, while healthy: after a 503 the routing table penalizes it
    // for a while, so the next request would go to b.
    const tr = await client.audio.translations.create({
      file: await toFile(wav(1000), 'x.wav'),
      model: 'whisper-1',
    });
    expect(tr.text).toBe('transcribed by a');

    a.fault = { kind: 'status', status: 503 };
    const audio = wav(100_000); // ~200 KB, many chunks
    const out = await client.audio.transcriptions.create({
      file: await toFile(audio, 'speech.wav', { type: 'audio/wav' }),
      model: 'whisper-1',
      language: 'en',
    });
    expect(out.text).toBe('transcribed by b');
    for (const f of [a, b]) {
      const got = f.inference('/v1/audio/transcriptions');
      expect(got).toHaveLength(1);
      expect(got[0].headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      expect(got[0].bytes!.indexOf(audio)).toBeGreaterThan(0);
      expect(got[0].raw).toContain('name="language"\r\n\r\nen\r\n');
    }
    expect(uploads()).toEqual([]);
  });

  it('refuses multipart without a model or for an unknown model', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(wav(10))]), 'a.wav');
    const noModel = await fetch(`${t.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    expect(noModel.status).toBe(400);
    expect((await noModel.json()).error.code).toBe('model_required');

    await expect(
      client.audio.transcriptions.create({ file: await toFile(wav(10), 'a.wav'), model: 'nope' }),
    ).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    expect(a.inference('/v1/audio/transcriptions')).toHaveLength(0);
    const elsewhere = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    expect(elsewhere.status).toBe(415);
    expect((await elsewhere.json()).error.code).toBe('unsupported_media_type');
    expect(uploads()).toEqual([]);
  });

  it('forwards rerank (and the /v1/reranking alias), speech and images untouched', async () => {
    const body = '{"model":"rerank-m","query":"q","documents":["x","y"],"top_n":2}';
    for (const path of ['/v1/rerank', '/v1/reranking']) {
      const res = await fetch(t.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(200);
      expect((await res.json()).results).toEqual([
        { index: 0, relevance_score: 1 },
        { index: 1, relevance_score: 0.5 },
      ]);
    }
    expect(a.inference('/v1/rerank').map((r) => r.raw)).toEqual([body, body]);

    const speech = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: 'hi',
    });
    expect(speech.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await speech.arrayBuffer())).toEqual(
      Buffer.from([0xff, 0xf3, 0x44, 0xc4, 0x00]),
    );
    const img = await client.images.generate({ model: 'img-m', prompt: 'a cat' });
    expect(img.data?.[0].b64_json).toBe(Buffer.from('PNG').toString('base64'));
    expect(a.inference('/v1/images/generations')[0].json).toEqual({
      model: 'img-m',
      prompt: 'a cat',
    });
  });
});
