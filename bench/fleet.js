'use strict';
/**
 * Fleet scheduling benchmark (spec §6.1, §11): the built llmlb (dist/) in front of three fake
 * llama.cpp-like backends that run at most SLOTS requests at once (more wait inside the backend,
 * as llama-server does) and keep a simulated prompt cache (a request whose messages start with
 * a conversation the backend has already seen pays prompt time only for the new tokens).
 * Every row says "fake (simulated slots + prompt cache)"; no real llama.cpp runs here.
 *
 * (1) Burst: 4 × the fleet's slots sent at once, several times; throughput, p50/p99 latency and
 *     the most requests ever in flight at one backend, with the queue on (endpoints registered
 *     with max_concurrency = SLOTS) and off (max_concurrency null: llmlb does not know the
 *     slots and sends everything, the backends queue internally). Also the mean
 *     x-llmlb-overhead-ms of an unsaturated run, queue on vs off.
 * (2) Conversations: 16 conversations × 6 turns (streamed), concurrently, over 3 backends;
 *     time to first token of the follow-up turns (2–6), affinity on vs off (LLMLB_AFFINITY).
 *
 * The burst rounds alternate queue on / off (after one warm-up burst) so that load from other
 * processes hits both alike. The conversation scenario runs with CONV_SLOTS per backend (enough
 * for the 16 conversations, so it measures cache reuse, not queueing) and also counts, at the
 * backends, how many follow-up turns found their conversation in the prompt cache — a figure
 * that does not depend on machine load.
 *
 * Run: `npm run bench:fleet`. Env: SLOTS (4), CONV_SLOTS (8), SERVICE_MS (generation time per
 * request, 300), PP_MS_PER_TOKEN (uncached prompt cost, 0.25), BURSTS (3), BENCH_JSON=path.
 */
const http = require('node:http');
const { Agent, request } = require('undici');
const { percentile, table, fmt, startBuiltServer } = require('./lib');

const SLOTS = Number(process.env.SLOTS || 4);
const CONV_SLOTS = Number(process.env.CONV_SLOTS || 8);
const SERVICE_MS = Number(process.env.SERVICE_MS || 300);
const PP_MS_PER_TOKEN = Number(process.env.PP_MS_PER_TOKEN || 0.25);
const BURSTS = Number(process.env.BURSTS || 3);
const BACKENDS = 3;
const MODEL = 'fleet-model';
const ROW_KIND = 'fake (simulated slots + prompt cache)';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tokens = (s) => Math.ceil(s.length / 4);

// ------------------------------------------------------------------ fake backend

