/**
 * The agent's life: detect GPUs (none → exit 2), wait for the runtime, register (with the
 * stored token after a restart), then heartbeat every interval and run the pulls the server
 * hands out. Never exits because the server or runtime is down; one log line per state change.
 */
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { detectGpus, readGpuStats, type GpuDetection } from './gpu-detect';
import { gpuStats } from './gpu-parsers';
import { describe, errorCode } from './http';
import { AgentLog } from './log';
import { splitModels } from './model-kind';
import type { AgentOptions } from './options';
import { Puller } from './puller';
import { RuntimeClient, type RuntimeInfo } from './runtime';
import { pullOrders, ServerClient, type Heartbeat, type Registration } from './server-client';
import { StateFile, type AgentState, type PullOrder } from './state-file';
import { SystemStats } from './system-stats';
import { AGENT_VERSION } from './version';

export const EXIT_NO_GPU = 2;

/** The address of this machine's interface that reaches `url` (what the server will see). */
export function localAddressTowards(url: string): Promise<string> {
  const u = new URL(url);
  const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
  return new Promise((resolve, reject) => {
    const s = connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port });
    s.setTimeout(5_000, () => s.destroy(new Error('timeout')));
    s.once('connect', () => {
      const addr = (s.localAddress ?? '').replace(/^::ffff:/, '');
      s.destroy();
      resolve(addr);
    });
    s.once('error', reject);
  });
}

