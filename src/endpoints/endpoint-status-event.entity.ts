import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { EndpointEntity } from './endpoint.entity';
import type { EndpointStatus } from './endpoint-types';

/** One status transition of an endpoint (not every probe), for the dashboard. */
@Entity('endpoint_status_events')
@Index('IDX_endpoint_status_events_endpoint_at', ['endpointId', 'at'])
export class EndpointStatusEventEntity {
  @PrimaryGeneratedColumn('increment') id: number;

  @Column({ name: 'endpoint_id', type: 'varchar', length: 36 }) endpointId: string;

  @Column({ name: 'from_status', type: 'varchar', length: 16 }) fromStatus: EndpointStatus;

  @Column({ name: 'to_status', type: 'varchar', length: 16 }) toStatus: EndpointStatus;

  /** What caused it: `probe`, `passive`, `registration`. */
  @Column({ type: 'varchar', length: 16 }) cause: string;

  @Column({ type: 'text', nullable: true }) error: string | null;

  @Column({ name: 'latency_ms', type: 'integer', nullable: true }) latencyMs: number | null;

  @CreateDateColumn({ name: 'at' }) at: Date;

  @ManyToOne(() => EndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: EndpointEntity;
}
