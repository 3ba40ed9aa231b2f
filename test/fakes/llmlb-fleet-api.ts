import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';

/**
 * A stand-in for the fleet APIs of the spec (§4–§7: nodes, endpoints, models, tasks, stats,
 * requests) answering in the contract's shapes, so the dashboard and the CLI can be driven
 * before those modules are merged. Use it inside the browser (`install(page)`: everything
 * else, such as login, users and keys, goes to the real server) or as a plain HTTP server
 * (`listen()`) for the CLI. Downloads advance on every read of their progress.
 */
const GiB = 1024 ** 3;
const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();

export const IDS = {
  nodeOnline: '11111111-1111-4111-8111-111111111111',
  nodePending: '22222222-2222-4222-8222-222222222222',
  epOllama: '33333333-3333-4333-8333-333333333333',
  epVllm: '44444444-4444-4444-8444-444444444444',
  epLmStudio: '55555555-5555-4555-8555-555555555555',
};

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: any;
}

export class FleetStub {
  calls: Call[] = [];
  failApprove: { status: number; code: string; message: string } | null = null;
  nodes: any[] = [
    {
      id: IDS.nodeOnline,
      machine_name: 'gpu-a100-01',
      ip_address: '10.0.0.11',
      runtime_version: '0.9.2',
      runtime_port: 8080,
      status: 'online',
      gpu_available: true,
      gpu_devices: [{ model: 'NVIDIA A100 80GB', count: 4, memory_bytes: 80 * GiB }],
      gpu_count: 4,
      gpu_model: 'NVIDIA A100 80GB',
      supported_runtimes: ['llama_cpp'],
      loaded_models: ['qwen2.5-7b-instruct', 'llama-3.1-8b-instruct'],
      loaded_embedding_models: ['nomic-embed-text'],
      ready_models: [2, 2],
      initializing: false,
      cpu_usage: 34,
      memory_usage: 52,
      gpu_usage: 71,
      active_requests: 3,
      registered_at: ago(86400 * 3),
      last_seen: ago(2),
      online_since: ago(86400),
      custom_name: null,
      tags: ['rack-a'],
      notes: null,
    },
    {
      id: IDS.nodePending,
      machine_name: 'gpu-4090-02',
      ip_address: '10.0.0.12',
      runtime_version: '0.9.2',
      runtime_port: 8080,
      status: 'pending',
      gpu_available: true,
      gpu_devices: [{ model: 'NVIDIA GeForce RTX 4090', count: 2, memory_bytes: 24 * GiB }],
      gpu_count: 2,
      gpu_model: 'NVIDIA GeForce RTX 4090',
      supported_runtimes: ['llama_cpp'],
      loaded_models: [],
      loaded_embedding_models: [],
      ready_models: null,
      initializing: false,
      cpu_usage: 5,
      memory_usage: 18,
      gpu_usage: 0,
      active_requests: 0,
      registered_at: ago(40),
      last_seen: ago(4),
      online_since: null,
      custom_name: null,
      tags: null,
      notes: null,
    },
  ];
  endpoints: any[] = [
    endpoint(IDS.epOllama, 'ollama-box', 'http://10.0.1.5:11434', 'ollama', 'online', 12, 3, null),
    endpoint(IDS.epVllm, 'vllm-h100', 'http://10.0.1.6:8000', 'vllm', 'online', 8, 1, null),
    endpoint(
      IDS.epLmStudio,
      'lm-studio-mac',
      'http://10.0.1.7:1234',
      'lm_studio',
      'error',
      null,
      2,
      'connect ECONNREFUSED 10.0.1.7:1234',
    ),
  ];
  endpointModels: Record<string, any[]> = {
    [IDS.epOllama]: [
      { id: 'llama3.2:3b', max_tokens: 131072, capabilities: ['chat'], last_synced_at: ago(60) },
      { id: 'qwen2.5:7b', max_tokens: 32768, capabilities: ['chat'], last_synced_at: ago(60) },
      {
        id: 'nomic-embed-text',
        max_tokens: 8192,
        capabilities: ['embeddings'],
        last_synced_at: ago(60),
      },
    ],
  };
  endpointTasks: Record<string, any[]> = {};
  models: any[] = [
    {
      name: 'qwen/qwen2.5-7b-instruct-gguf/qwen2.5-7b-instruct-q4_k_m',
      repo: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
      filename: 'qwen2.5-7b-instruct-q4_k_m.gguf',
      size_bytes: 4.68 * GiB,
      status: 'registered',
      nodes: [{ id: IDS.nodeOnline, machine_name: 'gpu-a100-01' }],
      endpoints: [],
    },
  ];
  tasks: any[] = [];
  private seq = 0;

