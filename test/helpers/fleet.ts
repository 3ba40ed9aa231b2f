import { NodesService } from '../../src/nodes/nodes.service';
import type { HeartbeatTaskDto } from '../../src/tasks/dto/task-progress.dto';
import type { TestApp } from './app';
import { ADMIN_PASSWORD } from './app';
import { api, login } from './http';
import { heartbeatBody, nodeBody } from './nodes';

export interface FleetNode {
  id: string;
  token: string;
}

/**
 * The nodes and endpoints that model/download tests need, driven through the REAL nodes and
 * endpoints modules: nodes register over `POST /v0/nodes` (pointing at a fake runtime), are
 * approved by the admin and kept online by ready heartbeats sent with their own token, like a
 * real node runtime does; endpoints register over `POST /v0/endpoints`.
 */
export class Fleet {
  private adminJwt: Promise<string> | null = null;
  /** Nodes this fleet keeps alive with periodic heartbeats. */
  private readonly alive = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private t: TestApp,
    /** Keep-alive heartbeat period; well under LLMLB_NODE_TIMEOUT_SECS. */
    private readonly heartbeatMs = 250,
  ) {}

  /** Points the fleet at a restarted app (nodes persist; keep-alives go to the new URL). */
  attach(t: TestApp): void {
    this.t = t;
    this.adminJwt = null;
  }

  private async admin() {
    this.adminJwt ??= login(this.t.url, 'admin', ADMIN_PASSWORD);
    return api(this.t.url).as(await this.adminJwt);
  }

  /**
   * Registers a node whose runtime answers at `baseUrl` (127.0.0.1:port). `online` (default):
   * approved, ready heartbeat, kept alive; `pending`: only registered; `offline`: online first,
   * then timed out through the offline monitor.
   */
  async addNode(opts: {
    baseUrl: string;
    status?: 'online' | 'pending' | 'offline';
    machineName?: string;
  }): Promise<FleetNode> {
    const u = new URL(opts.baseUrl);
    const reg = await api(this.t.url).post(
      '/v0/nodes',
      nodeBody({
        ip_address: u.hostname,
        runtime_port: Number(u.port),
        ...(opts.machineName ? { machine_name: opts.machineName } : {}),
      }),
    );
    if (reg.status !== 201) throw new Error(`node registration: ${reg.status} ${reg.text}`);
    const node = { id: reg.body.node_id as string, token: reg.body.node_token as string };
    const status = opts.status ?? 'online';
    if (status === 'pending') return node;
    const ok = await (await this.admin()).post(`/v0/nodes/${node.id}/approve`);
    if (ok.status !== 200) throw new Error(`approve: ${ok.status} ${ok.text}`);
    const hb = await this.heartbeat(node, []);
    if (hb.status !== 200 || hb.body.status !== 'online')
      throw new Error(`ready heartbeat: ${hb.status} ${hb.text}`);
    this.keepAlive(node);
    if (status === 'offline') await this.takeOffline(node.id);
    return node;
  }

  /** Sends heartbeats for `node` every `heartbeatMs` from now on. */
  keepAlive(node: FleetNode): void {
    this.alive.set(node.id, node.token);
    this.timer ??= setInterval(() => {
      for (const [id, token] of this.alive) {
        void this.heartbeat({ id, token }, []).catch(() => undefined);
      }
    }, this.heartbeatMs);
  }

  /** Stops the keep-alive heartbeats of one node (it falls silent). */
  silence(id: string): void {
    this.alive.delete(id);
  }

  /**
   * Takes one node offline through the real offline monitor (`markSilentNodesOffline`, what
   * the nodes scheduler runs) without waiting a node timeout: the node falls silent, every
   * other live node heartbeats after a cut-off, and the monitor runs as if a full timeout had
   * passed since the cut-off (so only nodes silent since before it time out).
   */
  async takeOffline(id: string): Promise<void> {
    this.silence(id);
    await new Promise((r) => setTimeout(r, 5));
    const cut = Date.now();
    await Promise.all(
      [...this.alive].map(([nid, token]) => this.heartbeat({ id: nid, token }, [])),
    );
    const nodes = this.t.app.get(NodesService);
    await nodes.markSilentNodesOffline(cut - 1 + this.t.config.nodes.timeoutSecs * 1000);
    const status = nodes.getNode(id)?.status;
    if (status !== 'offline') throw new Error(`node ${id} is ${status}, not offline`);
  }

  /**
   * A real heartbeat (`POST /v0/health` with the node token), optionally with task progress
   * and other heartbeat fields (`loaded_models`, …).
   */
  heartbeat(node: FleetNode, tasks: HeartbeatTaskDto[], extra: Record<string, unknown> = {}) {
    return api(this.t.url)
      .with({ 'x-node-token': node.token })
      .post('/v0/health', heartbeatBody({ ...(tasks.length ? { tasks } : {}), ...extra }));
  }

  /** Deletes (rejects) a node as the admin. */
  async removeNode(id: string): Promise<void> {
    this.silence(id);
    const r = await (await this.admin()).delete(`/v0/nodes/${id}`);
    if (r.status !== 204) throw new Error(`delete node: ${r.status} ${r.text}`);
  }

  async nodeStatus(id: string): Promise<string> {
    return (await (await this.admin()).get(`/v0/nodes/${id}`)).body.status;
  }

  /** The node's models as the admin API shows them. */
  async nodeModels(id: string): Promise<string[]> {
    return (await (await this.admin()).get(`/v0/nodes/${id}`)).body.loaded_models;
  }

  /** Registers an endpoint with a manual type over `POST /v0/endpoints`; returns its id. */
  async addEndpoint(opts: {
    endpointType: string;
    baseUrl: string;
    apiKey?: string | null;
    name?: string;
  }): Promise<string> {
    const r = await (
      await this.admin()
    ).post('/v0/endpoints', {
      name: opts.name ?? `${opts.endpointType}-${Math.random().toString(36).slice(2, 10)}`,
      base_url: opts.baseUrl,
      endpoint_type: opts.endpointType,
      ...(opts.apiKey ? { api_key: opts.apiKey } : {}),
    });
    if (r.status !== 201) throw new Error(`endpoint registration: ${r.status} ${r.text}`);
    return r.body.id as string;
  }

  /** Model ids the endpoint's last sync stored (`GET /v0/endpoints/:id/models`). */
  async endpointModels(id: string): Promise<string[]> {
    const r = await (await this.admin()).get(`/v0/endpoints/${id}/models`);
    return (r.body.models as Array<{ id: string }>).map((m) => m.id);
  }

  /** Stops the keep-alive heartbeats (call before closing the app). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.alive.clear();
  }
}
