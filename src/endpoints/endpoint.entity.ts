import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EndpointStatus, EndpointType, TypeSource } from './endpoint-types';

@Entity('endpoints')
export class EndpointEntity {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Index('IDX_endpoints_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** Normalized (scheme://host[:port][/path], no trailing slash); unique. */
  @Index('IDX_endpoints_base_url', { unique: true })
  @Column({ name: 'base_url', type: 'varchar', length: 2048 })
  baseUrl: string;

  /** AES-256-GCM ciphertext of the backend key (SecretBoxService); never returned. */
  @Column({ name: 'api_key_encrypted', type: 'text', nullable: true }) apiKeyEncrypted:
    string | null;

  @Column({ name: 'endpoint_type', type: 'varchar', length: 32 }) endpointType: EndpointType;

  @Column({ name: 'type_source', type: 'varchar', length: 16 }) typeSource: TypeSource;

  @Column({ type: 'varchar', length: 16 }) status: EndpointStatus;

  @Column({ type: 'boolean', default: true }) enabled: boolean;

  @Column({ type: 'integer', default: 50 }) priority: number;

  @Column({ name: 'health_check_interval_secs', type: 'integer', default: 30 })
  healthCheckIntervalSecs: number;

  @Column({ name: 'inference_timeout_secs', type: 'integer', default: 120 })
  inferenceTimeoutSecs: number;

  @Column({ name: 'latency_ms', type: 'integer', nullable: true }) latencyMs: number | null;

  @Column({ name: 'last_checked_at', type: 'datetime', nullable: true }) lastCheckedAt: Date | null;

  @Column({ name: 'last_online_at', type: 'datetime', nullable: true }) lastOnlineAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures: number;

  /** When the model list was last synced successfully (throttles sync on healthy probes). */
  @Column({ name: 'models_synced_at', type: 'datetime', nullable: true })
  modelsSyncedAt: Date | null;

  @Column({ type: 'text', nullable: true }) notes: string | null;

  /** Requests sent at once (admin setting); null = automatic (detected, else unlimited). */
  @Column({ name: 'max_concurrency', type: 'integer', nullable: true })
  maxConcurrency: number | null;

  /** Slots the backend reported (llama.cpp `/props` `total_slots`), at detection and sync. */
  @Column({ name: 'detected_max_concurrency', type: 'integer', nullable: true })
  detectedMaxConcurrency: number | null;

  @CreateDateColumn({ name: 'registered_at' }) registeredAt: Date;

  /** Last change of the settings (not of the health fields, which change on every probe). */
  @Column({ name: 'updated_at', type: 'datetime' }) updatedAt: Date;
}
