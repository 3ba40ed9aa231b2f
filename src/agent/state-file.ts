/** `<data dir>/agent.json`: the node id and token, and the pulls in progress (mode 0600). */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PullOrder {
  task_id: string;
  model: string;
  manifest_url: string;
}

export interface AgentState {
  server_url?: string;
  node_id?: string;
  node_token?: string;
  /** Pulls accepted and not yet finished, resumed after a restart. */
  pulls?: PullOrder[];
}

export class StateFile {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'agent.json');
  }

  load(): AgentState {
    try {
      const v = JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
      return v && typeof v === 'object' ? (v as AgentState) : {};
    } catch {
      return {};
    }
  }

  /** Writes atomically (temp file + rename), readable by the owner only. */
  save(state: AgentState): void {
    const dir = join(this.path, '..');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}