/** A llama.cpp-like backend: SLOTS at once, FIFO wait inside, simulated prompt cache. */
function startFakeBackend(name) {
  const state = {
    name,
    slots: SLOTS,
    inFlight: 0,
    maxInFlight: 0,
    running: 0,
    waiting: [],
    served: 0,
    cacheHits: 0,
    /** Prompt tokens computed (not found in the cache) and received. */
    freshTokens: 0,
    promptTokens: 0,
  };
  /**
   * The prompt cache: like llama-server, each slot keeps the last prompt it processed, so the
   * backend remembers its `slots` most recent prompts (serialized message lists), oldest first.
   */
  const cache = new Map();
  const takeSlot = () =>
    state.running < state.slots
      ? (state.running++, Promise.resolve())
      : new Promise((r) => state.waiting.push(r));
  const freeSlot = () => {
    const next = state.waiting.shift();
    if (next) next();
    else state.running--;
  };
  const cachedTokens = (messages) => {
    // longest cached prefix, in whole messages
    for (let k = messages.length; k > 0; k--) {
      const key = JSON.stringify(messages.slice(0, k));
      if (cache.has(key)) return tokens(key);
    }
    return 0;
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      if (req.method === 'GET') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model' }] }));
        return;
      }
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      try {
        const json = JSON.parse(body);
        const messages = json.messages || [];
        await takeSlot();
        try {
          const total = tokens(JSON.stringify(messages));
          const cached = cachedTokens(messages);
          if (cached > 0) state.cacheHits++;
          const fresh = Math.max(0, total - cached);
          state.freshTokens += fresh;
          state.promptTokens += total;
          await sleep(2 + fresh * PP_MS_PER_TOKEN); // prompt processing
          // a long answer (~300 tokens) makes the history grow turn after turn
          const answer = `reply ${state.served} from ${name}: ${'lorem ipsum '.repeat(100)}`.trim();
          const key = JSON.stringify([...messages, { role: 'assistant', content: answer }]);
          cache.delete(key);
          cache.set(key, true);
          while (cache.size > state.slots) cache.delete(cache.keys().next().value);
          if (json.stream) {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            const pieces = answer.split(' ');
            for (let i = 0; i < pieces.length; i++) {
              const chunk = {
                id: 'x',
                object: 'chat.completion.chunk',
                model: MODEL,
                choices: [{ index: 0, delta: { content: `${pieces[i]} ` }, finish_reason: null }],
              };
              res.write(`data: ${JSON.stringify(chunk)}\n\n`);
              await sleep(SERVICE_MS / pieces.length);
            }
            res.write(
              `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', model: MODEL, choices: [], usage: { prompt_tokens: total, completion_tokens: pieces.length, total_tokens: total + pieces.length } })}\n\n`,
            );
            res.end('data: [DONE]\n\n');
          } else {
            await sleep(SERVICE_MS);
            res.setHeader('content-type', 'application/json');
            res.end(
              JSON.stringify({
                id: 'x',
                object: 'chat.completion',
                model: MODEL,
                choices: [{ index: 0, message: { role: 'assistant', content: answer } }],
                usage: { prompt_tokens: total, completion_tokens: 4, total_tokens: total + 4 },
              }),
            );
          }
          state.served++;
        } finally {
          freeSlot();
        }
      } catch (e) {
        res.statusCode = 500;
        res.end(JSON.stringify({ error: { message: String(e) } }));
      } finally {
        state.inFlight--;
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      state.url = `http://127.0.0.1:${server.address().port}`;
      state.close = () => new Promise((r) => server.close(r));
      state.reset = () => {
        state.maxInFlight = state.inFlight;
        state.cacheHits = 0;
        state.freshTokens = 0;
        state.promptTokens = 0;
        cache.clear();
      };
      resolve(state);
    }),
  );
}

// ------------------------------------------------------------------ llmlb

async function api(url, method, path, body, token) {
  const res = await fetch(url + path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return json;
}

async function startLlmlb(backends, env) {
  const server = await startBuiltServer({ LLMLB_QUEUE_MAX: '1000', ...env });
  const jwt = (
    await api(server.url, 'POST', '/v0/auth/login', {
      username: 'admin',
      password: 'bench-admin-password',
    })
  ).token;
  const key = (
    await api(
      server.url,
      'POST',
      '/v0/api-keys',
      { name: 'bench', permissions: ['inference', 'models.read'] },
      jwt,
    )
  ).key;
  const ids = [];
  for (const b of backends) {
    const e = await api(
      server.url,
      'POST',
      '/v0/endpoints',
      {
        name: b.name,
        base_url: b.url,
        endpoint_type: 'openai_compatible',
        inference_timeout_secs: 600,
        max_concurrency: SLOTS,
      },
      jwt,
    );
    ids.push(e.id);
  }
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = await api(server.url, 'GET', '/v1/models', undefined, key);
    const row = m.data.find((x) => x.id === MODEL);
    if (row && row.endpoints === backends.length) break;
    if (Date.now() > deadline) throw new Error('backends did not come online');
    await sleep(100);
  }
  const setSlots = async (value) => {
    for (const id of ids)
      await api(server.url, 'PUT', `/v0/endpoints/${id}`, { max_concurrency: value }, jwt);
  };
  return { ...server, key, setSlots };
}

// ------------------------------------------------------------------ scenarios

