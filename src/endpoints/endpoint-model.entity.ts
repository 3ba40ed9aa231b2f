import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { EndpointEntity } from './endpoint.entity';

/** One model an endpoint serves, as last synced. Deleted with its endpoint. */
@Entity('endpoint_models')
export class EndpointModelEntity {
  @PrimaryColumn({ name: 'endpoint_id', type: 'varchar', length: 36 }) endpointId: string;

  /** The backend's own model id (may contain `/` and `:`). */
  @PrimaryColumn({ name: 'model_id', type: 'varchar', length: 512 }) modelId: string;

  @Column({ name: 'max_tokens', type: 'integer', nullable: true }) maxTokens: number | null;

  @Column({ type: 'simple-json' }) capabilities: string[];

  @Column({ name: 'last_synced_at', type: 'datetime' }) lastSyncedAt: Date;

  @ManyToOne(() => EndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: EndpointEntity;
}
