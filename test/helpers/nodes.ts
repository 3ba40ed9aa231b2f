import { api, login } from './http';
import { ADMIN_PASSWORD } from './app';

let counter = 0;

/** A valid registration body; each call gets a distinct port unless one is given. */
export function nodeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    machine_name: `gpu-${counter}`,
    ip_address: '127.0.0.1',
    runtime_version: '0.4.2',
    runtime_port: 20000 + (counter % 40000),
    gpu_available: true,
    gpu_devices: [{ model: 'NVIDIA RTX 4090', count: 2, memory_bytes: 25769803776 }],
    ...overrides,
  };
}

/** A valid heartbeat body. */
export function heartbeatBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { cpu_usage: 12.5, memory_usage: 40, ...overrides };
}

export interface RegisteredNode {
  nodeId: string;
  token: string;
}

/**
 * Registers a node (expects 201/200) and returns its id and token. Anonymous callers may only
 * register their own address (127.0.0.1 in tests); pass `as` (an admin JWT or a key with
 * nodes.register) to register another one.
 */
export async function registerNode(
  url: string,
  overrides: Record<string, unknown> = {},
  as?: string,
): Promise<RegisteredNode> {
  const client = as ? api(url).as(as) : api(url);
  const res = await client.post('/v0/nodes', nodeBody(overrides));
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`register failed: ${res.status} ${res.text}`);
  return { nodeId: res.body.node_id, token: res.body.node_token };
}

/** Sends a heartbeat with the node's token. */
export function sendHeartbeat(url: string, token: string, overrides: Record<string, unknown> = {}) {
  return api(url).with({ 'x-node-token': token }).post('/v0/health', heartbeatBody(overrides));
}

/** Logs in as the admin and approves the node. */
export async function approveNode(url: string, nodeId: string, adminToken?: string): Promise<void> {
  const jwt = adminToken ?? (await login(url, 'admin', ADMIN_PASSWORD));
  const res = await api(url).as(jwt).post(`/v0/nodes/${nodeId}/approve`);
  if (res.status !== 200) throw new Error(`approve failed: ${res.status} ${res.text}`);
}
