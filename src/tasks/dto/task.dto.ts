import { ApiProperty } from '@nestjs/swagger';
import type { TaskEntity } from '../task.entity';

const KINDS = ['node_pull', 'endpoint_download'];
const STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'];

export class TaskDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: KINDS }) kind: string;
  @ApiProperty({ example: 'thebloke/llama-2-7b-gguf/llama-2-7b.q4_k_m' }) model: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) node_id: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) endpoint_id: string | null;
  @ApiProperty({ enum: STATUSES }) status: string;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.42 }) progress: number;
  @ApiProperty({ nullable: true, type: Number }) downloaded_bytes: number | null;
  @ApiProperty({ nullable: true, type: Number }) total_bytes: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'bytes per second' }) speed_bps:
    number | null;
  @ApiProperty({ nullable: true, type: Number }) eta_seconds: number | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) started_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completed_at: string | null;

  static from(t: TaskEntity): TaskDto {
    return {
      id: t.id,
      kind: t.kind,
      model: t.model,
      node_id: t.nodeId,
      endpoint_id: t.endpointId,
      status: t.status,
      progress: t.progress,
      downloaded_bytes: t.downloadedBytes,
      total_bytes: t.totalBytes,
      speed_bps: t.speedBps,
      eta_seconds: t.etaSeconds,
      error: t.error,
      created_at: iso(t.createdAt),
      started_at: t.startedAt ? iso(t.startedAt) : null,
      completed_at: t.completedAt ? iso(t.completedAt) : null,
    };
  }
}

export class TaskListDto {
  @ApiProperty({ type: [TaskDto], description: 'Newest first, at most `limit`' }) tasks: TaskDto[];
  @ApiProperty({ description: 'Number of tasks matching the filters' }) total: number;
}

export class TaskIdsDto {
  @ApiProperty({ type: [String], example: ['5f0c…'] }) task_ids: string[];
}

function iso(d: Date | string): string {
  return (d instanceof Date ? d : new Date(d)).toISOString();
}
