/** Node statuses and the state machine of spec §4.2, as pure functions. */

export const NODE_STATUSES = ['pending', 'registering', 'online', 'offline'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

/** How a node receives model pulls (spec §7.2): pushed to it, or polled in heartbeat answers. */
export const PULL_MODES = ['push', 'poll'] as const;
export type PullMode = (typeof PULL_MODES)[number];

/** `[ready, total]` as the node reports it; null when never given. */
export type ReadyModels = [number, number] | null;

/** Whether the models are ready: `ready ≥ total`, or no `ready_models` given. */
export function modelsReady(ready: ReadyModels): boolean {
  return ready === null || ready[0] >= ready[1];
}

/** Status after approval of a pending node. */
export function statusOnApprove(ready: ReadyModels): NodeStatus {
  return modelsReady(ready) ? 'online' : 'registering';
}

/** Status after a heartbeat. */
export function statusOnHeartbeat(
  from: NodeStatus,
  hb: { readyModels: ReadyModels; initializing: boolean },
): NodeStatus {
  switch (from) {
    case 'pending':
      return 'pending';
    case 'offline':
      return 'registering';
    case 'registering':
      return modelsReady(hb.readyModels) && !hb.initializing ? 'online' : 'registering';
    case 'online':
      return 'online';
  }
}

/** Whether the offline monitor should mark a node offline. */
export function isTimedOut(
  status: NodeStatus,
  silentSinceMs: number,
  nowMs: number,
  timeoutSecs: number,
): boolean {
  return (
    (status === 'online' || status === 'registering') && nowMs - silentSinceMs >= timeoutSecs * 1000
  );
}
