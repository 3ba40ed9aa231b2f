'use strict';
// Fixed-latency OpenAI-compatible mock backend for bench/proxy.js (run as a child process).
// Non-streaming: answers after LATENCY_MS. Streaming: first chunk after LATENCY_MS, then
// CHUNKS-1 more chunks 1 ms apart, the usage chunk when asked, and [DONE].
const http = require('node:http');

const LATENCY_MS = Number(process.env.MOCK_LATENCY_MS || 20);
const CHUNKS = Number(process.env.MOCK_CHUNKS || 5);
const MODEL = process.env.MOCK_MODEL || 'bench-model';

const server = http.createServer((req, res) => {
  const bufs = [];
  req.on('data', (c) => bufs.push(c));
  req.on('end', () => {
    if (req.method === 'GET' && req.url.startsWith('/v1/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'bench' }],
        }),
      );
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
      return;
    }
    let body = {};
    try {
      body = JSON.parse(Buffer.concat(bufs).toString('utf8'));
    } catch {
      /* ignore */
    }
    const usage = { prompt_tokens: 10, completion_tokens: CHUNKS, total_tokens: 10 + CHUNKS };
    if (!body.stream) {
      setTimeout(() => {
        const text = JSON.stringify({
          id: 'cmpl-bench',
          object: 'chat.completion',
          created: 1,
          model: MODEL,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: 'hello '.repeat(CHUNKS) },
              finish_reason: 'stop',
            },
          ],
          usage,
        });
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      }, LATENCY_MS);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const includeUsage = body.stream_options && body.stream_options.include_usage === true;
    let i = 0;
    const send = () => {
      if (res.destroyed) return;
      res.write(
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: MODEL, choices: [{ index: 0, delta: { content: 'hello ' }, finish_reason: null }] })}\n\n`,
      );
      i += 1;
      if (i < CHUNKS) {
        setTimeout(send, 1);
        return;
      }
      if (includeUsage) {
        res.write(
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: MODEL, choices: [], usage })}\n\n`,
        );
      }
      res.end('data: [DONE]\n\n');
    };
    setTimeout(send, LATENCY_MS);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.send({ port: server.address().port });
});
process.on('disconnect', () => process.exit(0));
