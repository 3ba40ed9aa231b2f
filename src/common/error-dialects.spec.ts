import { errorBody } from './app-error';
import { anthropicErrorType, errorDialectFor, inDialect } from './error-dialects';

describe('error dialects', () => {
  it('chooses the shape by route family (Swagger under /api stays in the spec shape)', () => {
    expect(errorDialectFor('/v1/messages')).toBe('anthropic');
    expect(errorDialectFor('/v1/messages?beta=true')).toBe('anthropic');
    expect(errorDialectFor('/v1/messages/count_tokens')).toBe('anthropic');
    expect(errorDialectFor('/v1/messagesx')).toBe('openai');
    expect(errorDialectFor('/api/chat')).toBe('ollama');
    expect(errorDialectFor('/api/docs/x')).toBe('openai');
    expect(errorDialectFor('/api/openapi.json')).toBe('openai');
    expect(errorDialectFor('/v1/chat/completions')).toBe('openai');
  });

  it('renders each dialect', () => {
    const b = errorBody(404, 'model_not_found', 'gone');
    expect(inDialect('anthropic', 404, b)).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'gone' },
    });
    expect(inDialect('ollama', 404, b)).toEqual({ error: 'gone' });
    expect(inDialect('openai', 404, b)).toBe(b);
    expect(anthropicErrorType(503)).toBe('overloaded_error');
    expect(anthropicErrorType(502)).toBe('api_error');
    expect(anthropicErrorType(413)).toBe('request_too_large');
  });
});
