import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { startFakeOpenAiCompatible } from '../fakes/openai-compatible';
import type { FakeLlmServer } from '../fakes/llm-server';
import { ADMIN_PASSWORD, startApp } from '../helpers/app';
import { BIN, ensureBuilt } from '../helpers/cli';
import { api, login, waitFor } from '../helpers/http';

const MODEL = 'drain-model';

/** Runs `llmlb serve` as a child process and finds its URL in the log. */
function serve(dataDir: string): {
  child: ChildProcess;
  output: () => string;
  url: Promise<string>;
} {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('LLMLB_') && v !== undefined) env[k] = v;
  }
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: tmpdir(),
    env: {
      ...env,
      NO_COLOR: '1',
      LLMLB_DATA_DIR: dataDir,
      LLMLB_HOST: '127.0.0.1',
      LLMLB_PORT: '0',
      LLMLB_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LLMLB_SHUTDOWN_GRACE_SECS: '25',
      LLMLB_STATS_FLUSH_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`server exited (${code}) before listening:\n${out}`)),
    );
  });
  return { child, output: () => out, url };
}

/** Issue 10 §4: SIGTERM lets a running stream finish before pools and database close. */
describe('security: graceful shutdown', () => {
  let backend: FakeLlmServer;
  let release: () => void;
  let child: ChildProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'llmlb-shutdown-'));

  beforeAll(async () => {
    ensureBuilt();
    const released = new Promise<void>((r) => (release = r));
    backend = await startFakeOpenAiCompatible({ models: [MODEL] });
    backend.route('POST', '/v1/chat/completions', async ({ res }) => {
      const chunk = (text: string) =>
        `data: ${JSON.stringify({
          id: 'c1',
          object: 'chat.completion.chunk',
          created: 1,
          model: MODEL,
          choices: [{ index: 0, delta: { content: text }, finish_reason: null }],
        })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('first '));
      await released; // the test sends SIGTERM meanwhile
      res.write(chunk('second '));
      res.end('data: [DONE]\n\n');
    });
  });
  afterAll(async () => {
    release?.();
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes the in-flight stream, refuses new connections, flushes stats, exits 0', async () => {
    const s = serve(dataDir);
    child = s.child;
    const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
    const url = await s.url;
    const admin = await login(url, 'admin', ADMIN_PASSWORD);
    const created = await api(url)
      .as(admin)
      .post('/v0/endpoints', { name: 'drain', base_url: backend.url });
    expect(created.status).toBe(201);
    await waitFor(
      async () => {
        const r = await api(url).as(admin).get('/v1/models');
        return r.body?.data?.some((m: { id: string }) => m.id === MODEL);
      },
      { what: 'the model to be routable' },
    );

    // Database files are private to the server's user.
    for (const f of ['llmlb.db', 'llmlb.db-wal', 'llmlb.db-shm']) {
      expect((statSync(join(dataDir, f)).mode & 0o777).toString(8)).toBe('600');
    }

    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: admin, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: 'hello' }],
    });
    const it = stream[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value.choices[0].delta.content).toBe('first ');

    s.child.kill('SIGTERM');
    await waitFor(() => /no new connections/.test(s.output()), { what: 'the drain to start' });
    // No new connections are accepted while the stream is still running.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(s.child.exitCode).toBeNull();

    release();
    let rest = '';
    for (let n = await it.next(); !n.done; n = await it.next()) {
      rest += n.value.choices[0]?.delta?.content ?? '';
    }
    expect(rest).toBe('second ');
    expect(await exited).toBe(0);
    expect(s.output()).toContain('stopped');

    // The request of the drained stream reached the database before it was closed.
    const db = await new DataSource({
      type: 'better-sqlite3',
      database: join(dataDir, 'llmlb.db'),
      readonly: true,
    }).initialize();
    try {
      const rows: unknown[] = await db.query(`SELECT model FROM request_history WHERE model = ?`, [
        MODEL,
      ]);
      expect(rows).toHaveLength(1);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});

describe('security: storage', () => {
  it('runs SQLite with synchronous=FULL', async () => {
    const t = await startApp();
    try {
      const [row] = await t.app.get(DataSource).query('PRAGMA synchronous');
      expect(row.synchronous).toBe(2); // FULL
    } finally {
      await t.cleanup();
    }
  });
});
