import { ApiProperty } from '@nestjs/swagger';
import type { Backend } from '../../routing/backend';

export class QueueDepthDto {
  @ApiProperty({ description: 'Model id or alias' }) model: string;
  @ApiProperty({ description: 'Requests waiting for a backend slot' }) waiting: number;
}

export class BackendSlotsDto {
  @ApiProperty({ description: 'Node or endpoint id' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['node', 'endpoint'] }) kind: 'node' | 'endpoint';
  @ApiProperty() online: boolean;
  @ApiProperty({ description: 'Slots in use (requests in flight)' }) in_flight: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Capacity; null = unlimited' })
  max_concurrency: number | null;
  @ApiProperty({ description: 'Out of the rotation after consecutive failures' })
  ejected: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'While ejected: when a probing request may bring it back',
  })
  ejected_until: string | null;
  @ApiProperty() consecutive_failures: number;
  @ApiProperty({ description: 'Ejections since the server started' }) ejections: number;

  static from(b: Backend): BackendSlotsDto {
    return {
      id: b.id,
      name: b.name,
      kind: b.kind,
      online: b.online,
      in_flight: b.load.inFlight,
      max_concurrency: b.maxConcurrency,
      ejected: b.health.ejected,
      ejected_until: b.health.ejected ? new Date(b.health.ejectedUntil).toISOString() : null,
      consecutive_failures: b.health.consecutiveFailures,
      ejections: b.health.ejections,
    };
  }
}

export class SchedulingDto {
  @ApiProperty({ type: [QueueDepthDto], description: 'Non-empty admission queues' })
  queues: QueueDepthDto[];
  @ApiProperty({ description: 'Requests waiting in all queues' }) waiting: number;
  @ApiProperty({ type: [BackendSlotsDto] }) backends: BackendSlotsDto[];
}