export class Agent {
  private readonly log: AgentLog;
  private readonly server: ServerClient;
  private readonly runtime: RuntimeClient;
  private readonly stateFile: StateFile;
  private readonly puller: Puller;
  private readonly stats = new SystemStats();
  private state: AgentState = {};
  private gpus: GpuDetection | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly opts: AgentOptions,
    log = new AgentLog(),
  ) {
    this.log = log;
    this.server = new ServerClient(opts.serverUrl, opts.key);
    this.runtime = new RuntimeClient(opts.runtimeUrl);
    this.stateFile = new StateFile(opts.dataDir);
    this.puller = new Puller({
      server: this.server,
      log,
      modelsDir: opts.modelsDir,
      reserveDiskBytes: opts.reserveDiskBytes,
      hfToken: opts.hfToken,
      onDownloaded: opts.onDownloaded,
      token: () => this.state.node_token ?? null,
      finished: (taskId) => this.forgetPull(taskId),
    });
  }

  stop(): void {
    this.stopped = true;
    this.puller.stopAll();
    this.wake?.();
  }

  /** Runs until `stop()`; resolves with the exit status. */
  async run(): Promise<number> {
    this.gpus = await detectGpus(this.opts.gpusOverride);
    if (this.gpus.groups.length === 0) {
      this.log.error(
        `no GPU found, not registering (a node needs a GPU): ${this.gpus.notes.join('; ') || 'no vendor tool answered'}. ` +
          'Set LLMLB_AGENT_GPUS="MODEL:COUNT" if the tools cannot see your GPUs.',
      );
      return EXIT_NO_GPU;
    }
    const gpuText = this.gpus.groups.map((g) => `${g.count}× ${g.model}`).join(', ');
    this.log.info(`agent ${AGENT_VERSION}: GPUs ${gpuText} (from ${this.gpus.source})`);
    this.state = this.stateFile.load();
    if (this.state.server_url && this.state.server_url !== this.opts.serverUrl) {
      this.log.info(`agent.json belongs to ${this.state.server_url}: registering anew`);
      this.state = {};
    }

    const info = await this.waitForRuntime();
    if (!info) return 0;
    if (!(await this.register(info))) return 0;
    for (const p of this.state.pulls ?? []) this.puller.start(p);
    await this.heartbeatLoop();
    return 0;
  }

  // --- runtime

  private async probeRuntime(): Promise<RuntimeInfo | null> {
    try {
      const info = await this.runtime.probe();
      this.log.state(
        'runtime',
        'up',
        `runtime ${this.opts.runtimeUrl} answers (${info.models.length} models)`,
      );
      return info;
    } catch (e) {
      this.log.state(
        'runtime',
        'down',
        `runtime ${this.opts.runtimeUrl} not answering /v1/models (${(e as Error).message}); waiting`,
        true,
      );
      return null;
    }
  }

  private async waitForRuntime(): Promise<RuntimeInfo | null> {
    let attempt = 0;
    while (!this.stopped) {
      const info = await this.probeRuntime();
      if (info) return info;
      await this.sleep(this.backoff(attempt++));
    }
    return null;
  }

  // --- registration

  private async registration(info: RuntimeInfo): Promise<Registration> {
    const rt = new URL(this.opts.runtimeUrl);
    const port = Number(rt.port) || (rt.protocol === 'https:' ? 443 : 80);
    const address = this.opts.advertiseAddress ?? (await localAddressTowards(this.opts.serverUrl));
    const id = await this.runtime.identify();
    return {
      machine_name: (this.opts.name ?? hostname()).slice(0, 255) || 'node',
      ip_address: address,
      runtime_version: id.version,
      runtime_port: port,
      gpu_available: true,
      gpu_devices: this.gpus!.groups,
      supported_runtimes: [id.kind],
      pull_mode: 'poll',
      agent_version: AGENT_VERSION,
      ...(info.maxConcurrency ? { max_concurrency: info.maxConcurrency } : {}),
    };
  }

  /** Registers until it works (or the agent stops); true when registered. */
  private async register(info: RuntimeInfo): Promise<boolean> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        const body = await this.registration(info);
        const r = await this.server.register(body, this.state.node_token ?? null);
        if (r.status === 200 || r.status === 201) {
          const b = r.body as { node_id: string; node_token: string; status: string };
          this.state = {
            ...this.state,
            server_url: this.opts.serverUrl,
            node_id: b.node_id,
            node_token: b.node_token,
          };
          this.stateFile.save(this.state);
          this.log.state(
            'server',
            `registered:${b.node_id}:${b.status}`,
            `registered with ${this.opts.serverUrl} as node ${b.node_id} (${b.status})`,
          );
          return true;
        }
        if (errorCode(r) === 'node_exists' && this.state.node_token) {
          // our token no longer proves the node: try once more without it
          this.dropToken();
        }
        this.log.state(
          'server',
          `refused:${r.status}:${errorCode(r) ?? ''}`,
          `registration refused: ${describe(r)}; retrying`,
          true,
        );
      } catch (e) {
        this.log.state(
          'server',
          'unreachable',
          `server ${this.opts.serverUrl} unreachable (${(e as Error).message}); retrying`,
          true,
        );
      }
      await this.sleep(this.backoff(attempt++));
    }
    return false;
  }

  private dropToken(): void {
    const { node_token: _t, node_id: _i, ...rest } = this.state;
    this.state = rest;
    this.stateFile.save(this.state);
  }

  // --- heartbeats

  private async heartbeatBody(): Promise<{ body: Heartbeat; info: RuntimeInfo | null }> {
    const info = await this.probeRuntime();
    const readings = await readGpuStats(this.gpus!.source);
    const body: Heartbeat = {
      node_id: this.state.node_id,
      cpu_usage: this.stats.cpuUsage(),
      memory_usage: this.stats.memoryUsage(),
      ...gpuStats(readings),
      initializing: info === null,
    };
    if (info) {
      const { chat, embeddings } = splitModels(info.models);
      body.loaded_models = chat;
      body.loaded_embedding_models = embeddings;
      body.ready_models = [info.models.length, info.models.length];
      if (info.maxConcurrency) body.max_concurrency = info.maxConcurrency;
    }
    return { body, info };
  }

  private async heartbeatLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const { body, info } = await this.heartbeatBody();
      let delay = this.opts.intervalSecs * 1000;
      try {
        const r = await this.server.heartbeat(this.state.node_token!, body);
        if (r.status === 200) {
          failures = 0;
          const status = (r.body as { status?: string } | undefined)?.status ?? 'unknown';
          this.log.state(
            'server',
            `accepted:${status}`,
            `heartbeats accepted: node ${this.state.node_id} is ${status}`,
          );
          for (const order of pullOrders(r.body)) this.acceptPull(order);
        } else if (errorCode(r) === 'node_token_invalid') {
          this.log.state(
            'server',
            'token_invalid',
            `the server no longer knows this node (node_token_invalid): registering again`,
            true,
          );
          this.dropToken();
          const fresh = info ?? (await this.waitForRuntime());
          if (!fresh || !(await this.register(fresh))) return;
          delay = 0;
        } else {
          this.log.state(
            'server',
            `refused:${r.status}:${errorCode(r) ?? ''}`,
            `heartbeat refused: ${describe(r)}`,
            true,
          );
          delay = this.backoff(failures++);
        }
      } catch (e) {
        this.log.state(
          'server',
          'unreachable',
          `server ${this.opts.serverUrl} unreachable (${(e as Error).message}); retrying`,
          true,
        );
        delay = Math.min(this.backoff(failures++), this.opts.intervalSecs * 1000);
      }
      if (delay > 0) await this.sleep(delay);
    }
  }

  // --- pulls

  private acceptPull(order: PullOrder): void {
    if (this.puller.has(order.task_id)) return;
    const pulls = (this.state.pulls ?? []).filter((p) => p.task_id !== order.task_id);
    this.state = { ...this.state, pulls: [...pulls, order] };
    this.stateFile.save(this.state);
    this.puller.start(order);
  }

  private forgetPull(taskId: string): void {
    if (this.stopped) return; // shutting down: keep it for the resume
    const pulls = (this.state.pulls ?? []).filter((p) => p.task_id !== taskId);
    this.state = { ...this.state, pulls };
    this.stateFile.save(this.state);
  }

  // --- timing

  /** 0.5 s, 1 s, 2 s, … up to the configured maximum. */
  private backoff(attempt: number): number {
    return Math.min(this.opts.maxBackoffMs, 500 * 2 ** Math.min(attempt, 10));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }
}
