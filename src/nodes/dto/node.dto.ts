import { ApiProperty } from '@nestjs/swagger';
import { NODE_STATUSES, PULL_MODES, type NodeStatus, type PullMode } from '../node-state';
import type { NodeEntity } from '../node.entity';
import { GpuDeviceDto } from './register-node.dto';

/** A node as the admin API shows it (spec §4.3). Never the token or its hash. */
export class NodeDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() machine_name: string;
  @ApiProperty() ip_address: string;
  @ApiProperty() runtime_version: string;
  @ApiProperty() runtime_port: number;
  @ApiProperty({ enum: NODE_STATUSES }) status: NodeStatus;
  @ApiProperty() gpu_available: boolean;
  @ApiProperty({ type: [GpuDeviceDto] }) gpu_devices: GpuDeviceDto[];
  @ApiProperty() gpu_count: number;
  @ApiProperty({ nullable: true, type: String }) gpu_model: string | null;
  @ApiProperty({ type: [String] }) supported_runtimes: string[];
  @ApiProperty({ enum: PULL_MODES }) pull_mode: PullMode;
  @ApiProperty({ nullable: true, type: String }) agent_version: string | null;
  @ApiProperty({ type: [String] }) loaded_models: string[];
  @ApiProperty({ type: [String] }) loaded_embedding_models: string[];
  @ApiProperty({
    nullable: true,
    type: [Number],
    minItems: 2,
    maxItems: 2,
    description: '[ready, total]',
  })
  ready_models: [number, number] | null;
  @ApiProperty() initializing: boolean;
  @ApiProperty({ nullable: true, type: Number }) cpu_usage: number | null;
  @ApiProperty({ nullable: true, type: Number }) memory_usage: number | null;
  @ApiProperty({ nullable: true, type: Number }) gpu_usage: number | null;
  @ApiProperty({ nullable: true, type: Number }) active_requests: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Slots the node reported (requests served at once); null = unlimited',
  })
  max_concurrency: number | null;
  @ApiProperty({ format: 'date-time' }) registered_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_seen: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) online_since: string | null;
  @ApiProperty({ nullable: true, type: String }) custom_name: string | null;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ nullable: true, type: String }) notes: string | null;

  /** The explicit mapper: only these fields leave the server. */
  static from(n: NodeEntity): NodeDto {
    return {
      id: n.id,
      machine_name: n.machineName,
      ip_address: n.ipAddress,
      runtime_version: n.runtimeVersion,
      runtime_port: n.runtimePort,
      status: n.status,
      gpu_available: n.gpuAvailable,
      gpu_devices: n.gpuDevices.map((d) =>
        d.memory_bytes === undefined
          ? { model: d.model, count: d.count }
          : { model: d.model, count: d.count, memory_bytes: d.memory_bytes },
      ),
      gpu_count: n.gpuCount,
      gpu_model: n.gpuModel,
      supported_runtimes: [...n.supportedRuntimes],
      pull_mode: n.pullMode,
      agent_version: n.agentVersion,
      max_concurrency: n.maxConcurrency,
      loaded_models: [...n.loadedModels],
      loaded_embedding_models: [...n.loadedEmbeddingModels],
      ready_models: n.readyModels ? [n.readyModels[0], n.readyModels[1]] : null,
      initializing: n.initializing,
      cpu_usage: n.cpuUsage,
      memory_usage: n.memoryUsage,
      gpu_usage: n.gpuUsage,
      active_requests: n.activeRequests,
      registered_at: n.registeredAt.toISOString(),
      last_seen: n.lastSeen ? n.lastSeen.toISOString() : null,
      online_since: n.onlineSince ? n.onlineSince.toISOString() : null,
      custom_name: n.customName,
      tags: [...n.tags],
      notes: n.notes,
    };
  }
}

export class NodeListDto {
  @ApiProperty({ type: [NodeDto] }) nodes: NodeDto[];
  @ApiProperty() total: number;
}
