import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type TaskKind = 'node_pull' | 'endpoint_download';
export type TaskStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';

/** A model download: a pull on one node, or a download through an endpoint's own API. */
@Entity('tasks')
@Index('IDX_tasks_status', ['status'])
@Index('IDX_tasks_node_id', ['nodeId'])
@Index('IDX_tasks_endpoint_id', ['endpointId'])
export class TaskEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;

  @Column({ type: 'varchar', length: 32 }) kind: TaskKind;

  @Column({ type: 'varchar', length: 512 }) model: string;

  /** File to download (endpoint downloads), when given. */
  @Column({ type: 'varchar', length: 512, nullable: true }) filename: string | null;

  @Column({ name: 'node_id', type: 'varchar', length: 36, nullable: true }) nodeId: string | null;

  @Column({ name: 'endpoint_id', type: 'varchar', length: 36, nullable: true }) endpointId:
    string | null;

  @Column({ type: 'varchar', length: 16 }) status: TaskStatus;

  /** 0–1. */
  @Column({ type: 'real', default: 0 }) progress: number;

  @Column({ name: 'downloaded_bytes', type: 'integer', nullable: true }) downloadedBytes:
    number | null;

  @Column({ name: 'total_bytes', type: 'integer', nullable: true }) totalBytes: number | null;

  /** Bytes per second. */
  @Column({ name: 'speed_bps', type: 'real', nullable: true }) speedBps: number | null;

  @Column({ name: 'eta_seconds', type: 'real', nullable: true }) etaSeconds: number | null;

  @Column({ type: 'text', nullable: true }) error: string | null;

  /** The backend's own task id (xLLM downloads), so polling can resume after a restart. */
  @Column({ name: 'remote_task_id', type: 'varchar', length: 255, nullable: true }) remoteTaskId:
    string | null;

  @Column({ name: 'created_at', type: 'datetime' }) createdAt: Date;

  @Column({ name: 'started_at', type: 'datetime', nullable: true }) startedAt: Date | null;

  @Column({ name: 'completed_at', type: 'datetime', nullable: true }) completedAt: Date | null;

  @Column({ name: 'updated_at', type: 'datetime' }) updatedAt: Date;
}

export const ACTIVE_STATUSES: TaskStatus[] = ['pending', 'in_progress'];

export function isFinished(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}
