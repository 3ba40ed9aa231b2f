import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One proxied `/v1` request (request history). Written in batches, never per request. */
@Entity('request_history')
@Index('IDX_request_history_created_at', ['createdAt'])
@Index('IDX_request_history_model_created_at', ['model', 'createdAt'])
@Index('IDX_request_history_backend_created_at', ['backendId', 'createdAt'])
export class RequestRecordEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;

  /** When the request arrived. */
  @Column({ name: 'created_at', type: 'datetime' }) createdAt: Date;

  @Column({ name: 'request_id', type: 'varchar', length: 128 }) requestId: string;

  @Column({ name: 'api_key_id', type: 'varchar', length: 36, nullable: true }) apiKeyId:
    string | null;

  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true }) userId: string | null;

  /** `chat/completions`, `completions`, `embeddings` or `responses`. */
  @Column({ type: 'varchar', length: 32 }) operation: string;

  @Column({ type: 'varchar', length: 255 }) model: string;

  @Column({ name: 'backend_id', type: 'varchar', length: 64, nullable: true }) backendId:
    string | null;

  @Column({ name: 'backend_name', type: 'varchar', length: 255, nullable: true }) backendName:
    string | null;

  @Column({ type: 'integer' }) status: number;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true }) errorCode:
    string | null;

  @Column({ type: 'boolean' }) stream: boolean;

  @Column({ name: 'latency_ms', type: 'real' }) latencyMs: number;

  @Column({ name: 'ttft_ms', type: 'real', nullable: true }) ttftMs: number | null;

  @Column({ name: 'overhead_ms', type: 'real' }) overheadMs: number;

  @Column({ name: 'prompt_tokens', type: 'integer', nullable: true }) promptTokens: number | null;

  @Column({ name: 'completion_tokens', type: 'integer', nullable: true }) completionTokens:
    number | null;

  @Column({ type: 'integer' }) attempts: number;

  @Column({ name: 'request_body', type: 'text', nullable: true }) requestBody: string | null;

  @Column({ name: 'response_body', type: 'text', nullable: true }) responseBody: string | null;
}
