import type { FakeContext, FakeHandler } from './llm-server';
import { sendJson } from './fake-http-server';

/**
 * Ollama's inference wire format: `/api/chat` and `/api/generate` (NDJSON streams by default,
 * `application/x-ndjson`, counts and nanosecond durations on the `done` line), `/api/embed`,
 * the legacy `/api/embeddings`, and its OpenAI-compatible `/v1/embeddings`, which ignores
 * `encoding_format` and always answers float arrays (ollama/ollama#6934).
 */
const PIECES = ['Hello', ' from', ' ollama'];
const VECTOR = [0.25, -0.5, 0.75, 1];

function done(): Record<string, unknown> {
  return {
    done: true,
    done_reason: 'stop',
    total_duration: 5_000_000,
    load_duration: 1_000_000,
    prompt_eval_count: 7,
    prompt_eval_duration: 1_000_000,
    eval_count: PIECES.length,
    eval_duration: 3_000_000,
  };
}

function generation(kind: 'chat' | 'generate'): FakeHandler {
  return ({ res, json }: FakeContext) => {
    if (!json?.model) return sendJson(res, 400, { error: 'model is required' });
    const created_at = '2025-10-01T10:00:00.000000000Z';
    const piece = (text: string) =>
      kind === 'chat' ? { message: { role: 'assistant', content: text } } : { response: text };
    if (json.stream === false) {
      return sendJson(res, 200, {
        model: json.model,
        created_at,
        ...piece(PIECES.join('')),
        ...done(),
      });
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const p of PIECES) {
      res.write(`${JSON.stringify({ model: json.model, created_at, ...piece(p), done: false })}\n`);
    }
    res.end(`${JSON.stringify({ model: json.model, created_at, ...piece(''), ...done() })}\n`);
  };
}

export function ollamaInferenceRoutes(): Array<{
  method: string;
  path: string;
  handler: FakeHandler;
}> {
  return [
    { method: 'POST', path: '/api/chat', handler: generation('chat') },
    { method: 'POST', path: '/api/generate', handler: generation('generate') },
    {
      method: 'POST',
      path: '/api/embed',
      handler: ({ res, json }) => {
        const inputs: unknown[] = Array.isArray(json?.input) ? json.input : [json?.input];
        sendJson(res, 200, {
          model: json?.model,
          embeddings: inputs.map(() => VECTOR),
          total_duration: 2_000_000,
          load_duration: 500_000,
          prompt_eval_count: inputs.length * 2,
        });
      },
    },
    {
      method: 'POST',
      path: '/api/embeddings',
      handler: ({ res }) => sendJson(res, 200, { embedding: VECTOR }),
    },
    {
      method: 'POST',
      path: '/v1/embeddings',
      handler: ({ res, json }) => {
        const inputs: unknown[] = Array.isArray(json?.input) ? json.input : [json?.input];
        sendJson(res, 200, {
          object: 'list',
          data: inputs.map((_, index) => ({ object: 'embedding', embedding: VECTOR, index })),
          model: json?.model,
          usage: { prompt_tokens: inputs.length * 2, total_tokens: inputs.length * 2 },
        });
      },
    },
  ];
}
