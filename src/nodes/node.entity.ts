import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { GpuDevice } from './gpu-rules';
import type { NodeStatus, ReadyModels } from './node-state';

/** Heartbeat figures not listed in the Node response but kept for the dashboard and stats. */
export interface NodeExtraMetrics {
  gpu_memory_usage?: number;
  gpu_memory_used_bytes?: number;
  gpu_memory_total_bytes?: number;
  gpu_temperature?: number;
  average_response_time_ms?: number;
}

/** A self-registered GPU node (spec §4). */
@Entity('nodes')
@Index('IDX_nodes_address', ['ipAddress', 'runtimePort'], { unique: true })
export class NodeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;

  @Column({ name: 'machine_name', type: 'varchar', length: 255 }) machineName: string;
  @Column({ name: 'ip_address', type: 'varchar', length: 45 }) ipAddress: string;
  @Column({ name: 'runtime_version', type: 'varchar', length: 64 }) runtimeVersion: string;
  @Column({ name: 'runtime_port', type: 'integer' }) runtimePort: number;
  @Column({ type: 'varchar', length: 16 }) status: NodeStatus;

  @Column({ name: 'gpu_available', type: 'boolean' }) gpuAvailable: boolean;
  @Column({ name: 'gpu_devices', type: 'simple-json' }) gpuDevices: GpuDevice[];
  @Column({ name: 'gpu_count', type: 'integer' }) gpuCount: number;
  @Column({ name: 'gpu_model', type: 'varchar', length: 255, nullable: true }) gpuModel:
    string | null;
  @Column({ name: 'supported_runtimes', type: 'simple-json' }) supportedRuntimes: string[];

  @Column({ name: 'loaded_models', type: 'simple-json' }) loadedModels: string[];
  @Column({ name: 'loaded_embedding_models', type: 'simple-json' }) loadedEmbeddingModels: string[];
  @Column({ name: 'ready_models', type: 'simple-json', nullable: true }) readyModels: ReadyModels;
  @Column({ type: 'boolean', default: false }) initializing: boolean;

  @Column({ name: 'cpu_usage', type: 'real', nullable: true }) cpuUsage: number | null;
  @Column({ name: 'memory_usage', type: 'real', nullable: true }) memoryUsage: number | null;
  @Column({ name: 'gpu_usage', type: 'real', nullable: true }) gpuUsage: number | null;
  @Column({ name: 'active_requests', type: 'integer', nullable: true }) activeRequests:
    number | null;
  @Column({ name: 'extra_metrics', type: 'simple-json', nullable: true })
  extraMetrics: NodeExtraMetrics | null;
  /** Requests the runtime serves at once (registration or heartbeat); null = unlimited. */
  @Column({ name: 'max_concurrency', type: 'integer', nullable: true }) maxConcurrency:
    number | null;

  /** SHA-256 (hex) of the current node token; null for imported nodes until they register. */
  @Index('IDX_nodes_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64, nullable: true })
  tokenHash: string | null;

  @Column({ name: 'registered_at', type: 'datetime' }) registeredAt: Date;
  @Column({ name: 'last_seen', type: 'datetime', nullable: true }) lastSeen: Date | null;
  @Column({ name: 'online_since', type: 'datetime', nullable: true }) onlineSince: Date | null;

  @Column({ name: 'custom_name', type: 'varchar', length: 255, nullable: true }) customName:
    string | null;
  @Column({ type: 'simple-json' }) tags: string[];
  @Column({ type: 'text', nullable: true }) notes: string | null;
}
