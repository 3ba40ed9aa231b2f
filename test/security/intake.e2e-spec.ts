import OpenAI from 'openai';
import { startFakeOpenAiCompatible } from '../fakes/openai-compatible';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { feedBackend } from '../helpers/backends';
import { api, login } from '../helpers/http';
import { RawConnection, requestHead } from './raw-http';

/** Issue 10 §2: request intake — credentials before the body, limits while reading, timeouts. */
describe('security: request intake', () => {
  let t: TestApp;
  let admin: string;
  const open: RawConnection[] = [];
  const connect = async () => {
    const c = await RawConnection.open(t.url);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startApp({ LLMLB_REQUEST_TIMEOUT_SECS: '1' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.destroy();
  });
  afterAll(() => t.cleanup());

  it('an anonymous 8 MB body to /v1 gets 401 before the body is sent, and the connection is closed', async () => {
    const c = await connect();
    await c.write(
      requestHead('POST', '/v1/chat/completions', {
        'content-type': 'application/json',
        'content-length': String(8 * 1024 * 1024),
      }),
    );
    await c.write('[[[[[[[[[[');
    // Only the head and 10 bytes were sent: the answer must come without the rest.
    const res = await c.response();
    expect(res.status).toBe(401);
    expect(res.head.toLowerCase()).toContain('x-request-id:');
    expect(res.head.toLowerCase()).toContain('connection: close');
    await c.closed;
    expect(c.received).toContain('"code":"unauthorized"');
  });

  it('a wrong key is refused the same way, before the body', async () => {
    const c = await connect();
    await c.write(
      requestHead('POST', '/v0/endpoints', {
        authorization: 'Bearer sk_not-a-real-key',
        'content-type': 'application/json',
        'content-length': '500000',
      }),
    );
    expect((await c.response()).status).toBe(401);
    await c.closed;
    expect(c.received).toContain('"code":"invalid_api_key"');
  });

  it('a Content-Length over the route limit is refused before reading (1 MiB on /v0)', async () => {
    const c = await connect();
    await c.write(
      requestHead('POST', '/v0/endpoints', {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
        'content-length': String(2 * 1024 * 1024),
      }),
    );
    const res = await c.response();
    expect(res.status).toBe(413);
    await c.closed;
    expect(c.received).toContain('"code":"payload_too_large"');
  });

  it('a chunked body is cut off as soon as it passes the /v0 limit, not at the /v1 one', async () => {
    const c = await connect();
    await c.write(
      requestHead('POST', '/v0/endpoints', {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      }),
    );
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    // 1.5 MiB sent, never finished: the server must answer on its own.
    for (let i = 0; i < 24; i++) {
      await c.write(`${chunk.length.toString(16)}\r\n`);
      await c.write(chunk);
      await c.write('\r\n');
      if (c.received) break;
    }
    const res = await c.response();
    expect(res.status).toBe(413);
  });

  it('/v1 still accepts bodies above the management limit from an authenticated caller', async () => {
    const body = JSON.stringify({ model: 'nothing-serves-this', pad: 'x'.repeat(2 * 1024 * 1024) });
    const r = await api(t.url).as(admin).request('POST', '/v1/chat/completions', undefined, body);
    expect(r.status).not.toBe(413);
    expect(r.status).not.toBe(401);
  });

  it('a body trickled one byte at a time is closed after LLMLB_REQUEST_TIMEOUT_SECS', async () => {
    const c = await connect();
    const length = 10_000;
    await c.write(
      requestHead('POST', '/v0/endpoints', {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
        'content-length': String(length),
      }),
    );
    let sent = 0;
    const timer = setInterval(() => {
      if (c.socket.destroyed) return;
      c.socket.write(' ');
      sent += 1;
    }, 100);
    try {
      await c.closed;
    } finally {
      clearInterval(timer);
    }
    // Closed by the server long before the body could be complete (10 000 bytes at 10/s).
    expect(sent).toBeLessThan(length);
    expect(c.received).toMatch(/^HTTP\/1\.1 408/);
    expect(c.received.toLowerCase()).toMatch(/x-request-id: \S+/);
    const body = JSON.parse(c.received.slice(c.received.indexOf('\r\n\r\n') + 4));
    expect(body.error).toMatchObject({ code: 'request_timeout', type: 'invalid_request_error' });
  });

  it('streaming a response is not bounded by the request timeout', async () => {
    // The backend streams for longer than LLMLB_REQUEST_TIMEOUT_SECS (1 s): 8 chunks, 250 ms apart.
    const backend = await startFakeOpenAiCompatible({ models: ['slow-stream'] });
    backend.route('POST', '/v1/chat/completions', async ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 8; i++) {
        const chunk = {
          id: 'c',
          object: 'chat.completion.chunk',
          model: 'slow-stream',
          choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }],
        };
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        await new Promise((r) => setTimeout(r, 250));
      }
      res.end('data: [DONE]\n\n');
    });
    feedBackend(t, backend.url, { models: ['slow-stream'] });
    try {
      const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: admin, maxRetries: 0 });
      const stream = await client.chat.completions.create({
        model: 'slow-stream',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      });
      let text = '';
      for await (const part of stream) text += part.choices[0]?.delta?.content ?? '';
      expect(text).toBe('w0 w1 w2 w3 w4 w5 w6 w7 ');
    } finally {
      await backend.close();
    }
  });

  it('oversized headers answer 431 in the error shape', async () => {
    const c = await connect();
    await c.write(requestHead('GET', '/healthz', { 'x-big': 'a'.repeat(32 * 1024) }));
    await c.closed;
    expect(c.received).toMatch(/^HTTP\/1\.1 431/);
    const body = JSON.parse(c.received.slice(c.received.indexOf('\r\n\r\n') + 4));
    expect(body.error).toMatchObject({ code: 'headers_too_large' });
  });

  it('a malformed path answers in the error shape with x-request-id', async () => {
    const c = await connect();
    await c.write(requestHead('GET', '/%ZZ', { connection: 'close' }));
    const res = await c.response();
    expect(res.status).toBe(400);
    expect(res.head.toLowerCase()).toMatch(/x-request-id: \S+/);
    await c.closed;
    const body = JSON.parse(c.received.slice(c.received.indexOf('\r\n\r\n') + 4));
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'bad_request' });
  });
});

describe('security: connection cap', () => {
  let t: TestApp;
  const open: RawConnection[] = [];
  beforeAll(async () => {
    t = await startApp({ LLMLB_MAX_CONNECTIONS: '2' });
  });
  afterAll(async () => {
    for (const c of open) c.destroy();
    await t.cleanup();
  });

  it('refuses connections beyond LLMLB_MAX_CONNECTIONS while the others keep working', async () => {
    for (let i = 0; i < 2; i++) {
      const c = await RawConnection.open(t.url);
      open.push(c);
      await c.write(requestHead('GET', '/healthz', {}));
      expect((await c.response()).status).toBe(200);
    }
    const third = await RawConnection.open(t.url);
    open.push(third);
    await third.write(requestHead('GET', '/healthz', {})).catch(() => undefined);
    await third.closed;
    expect(third.received).toBe('');
    // Closing one frees a place.
    open[0].destroy();
    await open[0].closed;
    const r = await api(t.url).get('/healthz');
    expect(r.status).toBe(200);
  });
});
