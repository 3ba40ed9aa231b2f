import {
  ADDRESS_MARK,
  redactBody,
  redactionFor,
  redactSecrets,
  redactText,
  SECRET_MARK,
} from './redact';
import type { UpstreamTarget } from './upstream-pools';

const target = (origin: string) => ({ origin, pathPrefix: '' }) as unknown as UpstreamTarget;

describe('redactText', () => {
  const none = { hosts: [], secrets: [] };

  it.each([
    ['connect ECONNREFUSED 10.0.0.5:8000', `connect ECONNREFUSED ${ADDRESS_MARK}`],
    ['GET http://gpu-1.lan:8000/v1/models failed', `GET ${ADDRESS_MARK} failed`],
    ['proxy at localhost:3128 refused', `proxy at ${ADDRESS_MARK} refused`],
    ['dial tcp gpu-box.internal:9000: timeout', `dial tcp ${ADDRESS_MARK}: timeout`],
    ['connect ECONNREFUSED ::1:8000', `connect ECONNREFUSED ${ADDRESS_MARK}`],
    ['peer [fe80::1%eth0]:8000 reset', `peer ${ADDRESS_MARK} reset`],
    ['from 2001:db8:0:0:0:0:0:1 ok', `from ${ADDRESS_MARK} ok`],
    ['header Authorization: Bearer abc.def', `header Authorization: Bearer ${SECRET_MARK}`],
    ['{"x-api-key":"k-123456"}', `{"x-api-key":"${SECRET_MARK}"}`],
    ['Incorrect API key provided: sk-abcd****wxyz.', `Incorrect API key provided: ${SECRET_MARK}.`],
  ])('%s', (input, expected) => {
    expect(redactText(input, none)).toBe(expected);
  });

  it.each([
    'The model `llama3.2:latest` does not exist',
    'qwen2.5:14b is loading',
    'std::io::Error at 12:30:45',
    'context length 8192 exceeded (max 4096)',
    'Backend gpu-1 answered 503: model is loading',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redactText(text, none)).toBe(text);
  });

  it("removes the backend's own host name and key wherever they appear", () => {
    const r = redactionFor({
      target: target('http://gpu-box:8000'),
      headers: { authorization: 'Bearer s3cret-value', 'content-type': 'application/json' },
    });
    expect(
      redactText('getaddrinfo ENOTFOUND gpu-box; key s3cret-value; GPU-BOX:8000 down', r),
    ).toBe(`getaddrinfo ENOTFOUND ${ADDRESS_MARK}; key ${SECRET_MARK}; ${ADDRESS_MARK} down`);
  });

  it('reads the key headers of the cloud providers', () => {
    expect(
      redactionFor({ target: target('https://api.x.com'), headers: { 'x-api-key': 'ak-1' } })
        .secrets,
    ).toContain('ak-1');
    expect(
      redactionFor({ target: target('https://api.x.com'), headers: { 'x-goog-api-key': 'g-1' } })
        .secrets,
    ).toContain('g-1');
  });

  it('redactSecrets (for the log) keeps addresses and removes keys', () => {
    expect(redactSecrets('at http://10.0.0.5:8000 with key k-9876 / Bearer zz9', ['k-9876'])).toBe(
      `at http://10.0.0.5:8000 with key ${SECRET_MARK} / Bearer ${SECRET_MARK}`,
    );
  });

  it('returns the same buffer when nothing had to go', () => {
    const b = Buffer.from('{"error":{"message":"bad request"}}');
    expect(redactBody(b, none)).toBe(b);
    expect(redactBody(Buffer.from('at 10.1.1.1'), none).toString()).toBe(`at ${ADDRESS_MARK}`);
  });
});
