import { baseUrlProblem, normalizeBaseUrl, sameOrigin } from './endpoint-url';

describe('base URL rules', () => {
  it.each([
    ['http://10.0.0.5:11434', 'http://10.0.0.5:11434'],
    ['http://10.0.0.5:11434/', 'http://10.0.0.5:11434'],
    ['http://10.0.0.5:11434///', 'http://10.0.0.5:11434'],
    ['HTTP://GPU-Box.Local:8000/', 'http://gpu-box.local:8000'],
    ['http://example.com:80', 'http://example.com'],
    ['https://example.com:443/', 'https://example.com'],
    ['https://example.com:8443', 'https://example.com:8443'],
    ['http://example.com:443', 'http://example.com:443'],
    ['https://proxy.example.com/ollama/', 'https://proxy.example.com/ollama'],
    ['  http://example.com  ', 'http://example.com'],
    ['http://[::1]:8080/', 'http://[::1]:8080'],
  ])('%s → %s', (input, expected) => {
    expect(baseUrlProblem(input)).toBeNull();
    expect(normalizeBaseUrl(input)).toBe(expected);
  });

  it.each([
    ['', /non-empty/],
    ['   ', /non-empty/],
    ['localhost:11434', /http/],
    ['10.0.0.5:8000', /http/],
    ['//example.com', /http/],
    ['ftp://example.com', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['http://user:pass@example.com', /credentials/],
    ['http://user@example.com', /credentials/],
    ['http://example.com/?a=1', /query/],
    ['http://example.com/#x', /fragment/],
    ['http://', /valid URL/],
    ['http://exa mple.com', /valid URL/],
    [`http://example.com/${'a'.repeat(2100)}`, /2048/],
  ])('refuses %j', (input, why) => {
    expect(baseUrlProblem(input)).toMatch(why);
    expect(() => normalizeBaseUrl(input)).toThrow();
  });

  it('refuses non-strings', () => {
    expect(baseUrlProblem(42)).toMatch(/string/);
    expect(baseUrlProblem(undefined)).toMatch(/string/);
  });
});

describe('sameOrigin', () => {
  it.each([
    ['http://10.0.0.5:8000', 'http://10.0.0.5:8000/v1', true],
    ['http://10.0.0.5:8000', 'http://10.0.0.5:8001', false],
    ['http://10.0.0.5:8000', 'https://10.0.0.5:8000', false],
    ['http://10.0.0.5:8000', 'http://10.0.0.6:8000', false],
  ])('%s vs %s → %s', (a, b, same) => {
    expect(sameOrigin(a, b)).toBe(same);
  });
});