async function post(dispatcher, llmlb, body, onFirstByte) {
  const started = performance.now();
  const res = await request(`${llmlb.url}/v1/chat/completions`, {
    method: 'POST',
    dispatcher,
    headers: { authorization: `Bearer ${llmlb.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  let ttft = null;
  let text = '';
  for await (const chunk of res.body) {
    if (ttft === null && chunk.length > 0) {
      ttft = performance.now() - started;
      if (onFirstByte) onFirstByte();
    }
    text += chunk;
  }
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  return {
    ms: performance.now() - started,
    ttft,
    overhead: Number(res.headers['x-llmlb-overhead-ms'] ?? NaN),
    queued: res.headers['x-llmlb-queue-ms'] !== undefined,
    text,
  };
}

/** One burst of 4 × the fleet's slots; adds its figures to `acc`. */
async function burstRound(llmlb, backends, acc, round) {
  const n = SLOTS * BACKENDS * 4;
  const dispatcher = new Agent({ connections: n * 2 });
  for (const b of backends) b.reset();
  const t0 = performance.now();
  const out = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      post(dispatcher, llmlb, {
        model: MODEL,
        messages: [{ role: 'user', content: `burst ${round} request ${i} ${'x'.repeat(400)}` }],
      }),
    ),
  );
  acc.seconds += (performance.now() - t0) / 1000;
  for (const o of out) {
    acc.lat.push(o.ms);
    if (o.queued) acc.queued++;
  }
  backends.forEach((b, k) => (acc.max[k] = Math.max(acc.max[k] ?? 0, b.maxInFlight)));
  await dispatcher.close();
}

function burstRow(acc, label) {
  const lat = [...acc.lat].sort((a, b) => a - b);
  return {
    scenario: `burst ${SLOTS * BACKENDS * 4} (4x ${SLOTS * BACKENDS} slots) x${BURSTS}`,
    queue: label,
    backend: ROW_KIND,
    'req/s': fmt(lat.length / acc.seconds, 1),
    'p50 ms': fmt(percentile(lat, 50), 1),
    'p99 ms': fmt(percentile(lat, 99), 1),
    'max in flight/backend': acc.max.join('/'),
    capacity: SLOTS,
    queued: acc.queued,
  };
}

async function unsaturated(llmlb, label) {
  const dispatcher = new Agent({ connections: 8 });
  const over = [];
  const deadline = performance.now() + 3000;
  await Promise.all(
    Array.from({ length: 2 }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const o = await post(dispatcher, llmlb, {
          model: MODEL,
          messages: [{ role: 'user', content: `light ${w} ${i}` }],
        });
        over.push(o.overhead);
      }
    }),
  );
  await dispatcher.close();
  over.sort((a, b) => a - b);
  return {
    scenario: `unsaturated (2 clients, ${SLOTS * BACKENDS} slots)`,
    queue: label,
    backend: ROW_KIND,
    requests: over.length,
    'mean overhead ms': fmt(over.reduce((s, x) => s + x, 0) / over.length, 3),
    'p50 overhead ms': fmt(percentile(over, 50), 3),
  };
}

async function conversations(llmlb, backends, label) {
  for (const b of backends) b.reset();
  const dispatcher = new Agent({ connections: 64 });
  const first = [];
  const follow = [];
  await Promise.all(
    Array.from({ length: 16 }, async (_, c) => {
      const messages = [
        {
          role: 'system',
          content: `conversation ${c}: you are a helpful assistant.`,
        },
        { role: 'user', content: `question 1 of conversation ${c}: ${'context '.repeat(50)}` },
      ];
      for (let turn = 1; turn <= 6; turn++) {
        const o = await post(dispatcher, llmlb, { model: MODEL, stream: true, messages });
        (turn === 1 ? first : follow).push(o.ttft);
        const content = o.text
          .split('\n')
          .filter((l) => l.startsWith('data: {'))
          .map((l) => JSON.parse(l.slice(6)).choices?.[0]?.delta?.content ?? '')
          .join('');
        messages.push({ role: 'assistant', content: content.trim() });
        messages.push({
          role: 'user',
          content: `question ${turn + 1} of conversation ${c}: ${'context '.repeat(50)}`,
        });
      }
    }),
  );
  await dispatcher.close();
  const hits = backends.reduce((n, b) => n + b.cacheHits, 0);
  const fresh = backends.reduce((n, b) => n + b.freshTokens, 0);
  const prompt = backends.reduce((n, b) => n + b.promptTokens, 0);
  follow.sort((a, b) => a - b);
  first.sort((a, b) => a - b);
  return {
    scenario: `16 conversations x 6 turns, 3 backends x ${CONV_SLOTS} slots`,
    affinity: label,
    backend: ROW_KIND,
    'first-turn TTFT p50 ms': fmt(percentile(first, 50), 1),
    'follow-up TTFT p50 ms': fmt(percentile(follow, 50), 1),
    'follow-up TTFT mean ms': fmt(follow.reduce((s, x) => s + x, 0) / follow.length, 1),
    'follow-up TTFT p99 ms': fmt(percentile(follow, 99), 1),
    'requests hitting the cache': `${hits}/${follow.length + first.length}`,
    'prompt tokens computed': `${fresh} of ${prompt}`,
  };
}

// ------------------------------------------------------------------ main

async function main() {
  const backends = [];
  for (let i = 0; i < BACKENDS; i++) backends.push(await startFakeBackend(`fake-${i}`));
  const results = { burst: [], unsaturated: [], conversations: [] };
  const servers = [];
  try {
    if (process.env.ONLY !== 'conversations') {
      const llmlb = await startLlmlb(backends, {});
      servers.push(llmlb);
      await burstRound(llmlb, backends, { lat: [], seconds: 0, queued: 0, max: [] }, -1); // warm-up
      const on = { lat: [], seconds: 0, queued: 0, max: [] };
      const off = { lat: [], seconds: 0, queued: 0, max: [] };
      for (let r = 0; r < BURSTS; r++) {
        await llmlb.setSlots(SLOTS);
        await burstRound(llmlb, backends, on, r);
        await llmlb.setSlots(null);
        await burstRound(llmlb, backends, off, r);
      }
      results.burst.push(
        burstRow(on, `on (max_concurrency ${SLOTS})`),
        burstRow(off, 'off (slots unknown)'),
      );
      for (const slots of [SLOTS, null, SLOTS, null]) {
        await llmlb.setSlots(slots);
        results.unsaturated.push(await unsaturated(llmlb, slots === null ? 'off' : 'on'));
      }
      await llmlb.stop();
      servers.pop();
    }
    // (2) two servers, affinity on and off, runs alternated
    for (const b of backends) b.slots = CONV_SLOTS;
    const withAffinity = await startLlmlb(backends, {});
    servers.push(withAffinity);
    const without = await startLlmlb(backends, { LLMLB_AFFINITY: 'false' });
    servers.push(without);
    for (const s of servers) await s.setSlots(CONV_SLOTS);
    for (let r = 0; r < 2; r++) {
      results.conversations.push(await conversations(withAffinity, backends, 'on'));
      results.conversations.push(await conversations(without, backends, 'off'));
    }
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined);
    for (const b of backends) await b.close();
  }
  if (results.burst.length > 0) {
    console.log('\n(1) burst of 4x the fleet slots\n');
    console.log(table(results.burst));
    console.log('\nqueue cost when not saturated\n');
    console.log(table(results.unsaturated));
  }
  console.log('\n(2) conversations: time to first token of follow-up turns\n');
  console.log(table(results.conversations));
  const avg = (label, column) => {
    const rows = results.conversations.filter((r) => r.affinity === label);
    return rows.reduce((n, r) => n + Number(r[column]), 0) / rows.length;
  };
  const ratio = (column) => fmt(avg('off', column) / avg('on', column), 1);
  console.log(
    `\nfollow-up TTFT, affinity off / on (averaged over the runs): p50 ${ratio('follow-up TTFT p50 ms')}x, mean ${ratio('follow-up TTFT mean ms')}x, p99 ${ratio('follow-up TTFT p99 ms')}x (target >= 2x)`,
  );
  if (process.env.BENCH_JSON) {
    require('node:fs').writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