  private server: Server | null = null;
  /** When set, node pulls end with this error halfway instead of completing. */
  failPulls: string | null = null;

  /** Answers the fleet routes inside a Playwright page. */
  async install(page: Page): Promise<void> {
    await page.route(
      (url) => /^\/v0\/(nodes|endpoints|models|tasks|stats|requests)(\/|$)/.test(url.pathname),
      async (route) => {
        const req = route.request();
        const data = req.postData();
        const r = this.respond(
          req.method(),
          new URL(req.url()),
          data ? JSON.parse(data) : undefined,
        );
        await route.fulfill({
          status: r.status,
          contentType: 'application/json',
          body: r.json === undefined ? '' : JSON.stringify(r.json),
        });
      },
    );
  }

  /** Serves the same answers over HTTP on 127.0.0.1; resolves to the base URL. */
  async listen(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        const r = this.respond(
          req.method ?? 'GET',
          new URL(req.url ?? '/', 'http://fake'),
          raw ? JSON.parse(raw) : undefined,
        );
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(r.json === undefined ? '' : JSON.stringify(r.json));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server) await new Promise((r) => server.close(r));
  }

  respond(method: string, url: URL, body: any): { status: number; json?: unknown } {
    const path = url.pathname;
    this.calls.push({ method, path, query: url.searchParams, body });
    const send = (status: number, json?: unknown) => ({ status, json });
    const error = (status: number, code: string, message: string) =>
      send(status, { error: { message, type: 'invalid_request_error', code, param: null } });
    let m: RegExpMatchArray | null;

    if (method === 'GET' && path === '/v0/nodes') {
      const status = url.searchParams.get('status');
      const list = this.nodes.filter((n) => !status || n.status === status);
      return send(200, { nodes: list, total: list.length });
    }
    if ((m = path.match(/^\/v0\/nodes\/([^/]+)$/)) && method === 'GET') {
      const n = this.nodes.find((x) => x.id === m![1]);
      return n ? send(200, n) : error(404, 'node_not_found', 'Node not found');
    }
    if ((m = path.match(/^\/v0\/nodes\/([^/]+)\/approve$/)) && method === 'POST') {
      if (this.failApprove)
        return error(this.failApprove.status, this.failApprove.code, this.failApprove.message);
      const n = this.nodes.find((x) => x.id === m![1]);
      if (!n) return error(404, 'node_not_found', 'Node not found');
      n.status = 'online';
      n.online_since = new Date().toISOString();
      return send(200, n);
    }
    if ((m = path.match(/^\/v0\/nodes\/([^/]+)$/)) && method === 'DELETE') {
      this.nodes = this.nodes.filter((x) => x.id !== m![1]);
      return send(204);
    }
    if ((m = path.match(/^\/v0\/nodes\/([^/]+)\/settings$/)) && method === 'PUT') {
      const n = this.nodes.find((x) => x.id === m![1]);
      Object.assign(n, body);
      return send(200, n);
    }
    if (method === 'GET' && path === '/v0/endpoints')
      return send(200, { endpoints: this.endpoints, total: this.endpoints.length });
    if (method === 'POST' && path === '/v0/endpoints') {
      if (this.endpoints.some((e) => e.name === body.name))
        return error(409, 'endpoint_name_taken', `An endpoint named "${body.name}" already exists`);
      const e = endpoint(
        '66666666-6666-4666-8666-666666666666',
        body.name,
        body.base_url,
        'ollama',
        'online',
        5,
        1,
        null,
      );
      this.endpoints.push(e);
      this.endpointModels[e.id] = [
        {
          id: 'llama3.2:1b',
          max_tokens: 131072,
          capabilities: ['chat'],
          last_synced_at: new Date().toISOString(),
        },
      ];
      return send(201, e);
    }
    if ((m = path.match(/^\/v0\/endpoints\/([^/]+)$/)) && method === 'GET') {
      const e = this.endpoints.find((x) => x.id === m![1]);
      return e
        ? send(200, { ...e, models: this.endpointModels[e.id] ?? [] })
        : error(404, 'endpoint_not_found', 'Endpoint not found');
    }
    if ((m = path.match(/^\/v0\/endpoints\/([^/]+)$/)) && method === 'DELETE') {
      const before = this.endpoints.length;
      this.endpoints = this.endpoints.filter((x) => x.id !== m![1]);
      return before === this.endpoints.length
        ? error(404, 'endpoint_not_found', 'Endpoint not found')
        : send(204);
    }
    if ((m = path.match(/^\/v0\/endpoints\/([^/]+)$/)) && method === 'PUT') {
      const e = this.endpoints.find((x) => x.id === m![1]);
      if (!e) return error(404, 'endpoint_not_found', 'Endpoint not found');
      const { api_key, ...rest } = body ?? {};
      Object.assign(e, rest, api_key ? { has_api_key: true } : {});
      return send(200, e);
    }
    if ((m = path.match(/^\/v0\/endpoints\/([^/]+)\/test$/)) && method === 'POST') {
      return send(200, {
        success: true,
        latency_ms: 11,
        endpoint_type: 'ollama',
        models_found: 3,
        error: null,
      });
    }
    if ((m = path.match(/^\/v0\/endpoints\/([^/]+)\/sync$/)) && method === 'POST') {
      return send(200, {
        added: ['a'],
        removed: [],
        updated: [],
        models: this.endpointModels[m[1]] ?? [],
      });
    }
    if ((m = path.match(/^\/v0\/endpoints\/([^/]+)\/download$/)) && method === 'POST') {
      const t = {
        id: `task-${Date.now()}`,
        model: body.model,
        progress: 0,
        speed_mbps: 48.2,
        eta_seconds: 30,
        status: 'downloading',
      };
      (this.endpointTasks[m[1]] ??= []).unshift(t);
      return send(202, t);
    }
    if ((m = path.match(/^\/v0\/endpoints\/([^/]+)\/download\/progress$/)) && method === 'GET') {
      const tasks = this.endpointTasks[m[1]] ?? [];
      for (const t of tasks) {
        if (t.status === 'completed') continue;
        t.progress = Math.min(100, t.progress + 40);
        t.eta_seconds = Math.max(0, t.eta_seconds - 12);
        if (t.progress >= 100) t.status = 'completed';
      }
      return send(200, { endpoint_id: m[1], tasks });
    }
    if (method === 'GET' && path === '/v0/models')
      return send(200, { models: this.models, total: this.models.length });
    if (method === 'GET' && path === '/v0/models/available') {
      return send(200, {
        supported: [
          { repo: 'Qwen/Qwen2.5-7B-Instruct-GGUF', downloads: 120345, likes: 310, tags: ['gguf'] },
        ],
        available: [
          {
            repo: 'bartowski/Llama-3.2-1B-Instruct-GGUF',
            downloads: 98000,
            likes: 150,
            tags: ['gguf'],
          },
        ],
        cached: false,
        limit: 20,
        offset: 0,
      });
    }
    if ((m = path.match(/^\/v0\/models\/available\/(.+)\/files$/)) && method === 'GET') {
      const repo = decodeURIComponent(m[1]);
      return send(200, {
        repo,
        files: [
          { filename: 'Llama-3.2-1B-Instruct-Q4_K_M.gguf', size_bytes: 807_694_464 },
          { filename: 'Llama-3.2-1B-Instruct-Q8_0.gguf', size_bytes: 1_321_083_008 },
        ],
      });
    }
    if (method === 'POST' && path === '/v0/models/register') {
      const name = `${body.repo}/${body.filename.replace(/\.gguf$/, '')}`.toLowerCase();
      if (this.models.some((x) => x.name === name))
        return error(409, 'model_already_registered', `Model ${name} is already registered`);
      const model = {
        name,
        repo: body.repo,
        filename: body.filename,
        size_bytes: 807_694_464,
        status: 'registered',
        nodes: [],
        endpoints: [],
      };
      this.models.push(model);
      return send(201, {
        ...model,
        download_url: `https://huggingface.co/${body.repo}/resolve/main/${body.filename}`,
      });
    }
    if (method === 'POST' && path === '/v0/models/download') {
      const targets =
        body.target === 'all'
          ? this.nodes.filter((n) => n.status === 'online').map((n) => n.id)
          : body.node_ids;
      const ids = targets.map((nodeId: string) => {
        const t = {
          id: `77777777-7777-4777-8777-${String(++this.seq).padStart(12, '0')}`,
          kind: 'node_pull',
          model: body.model,
          node_id: nodeId,
          endpoint_id: null,
          status: 'pending',
          progress: 0,
          downloaded_bytes: 0,
          total_bytes: 807_694_464,
          speed_bps: 52_428_800,
          eta_seconds: 15,
          error: null,
          created_at: new Date().toISOString(),
          started_at: null,
          completed_at: null,
        };
        this.tasks.unshift(t);
        return t.id;
      });
      return send(202, { task_ids: ids });
    }
    if (method === 'GET' && path === '/v0/tasks') {
      for (const t of this.tasks) {
        if (['completed', 'failed', 'cancelled'].includes(t.status)) continue;
        if (this.failPulls && t.progress >= 0.5) {
          t.status = 'failed';
          t.error = this.failPulls;
          continue;
        }
        t.status = 'in_progress';
        t.progress = Math.min(1, Math.round((t.progress + 0.5) * 10) / 10);
        t.downloaded_bytes = Math.round(t.total_bytes * t.progress);
        t.eta_seconds = Math.round((1 - t.progress) * 15);
        if (t.progress >= 1) {
          t.status = 'completed';
          t.completed_at = new Date().toISOString();
          const model = this.models.find((x) => x.name === t.model);
          const node = this.nodes.find((n) => n.id === t.node_id);
          if (model && node && !model.nodes.some((n: any) => n.id === node.id))
            model.nodes.push({ id: node.id, machine_name: node.machine_name });
        }
      }
      const status = url.searchParams.get('status');
      const list = this.tasks.filter((t) => !status || t.status === status);
      return send(200, { tasks: list, total: list.length });
    }
    if ((m = path.match(/^\/v0\/tasks\/([^/]+)$/)) && method === 'GET') {
      const t = this.tasks.find((x) => x.id === m![1]);
      return t ? send(200, t) : error(404, 'task_not_found', 'Task not found');
    }
    if (method === 'GET' && path === '/v0/stats') return send(200, stats());
    if (method === 'GET' && path === '/v0/requests') {
      const rows = Array.from({ length: 8 }, (_, i) => ({
        id: `r${i}`,
        created_at: ago(i * 17),
        model: i % 3 ? 'qwen2.5:7b' : 'llama3.2:3b',
        backend_id: i % 2 ? IDS.epOllama : IDS.nodeOnline,
        backend_name: i % 2 ? 'ollama-box' : 'gpu-a100-01',
        status: i === 5 ? 502 : 200,
        latency_ms: 400 + i * 37,
        ttft_ms: 80 + i * 5,
        prompt_tokens: 120 + i,
        completion_tokens: 240 + i * 3,
        api_key_id: null,
      }));
      return send(200, { requests: rows, total: 8, page: 1, per_page: 50 });
    }
    return error(404, 'route_not_found', `Route not found: ${method} ${path}`);
  }
}

