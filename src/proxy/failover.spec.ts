import { errors } from 'undici';
import {
  backendMessage,
  classifyError,
  finalError,
  isPassiveHealthFailure,
  isRetryableStatus,
  shouldFailover,
} from './failover';
import { parseProxyRequest, upstreamBody } from './request-body';

describe('failover decisions', () => {
  it('retries connect errors and timeouts elsewhere and reports them to passive health', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    for (const err of [
      refused,
      new errors.SocketError('other side closed'),
      new errors.ConnectTimeoutError(),
      new errors.HeadersTimeoutError(),
    ]) {
      const f = classifyError(err, false);
      expect(shouldFailover(f)).toBe(true);
      expect(isPassiveHealthFailure(f)).toBe(true);
    }
    expect(classifyError(new errors.HeadersTimeoutError(), false).kind).toBe('timeout');
    expect(classifyError(refused, false).kind).toBe('transport');
  });

  it('retries any 5xx and 429 but not other 4xx, and never reports statuses to health', () => {
    expect(isRetryableStatus(502)).toBe(true);
    expect(isRetryableStatus(503)).toBe(true);
    expect(isRetryableStatus(500)).toBe(true);
    expect(isRetryableStatus(429)).toBe(true);
    expect(isRetryableStatus(404)).toBe(false);
    expect(isRetryableStatus(400)).toBe(false);
    const f = { kind: 'status' as const, status: 503, message: 'busy' };
    expect(shouldFailover(f)).toBe(true);
    expect(isPassiveHealthFailure(f)).toBe(false);
    expect(shouldFailover({ kind: 'status', status: 500, message: 'x' })).toBe(true);
  });

  it('answers 429 rate_limited when the last backend answered 429', () => {
    const e = finalError({ kind: 'status', status: 429, message: 'slow down' }, 'b');
    expect(e.code).toBe('rate_limited');
    expect(e.status).toBe(429);
  });

  it('stops on client abort without blaming the backend', () => {
    const f = classifyError(new errors.RequestAbortedError(), true);
    expect(f.kind).toBe('aborted');
    expect(shouldFailover(f)).toBe(false);
    expect(isPassiveHealthFailure(f)).toBe(false);
  });

  it('maps the last failure to the spec errors', () => {
    expect(finalError({ kind: 'timeout', message: 't' }, 'b').code).toBe('upstream_timeout');
    expect(finalError({ kind: 'timeout', message: 't' }, 'b').status).toBe(504);
    expect(
      finalError({ kind: 'transport', message: 'ECONNREFUSED 10.0.0.5:80' }, 'b', (t) =>
        t.replace('10.0.0.5:80', '[address]'),
      ).message,
    ).toBe('Backend b failed: ECONNREFUSED [address]');
    const e = finalError({ kind: 'status', status: 503, message: 'model is loading' }, 'gpu-1');
    expect(e.status).toBe(502);
    expect(e.code).toBe('upstream_error');
    expect(e.message).toContain('model is loading');
  });

  it('reads the backend message from OpenAI, plain and text bodies', () => {
    expect(backendMessage('{"error":{"message":"boom","type":"x"}}')).toBe('boom');
    expect(backendMessage('{"error":"flat"}')).toBe('flat');
    expect(backendMessage('{"detail":"fastapi"}')).toBe('fastapi');
    expect(backendMessage('Bad Gateway')).toBe('Bad Gateway');
  });
});

describe('upstream body', () => {
  it('forwards the client bytes untouched when nothing must change', () => {
    const raw = Buffer.from(
      '{"model":"m","messages":[],"x_vendor":{"a":1.0},"n":12345678901234567890}',
    );
    const req = parseProxyRequest(JSON.parse(raw.toString()), raw);
    expect(upstreamBody(req, 'chat/completions', 'm')).toBe(raw);
  });

  it('splices include_usage into a stream request without touching other bytes', () => {
    const raw = Buffer.from(' {"model":"m","stream":true,"temperature":1.0}');
    const req = parseProxyRequest(JSON.parse(raw.toString()), raw);
    const out = upstreamBody(req, 'chat/completions', 'm').toString();
    expect(out).toBe(
      ' {"stream_options":{"include_usage":true},"model":"m","stream":true,"temperature":1.0}',
    );
    expect(JSON.parse(out).stream_options).toEqual({ include_usage: true });
  });

  it('keeps the client stream_options and adds include_usage', () => {
    const body = { model: 'm', stream: true, stream_options: { include_usage: false, other: 1 } };
    const req = parseProxyRequest(body, Buffer.from(JSON.stringify(body)));
    expect(req.clientWantsUsage).toBe(false);
    expect(JSON.parse(upstreamBody(req, 'completions', 'm').toString()).stream_options).toEqual({
      include_usage: true,
      other: 1,
    });
  });

  it('leaves streams of the Responses API alone and rewrites the model when asked', () => {
    const body = { model: 'm', stream: true, input: 'hi' };
    const raw = Buffer.from(JSON.stringify(body));
    const req = parseProxyRequest(body, raw);
    expect(upstreamBody(req, 'responses', 'm')).toBe(raw);
    expect(JSON.parse(upstreamBody(req, 'responses', 'other').toString())).toEqual({
      ...body,
      model: 'other',
    });
  });

  it('requires a model', () => {
    expect(() => parseProxyRequest({ messages: [] }, undefined)).toThrow(
      expect.objectContaining({ code: 'model_required' }),
    );
    expect(() => parseProxyRequest(undefined, undefined)).toThrow(
      expect.objectContaining({ code: 'model_required' }),
    );
    expect(() => parseProxyRequest({ model: '  ' }, undefined)).toThrow(
      expect.objectContaining({ code: 'model_required' }),
    );
  });
});
