import { connect, type Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import OpenAI from 'openai';
import { closeAll, FakeLlmServer, startFakes } from '../fakes/llm-server';
import { FakeOpenAiBackend } from '../fakes/openai-backend';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { createKey, feedBackend } from '../helpers/backends';
import { api, login, waitFor } from '../helpers/http';

/** Spec §13: the proxy cannot be held, flooded with labels, or made to leak backend details. */
describe('security: proxy hardening', () => {
  const LABEL_CAP = 5;
  const PROVIDER_KEY = 'sk-openai-upstream-secret-0042';
  let t: TestApp;
  let token: string;
  let client: OpenAI;
  let openai: FakeOpenAiBackend;
  const fakes: FakeLlmServer[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    openai = await new FakeOpenAiBackend({ name: 'openai', models: ['gpt-4o'] }).start();
    t = await startApp({
      LLMLB_PROXY_IDLE_TIMEOUT_SECS: '1',
      LLMLB_STATS_MAX_LABEL_VALUES: String(LABEL_CAP),
      OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: PROVIDER_KEY,
    });
    token = await login(t.url, 'admin', ADMIN_PASSWORD);
    const key = await createKey(t, token, ['inference']);
    client = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await t.cleanup();
    await closeAll(fakes);
    await openai.stop();
  });

  async function fake(): Promise<FakeLlmServer> {
    const [f] = await startFakes(['openai_compatible']);
    fakes.push(f);
    return f;
  }

  async function metricsText(): Promise<string> {
    const res = await api(t.url).as(token).get('/metrics');
    expect(res.status).toBe(200);
    return res.text;
  }

  describe('a streaming client that stops reading', () => {
    it('is cut after LLMLB_PROXY_IDLE_TIMEOUT_SECS; the backend slot is released and the request recorded', async () => {
      const backend = await fake();
      let upstreamClosed!: () => void;
      const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
      let sentBytes = 0;
      // An endless stream that honours backpressure: it only stops when llmlb hangs up.
      backend.route('POST', '/v1/chat/completions', ({ res }) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.on('close', () => upstreamClosed());
        const chunk = `data: ${JSON.stringify({
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: { content: 'x'.repeat(60_000) } }],
        })}\n\n`;
        const pump = () => {
          while (!res.destroyed) {
            sentBytes += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
        };
        pump();
      });
      const b = feedBackend(t, backend.url, { models: ['stall-model'] });

      const body = JSON.stringify({
        model: 'stall-model',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      });
      const port = new URL(t.url).port;
      const client = connect(Number(port), '127.0.0.1');
      sockets.push(client);
      client.on('error', () => undefined);
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      // Sends the request, then never reads a byte of the answer.
      client.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n` +
          `authorization: Bearer ${token}\r\ncontent-type: application/json\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );

      const inFlight = async () => {
        const text = await metricsText();
        const total = /^llmlb_requests_in_flight (\d+)/m.exec(text)?.[1];
        const mine = new RegExp(`^llmlb_backend_in_flight\\{backend="${b.id}"[^}]*\\} (\\d+)`, 'm')
          .exec(text)
          ?.at(1);
        return { total: Number(total), backend: Number(mine) };
      };
      await waitFor(async () => (await inFlight()).backend === 1, { what: 'stream started' });

      // The backend sees llmlb hang up (no fixed sleep: the close event is awaited).
      await Promise.race([
        closed,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('upstream was never closed')), 15_000).unref(),
        ),
      ]);
      expect(sentBytes).toBeGreaterThan(0);
      await waitFor(
        async () => {
          const n = await inFlight();
          return n.total === 0 && n.backend === 0;
        },
        { what: 'in-flight counters released', timeoutMs: 5_000 },
      );
      const stats = await api(t.url).as(token).get('/v0/stats');
      const row = (stats.body.backends as Array<{ id: string; requests: number; errors: number }>)
        .filter((r) => r.id === b.id)
        .at(0);
      expect(row).toMatchObject({ requests: 1, errors: 1 });
    });
  });

  describe('labels from client input', () => {
    it('random model names do not grow /metrics series or /v0/stats rows beyond the cap', async () => {
      const names = Array.from(
        { length: LABEL_CAP + 3 },
        (_, i) => `openai:junk-${i}-${Date.now()}`,
      );
      for (const model of names) {
        const err = await client.chat.completions
          .create({ model, messages: [{ role: 'user', content: 'hi' }] })
          .then(
            () => null,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      }
      const text = await metricsText();
      const labels = new Set(
        [...text.matchAll(/^llmlb_requests_total\{model="([^"]*)"/gm)].map((m) => m[1]),
      );
      labels.delete('(unknown)');
      expect(labels.size).toBeLessThanOrEqual(LABEL_CAP + 1);
      expect(labels.has('other')).toBe(true);
      expect(names.filter((n) => labels.has(n)).length).toBeLessThan(names.length);

      const stats = await api(t.url).as(token).get('/v0/stats');
      const models = stats.body.models as Array<{ id: string; requests: number }>;
      expect(models.length).toBeLessThanOrEqual(LABEL_CAP + 1);
      expect(models.find((m) => m.id === 'other')?.requests).toBeGreaterThanOrEqual(3);
      expect(stats.body.totals.requests).toBeGreaterThanOrEqual(names.length);
    });
  });

  describe('backend error text', () => {
    const chat = (model: string) =>
      api(t.url)
        .as(token)
        .post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] });

    afterEach(() => jest.restoreAllMocks());

    it('a refused connection answers 502 without the backend address; the log has it', async () => {
      const gone = await new FakeOpenAiBackend({ models: ['gone-model'] }).start();
      const port = gone.port;
      await gone.stop();
      feedBackend(t, gone.url, { models: ['gone-model'], name: 'gpu-gone' });
      const warn = jest.spyOn(Logger.prototype, 'warn');
      const res = await chat('gone-model');
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('upstream_error');
      expect(res.body.error.message).toMatch(/gpu-gone failed/);
      expect(res.text).not.toContain('127.0.0.1');
      expect(res.text).not.toContain(String(port));
      const logged = warn.mock.calls.map((c) => String(c[0])).join('\n');
      expect(logged).toContain(`127.0.0.1:${port}`);
    });

    it("a backend's 5xx that echoes addresses and its credentials reaches the caller scrubbed", async () => {
      const SECRET = 'backend-secret-value-77';
      const b = await new FakeOpenAiBackend({ models: ['leaky-model'] }).start();
      try {
        b.fault = {
          kind: 'status',
          status: 500,
          message:
            `upstream http://10.20.30.40:9000/v1/chat/completions (gpu-box.internal:8000) ` +
            `rejected Authorization: Bearer ${SECRET} from ${b.url}`,
        };
        feedBackend(t, b.url, { models: ['leaky-model'], apiKey: SECRET, name: 'gpu-leaky' });
        const warn = jest.spyOn(Logger.prototype, 'warn');
        const res = await chat('leaky-model');
        expect(res.status).toBe(502);
        expect(res.body.error.message).toContain('rejected');
        for (const leak of ['10.20.30.40', 'gpu-box.internal', SECRET, '127.0.0.1', String(b.port)])
          expect(res.text).not.toContain(leak);
        // The operator's log keeps the addresses (never the key).
        const logged = warn.mock.calls.map((c) => String(c[0])).join('\n');
        expect(logged).toContain('10.20.30.40:9000');
        expect(logged).toContain('gpu-box.internal:8000');
        expect(logged).not.toContain(SECRET);
        // The backend did get the key: it is only the echo that is scrubbed.
        expect(b.inference()[0].headers.authorization).toBe(`Bearer ${SECRET}`);
      } finally {
        await b.stop();
      }
    });

    it("a provider's 4xx that echoes the provider key is passed through without it", async () => {
      openai.fault = {
        kind: 'status',
        status: 401,
        message: `Incorrect API key provided: ${PROVIDER_KEY}. You can find your API key at https://platform.example.com/keys.`,
      };
      try {
        const err = await client.chat.completions
          .create({ model: 'openai:gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
          .then(
            () => null,
            (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
          );
        expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
        expect(err?.message).toContain('Incorrect API key provided');
        expect(err?.message).not.toContain(PROVIDER_KEY);
        expect(err?.message).not.toContain('sk-openai');
      } finally {
        openai.fault = { kind: 'none' };
      }
    });
  });
});