function endpoint(
  id: string,
  name: string,
  base_url: string,
  type: string,
  status: string,
  latency: number | null,
  models: number,
  lastError: string | null,
) {
  return {
    id,
    name,
    base_url,
    endpoint_type: type,
    type_source: 'detected',
    status,
    enabled: true,
    priority: 50,
    health_check_interval_secs: 30,
    inference_timeout_secs: 120,
    latency_ms: latency,
    last_checked_at: ago(5),
    last_online_at: status === 'online' ? ago(5) : ago(600),
    last_error: lastError,
    consecutive_failures: lastError ? 1 : 0,
    model_count: models,
    registered_at: ago(86400),
    updated_at: ago(3600),
    notes: null,
    has_api_key: false,
  };
}

function stats() {
  const now = Math.floor(Date.now() / 60000) * 60000;
  const per_minute = Array.from({ length: 60 }, (_, i) => {
    const requests = Math.round(40 + 25 * Math.sin(i / 6) + (i % 7) * 3);
    return {
      minute: new Date(now - (59 - i) * 60000).toISOString(),
      requests,
      errors: i % 11 === 0 ? 3 : 0,
    };
  });
  const requests = per_minute.reduce((a, b) => a + b.requests, 0);
  const errors = per_minute.reduce((a, b) => a + b.errors, 0);
  return {
    totals: { requests, errors, error_rate: errors / requests, p50_ms: 412, p95_ms: 1630 },
    per_minute,
    per_backend: [
      {
        backend_id: IDS.nodeOnline,
        backend_name: 'gpu-a100-01',
        requests: Math.round(requests * 0.6),
        errors: 2,
        p50_ms: 380,
        p95_ms: 1400,
      },
      {
        backend_id: IDS.epOllama,
        backend_name: 'ollama-box',
        requests: Math.round(requests * 0.4),
        errors: errors - 2,
        p50_ms: 455,
        p95_ms: 1810,
      },
    ],
    per_model: [
      {
        model: 'qwen2.5:7b',
        requests: Math.round(requests * 0.7),
        errors: 4,
        p50_ms: 430,
        p95_ms: 1700,
      },
      {
        model: 'llama3.2:3b',
        requests: Math.round(requests * 0.3),
        errors: errors - 4,
        p50_ms: 350,
        p95_ms: 1200,
      },
    ],
  };
}
